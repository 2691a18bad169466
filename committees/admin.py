"""Administration of the participation program. Where a service owns a write (needs, forums,
requisitions, allocations, assignments, the activity log, progress of works) the admin either
saves through that service or shows the rows read-only and points to the portal page that
does, so every rule lives in ``services.py``."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.admin_base import MunicipalityScopedAdmin, MunicipalityScopedInline

from . import models, services
from .permissions import Participant, participant_for


class ReadOnlyInline(MunicipalityScopedInline):
    """Rows written by a service from a portal page: listed here, never edited here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PortalOnlyAddMixin:
    """New rows of this model are created by a service from a portal page, not here."""

    def has_add_permission(self, request):
        return False


class ReadOnlyMixin(PortalOnlyAddMixin):
    """Rows are written by a service from a portal page; staff read (and may delete) here."""

    def has_change_permission(self, request, obj=None):
        return False


class PlanningMemberInline(MunicipalityScopedInline):
    model = models.PlanningMember
    extra = 0
    raw_id_fields = ["user"]


class AgreementInline(MunicipalityScopedInline):
    model = models.Agreement
    extra = 0
    fields = ["description", "owner", "due_on", "done"]


class CommitteeMemberInline(MunicipalityScopedInline):
    model = models.CommitteeMember
    extra = 0
    raw_id_fields = ["user"]


class AssignmentInline(ReadOnlyInline):
    """Assignments are made and ended on the staff page Participation → Civil employees
    (services.assignment_create / assignment_end), which checks overlaps and municipality."""

    model = models.Assignment
    fields = ["colonia", "starts_on", "ends_on"]
    readonly_fields = fields


class ProgramInline(MunicipalityScopedInline):
    model = models.Program
    extra = 0


class ForumPhotoInline(MunicipalityScopedInline):
    model = models.ForumPhoto
    extra = 0


class WorkProgressInline(ReadOnlyInline):
    """Progress is reported on the portal (services.work_progress_report), in date order."""

    model = models.WorkProgress
    fields = ["reported_on", "percent", "note", "recorded_by"]
    readonly_fields = fields


class NeedStatusChangeInline(MunicipalityScopedInline):
    model = models.NeedStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "note", "changed_by", "changed_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.PlanningCommittee)
class PlanningCommitteeAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "theme", "parent", "installed_on"]
    search_fields = ["name", "theme"]
    list_filter = ["parent"]
    inlines = [PlanningMemberInline]


@admin.register(models.PlanningMember)
class PlanningMemberAdmin(MunicipalityScopedAdmin):
    municipality_path = "body__municipality"
    list_display = ["full_name", "position", "body", "designated_on", "ceased_on"]
    search_fields = ["full_name", "organisation"]
    list_filter = ["position", "body"]
    raw_id_fields = ["user"]


@admin.register(models.PlanningSession)
class PlanningSessionAdmin(MunicipalityScopedAdmin):
    municipality_path = "body__municipality"
    list_display = ["body", "held_on", "place"]
    search_fields = ["agenda", "place"]
    list_filter = ["body"]
    date_hierarchy = "held_on"
    inlines = [AgreementInline]


@admin.register(models.CitizenCommittee)
class CitizenCommitteeAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "status", "assembly_date", "registration_number"]
    search_fields = ["name", "registration_number", "communities__name"]
    list_filter = ["status"]
    filter_horizontal = ["communities"]
    inlines = [CommitteeMemberInline]


@admin.register(models.CommitteeMember)
class CommitteeMemberAdmin(MunicipalityScopedAdmin):
    municipality_path = "committee__municipality"
    list_display = ["full_name", "position", "committee", "designated_on", "ceased_on"]
    search_fields = ["full_name", "committee__name"]
    list_filter = ["position", "chosen_by"]
    raw_id_fields = ["user"]
    list_select_related = ["committee"]


@admin.register(models.CivilAssociation)
class CivilAssociationAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "rfc"]
    search_fields = ["name", "rfc"]


@admin.register(models.CivilEmployee)
class CivilEmployeeAdmin(MunicipalityScopedAdmin):
    municipality_path = "association__municipality"
    list_display = ["full_name", "association", "hired_on", "contract_ends_on"]
    search_fields = ["full_name", "association__name"]
    list_filter = ["association"]
    raw_id_fields = ["user"]
    inlines = [AssignmentInline]


@admin.register(models.Activity)
class ActivityAdmin(ReadOnlyMixin, MunicipalityScopedAdmin):
    """Civil employees log their own work in the portal (services.activity_record)."""

    municipality_path = "employee__association__municipality"
    list_display = ["done_on", "employee", "kind", "colonia", "people_reached"]
    search_fields = ["description", "employee__full_name", "colonia__name"]
    list_filter = ["kind"]
    date_hierarchy = "done_on"


@admin.register(models.Forum)
class ForumAdmin(PortalOnlyAddMixin, MunicipalityScopedAdmin):
    """Forums are recorded in the portal (services.forum_record); here staff correct them."""

    list_display = ["title", "kind", "starts_at", "colonia", "attendance_total"]
    search_fields = ["title", "place", "colonia__name", "agenda"]
    list_filter = ["kind", "colonia__is_rural"]
    date_hierarchy = "starts_at"
    inlines = [AgreementInline, ForumPhotoInline]
    list_select_related = ["colonia"]


@admin.register(models.Need)
class NeedAdmin(PortalOnlyAddMixin, MunicipalityScopedAdmin):
    """Needs are filed in the portal (services.need_create); changes go through need_update."""

    list_display = [
        "__str__",
        "colonia",
        "category",
        "status",
        "priority",
        "people_affected",
        "estimated_cost",
    ]
    search_fields = ["description", "colonia__name"]
    list_filter = ["status", "category", "colonia__is_rural"]
    # The status changes through the workflow (participation pages), never by hand here.
    readonly_fields = [
        "status",
        "committee",
        "rejection_reason",
        "created_by",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["colonia"]
    inlines = [NeedStatusChangeInline]

    def save_model(self, request, obj, form, change):
        participant = participant_for(request.user, obj.municipality)
        if not participant.is_staff:
            # The admin is governed by model permissions (a role group's, or one granted by a
            # deployment admin), which the admin checked before this save, on a scoped row.
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            participant = Participant(is_staff=True)
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.NEED_UPDATABLE_FIELDS
        }
        if fields:
            services.need_update(
                need=models.Need.objects.get(pk=obj.pk),
                participant=participant,
                actor=request.user,
                **fields,
            )


@admin.register(models.Institution)
class InstitutionAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "acronym", "level"]
    search_fields = ["name", "acronym"]
    list_filter = ["level"]
    inlines = [ProgramInline]


@admin.register(models.Program)
class ProgramAdmin(MunicipalityScopedAdmin):
    municipality_path = "institution__municipality"
    list_display = ["name", "institution"]
    search_fields = ["name", "institution__name", "institution__acronym"]
    list_filter = ["institution"]


@admin.register(models.Requisition)
class RequisitionAdmin(PortalOnlyAddMixin, MunicipalityScopedAdmin):
    """Requisitions are prepared, submitted and answered in the portal (their services give
    the folio and move the needs); here staff correct the wording."""

    list_display = ["folio", "institution", "status", "submitted_on", "approved_amount"]
    search_fields = ["folio", "subject", "institution__name"]
    list_filter = ["status", "institution"]
    readonly_fields = [
        "folio",
        "institution",
        "status",
        "submitted_on",
        "answered_on",
        "approved_amount",
        "needs",
    ]
    list_select_related = ["institution"]


@admin.register(models.Allocation)
class AllocationAdmin(ReadOnlyMixin, MunicipalityScopedAdmin):
    """Allocations are recorded at Participation → Allocations (services.allocation_record),
    which also moves the need they answer along its workflow."""

    list_display = ["item", "colonia", "quantity", "unit", "value", "delivered_on", "source"]
    search_fields = ["item", "colonia__name", "signed_by"]
    list_filter = ["source", "colonia__is_rural"]
    date_hierarchy = "delivered_on"
    list_select_related = ["colonia"]

    def changelist_view(self, request, extra_context=None):
        messages.info(
            request,
            _("New allocations are recorded at %(url)s.")
            % {"url": reverse("committees:allocation_create")},
        )
        return super().changelist_view(request, extra_context)


@admin.register(models.PublicWork)
class PublicWorkAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "budget", "source", "starts_on", "ends_on"]
    search_fields = ["name", "communities__name"]
    list_filter = ["source"]
    filter_horizontal = ["communities"]
    raw_id_fields = ["needs"]
    inlines = [WorkProgressInline]


admin.site.site_header = admin.site.site_header or _("VillaGuard")


@admin.register(models.RegistrationCertificate)
class RegistrationCertificateAdmin(MunicipalityScopedAdmin):
    """Certificates are issued in the portal (services.certificate_issue, which gives the
    random code); here staff read them and may revoke one by its date."""

    list_display = ["registration_number", "committee", "registered_on", "issued_at", "revoked_at"]
    search_fields = ["registration_number", "committee__name", "code"]
    list_select_related = ["committee"]
    fields = ["committee", "registration_number", "registered_on", "code", "revoked_at"]
    readonly_fields = ["committee", "registration_number", "registered_on", "code"]

    def has_add_permission(self, request):
        return False

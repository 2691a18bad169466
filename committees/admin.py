from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from villaguard.admin_base import MunicipalityScopedAdmin, MunicipalityScopedInline

from . import models


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


class AssignmentInline(MunicipalityScopedInline):
    model = models.Assignment
    extra = 0


class ProgramInline(MunicipalityScopedInline):
    model = models.Program
    extra = 0


class ForumPhotoInline(MunicipalityScopedInline):
    model = models.ForumPhoto
    extra = 0


class WorkProgressInline(MunicipalityScopedInline):
    model = models.WorkProgress
    extra = 0


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
class ActivityAdmin(MunicipalityScopedAdmin):
    municipality_path = "employee__association__municipality"
    list_display = ["done_on", "employee", "kind", "colonia"]
    search_fields = ["description", "employee__full_name", "colonia__name"]
    list_filter = ["kind"]
    date_hierarchy = "done_on"


@admin.register(models.Forum)
class ForumAdmin(MunicipalityScopedAdmin):
    list_display = ["title", "kind", "starts_at", "colonia", "attendance_total"]
    search_fields = ["title", "place", "colonia__name", "agenda"]
    list_filter = ["kind", "colonia__is_rural"]
    date_hierarchy = "starts_at"
    inlines = [AgreementInline, ForumPhotoInline]
    list_select_related = ["colonia"]


@admin.register(models.Need)
class NeedAdmin(MunicipalityScopedAdmin):
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
    readonly_fields = ["status", "rejection_reason", "created_by", "created_at", "updated_at"]
    list_select_related = ["colonia"]
    inlines = [NeedStatusChangeInline]


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
class RequisitionAdmin(MunicipalityScopedAdmin):
    list_display = ["folio", "institution", "status", "submitted_on", "approved_amount"]
    search_fields = ["folio", "subject", "institution__name"]
    list_filter = ["status", "institution"]
    readonly_fields = ["status", "submitted_on", "answered_on", "approved_amount", "needs"]
    list_select_related = ["institution"]


@admin.register(models.Allocation)
class AllocationAdmin(MunicipalityScopedAdmin):
    list_display = ["item", "colonia", "quantity", "unit", "value", "delivered_on", "source"]
    search_fields = ["item", "colonia__name", "signed_by"]
    list_filter = ["source", "colonia__is_rural"]
    date_hierarchy = "delivered_on"
    raw_id_fields = ["need"]
    list_select_related = ["colonia"]


@admin.register(models.PublicWork)
class PublicWorkAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "budget", "source", "starts_on", "ends_on"]
    search_fields = ["name", "communities__name"]
    list_filter = ["source"]
    filter_horizontal = ["communities"]
    raw_id_fields = ["needs"]
    inlines = [WorkProgressInline]


admin.site.site_header = admin.site.site_header or _("VillaGuard")

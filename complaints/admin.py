from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record, audit_snapshot
from core.admin_base import (
    MunicipalityScopedAdmin,
    MunicipalityScopedInline,
    user_municipality,
)

from .forms import ImportForm
from .imports import complaints_import_csv
from .models import (
    REPORTER_FIELDS,
    Complaint,
    ComplaintFollower,
    ComplaintPhoto,
    ComplaintUpdate,
    FixedQuestion,
    Open311Client,
    ServiceQuestion,
    ServiceQuestionChoice,
)
from .paginators import EstimatedCountPaginator
from .services import (
    complaint_create,
    complaint_unfollow,
    open311_key_create,
    open311_key_revoke,
)

# The address may be a home, and the trail outlives an ARCO cancellation.
AUDIT_EXCLUDED_FIELDS = (*REPORTER_FIELDS, "token", "address")


class ComplaintUpdateInline(MunicipalityScopedInline):
    model = ComplaintUpdate
    extra = 0
    can_delete = False
    fields = ["created_at", "previous_status", "status", "note", "user", "reporter_notified_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ComplaintPhotoInline(MunicipalityScopedInline):
    model = ComplaintPhoto
    extra = 0
    fields = ["image", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ComplaintFollowerInline(MunicipalityScopedInline):
    """Followers' e-mails are personal data: staff may read them here, nobody edits them."""

    model = ComplaintFollower
    is_personal_data = True
    extra = 0
    can_delete = False
    fields = ["email", "language", "created_at", "confirmed_at", "last_notified_update"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class FixedQuestionInline(MunicipalityScopedInline):
    """The reporter's answer to "Has it been fixed?": their comment may name them, so it is
    personal data; nobody edits an answer."""

    model = FixedQuestion
    is_personal_data = True
    extra = 0
    can_delete = False
    fields = ["created_at", "sent_at", "answered_at", "fixed", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """The services or directorates of the staff user's municipality (every one for a
    deployment admin), read from their own small table: the RelatedOnlyFieldListFilter the
    scoped admin uses elsewhere runs a SELECT DISTINCT over the complaints, ~0.4 s per filter
    at 1,000,000 complaints."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        municipality = user_municipality(request)
        limit = {"municipality": municipality} if municipality is not None else None
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)


@admin.register(Complaint)
class ComplaintAdmin(MunicipalityScopedAdmin):
    """Directorate staff see their directorate's complaints only, and never the reporter's
    contact data (the Sindicatura and administrators do; see ``MunicipalityScopedAdmin``)."""

    directorate_path = "directorate"
    personal_data_fields = REPORTER_FIELDS
    change_list_template = "admin/complaints/complaint/change_list.html"
    list_display = [
        "code",
        "service_type",
        "status",
        "colonia",
        "directorate",
        "source",
        "created_at",
    ]
    # At 1,000,000 complaints: a date filter instead of date_hierarchy (its SELECT DISTINCT
    # of the years took 1.3 s), no second COUNT(*) of the unfiltered table, and a count that
    # stops at 10,000 rows then estimates (complaints.paginators).
    list_filter = [
        "status",
        "source",
        ("service_type", ScopedRelatedFieldListFilter),
        ("directorate", ScopedRelatedFieldListFilter),
        "created_at",
    ]
    search_fields = ["code", "external_id", "description", "address"]
    list_select_related = ["service_type", "colonia", "directorate"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    raw_id_fields = ["duplicate_of", "space", "colonia"]
    inlines = [
        ComplaintUpdateInline,
        ComplaintPhotoInline,
        ComplaintFollowerInline,
        FixedQuestionInline,
    ]
    add_fields = [
        "municipality",
        "service_type",
        "description",
        "location",
        "address",
        "source",
        "reporter_name",
        "reporter_email",
        "reporter_phone",
        "expected_date",
    ]

    def get_inlines(self, request, obj):
        # A complaint being added has no followers yet.
        return self.inlines if obj is not None else [ComplaintUpdateInline, ComplaintPhotoInline]

    def get_fields(self, request, obj=None):
        if obj is None:
            fields = list(self.add_fields)
            if user_municipality(request) is not None:
                fields.remove("municipality")
            return fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # Status changes go through the inbox (complaint_change_status) so the reporter is told.
        return [
            "code",
            "token",
            "status",
            "source",
            "open311_client",
            "external_id",
            "created_at",
            "municipality",
            "attributes",
            "language",
        ]

    def get_changeform_initial_data(self, request):
        return {"source": Complaint.Source.STAFF}

    def save_model(self, request, obj, form, change):
        if change:
            # Edits in the admin are audited like the services' changes; never the reporter's
            # contact data nor the Open311 token.
            stored = Complaint.private_objects.get(pk=obj.pk)
            before = audit_snapshot(stored, exclude=AUDIT_EXCLUDED_FIELDS)
            super().save_model(request, obj, form, change)
            audit_record(
                instance=obj,
                action="update",
                actor=request.user,
                before=before,
                exclude=AUDIT_EXCLUDED_FIELDS,
            )
            return
        data = form.cleaned_data
        created = complaint_create(
            municipality=user_municipality(request) or data["municipality"],
            service_type=data["service_type"],
            description=data["description"],
            source=data.get("source") or Complaint.Source.STAFF,
            point=data.get("location"),
            address=data.get("address", ""),
            reporter_name=data.get("reporter_name", ""),
            reporter_email=data.get("reporter_email", ""),
            reporter_phone=data.get("reporter_phone", ""),
            expected_date=data.get("expected_date"),
            user=request.user,
        )
        obj.__dict__.update(created.__dict__)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="complaints_complaint_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        municipality = user_municipality(request) or getattr(request, "municipality", None)
        result = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            result = complaints_import_csv(
                municipality=municipality, data=form.cleaned_data["file"].read()
            )
            if result.ok:
                messages.success(
                    request,
                    _("%(created)d complaints imported, %(skipped)d already there.")
                    % {"created": result.created, "skipped": result.skipped},
                )
            else:
                messages.error(
                    request, _("Nothing was imported: correct the rows below and try again.")
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import complaints from the 072 call centre"),
            "form": form,
            "result": result,
            "municipality": municipality,
            "opts": self.model._meta,
            "changelist_url": reverse("admin:complaints_complaint_changelist"),
        }
        return render(request, "admin/complaints/complaint/import.html", context)


@admin.register(ComplaintUpdate)
class ComplaintUpdateAdmin(MunicipalityScopedAdmin):
    municipality_path = "complaint__municipality"
    directorate_path = "complaint__directorate"
    list_display = ["complaint", "status", "created_at", "user"]
    list_filter = ["status"]
    list_select_related = ["complaint__service_type", "user"]
    readonly_fields = ["complaint", "status", "previous_status", "note", "user", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ComplaintPhoto)
class ComplaintPhotoAdmin(MunicipalityScopedAdmin):
    municipality_path = "complaint__municipality"
    directorate_path = "complaint__directorate"
    list_display = ["complaint", "image", "created_at"]
    list_select_related = ["complaint__service_type"]
    readonly_fields = ["complaint", "image", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ComplaintFollower)
class ComplaintFollowerAdmin(MunicipalityScopedAdmin):
    """Read-only. Deleting one (an ARCO cancellation request) goes through the service, like
    the unsubscribe link. Only roles that need contact data see them."""

    municipality_path = "complaint__municipality"
    is_personal_data = True
    list_display = ["complaint", "email", "created_at"]
    list_select_related = ["complaint__service_type"]
    search_fields = ["email", "complaint__code"]
    fields = ["complaint", "email", "language", "created_at", "last_notified_update"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        complaint_unfollow(follower=obj)

    def delete_queryset(self, request, queryset):
        for follower in queryset:
            complaint_unfollow(follower=follower)


@admin.register(Open311Client)
class Open311ClientAdmin(MunicipalityScopedAdmin):
    list_display = ["name", "key_prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["key_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_keys", "replace_keys"]

    def get_fields(self, request, obj=None):
        fields = ["name"] if user_municipality(request) else ["municipality", "name"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["municipality", "name", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            client, key = open311_key_create(
                municipality=user_municipality(request) or form.cleaned_data["municipality"],
                name=form.cleaned_data["name"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return
        obj.__dict__.update(client.__dict__)
        self._show_key(request, client, key)

    def _show_key(self, request, client, key):
        messages.warning(
            request,
            _(
                "The key for %(name)s is %(key)s. "
                "Copy it now: it is not stored and will not be shown again."
            )
            % {"name": client.name, "key": key},
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"))
    def revoke_keys(self, request, queryset):
        for client in queryset.filter(revoked_at__isnull=True):
            open311_key_revoke(client=client, actor=request.user)
        messages.success(request, _("Keys revoked."))

    @admin.action(description=gettext_lazy("Replace the selected keys (revoke and issue new ones)"))
    def replace_keys(self, request, queryset):
        for client in queryset.filter(revoked_at__isnull=True):
            open311_key_revoke(client=client, actor=request.user)
            new_client, key = open311_key_create(
                municipality=client.municipality, name=client.name, actor=request.user
            )
            self._show_key(request, new_client, key)


class ServiceQuestionChoiceInline(MunicipalityScopedInline):
    model = ServiceQuestionChoice
    extra = 1
    fields = ["order", "key", "name"]


@admin.register(ServiceQuestion)
class ServiceQuestionAdmin(MunicipalityScopedAdmin):
    """The questions the complaint form asks per service, which Open311 publishes as the
    service's definition (``services/<code>``). List questions offer the answers below."""

    municipality_path = "service_type__municipality"
    list_display = ["service_type", "order", "code", "description", "datatype", "required"]
    list_display_links = ["code", "description"]
    list_filter = ["service_type", "datatype", "required"]
    list_select_related = ["service_type"]
    search_fields = ["code", "description"]
    fields = [
        "service_type",
        "order",
        "code",
        "description",
        "datatype",
        "datatype_description",
        "required",
    ]
    inlines = [ServiceQuestionChoiceInline]

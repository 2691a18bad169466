from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admin_base import MunicipalityScopedAdmin, user_municipality

from .api_clients import api_client_issue, api_client_revoke
from .forms import ServiceStatusUploadForm
from .imports import read_csv, service_status_import
from .models import (
    ApiClient,
    DirectorateSettings,
    Finding,
    FindingEvent,
    KnownIssue,
    Outbox,
    WorkLog,
)


class _CsvUploadMixin:
    """An "Import CSV" page next to the change list (all or nothing, bad rows reported)."""

    def get_urls(self):
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_import"
        return [
            path("import/", self.admin_site.admin_view(self.import_csv), name=name)
        ] + super().get_urls()

    def import_csv(self, request):
        municipality = user_municipality(request) or getattr(request, "municipality", None)
        initial_kind = "work-logs" if self.model is WorkLog else "known-issues"
        form = ServiceStatusUploadForm(
            request.POST or None, request.FILES or None, initial={"kind": initial_kind}
        )
        report = None
        if request.method == "POST" and form.is_valid() and self.has_add_permission(request):
            report = service_status_import(
                municipality=municipality,
                kind=form.cleaned_data["kind"],
                rows=read_csv(form.cleaned_data["file"].read()),
                reported_by=form.cleaned_data["reported_by"],
                actor=request.user,
            )
            if report.ok:
                messages.success(
                    request,
                    _("%(created)s rows imported, %(skipped)s already there.")
                    % {"created": report.created, "skipped": report.skipped},
                )
                return redirect(reverse(f"admin:findings_{self.model._meta.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "title": _("Import from CSV"),
        }
        return render(request, "admin/findings/import_csv.html", context)


@admin.register(WorkLog)
class WorkLogAdmin(_CsvUploadMixin, MunicipalityScopedAdmin):
    list_display = [
        "done_on",
        "service_type",
        "space",
        "service_area",
        "description",
        "reported_by",
        "source",
    ]
    list_filter = ["service_type", "reported_by", "source", "done_on"]
    search_fields = ["description", "space__code", "service_area__code", "external_id"]
    raw_id_fields = ["space", "service_area", "contract"]
    date_hierarchy = "done_on"


@admin.register(KnownIssue)
class KnownIssueAdmin(_CsvUploadMixin, MunicipalityScopedAdmin):
    list_display = ["since", "service_type", "space", "service_area", "description", "status"]
    list_filter = ["service_type", "status", "reported_by", "source"]
    search_fields = ["description", "space__code", "service_area__code", "external_id"]
    raw_id_fields = ["space", "service_area"]


@admin.register(ApiClient)
class ApiClientAdmin(MunicipalityScopedAdmin):
    list_display = [
        "name",
        "reported_by",
        "company",
        "directorate",
        "token_prefix",
        "created_at",
        "revoked_at",
        "last_used_at",
    ]
    readonly_fields = ["token_prefix", "created_at", "revoked_at", "last_used_at"]
    actions = ["issue_new_token", "revoke"]

    def save_model(self, request, obj, form, change):
        municipality = user_municipality(request)
        if municipality is not None:
            obj.municipality = municipality
        if change:
            super().save_model(request, obj, form, change)
            return
        token = api_client_issue(client=obj, actor=request.user)
        messages.warning(
            request,
            _("The token of %(name)s is %(token)s — copy it now: it is not shown again.")
            % {"name": obj.name, "token": token},
        )

    @admin.action(description=gettext_lazy("Issue a new token (the old one stops working)"))
    def issue_new_token(self, request, queryset):
        for client in queryset:
            token = api_client_issue(client=client, actor=request.user)
            messages.warning(
                request,
                _("The token of %(name)s is %(token)s — copy it now: it is not shown again.")
                % {"name": client.name, "token": token},
            )

    @admin.action(description=gettext_lazy("Revoke the token"))
    def revoke(self, request, queryset):
        for client in queryset:
            api_client_revoke(client=client, actor=request.user)


class FindingEventInline(admin.TabularInline):
    model = FindingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "note", "attachment", "user", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Finding)
class FindingAdmin(MunicipalityScopedAdmin):
    directorate_path = "directorate"
    list_display = [
        "pk",
        "kind",
        "severity",
        "status",
        "space",
        "service_type",
        "directorate",
        "company",
        "created_at",
        "due_at",
    ]
    list_filter = ["kind", "status", "severity", "directorate", "company"]
    search_fields = ["item_text", "space__code", "space__name"]
    inlines = [FindingEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Outbox)
class OutboxAdmin(MunicipalityScopedAdmin):
    directorate_path = "directorate"
    list_display = [
        "pk",
        "event",
        "finding",
        "directorate",
        "digest",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["event", "status", "digest"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(DirectorateSettings)
class DirectorateSettingsAdmin(MunicipalityScopedAdmin):
    municipality_path = "directorate__municipality"
    directorate_path = "directorate"
    list_display = ["directorate", "daily_digest", "work_logs_since"]

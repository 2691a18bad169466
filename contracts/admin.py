from django.contrib import admin
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from audit.services import audit_record, audit_snapshot
from core.admin_base import MunicipalityScopedAdmin, MunicipalityScopedInline

from .forms import CompanyForm, ContractForm, ObligationForm
from .models import Company, Contract, ContractDocument, Obligation


class AuditedAdminMixin:
    """Records the admin's saves and deletes in the audit trail, as the services do.

    The admin writes through the model, not through a service, so it records here; bulk
    deletes from the change list go through ``delete_queryset``, one entry per row."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = audit_snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
            super().save_model(request, obj, form, change)
            audit_record(
                instance=obj,
                action="update" if change else "create",
                actor=request.user,
                before=before,
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(instance=obj, action="delete", actor=request.user)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                audit_record(instance=obj, action="delete", actor=request.user)
            super().delete_queryset(request, queryset)


class ContractStatusFilter(admin.SimpleListFilter):
    """Status is derived from the dates, so it filters on them."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Contract.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Contract.Status.values:
            return queryset.with_status(self.value())
        return queryset


@admin.register(Company)
class CompanyAdmin(MunicipalityScopedAdmin):
    form = CompanyForm
    list_display = ["legal_name", "rfc", "contact_name", "email", "phone", "contract_count"]
    list_filter = ["contracts__service_type"]
    search_fields = ["legal_name", "rfc", "contact_name", "email"]
    ordering = ["legal_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(contract_count=Count("contracts"))

    @admin.display(description=_("contracts"), ordering="contract_count")
    def contract_count(self, obj):
        return obj.contract_count


class ObligationInline(MunicipalityScopedInline):
    model = Obligation
    form = ObligationForm
    extra = 1


class ContractDocumentInline(MunicipalityScopedInline):
    model = ContractDocument
    extra = 1
    readonly_fields = ["uploaded_at"]


@admin.register(Contract)
class ContractAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    form = ContractForm
    list_display = [
        "number",
        "lot",
        "company",
        "service_type",
        "start_date",
        "end_date",
        "status_display",
        "monthly_amount",
        "amounts_include_vat",
    ]
    list_filter = [
        ContractStatusFilter,
        "service_type",
        "procurement_method",
        "directorate",
        "amounts_include_vat",
    ]
    list_select_related = ["company", "service_type"]
    search_fields = ["number", "lot", "title", "company__legal_name", "company__rfc"]
    date_hierarchy = "start_date"
    # Lots cover hundreds of the municipality's 1,000+ spaces: search them, never one giant select.
    autocomplete_fields = ["company", "spaces", "service_areas"]
    inlines = [ObligationInline, ContractDocumentInline]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("status"))
    def status_display(self, obj):
        return obj.get_status_display()

    def save_formset(self, request, form, formset, change):
        if formset.model is not Obligation:
            return super().save_formset(request, form, formset, change)
        with transaction.atomic():
            deleted = {f.instance.pk for f in formset.deleted_forms if f.instance.pk}
            changed = {f.instance.pk for f in formset.initial_forms if f.has_changed()}
            stored = Obligation.objects.in_bulk((deleted | changed) - {None})
            for pk in sorted(deleted):
                audit_record(instance=stored[pk], action="delete", actor=request.user)
            super().save_formset(request, form, formset, change)
            for obligation in formset.new_objects:
                audit_record(instance=obligation, action="create", actor=request.user)
            for obligation, _fields in formset.changed_objects:
                audit_record(
                    instance=obligation,
                    action="update",
                    actor=request.user,
                    before=audit_snapshot(stored[obligation.pk]),
                )


@admin.register(Obligation)
class ObligationAdmin(AuditedAdminMixin, MunicipalityScopedAdmin):
    municipality_path = "contract__municipality"
    form = ObligationForm
    list_display = ["task", "contract", "frequency_days", "response_time_hours"]
    list_filter = ["contract__service_type"]
    list_select_related = ["contract__company"]
    search_fields = ["task", "notes", "contract__number"]
    autocomplete_fields = ["contract"]


@admin.register(ContractDocument)
class ContractDocumentAdmin(MunicipalityScopedAdmin):
    municipality_path = "contract__municipality"
    list_display = ["title", "contract", "uploaded_at"]
    list_filter = ["contract__service_type"]
    list_select_related = ["contract__company"]
    search_fields = ["title", "contract__number"]
    autocomplete_fields = ["contract"]
    readonly_fields = ["uploaded_at"]

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from villaguard.admin_base import MunicipalityScopedAdmin, MunicipalityScopedInline

from .forms import CompanyForm, ContractForm, ObligationForm
from .models import Company, Contract, ContractDocument, Obligation


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
class ContractAdmin(MunicipalityScopedAdmin):
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


@admin.register(Obligation)
class ObligationAdmin(MunicipalityScopedAdmin):
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

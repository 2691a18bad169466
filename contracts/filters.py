import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from territory.models import Directorate, ServiceType

from .models import Company, Contract


def _scoped(model):
    """Choices limited to the municipality of the request (the host's)."""

    def queryset(request):
        if request is None or getattr(request, "municipality", None) is None:
            return model.objects.none()
        return model.objects.for_municipality(request.municipality)

    return queryset


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search number, title or company"), method="filter_text")
    service_type = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=_scoped(ServiceType), empty_label=_("Any service")
    )
    company = django_filters.ModelChoiceFilter(
        label=_("Company"), queryset=_scoped(Company), empty_label=_("Any company")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=Contract.Status.choices,
        method="filter_status",
        empty_label=_("Any status"),
    )
    procurement_method = django_filters.ChoiceFilter(
        label=_("Procurement method"),
        choices=Contract.ProcurementMethod.choices,
        empty_label=_("Any method"),
    )
    directorate = django_filters.ModelChoiceFilter(
        label=_("Directorate"), queryset=_scoped(Directorate), empty_label=_("Any directorate")
    )
    ending = django_filters.ChoiceFilter(
        label=_("Ending"),
        choices=[("60", _("In force, ending within 60 days"))],
        method="filter_ending",
        empty_label=_("Any end date"),
    )
    # The workspace's queue opens the contracts about to end, the soonest first (?o=end).
    o = django_filters.OrderingFilter(
        label=_("Order"),
        fields=(("end_date", "end"), ("start_date", "start")),
        field_labels={"end_date": _("End date"), "start_date": _("Start date")},
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Contract
        fields = [
            "q",
            "service_type",
            "company",
            "status",
            "procurement_method",
            "directorate",
            "ending",
        ]

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(company__legal_name__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        return queryset.with_status(value)

    def filter_ending(self, queryset, name, value):
        return queryset.ending_within(int(value))

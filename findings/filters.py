import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Company
from territory.models import Colonia

from .models import Finding


class FindingFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Finding.Status.choices, empty_label=_("Any")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=Finding.Kind.choices, empty_label=_("Any")
    )
    colonia = django_filters.ModelChoiceFilter(
        label=_("Colonia"), queryset=Colonia.objects.none(), empty_label=_("Any")
    )
    company = django_filters.ModelChoiceFilter(
        label=_("Company"), queryset=Company.objects.none(), empty_label=_("Any")
    )
    overdue = django_filters.BooleanFilter(
        label=_("Overdue"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = Finding
        fields = ["status", "kind", "colonia", "company", "overdue"]

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipality is not None:
            self.filters["colonia"].queryset = Colonia.objects.filter(
                municipality=municipality, findings__isnull=False
            ).distinct()
            self.filters["company"].queryset = Company.objects.filter(
                municipality=municipality, findings__isnull=False
            ).distinct()
        self.filters["overdue"].field.widget.choices = [
            ("", _("Any")),
            ("true", _("Overdue only")),
            ("false", _("Not overdue")),
        ]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.now())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

import django_filters
from django.utils.translation import gettext_lazy as _

from territory.models import Colonia, ServiceType

from .models import Card


class CardFilter(django_filters.FilterSet):
    colonia = django_filters.ModelChoiceFilter(label=_("Colonia"), queryset=Colonia.objects.none())
    service_type = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=ServiceType.objects.none()
    )
    review_status = django_filters.ChoiceFilter(
        label=_("Review"), choices=Card.ReviewStatus.choices
    )
    observed_after = django_filters.DateFilter(
        label=_("Observed from"),
        field_name="observed_on",
        lookup_expr="gte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Card
        fields = ["colonia", "service_type", "review_status", "observed_after"]

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["colonia"].queryset = Colonia.objects.for_municipality(municipality).only(
            "id", "name"
        )
        self.filters["service_type"].queryset = ServiceType.objects.for_municipality(municipality)

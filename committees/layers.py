"""The public works' layer of the public map (``territory.layers``): every work with a
location, with the percent of its latest progress report and a colour for it."""

from django import forms
from django.db.models import (
    Case,
    CharField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from territory.layers import Layer, LayerFilterForm, LonLat
from territory.models import Colonia, Municipality

from .models import PublicWork, WorkProgress

#: Progress bands: (lowest percent, colour, label).
BANDS = (
    (100, "#2e7d32", _("Finished (100 %)")),
    (50, "#1f5fa8", _("Half done or more")),
    (1, "#b8420f", _("Started")),
    (0, "#6b6b6b", _("Not started")),
)


class WorkLayerFilterForm(LayerFilterForm):
    colonia = forms.ModelChoiceField(
        label=_("Colonia"), queryset=Colonia.objects.none(), required=False
    )

    def __init__(self, data=None, *, municipality: Municipality, **kwargs):
        super().__init__(data, municipality=municipality, **kwargs)
        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality)  # type: ignore[attr-defined]

    def filter(self, queryset: QuerySet) -> QuerySet:
        colonia = self.cleaned_data.get("colonia")
        return queryset.filter(communities=colonia) if colonia else queryset


def map_works(municipality: Municipality) -> QuerySet[PublicWork]:
    latest = (
        WorkProgress.objects.filter(work=OuterRef("pk"))
        .order_by("-reported_on", "-id")
        .values("percent")[:1]
    )
    return (
        PublicWork.objects.for_municipality(municipality)
        .filter(location__isnull=False)
        .annotate(percent=Coalesce(Subquery(latest, output_field=IntegerField()), 0))
    )


def _properties() -> dict:
    work_list = reverse("committees:work_list")
    return {
        "id": "pk",
        "name": "name",
        "percent": "percent",
        "color": Case(
            *[When(percent__gte=low, then=Value(color)) for low, color, _label in BANDS],
            output_field=CharField(),
        ),
        "url": Concat(
            Value(f"{work_list}#work-"), Cast("pk", CharField()), output_field=CharField()
        ),
    }


def _legend(services: list[dict]) -> list[dict]:
    return [{"label": str(label), "color": color, "shape": "point"} for _low, color, label in BANDS]


def works_layer() -> Layer:
    return Layer(
        key="works",
        title=_("Public works"),
        rows=map_works,
        properties=_properties,
        point=lambda: (LonLat("location", "X"), LonLat("location", "Y")),
        geometry_field="location",
        legend=_legend,
        apps=("committees",),
        filters=WorkLayerFilterForm,
        fields=(("percent", _("Progress (%)")),),
        order_by=("name", "id"),
        position=50,
        empty_text=_("No public work matches these filters."),
    )

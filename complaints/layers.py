"""The complaints' layer of the public map (``territory.layers``): open complaints and those
closed in the last RECENT_DAYS days, by service, each at its public point
(``complaints.public``: rounded to 3 decimals; the address and the reporter never leave)."""

import datetime

from django import forms
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territory.layers import Layer, LayerFilterForm, url_concat
from territory.models import Colonia, Municipality, ServiceType

from .constants import OPEN_STATUSES, ComplaintStatus
from .models import Complaint
from .public import public_coordinate_expressions

#: How long a closed complaint stays on the map.
RECENT_DAYS = 30
CLOSED_STATUSES = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)
OPEN, CLOSED = "open", "closed"


class ComplaintLayerFilterForm(LayerFilterForm):
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=ServiceType.objects.none(), required=False
    )
    colonia = forms.ModelChoiceField(
        label=_("Colonia"), queryset=Colonia.objects.none(), required=False
    )
    complaint_state = forms.ChoiceField(
        label=_("Complaints"),
        required=False,
        choices=[
            ("", _("Open and recently closed")),
            (OPEN, _("Open only")),
            (CLOSED, _("Recently closed only")),
        ],
    )

    def __init__(self, data=None, *, municipality: Municipality, **kwargs):
        super().__init__(data, municipality=municipality, **kwargs)
        self.fields["service"].queryset = ServiceType.objects.for_municipality(municipality)  # type: ignore[attr-defined]
        self.fields["colonia"].queryset = Colonia.objects.for_municipality(municipality)  # type: ignore[attr-defined]

    def filter(self, queryset: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("service"):
            queryset = queryset.filter(service_type=data["service"])
        if data.get("colonia"):
            queryset = queryset.filter(colonia=data["colonia"])
        if data.get("complaint_state") == OPEN:
            queryset = queryset.filter(status__in=OPEN_STATUSES)
        elif data.get("complaint_state") == CLOSED:
            queryset = queryset.filter(status__in=CLOSED_STATUSES)
        return queryset


def map_complaints(municipality: Municipality, *, now: datetime.datetime | None = None):
    """The complaints the public map shows: placed, open or closed in the last RECENT_DAYS
    days counted by date (from the start of the day RECENT_DAYS ago, local time), so the
    rows, like the layer's ETag and its compiled statement, change once a day."""
    today = timezone.localdate(now) if now else timezone.localdate()
    since = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=RECENT_DAYS), datetime.time.min)
    )
    return Complaint.public_objects.for_municipality(municipality).filter(
        Q(status__in=OPEN_STATUSES) | Q(status__in=CLOSED_STATUSES, updated_at__gte=since),
        location__isnull=False,
    )


def _properties() -> dict:
    state_labels = {OPEN: _("Open"), CLOSED: _("Recently closed")}
    return {
        "code": "code",
        "name": "service_type__name",
        "color": "service_type__color",
        "state": Case(
            When(status__in=OPEN_STATUSES, then=Value(OPEN)),
            default=Value(CLOSED),
            output_field=CharField(),
        ),
        "status": Case(
            *[
                When(status=value, then=Value(str(label)))
                for value, label in ComplaintStatus.choices
            ],
            default=F("status"),
            output_field=CharField(),
        ),
        "state_label": Case(
            When(status__in=OPEN_STATUSES, then=Value(str(state_labels[OPEN]))),
            default=Value(str(state_labels[CLOSED])),
            output_field=CharField(),
        ),
        "colonia": "colonia__name",
        "reported": Cast(TruncDate("created_at"), CharField()),
        "url": url_concat("complaints:detail", "code", "code"),
    }


def _legend(services: list[dict]) -> list[dict]:
    """The colour of each service a complaint can be about (the form offers every one of the
    municipality's services), then how open and recently closed complaints are drawn."""
    entries = [
        {"label": service["name"], "color": service["color"], "shape": "point"}
        for service in services
    ]
    entries.append({"label": str(_("Open: filled")), "color": "#1b1b1b", "shape": "point"})
    entries.append({"label": str(_("Recently closed: ring")), "color": "#1b1b1b", "shape": "ring"})
    return entries


def complaints_layer() -> Layer:
    return Layer(
        key="complaints",
        title=_("Complaints"),
        rows=map_complaints,
        properties=_properties,
        point=public_coordinate_expressions,
        geometry_field="location",
        legend=_legend,
        apps=("complaints", "territory"),
        filters=ComplaintLayerFilterForm,
        fields=(
            ("code", _("Tracking code")),
            ("status", _("Status")),
            ("colonia", _("Colonia")),
            ("reported", _("Reported")),
        ),
        order_by=("code",),
        position=40,
        empty_text=_("No complaint matches these filters."),
    )

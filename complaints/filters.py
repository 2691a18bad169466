import datetime

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from territory.models import Colonia, ServiceType

from .models import Complaint


class InboxFilter(django_filters.FilterSet):
    AGE_CHOICES = [
        ("7", _("Older than 7 days")),
        ("30", _("Older than 30 days")),
        ("90", _("Older than 90 days")),
    ]

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Complaint.Status.choices, empty_label=_("Any status")
    )
    service_type = django_filters.ModelChoiceFilter(
        label=_("Service"), queryset=ServiceType.objects.none(), empty_label=_("Any service")
    )
    colonia = django_filters.ModelChoiceFilter(
        label=_("Colonia"), queryset=Colonia.objects.none(), empty_label=_("Any colonia")
    )
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGE_CHOICES, method="filter_age", empty_label=_("Any age")
    )
    # The workspace's queues open the list oldest first (?o=created).
    o = django_filters.OrderingFilter(
        label=_("Order"),
        fields=(("created_at", "created"),),
        field_labels={"created_at": _("Date reported")},
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Complaint
        fields = ["status", "service_type", "colonia"]

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["service_type"].queryset = ServiceType.objects.for_municipality(municipality)
        self.filters["colonia"].queryset = Colonia.objects.for_municipality(municipality).only(
            "id", "name"
        )

    def filter_age(self, queryset, name, value):
        cutoff = timezone.now() - datetime.timedelta(days=int(value))
        return queryset.filter(created_at__lt=cutoff)

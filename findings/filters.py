import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Company
from territory.models import Colonia

from .constants import AWAITING_FIX, UNANSWERED
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
    escalated = django_filters.BooleanFilter(
        label=_("Escalated to the Sindicatura"),
        field_name="escalated_at",
        lookup_expr="isnull",
        exclude=True,
        widget=django_filters.widgets.BooleanWidget(),
    )
    awaiting = django_filters.ChoiceFilter(
        label=_("Waiting for"),
        choices=[("answer", _("An answer")), ("fix", _("A fix"))],
        method="filter_awaiting",
        empty_label=_("Any"),
    )
    # The workspace's per-directorate queues link here (?directorate=<id>); a hidden field,
    # not a select, so that the list keeps its query count.
    directorate = django_filters.NumberFilter(
        label=_("Directorate"), field_name="directorate_id", widget=forms.HiddenInput
    )
    # The workspace's queues open the list oldest first (?o=created) or by due date (?o=due).
    o = django_filters.OrderingFilter(
        label=_("Order"),
        fields=(("created_at", "created"), ("due_at", "due")),
        field_labels={"created_at": _("Date raised"), "due_at": _("Due date")},
        empty_label=_("Most severe first"),
    )

    class Meta:
        model = Finding
        fields = [
            "status",
            "kind",
            "colonia",
            "company",
            "directorate",
            "awaiting",
            "overdue",
            "escalated",
        ]

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
        self.filters["escalated"].field.widget.choices = [
            ("", _("Any")),
            ("true", _("Escalated only")),
            ("false", _("Not escalated")),
        ]

    def filter_awaiting(self, queryset, name, value):
        """Findings still waiting for the directorate's answer (open, notified, reopened) or
        for a fix (those and the acknowledged): the workspace's queues."""
        return queryset.filter(status__in=UNANSWERED if value == "answer" else AWAITING_FIX)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.overdue(timezone.now())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from territory.models import Colonia

from .models import CitizenCommittee, Need, Requisition

# A need waits for the municipality's decision until it is requisitioned or rejected.
WAITING_FOR_DECISION = (Need.Status.IDENTIFIED, Need.Status.PRIORITISED)


def _colonias(request):
    if request is None:
        return Colonia.objects.none()
    return Colonia.objects.for_municipality(request.municipality).order_by("name")


def _committees(request):
    if request is None:
        return CitizenCommittee.objects.none()
    return CitizenCommittee.objects.for_municipality(request.municipality)


class NeedFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Text"), method="search")
    colonia = django_filters.ModelChoiceFilter(label=_("Community"), queryset=_colonias)
    committee = django_filters.ModelChoiceFilter(label=_("Committee"), queryset=_committees)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Need.Category.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Need.Status.choices)
    rural = django_filters.BooleanFilter(label=_("Rural community"), field_name="colonia__is_rural")
    waiting = django_filters.BooleanFilter(
        label=_("Waiting for a decision"),
        method="filter_waiting",
        widget=django_filters.widgets.BooleanWidget(),
    )
    # The workspace's queue opens the list oldest first (?o=created).
    o = django_filters.OrderingFilter(
        label=_("Order"),
        fields=(("created_at", "created"),),
        field_labels={"created_at": _("Date filed")},
        empty_label=_("By priority"),
    )

    class Meta:
        model = Need
        fields = ["q", "colonia", "committee", "category", "status", "rural", "waiting"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(description__icontains=value) | Q(colonia__name__icontains=value))

    def filter_waiting(self, queryset, name, value):
        """Needs identified or prioritised by their community, not yet requisitioned nor
        rejected: the municipality has still to decide on them."""
        if value is None:
            return queryset
        waiting = Q(status__in=WAITING_FOR_DECISION)
        return queryset.filter(waiting) if value else queryset.exclude(waiting)


class RequisitionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Requisition.Status.choices)
    # The workspace's queue opens the submitted ones, the longest waiting first.
    o = django_filters.OrderingFilter(
        label=_("Order"),
        fields=(("submitted_on", "submitted"), ("created_at", "created")),
        field_labels={"submitted_on": _("Date submitted"), "created_at": _("Date created")},
        empty_label=_("Newest first"),
    )

    class Meta:
        model = Requisition
        fields = ["status"]

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from territory.models import Colonia

from .models import CitizenCommittee, Need


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

    class Meta:
        model = Need
        fields = ["q", "colonia", "committee", "category", "status", "rural"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(description__icontains=value) | Q(colonia__name__icontains=value))

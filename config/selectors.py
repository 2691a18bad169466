"""Portal-wide reads that span apps: the key counts on the home page and the admin index."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from contracts.models import Company, Contract
from guardians.selectors import program_counters
from territory.models import Colonia, Municipality, PublicSpace, ServiceArea


def portal_counts(municipality: Municipality | None) -> list[tuple[str | Promise, int]]:
    """(label, count) pairs for one municipality, or for every one when None."""

    def scoped(model):
        queryset = model.objects.all()
        return queryset if municipality is None else queryset.filter(municipality=municipality)

    return [
        (_("Public spaces"), scoped(PublicSpace).count()),
        (_("Service areas"), scoped(ServiceArea).count()),
        (_("Contracts in force"), scoped(Contract).active_on().count()),
        (_("Companies"), scoped(Company).count()),
        (_("Colonias and localities"), scoped(Colonia).count()),
        *program_counters(municipality),
    ]

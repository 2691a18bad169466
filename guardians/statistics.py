"""The guardians' statistics for the workspace (``GuardiansConfig.workspace_statistics``):
surveillance cards filed per month (the day observed), service and colonia, and the active
guardians per colonia, by the month they joined. One grouped query each
(``workspace.statistics.registry.grouped_facts``)."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from territory.models import Municipality
from workspace.models import StatisticFact
from workspace.statistics.registry import (
    COLONIA,
    MONTH,
    SERVICE,
    Series,
    Source,
    Statistic,
    grouped_facts,
    month_of,
)

from .constants import GuardianStatus
from .models import Card, Guardian

CARDS = "cards_filed"
ACTIVE_GUARDIANS = "guardians_active"


def facts(municipality: Municipality) -> list[StatisticFact]:
    return [
        *grouped_facts(
            Card.objects.filter(municipality=municipality),
            municipality=municipality,
            metric=CARDS,
            value=Count("pk"),
            month=month_of("observed_on"),
            service="service_type_id",
            colonia="colonia_id",
        ),
        *grouped_facts(
            Guardian.private_objects.filter(
                municipality=municipality, status=GuardianStatus.ACTIVE
            ),
            municipality=municipality,
            metric=ACTIVE_GUARDIANS,
            value=Count("pk"),
            month=month_of("created_at"),
            colonia="colonia_id",
        ),
    ]


source = Source(
    app="guardians",
    facts=facts,
    statistics=(
        Statistic(
            key="cards",
            title=_("Surveillance cards filed"),
            description=_("Cards that guardians filed, by the day they observed the service."),
            series=(Series(CARDS, _("Cards filed")),),
            dimensions=(MONTH, SERVICE, COLONIA),
            order=50,
        ),
        Statistic(
            key="guardians",
            title=_("Active guardians"),
            description=_("Guardians active today, by the month they joined and their colonia."),
            series=(Series(ACTIVE_GUARDIANS, _("Active guardians")),),
            dimensions=(MONTH, COLONIA),
            order=60,
        ),
    ),
)

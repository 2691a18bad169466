"""The findings' statistics for the workspace (``FindingsConfig.workspace_statistics``):
findings raised per month, service, colonia, directorate and company, how many of them were
verified fixed, and the fix rate by company.

"Fixed" counts the findings raised in a month that are verified fixed now (the month's
cohort), so that fixed over raised is the fix rate of ``findings.selectors.fix_rate_by_company``
(the public fix-rate page): both count with ``findings.selectors.fix_rate_counts``.
"""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from contracts.models import Company
from territory.models import Municipality
from workspace.models import StatisticFact
from workspace.statistics.registry import (
    COLONIA,
    DIRECTORATE,
    MONTH,
    RATIO,
    SERVICE,
    SUBJECT,
    Series,
    Source,
    Statistic,
    grouped_facts,
    month_of,
)

from .models import Finding
from .selectors import fix_rate_counts

RAISED = "findings_raised"
FIXED = "findings_fixed"
DIMENSIONS = (MONTH, SERVICE, COLONIA, DIRECTORATE, SUBJECT)


def facts(municipality: Municipality) -> list[StatisticFact]:
    findings = Finding.objects.for_municipality(municipality)
    counts = fix_rate_counts()
    places = {
        "month": month_of("created_at"),
        "service": "service_type_id",
        "colonia": "colonia_id",
        "directorate": "directorate_id",
        "subject": "company_id",
    }
    return [
        *grouped_facts(
            findings, municipality=municipality, metric=RAISED, value=counts["total"], **places
        ),
        *grouped_facts(
            findings, municipality=municipality, metric=FIXED, value=counts["verified"], **places
        ),
    ]


def company_names(municipality: Municipality, ids: Iterable[int]) -> dict[int, str]:
    return dict(
        Company.objects.filter(municipality=municipality, pk__in=list(ids)).values_list(
            "pk", "legal_name"
        )
    )


source = Source(
    app="findings",
    facts=facts,
    subject_labels=company_names,
    statistics=(
        Statistic(
            key="findings",
            title=_("Findings raised and fixed"),
            description=_(
                "Failures that citizens' surveillance cards revealed, by the month they were "
                "raised, and how many of those a lead guardian has verified as fixed."
            ),
            series=(Series(RAISED, _("Raised")), Series(FIXED, _("Verified fixed"))),
            dimensions=DIMENSIONS,
            subject_label=_("Company"),
            order=30,
        ),
        Statistic(
            key="fix-rate",
            title=_("Fix rate by company"),
            description=_(
                "Of the findings raised, the share verified as fixed: the same count as the "
                "public fix-rate page."
            ),
            series=(
                Series(FIXED, _("Fix rate"), kind=RATIO, denominator=RAISED),
                Series(RAISED, _("Findings"), chart=False),
                Series(FIXED, _("Verified fixed"), chart=False),
            ),
            dimensions=DIMENSIONS,
            default_by=SUBJECT,
            subject_label=_("Company"),
            order=40,
        ),
    ),
)

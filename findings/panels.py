"""The findings' sections of the public contract and company pages (see territory.panels)."""

from contracts.models import Contract

from . import selectors


def contract_compliance_panel(*, contract) -> dict:
    compliance = (
        selectors.contract_compliance(contracts=Contract.objects.filter(pk=contract.pk))
        .values(
            "cards",
            "answers",
            "failing_answers",
            "failing_share",
            "unreported",
            "contradictions",
            "overdue",
            "overdue_open",
            "findings_total",
            "verified",
            "fix_rate",
        )
        .first()
    )
    return {"template": "findings/includes/compliance.html", "context": {"c": compliance}}


def company_compliance_panel(*, company) -> dict:
    return {
        "template": "findings/includes/compliance.html",
        "context": {"c": selectors.company_compliance(company=company)},
    }


def company_fix_rate_panel(*, company) -> dict:
    return {
        "template": "findings/includes/fix_rate.html",
        "context": {"rate": selectors.fix_rate_for(company=company, directorate=None)},
    }


def _place_findings_panel(**place) -> dict:
    return {
        "template": "findings/includes/place_findings.html",
        "context": selectors.place_finding_counts(**place),
    }


def space_findings_panel(*, space) -> dict:
    """On a space's page: what the reconciliation found there and how much got fixed."""
    return _place_findings_panel(space=space)


def colonia_findings_panel(*, colonia) -> dict:
    """On "my colonia": the findings in the colonia and its fix rate."""
    return _place_findings_panel(colonia=colonia)

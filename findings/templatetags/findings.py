"""Tags behind ``findings/includes/*.html``, so contract, company and directorate pages can
include them with just the object: ``{% include "findings/includes/fix_rate.html" with
company=company %}``."""

from django import template

from contracts.models import Contract

from .. import selectors

register = template.Library()


@register.simple_tag
def fix_rate_of(company=None, directorate=None):
    company, directorate = company or None, directorate or None  # a missing variable is ""
    if company is None and directorate is None:
        return None
    return selectors.fix_rate_for(company=company, directorate=directorate)


@register.simple_tag
def compliance_of(contract=None, company=None):
    contract, company = contract or None, company or None
    if contract is not None:
        return (
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
    if company is not None:
        return selectors.company_compliance(company=company)
    return None

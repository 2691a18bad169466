from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from territory.panels import panels_for

from . import selectors
from .filters import ContractFilter

CONTRACTS_PER_PAGE = 25


def _municipality(request):
    """The municipality the host selects; a deployment with none has no contract pages."""
    if getattr(request, "municipality", None) is None:
        raise Http404
    return request.municipality


@require_GET
def contract_list(request):
    municipality = _municipality(request)
    contract_filter = ContractFilter(
        request.GET,
        queryset=selectors.contract_list(municipality=municipality),
        request=request,
    )
    page = Paginator(contract_filter.qs, CONTRACTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "contracts/contract_list.html",
        {
            "filter": contract_filter,
            "page": page,
            "contracts": page.object_list,
            "panels": panels_for("contract_list", municipality=municipality),
        },
    )


@require_GET
def contract_detail(request, pk):
    municipality = _municipality(request)
    contract = get_object_or_404(selectors.contract_detail(municipality=municipality), pk=pk)
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "amounts": selectors.contract_amounts(contract=contract),
            "panels": panels_for("contract", contract=contract),
        },
    )


@require_GET
def company_detail(request, pk):
    municipality = _municipality(request)
    company = get_object_or_404(selectors.company_detail(municipality=municipality), pk=pk)
    contracts = list(selectors.company_contracts(company=company))
    return render(
        request,
        "contracts/company_detail.html",
        {
            "company": company,
            "contact": selectors.company_public_contact(company, user=request.user),
            "contracts": contracts,
            "totals": selectors.contract_totals(contracts),
            "spaces": selectors.company_spaces(company=company),
            "panels": panels_for("company", company=company),
        },
    )

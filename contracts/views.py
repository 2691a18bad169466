from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.pagecache import public_page_cache
from territory.panels import panel_apps, panels_for

from . import selectors
from .filters import ContractFilter

CONTRACTS_PER_PAGE = 25


def _page_apps(kind: str, *read_by_panels: str):
    """The apps whose rows a page shows (for the page cache): the places, the contracts, the
    apps that add ``<kind>`` panels (read per request, as the registry may change) and the
    apps whose rows those panels read besides their own."""
    return lambda: ("territory", "contracts", *panel_apps(kind), *read_by_panels)


# The compliance panel (findings) counts the guardians' cards; the reviews panel names the
# reviewers (accounts' users).
CONTRACT_PAGE_APPS = _page_apps("contract", "guardians", "accounts")
COMPANY_PAGE_APPS = _page_apps("company", "guardians")


def _municipality(request):
    """The municipality the host selects; a deployment with none has no contract pages."""
    if getattr(request, "municipality", None) is None:
        raise Http404
    return request.municipality


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=_page_apps("contract_list"))
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


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=CONTRACT_PAGE_APPS)
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


@transaction.non_atomic_requests
@require_GET
@public_page_cache(depends_on=COMPANY_PAGE_APPS)
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

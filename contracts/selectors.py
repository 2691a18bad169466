"""Reads for the contract pages: what a municipality publishes about its contracts."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from territory.models import Municipality, PublicSpace, ServiceArea

from .models import VAT_RATE, Company, Contract

if TYPE_CHECKING:  # django-stubs' type of a model instance with annotations
    from django_stubs_ext import WithAnnotations

CENTS = Decimal("0.01")
_SPACE_LIST_DEFERRED = ("geometry", "colonia__geometry", "colonia__location")


def contract_list(*, municipality: Municipality) -> QuerySet[Contract]:
    """The municipality's contracts with what the list shows, in one query per page."""
    return (
        Contract.objects.for_municipality(municipality)
        .select_related("company", "service_type")
        .with_coverage_counts()
        .order_by("-start_date", "number", "pk")
    )


def contract_detail(*, municipality: Municipality) -> QuerySet[Contract]:
    """The municipality's contracts with everything the detail page shows prefetched."""
    return (
        Contract.objects.for_municipality(municipality)
        .select_related("company", "service_type", "directorate")
        .prefetch_related(
            "obligations",
            "documents",
            Prefetch(
                "spaces",
                queryset=PublicSpace.objects.select_related("colonia")
                .defer(*_SPACE_LIST_DEFERRED)
                .order_by("code"),
            ),
            Prefetch(
                "service_areas",
                queryset=ServiceArea.objects.defer("geometry").order_by("code"),
            ),
        )
    )


def company_detail(*, municipality: Municipality) -> QuerySet[Company]:
    return Company.objects.for_municipality(municipality)


def _may_view_in_admin(user: User | AnonymousUser | None, company: Company) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.municipality_id is None:
        return user.is_superuser  # a deployment administrator
    return user.municipality_id == company.municipality_id and user.has_perm(
        "contracts.view_company"
    )


def company_public_contact(
    company: Company, *, user: User | AnonymousUser | None = None
) -> dict[str, str]:
    """The company's contact person, e-mail and phone that ``user`` may see (None: the public,
    as in open data), the empty ones left out: all of them when the company made them public
    (``contact_public``) or the user may view the company in the admin (staff of its
    municipality, a deployment administrator); none otherwise, as they are often a person's
    own. Every page and export that shows a company's contact asks here."""
    if not (company.contact_public or _may_view_in_admin(user, company)):
        return {}
    contact = {"name": company.contact_name, "email": company.email, "phone": company.phone}
    return {key: value for key, value in contact.items() if value}


def company_contracts(*, company: Company) -> QuerySet[Contract]:
    return (
        Contract.objects.filter(company=company)
        .select_related("service_type")
        .with_coverage_counts()
        .order_by("-start_date", "number", "pk")
    )


def company_spaces(*, company: Company) -> QuerySet[PublicSpace]:
    """The spaces covered by any of the company's contracts, each once."""
    return (
        PublicSpace.objects.filter(
            municipality_id=company.municipality_id,
            pk__in=Contract.spaces.through.objects.filter(contract__company=company).values(
                "publicspace_id"
            ),
        )
        .select_related("colonia")
        .defer(*_SPACE_LIST_DEFERRED)
        .order_by("code")
    )


def amount_without_vat(amount: Decimal | None, *, includes_vat: bool) -> Decimal | None:
    if amount is None:
        return None
    return (amount / (1 + VAT_RATE)).quantize(CENTS) if includes_vat else amount


@dataclass(frozen=True)
class AmountRow:
    label: str | Promise
    without_vat: Decimal | None
    with_vat: Decimal | None


def contract_amounts(*, contract: Contract) -> list[AmountRow]:
    """The monthly and total amounts before and with VAT (IVA), whichever way they were quoted."""
    return [
        AmountRow(
            _("Monthly"),
            amount_without_vat(contract.monthly_amount, includes_vat=contract.amounts_include_vat),
            contract.monthly_amount_with_vat,
        ),
        AmountRow(
            _("Total"),
            amount_without_vat(contract.total_amount, includes_vat=contract.amounts_include_vat),
            contract.total_amount_with_vat,
        ),
    ]


@dataclass(frozen=True)
class ContractTotals:
    monthly_with_vat: Decimal
    total_with_vat: Decimal
    space_count: int
    area_count: int


class CoverageCounts(TypedDict):
    """What ``ContractQuerySet.with_coverage_counts`` annotates."""

    space_count: int
    area_count: int


def contract_totals(
    contracts: "Iterable[WithAnnotations[Contract, CoverageCounts]]",
) -> ContractTotals:
    """Sums over contracts already loaded (with coverage counts), VAT included."""
    contracts = list(contracts)
    return ContractTotals(
        monthly_with_vat=sum(
            (c.monthly_amount_with_vat or Decimal(0) for c in contracts), Decimal("0.00")
        ),
        total_with_vat=sum(
            (c.total_amount_with_vat or Decimal(0) for c in contracts), Decimal("0.00")
        ),
        space_count=sum(c.space_count for c in contracts),
        area_count=sum(c.area_count for c in contracts),
    )

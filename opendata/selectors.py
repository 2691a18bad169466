"""Reads for the open data: contracts ready for OCDS, and the rows of each download."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract
from findings.models import Finding
from guardians.models import Card
from reviews.ocds import published_reviews_by_contract
from territory.models import Municipality, PublicSpace, ServiceArea

from .ocds import Evidence, contract_release, release_package

GEOJSON_PRECISION = 6  # about 10 cm; more only adds bytes


def ocds_contracts(*, municipality: Municipality) -> QuerySet[Contract]:
    """The municipality's contracts with everything a release needs, in a fixed number of
    queries whatever the number of contracts and sites."""
    return (
        Contract.objects.for_municipality(municipality)
        .select_related("company", "directorate", "service_type")
        .prefetch_related(
            "obligations",
            "documents",
            Prefetch(
                "spaces",
                queryset=PublicSpace.objects.annotate(
                    geojson=AsGeoJSON("geometry", precision=GEOJSON_PRECISION)
                )
                .only("id", "code", "name")
                .order_by("code"),
            ),
            Prefetch(
                "service_areas",
                queryset=ServiceArea.objects.annotate(
                    geojson=AsGeoJSON("geometry", precision=GEOJSON_PRECISION)
                )
                .only("id", "code", "name")
                .order_by("code"),
            ),
        )
        .order_by("pk")
    )


def ocds_evidence(
    *, municipality: Municipality, contracts: list[Contract], today: datetime.date | None = None
) -> Evidence:
    """Cards per contract, covered site and month, and the findings of the contracts: two
    queries for any number of contracts. A card counts for the contract in force on its space
    and service the day it was observed (``ContractQuerySet.in_force``'s rule), as its finding
    does: two overlapping contracts do not both claim it."""
    evidence = Evidence()
    if not contracts:
        return evidence
    today = today or timezone.localdate()
    ids = [contract.pk for contract in contracts]
    covered = Contract.spaces.through.objects.filter(contract_id__in=ids).values("publicspace_id")
    cards = (
        Card.objects.filter(
            municipality=municipality,
            space_id__in=Subquery(covered),
            service_type_id__in={contract.service_type_id for contract in contracts},
            observed_on__gte=min(contract.start_date for contract in contracts),
            observed_on__lte=today,
        )
        .annotate(
            month=TruncMonth("observed_on"),
            contract_id=Subquery(
                Contract.objects.in_force_on_space(OuterRef("space_id"), OuterRef("observed_on"))
                .filter(service_type_id=OuterRef("service_type_id"))
                .values("pk")[:1]
            ),
        )
        .order_by()
        .values("contract_id", "space_id", "service_type_id", "month")
        .annotate(
            cards=Count("id"),
            failing=Count("id", filter=Q(failure_count__gt=0)),
            last=Max("submitted_at"),
        )
    )
    for row in cards:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = month.date()
        evidence.cards[row["contract_id"], row["space_id"], month] = (
            row["cards"],
            row["failing"],
            row["last"],
        )
        site = (row["space_id"], row["service_type_id"])
        if site not in evidence.last_card or evidence.last_card[site] < row["last"]:
            evidence.last_card[site] = row["last"]
    findings = (
        Finding.objects.filter(municipality=municipality, contract_id__in=ids)
        .order_by("period_start", "id")
        .values(
            "id",
            "contract_id",
            "space_id",
            "space__code",
            "kind",
            "status",
            "item_text",
            "obligation__task",
            "period_start",
            "period_end",
            "updated_at",
        )
    )
    for finding in findings:
        evidence.findings[finding["contract_id"]].append(dict(finding))
    evidence.reviews = published_reviews_by_contract(ids, municipality_id=municipality.pk)
    return evidence


OCDS_PAGE_SIZE = 100


class PageNotFound(Exception):
    pass


def _releases(
    *,
    municipality: Municipality,
    contracts: list[Contract],
    absolute: Callable[[str], str],
    today: datetime.date | None,
) -> list[dict]:
    evidence = ocds_evidence(municipality=municipality, contracts=contracts, today=today)
    return [
        contract_release(
            contract=contract,
            municipality=municipality,
            evidence=evidence,
            absolute=absolute,
            today=today,
        )
        for contract in contracts
    ]


def ocds_package_page(
    *,
    municipality: Municipality,
    page: int,
    absolute: Callable[[str], str],
    page_size: int | None = None,
    today: datetime.date | None = None,
) -> dict:
    """One page of the release package of every contract, with links to its neighbours."""
    if page < 1:
        raise PageNotFound
    today = today or timezone.localdate()
    page_size = page_size or OCDS_PAGE_SIZE
    start = (page - 1) * page_size
    # One more than a page tells whether there is a next page without counting.
    contracts = list(ocds_contracts(municipality=municipality)[start : start + page_size + 1])
    has_next = len(contracts) > page_size
    contracts = contracts[:page_size]
    if page > 1 and not contracts:
        raise PageNotFound
    path = reverse("opendata:contracts_ocds")
    links = {}
    if has_next:
        links["next"] = absolute(f"{path}?page={page + 1}")
    if page > 1:
        links["prev"] = absolute(f"{path}?page={page - 1}")
    return release_package(
        municipality=municipality,
        releases=_releases(
            municipality=municipality, contracts=contracts, absolute=absolute, today=today
        ),
        uri=absolute(path if page == 1 else f"{path}?page={page}"),
        policy_url=absolute(reverse("opendata:index")),
        links=links or None,
    )


def ocds_contract_package(
    *,
    municipality: Municipality,
    contract_id: int,
    absolute: Callable[[str], str],
    today: datetime.date | None = None,
) -> dict | None:
    """The release package of one contract, or None when the municipality has no such one."""
    contract = ocds_contracts(municipality=municipality).filter(pk=contract_id).first()
    if contract is None:
        return None
    return release_package(
        municipality=municipality,
        releases=_releases(
            municipality=municipality, contracts=[contract], absolute=absolute, today=today
        ),
        uri=absolute(reverse("opendata:contract_ocds", kwargs={"pk": contract.pk})),
        policy_url=absolute(reverse("opendata:index")),
    )

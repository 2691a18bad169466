"""Who answers for a public space: the contract in force on it, as territory's map, its list
and the space page ask for it.

``territory`` sits below ``contracts`` and never imports it: ``ContractsConfig`` names this
module in ``space_responsible`` and ``territory.responsible`` reads it from the app registry.
Which contract is in force is ``ContractQuerySet.in_force``'s rule (the latest started, then
the highest id), the same the reconciliation and OCDS follow.
"""

import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from territory.models import Municipality, PublicSpace

from .models import Company, Contract

# For territory's hand-written map statements, which join these tables by name.
CONTRACT_TABLE = Contract._meta.db_table
COMPANY_TABLE = Company._meta.db_table


def contract_in_force_id(space, day: datetime.date | None = None) -> Subquery:
    """The id of the contract in force on ``space`` (usually ``OuterRef("pk")``), or NULL."""
    return Subquery(Contract.objects.in_force_on_space(space, day).values("pk")[:1])


def area_contract_in_force_id(area, day: datetime.date | None = None) -> Subquery:
    """The id of the contract in force on the service ``area`` (usually ``OuterRef("pk")``)."""
    return Subquery(Contract.objects.in_force_on_area(area, day).values("pk")[:1])


def responsible_annotations(contract_id: OuterRef) -> dict[str, Subquery]:
    """``contract_number``, ``company_name`` and ``company_id_in_force`` of the contract whose
    id ``contract_id`` refers to, as annotations for a list of spaces."""
    contract = Contract.objects.filter(pk=contract_id)
    return {
        "contract_number": Subquery(contract.values("number")[:1]),
        "company_name": Subquery(contract.values("company__legal_name")[:1]),
        "company_id_in_force": Subquery(contract.values("company_id")[:1]),
    }


def contracts_serving(*, company=None, service_type=None) -> QuerySet:
    """The ids of the contracts held by the company and for the service (either may be None)."""
    contracts = Contract.objects.all()
    if company is not None:
        contracts = contracts.filter(company=company)
    if service_type is not None:
        contracts = contracts.filter(service_type=service_type)
    return contracts.values("pk")


def contract_for_space(*, space: PublicSpace, day: datetime.date | None = None) -> Contract | None:
    """The contract in force on the space, with what its page shows, or None."""
    return (
        Contract.objects.in_force_on_space(space, day)
        .select_related("company", "service_type", "directorate")
        .prefetch_related("obligations")
        .first()
    )


def contract_for_area(*, area, day: datetime.date | None = None) -> Contract | None:
    """The contract in force on the service area, with what its page shows, or None."""
    return (
        Contract.objects.in_force_on_area(area, day)
        .select_related("company", "service_type", "directorate")
        .prefetch_related("obligations")
        .first()
    )


def map_properties(contract_ids) -> dict[int, dict]:
    """For the map's features: number, company and service of each contract, by id."""
    return {
        row["pk"]: {
            "contract": row["number"],
            "company": row["company__legal_name"],
            "service": {"name": row["service_type__name"], "color": row["service_type__color"]},
        }
        for row in Contract.objects.filter(pk__in=contract_ids).values(
            "pk", "number", "company__legal_name", "service_type__name", "service_type__color"
        )
    }


def company_choices(municipality: Municipality) -> QuerySet[Company]:
    """The companies the map can be filtered by."""
    return Company.objects.for_municipality(municipality)


def contract_choices(municipality: Municipality) -> QuerySet[Contract]:
    """The contracts the map can be filtered by."""
    return (
        Contract.objects.for_municipality(municipality).select_related("company").order_by("number")
    )

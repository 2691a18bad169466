from decimal import Decimal

import pytest

from committees.models import Need
from committees.selectors import FLAG_NO_NEED, FLAG_OVER_ALLOCATED, equity_rows
from territory.tests.factories import ColoniaFactory

from .factories import AllocationFactory, NeedFactory

S = Need.Status


@pytest.fixture
def communities(municipality):
    """Four communities: served fairly, over-served, served without needs, forgotten."""
    fair = ColoniaFactory(municipality=municipality, name="Fair", population=1000)
    over = ColoniaFactory(municipality=municipality, name="Over", population=200)
    no_need = ColoniaFactory(municipality=municipality, name="NoNeed", population=500)
    forgotten = ColoniaFactory(municipality=municipality, name="Forgotten", population=None)

    delivered = NeedFactory(
        municipality=municipality,
        colonia=fair,
        status=S.DELIVERED,
        estimated_cost=Decimal("100000"),
    )
    NeedFactory(
        municipality=municipality,
        colonia=fair,
        status=S.PRIORITISED,
        estimated_cost=Decimal("50000"),
    )
    NeedFactory(
        municipality=municipality,
        colonia=fair,
        status=S.IDENTIFIED,
        estimated_cost=Decimal("10000"),
    )
    NeedFactory(
        municipality=municipality,
        colonia=fair,
        status=S.REJECTED,
        rejection_reason="Duplicada",
        estimated_cost=Decimal("999999"),
    )
    AllocationFactory(
        municipality=municipality, colonia=fair, need=delivered, value=Decimal("100000")
    )

    NeedFactory(
        municipality=municipality,
        colonia=over,
        status=S.PRIORITISED,
        estimated_cost=Decimal("10000"),
    )
    AllocationFactory(municipality=municipality, colonia=over, value=Decimal("16000"))

    AllocationFactory(municipality=municipality, colonia=no_need, value=Decimal("5000"))
    AllocationFactory(municipality=municipality, colonia=no_need, value=Decimal("2500"))

    NeedFactory(
        municipality=municipality,
        colonia=forgotten,
        status=S.PRIORITISED,
        estimated_cost=Decimal("70000"),
    )
    return {"fair": fair, "over": over, "no_need": no_need, "forgotten": forgotten}


def by_name(rows):
    return {r.name: r for r in rows}


def test_equity_figures_per_community(municipality, communities):
    rows = by_name(equity_rows(municipality))

    fair = rows["Fair"]
    assert fair.received == Decimal("100000")
    assert fair.per_inhabitant == Decimal("100.00")
    assert fair.documented_cost == Decimal("160000")  # the rejected need does not count
    assert (fair.prioritised, fair.met) == (2, 1)
    assert fair.met_share == 0.5
    assert fair.gap == Decimal("60000")
    assert fair.received_without_need == 0
    assert fair.flags == []

    over = rows["Over"]
    assert over.per_inhabitant == Decimal("80.00")
    assert over.gap == Decimal("-6000")
    assert over.flags == [FLAG_OVER_ALLOCATED]

    no_need = rows["NoNeed"]
    assert no_need.received == Decimal("7500")
    assert no_need.received_without_need == Decimal("7500")
    assert no_need.met_share is None
    assert no_need.flags == [FLAG_NO_NEED]

    forgotten = rows["Forgotten"]
    assert forgotten.received == 0
    assert forgotten.per_inhabitant is None
    assert forgotten.met_share == 0
    assert forgotten.gap == Decimal("70000")
    assert forgotten.flags == []


def test_exactly_one_and_a_half_times_is_not_flagged(municipality):
    colonia = ColoniaFactory(municipality=municipality, population=10)
    NeedFactory(municipality=municipality, colonia=colonia, estimated_cost=Decimal("1000"))
    AllocationFactory(municipality=municipality, colonia=colonia, value=Decimal("1500"))
    assert equity_rows(municipality)[0].flags == []


def test_equity_sorts_and_costs_three_queries_whatever_the_size(
    municipality, communities, django_assert_num_queries
):
    with django_assert_num_queries(3):
        rows = equity_rows(municipality, sort="-per_inhabitant")
    assert [r.name for r in rows] == ["Fair", "Over", "NoNeed", "Forgotten"]
    for n in range(30):
        colonia = ColoniaFactory(municipality=municipality, population=n + 1)
        AllocationFactory(municipality=municipality, colonia=colonia)
        NeedFactory(municipality=municipality, colonia=colonia)
    equity_rows(municipality, with_points=True)  # SpatiaLite asks its version once
    with django_assert_num_queries(3):
        rows = equity_rows(municipality, sort="gap", with_points=True)
    assert len(rows) == 34
    assert rows[0].gap <= rows[-1].gap
    assert all(r.lon is not None for r in rows)


def test_equity_ignores_other_municipalities(municipality, communities):
    from territory.tests.factories import MunicipalityFactory

    other = MunicipalityFactory()
    colonia = ColoniaFactory(municipality=other)
    AllocationFactory(municipality=other, colonia=colonia, value=Decimal("1"))
    assert {r.name for r in equity_rows(municipality)} == {"Fair", "Over", "NoNeed", "Forgotten"}

import datetime

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from complaints.models import Complaint
from complaints.selectors import (
    brief_for_colonia,
    impact_for_colonia,
    impact_summary,
    nearby_open_complaints,
    space_id_for_point,
)
from complaints.services import complaint_change_status
from contracts.tests.factories import ContractFactory
from territory.tests.factories import ColoniaFactory, PublicSpaceFactory, square

from .factories import make_complaint

pytestmark = pytest.mark.django_db

# Both backends measure on a sphere of mean radius 6,371,008.8 m: one degree of latitude is
# 111,195 m.
METRES_PER_DEGREE_LAT = 111_195.08


def north_of(lat: float, metres: float) -> float:
    return lat + metres / METRES_PER_DEGREE_LAT


def test_a_point_inside_a_space_and_a_colonia_gets_both(
    municipality, lighting, colonia, directorate
):
    space = PublicSpaceFactory(municipality=municipality, geometry=square(-106.081, 28.629, 0.002))
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    assert complaint.colonia == colonia
    assert complaint.space == space
    assert complaint.directorate == directorate


def test_a_point_outside_every_colonia_gets_none(municipality, lighting, colonia):
    complaint = make_complaint(
        municipality=municipality, service_type=lighting, lon=-105.5, lat=28.9
    )
    assert complaint.colonia is None
    assert complaint.space is None


@pytest.mark.parametrize(("metres", "expected"), [(47, True), (53, False)])
def test_the_nearest_space_counts_up_to_50_metres_from_its_edge(municipality, metres, expected):
    # The square's north edge is at latitude 28.631.
    space = PublicSpaceFactory(municipality=municipality, geometry=square(-106.081, 28.630, 0.001))
    point = Point(-106.0805, north_of(28.631, metres), srid=4326)
    assert (space_id_for_point(municipality=municipality, point=point) == space.pk) is expected


def test_the_containing_space_wins_over_a_nearer_edge(municipality):
    inner = PublicSpaceFactory(municipality=municipality, geometry=square(-106.081, 28.630, 0.001))
    PublicSpaceFactory(municipality=municipality, geometry=square(-106.0799, 28.630, 0.001))
    # 2 m inside `inner`'s east edge, 9 m from the other space.
    point = Point(-106.08002, 28.6305, srid=4326)
    assert space_id_for_point(municipality=municipality, point=point) == inner.pk


def test_the_nearest_of_two_spaces_within_50_metres_wins(municipality):
    far = PublicSpaceFactory(municipality=municipality, geometry=square(-106.081, 28.630, 0.001))
    near = PublicSpaceFactory(
        municipality=municipality, geometry=square(-106.081, north_of(28.631, 60), 0.001)
    )
    point = Point(-106.0805, north_of(28.631, 35), srid=4326)  # 35 m from far, 25 m from near
    assert space_id_for_point(municipality=municipality, point=point) == near.pk
    assert far != near


def test_nearby_open_complaints_are_of_the_same_service_within_100_metres(
    municipality, lighting, green
):
    # Distances are measured to each complaint's public point (rounded to 3 decimals), as
    # everything the public sees (complaints.public).
    base = 28.63
    close = make_complaint(municipality=municipality, service_type=lighting, lat=north_of(base, 40))
    # Its public point is 28.631, 61 m from the point asked about (its own point is 10 m away).
    farther = make_complaint(
        municipality=municipality, service_type=lighting, lat=north_of(base, 60)
    )
    make_complaint(municipality=municipality, service_type=lighting, lat=north_of(base, 200))
    make_complaint(municipality=municipality, service_type=green, lat=north_of(base, 10))
    solved = make_complaint(municipality=municipality, service_type=lighting, lat=north_of(base, 5))
    complaint_change_status(complaint=solved, status=Complaint.Status.RESOLVED)
    found = nearby_open_complaints(
        municipality=municipality,
        service_type=lighting,
        point=Point(-106.08, north_of(base, 50), srid=4326),
    )
    assert [c.code for c in found] == [close.code, farther.code]
    assert 50 < found[0].distance.m < 60 and 55 < found[1].distance.m < 65


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_brief_counts_by_service_and_status_and_lists_spaces_with_contracts(
    municipality, lighting, green, colonia
):
    space = PublicSpaceFactory(
        municipality=municipality, name="Parque Lerdo", geometry=square(-106.081, 28.629, 0.002)
    )
    contract = ContractFactory(
        municipality=municipality,
        service_type=green,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
        spaces=[space],
    )
    ContractFactory(  # ended before the period: not listed
        municipality=municipality,
        service_type=green,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        spaces=[space],
    )
    day = datetime.date(2026, 3, 10)
    for _ in range(3):
        make_complaint(municipality=municipality, service_type=green, created_at=_at(day))
    resolved = make_complaint(
        municipality=municipality, service_type=lighting, created_at=_at(day), lon=-106.09
    )
    complaint_change_status(complaint=resolved, status=Complaint.Status.RESOLVED)
    make_complaint(
        municipality=municipality, service_type=green, created_at=_at(datetime.date(2026, 5, 1))
    )
    other = ColoniaFactory(municipality=municipality, geometry=square(-105.0, 28.0, 0.01))
    make_complaint(
        municipality=municipality, service_type=green, lon=-104.995, lat=28.005, created_at=_at(day)
    )

    brief = brief_for_colonia(
        colonia=colonia, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31)
    )
    assert other.pk != colonia.pk
    assert brief.total == 4
    assert brief.open_total == 3
    by_service = {row["service"]: row for row in brief.rows}
    assert by_service["Green spaces"]["counts"]["received"] == 3
    assert by_service["Street lighting"]["counts"]["resolved"] == 1
    assert brief.totals["resolved"] == 1
    assert [s.pk for s in brief.spaces] == [space.pk]
    assert brief.spaces[0].complaint_count == 3
    assert [c.pk for c in brief.spaces[0].period_contracts] == [contract.pk]


def test_before_and_after_counts_per_service_around_a_date(municipality, lighting, green, colonia):
    reference = datetime.date(2026, 4, 1)
    for offset in (-30, -10, -1):  # 3 before
        make_complaint(
            municipality=municipality,
            service_type=lighting,
            created_at=_at(reference + datetime.timedelta(days=offset)),
        )
    make_complaint(
        municipality=municipality, service_type=lighting, created_at=_at(reference)
    )  # after
    make_complaint(
        municipality=municipality,
        service_type=lighting,
        created_at=_at(reference - datetime.timedelta(days=31)),
    )  # outside
    make_complaint(
        municipality=municipality,
        service_type=green,
        created_at=_at(reference + datetime.timedelta(days=29)),
    )
    make_complaint(
        municipality=municipality,
        service_type=green,
        created_at=_at(reference + datetime.timedelta(days=30)),
    )  # outside

    rows = {
        r.service: r for r in impact_for_colonia(colonia=colonia, reference_date=reference, days=30)
    }
    assert (rows["Street lighting"].before, rows["Street lighting"].after) == (3, 1)
    assert (rows["Green spaces"].before, rows["Green spaces"].after) == (0, 1)
    assert rows["Street lighting"].change_percent == -66.7


def test_impact_summary_groups_colonias_with_and_without_guardians_in_two_queries(
    municipality, lighting, colonia, django_assert_num_queries
):
    without = ColoniaFactory(
        municipality=municipality, name="Sin guardianes", geometry=square(-105.0, 28.0, 0.01)
    )
    ColoniaFactory(municipality=municipality, name="Vacía", geometry=square(-104.0, 28.0, 0.01))
    first_card = datetime.date(2026, 4, 1)
    other_reference = datetime.date(2026, 6, 1)
    for offset in (-5, -4, 3):
        make_complaint(
            municipality=municipality,
            service_type=lighting,
            created_at=_at(first_card + datetime.timedelta(days=offset)),
        )
    for offset in (-2, 1, 2, 4):
        make_complaint(
            municipality=municipality,
            service_type=lighting,
            lon=-104.995,
            lat=28.005,
            created_at=_at(other_reference + datetime.timedelta(days=offset)),
        )
    with django_assert_num_queries(1):
        summary = impact_summary(
            municipality=municipality,
            days=10,
            reference_date=other_reference,
            first_cards={colonia.pk: first_card},
        )
    assert summary.with_guardians.colonias == 1
    assert summary.without_guardians.colonias == 2
    assert (summary.with_guardians.total.before, summary.with_guardians.total.after) == (2, 1)
    assert (summary.without_guardians.total.before, summary.without_guardians.total.after) == (1, 3)
    assert without.pk

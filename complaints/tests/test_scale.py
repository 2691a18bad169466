"""What keeps the admin changelist and the inbox fast at a million complaints
(bench/bench_scale.py measures it): a count that stops early, filters read from small tables."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from complaints.models import Complaint
from complaints.paginators import EstimatedCountPaginator
from complaints.selectors import impact_summary
from territory.tests.factories import (
    ColoniaFactory,
    MunicipalityFactory,
    ServiceTypeFactory,
    square,
)

from .factories import make_complaint, make_user

pytestmark = pytest.mark.django_db


class SmallCap(EstimatedCountPaginator):
    exact_up_to = 2


def test_the_count_is_exact_up_to_the_cap(municipality, lighting):
    for _ in range(2):
        make_complaint(municipality=municipality, service_type=lighting)
    paginator = SmallCap(Complaint.private_objects.all(), 1)
    assert paginator.count == 2 and paginator.num_pages == 2


def test_past_the_cap_the_count_is_estimated_on_postgresql_and_exact_elsewhere(
    municipality, lighting
):
    for _ in range(5):
        make_complaint(municipality=municipality, service_type=lighting)
    count = SmallCap(Complaint.private_objects.all(), 2).count
    if connection.vendor == "postgresql":
        # The planner's estimate: never below what was counted (3 = the cap + 1).
        assert count >= 3
    else:
        assert count == 5


def test_a_filtered_count_under_the_cap_is_exact(municipality, lighting, green):
    for _ in range(4):
        make_complaint(municipality=municipality, service_type=lighting)
    make_complaint(municipality=municipality, service_type=green)
    paginator = SmallCap(Complaint.private_objects.filter(service_type=green), 10)
    assert paginator.count == 1


def test_the_changelist_filters_list_the_staff_users_services_only(client, municipality, lighting):
    other = MunicipalityFactory(slug="otra", name="Otra")
    ServiceTypeFactory(municipality=other, code="water", name="Water of another town")
    make_complaint(municipality=municipality, service_type=lighting)
    staff = make_user(
        municipality=municipality, username="staff-admin", is_staff=True, is_superuser=True
    )
    client.force_login(staff)
    response = client.get("/admin/complaints/complaint/")
    assert response.status_code == 200
    assert b"Street lighting" in response.content
    assert b"Water of another town" not in response.content


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_impact_summary_counts_around_each_colonias_own_first_card(
    municipality, lighting, django_assert_num_queries
):
    """Two colonias with guardians since different days, one without: each complaint falls
    before or after its own colonia's date, to the day (local time), in one query."""
    north = ColoniaFactory(
        municipality=municipality, name="Norte", geometry=square(-106.0, 29.0, 0.01)
    )
    south = ColoniaFactory(
        municipality=municipality, name="Sur", geometry=square(-106.0, 28.0, 0.01)
    )
    ColoniaFactory(municipality=municipality, name="Sin", geometry=square(-105.0, 28.0, 0.01))
    north_first, south_first = datetime.date(2026, 3, 1), datetime.date(2026, 5, 1)
    # North: the last minutes before its date, its first morning, and one day past the window.
    for when in (
        _at(north_first - datetime.timedelta(days=1), 23),
        _at(north_first, 0),
        _at(north_first + datetime.timedelta(days=10), 12),
    ):
        make_complaint(
            municipality=municipality,
            service_type=lighting,
            lon=-105.995,
            lat=29.005,
            created_at=when,
        )
    # South: a complaint on North's date is 61 days before South's, outside its window.
    for when in (_at(north_first, 12), _at(south_first + datetime.timedelta(days=3), 12)):
        make_complaint(
            municipality=municipality,
            service_type=lighting,
            lon=-105.995,
            lat=28.005,
            created_at=when,
        )
    with django_assert_num_queries(1):
        summary = impact_summary(
            municipality=municipality,
            days=10,
            reference_date=south_first,
            first_cards={north.pk: north_first, south.pk: south_first},
        )
    assert summary.with_guardians.colonias == 2
    assert summary.without_guardians.colonias == 1
    total = summary.with_guardians.total
    # North: 1 before, 1 after (day 10 is outside the 10-day window); South: 0 before (North's
    # date is 61 days earlier, outside), 1 after.
    assert (total.before, total.after) == (1, 2)

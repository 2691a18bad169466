"""The workspace queues' statements as a DBA would write them (issue #16, metro tier): a
figure's FILTER becomes the subquery's WHERE, COUNT(pk) becomes COUNT(*), and the overdue
complaints are the status's count less the recent ones; the figures stay the same."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, Min, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.constants import OPEN_STATUSES, ComplaintStatus
from complaints.models import Complaint
from complaints.tests.factories import make_complaint
from complaints.workspace import STALE_DAYS, open_complaint_queues
from territory.tests.factories import ColoniaFactory, MunicipalityFactory, ServiceTypeFactory
from workspace.registry import Queue, Section, Tally, read_tallies

pytestmark = pytest.mark.django_db


def _complaints(municipality, service, ages):
    made = [make_complaint(municipality=municipality, service_type=service) for _ in ages]
    for complaint, days in zip(made, ages, strict=True):
        Complaint.private_objects.filter(pk=complaint.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days)
        )
    return made


def test_a_figures_filter_goes_to_the_where_clause_and_counts_use_count_star(municipality):
    recent = Q(created_at__gte=timezone.now())
    tally = Tally(
        Complaint.private_objects.for_municipality(municipality),
        {"count": Count("pk"), "on_time": Count("pk", filter=recent), "oldest": Min("created_at")},
    )
    sql = {name: str(subquery.query) for name, subquery in tally.subqueries().items()}
    assert "COUNT(*)" in sql["count"] and "COUNT(*)" in sql["on_time"]
    assert all("FILTER" not in statement for statement in sql.values())
    assert 'created_at" >=' in sql["on_time"] and 'created_at" >=' not in sql["count"]


def test_overdue_complaints_are_the_count_less_the_recent_ones(municipality, django_user_model):
    service = ServiceTypeFactory(municipality=municipality)
    ColoniaFactory(municipality=municipality)
    elsewhere = MunicipalityFactory()
    _complaints(municipality, service, [0, 1, STALE_DAYS + 1, STALE_DAYS + 40])
    _complaints(elsewhere, ServiceTypeFactory(municipality=elsewhere), [0, STALE_DAYS + 5] * 3)
    user = django_user_model.objects.create(username="reader", municipality=municipality)
    queues = open_complaint_queues(municipality=municipality)
    sections = [Section(key="c", title="c", queues=queues)]
    with CaptureQueriesContext(connection) as captured:
        read_tallies(sections, user=user)
    assert len(captured) == 1
    received = {queue.key: queue for queue in sections[0].queues}[
        f"complaints_{ComplaintStatus.RECEIVED}"
    ]
    # Only this municipality's: 4 received, 2 of them older than STALE_DAYS.
    assert (received.count, received.overdue) == (4, 2)
    oldest = Complaint.private_objects.filter(municipality=municipality).order_by("created_at")
    assert received.oldest == oldest.first().created_at
    for status in OPEN_STATUSES[1:]:
        other = {queue.key: queue for queue in sections[0].queues}[f"complaints_{status}"]
        assert (other.count, other.overdue, other.oldest) == (0, 0, None)


def test_a_queue_without_on_time_keeps_its_overdue_figure(municipality, django_user_model):
    service = ServiceTypeFactory(municipality=municipality)
    ColoniaFactory(municipality=municipality)
    made = _complaints(municipality, service, [0, 3, 9])
    user = django_user_model.objects.create(username="reader", municipality=municipality)
    old = Q(created_at__lt=timezone.now() - datetime.timedelta(days=2))
    sections = [
        Section(
            key="c",
            title="c",
            queues=[
                Queue.counted(
                    key="q",
                    label="q",
                    url="/",
                    queryset=Complaint.private_objects.filter(pk__in=[c.pk for c in made]),
                    count=Count("pk"),
                    overdue=Count("pk", filter=old),
                    oldest=Min("created_at", filter=old),
                )
            ],
        )
    ]
    read_tallies(sections, user=user)
    (queue,) = sections[0].queues
    assert (queue.count, queue.overdue) == (3, 2)
    assert queue.oldest == Complaint.private_objects.get(pk=made[2].pk).created_at

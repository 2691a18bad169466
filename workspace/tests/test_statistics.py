"""The workspace's statistics: facts from grouped queries, the figures of each statistic
(including the median), scoping, filters, CSV, query counts, and the same numbers as the
public pages (one selector, two views)."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.constants import Role
from committees.models import Need
from committees.tests.factories import ForumFactory, NeedFactory
from complaints.models import Complaint, ComplaintUpdate
from contracts.tests.factories import CompanyFactory
from findings.models import Finding
from guardians.tests.factories import UserFactory
from territory.tests.factories import (
    ColoniaFactory,
    DirectorateFactory,
    MunicipalityFactory,
    PublicSpaceFactory,
    ServiceTypeFactory,
    square,
)
from workspace.models import StatisticFact, StatisticsRun
from workspace.statistics.registry import median_from_buckets, statistic, statistics
from workspace.statistics.selectors import Filters, Scope, figures
from workspace.statistics.services import statistics_refresh
from workspace.tasks import refresh_statistics

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=TZ)


def user_with(municipality, username, role, directorate=None):
    user = UserFactory(municipality=municipality, username=username, directorate=directorate)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


class Place:
    pass


@pytest.fixture
def place(municipality):
    p = Place()
    p.municipality = municipality
    p.green = ServiceTypeFactory(municipality=municipality, code="green", name="Áreas verdes")
    p.lighting = ServiceTypeFactory(municipality=municipality, code="lights", name="Alumbrado")
    p.parks = DirectorateFactory(municipality=municipality, name="Parques y Jardines")
    p.parks.services.add(p.green)
    p.lights = DirectorateFactory(municipality=municipality, name="Alumbrado Público")
    p.lights.services.add(p.lighting)
    p.centro = ColoniaFactory(municipality=municipality, name="Centro")
    p.norte = ColoniaFactory(
        municipality=municipality, name="Norte", geometry=square(-106.0, 28.7, 0.01)
    )
    p.staff = user_with(municipality, "sindicatura", Role.MUNICIPAL_STAFF)
    p.parks_staff = user_with(municipality, "parques", Role.DIRECTORATE_STAFF, p.parks)
    p.other = MunicipalityFactory(slug="otro", name="Otro")
    p.other_service = ServiceTypeFactory(municipality=p.other, code="green")
    return p


def complaint(
    place,
    *,
    created,
    closed=None,
    service=None,
    colonia=None,
    directorate=None,
    municipality=None,
    status=None,
):
    municipality = municipality or place.municipality
    number = Complaint.private_objects.count() + 1
    row = Complaint.private_objects.create(
        municipality=municipality,
        code=f"T{number:07d}",
        service_type=service or place.green,
        description="Pasto alto",
        colonia=colonia if colonia is not None else place.centro,
        directorate=directorate if directorate is not None else place.parks,
        status=status or (Complaint.Status.CLOSED if closed else Complaint.Status.RECEIVED),
        source=Complaint.Source.WEB,
        created_at=created,
    )
    ComplaintUpdate.objects.create(complaint=row, status="received", created_at=created)
    if closed:
        ComplaintUpdate.objects.create(
            complaint=row, status=row.status, previous_status="received", created_at=closed
        )
    return row


@pytest.fixture
def complaints(place):
    # January: four reported, closed after 2, 4, 6 and 10 days; February: one still open.
    for days in (2, 4, 6, 10):
        complaint(place, created=at(2026, 1, 3), closed=at(2026, 1, 3 + days))
    complaint(
        place,
        created=at(2026, 2, 1),
        service=place.lighting,
        colonia=place.norte,
        directorate=place.lights,
    )
    # Another municipality's complaint never shows.
    complaint(
        place,
        created=at(2026, 1, 3),
        closed=at(2026, 1, 4),
        municipality=place.other,
        service=place.other_service,
        colonia=None,
        directorate=None,
    )
    statistics_refresh(municipality=place.municipality)
    statistics_refresh(municipality=place.other)


def as_dict(result):
    return {row.label: row.values for row in result.rows}


# --- Building blocks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("buckets", "median"),
    [
        ([], None),
        ([(3, 1)], 3),
        ([(2, 1), (4, 1), (10, 1)], 4),
        ([(10, 1), (2, 1), (6, 1), (4, 1)], 5),
        ([(0, 5), (30, 1)], 0),
        ([(1, 2), (9, 2)], 5),
    ],
)
def test_median_from_buckets(buckets, median):
    assert median_from_buckets(buckets) == median


def test_every_app_registers_its_statistics():
    keys = [s.key for s in statistics()]
    assert keys == [
        "complaints",
        "time-to-close",
        "findings",
        "fix-rate",
        "cards",
        "guardians",
        "forums",
        "needs",
    ]


def test_the_refresh_is_scheduled_every_half_hour():
    from findings.schedules import crontabs

    assert crontabs()["workspace: statistics refresh"] == (
        "workspace.tasks.refresh_statistics",
        "*/30",
        "*",
    )


def test_the_task_refreshes_and_replaces_the_facts(place, complaints):
    before = StatisticFact.objects.filter(municipality=place.municipality).count()
    assert refresh_statistics(place.municipality.pk) == before  # twice: no doubled facts
    assert StatisticFact.objects.filter(municipality=place.municipality).count() == before
    assert StatisticsRun.objects.get(municipality=place.municipality).facts == before


# --- Complaints ----------------------------------------------------------------------------


def test_complaints_received_and_closed_by_month(place, complaints):
    result = figures(
        statistic=statistic("complaints"),
        scope=Scope(municipality=place.municipality),
        filters=Filters(),
        by="month",
    )
    assert [row.key for row in result.rows] == [
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]
    assert [row.values for row in result.rows] == [[4, 4], [1, 0]]
    assert result.total.values == [5, 4]


def test_median_time_to_close(place, complaints):
    scope = Scope(municipality=place.municipality)
    result = figures(
        statistic=statistic("time-to-close"), scope=scope, filters=Filters(), by="month"
    )
    # 2, 4, 6 and 10 days: the median is the mean of 4 and 6.
    assert result.total.values == [5.0, 4]
    assert result.rows[0].values == [5.0, 4]
    by_colonia = figures(
        statistic=statistic("time-to-close"), scope=scope, filters=Filters(), by="colonia"
    )
    assert as_dict(by_colonia) == {"Centro": [5.0, 4]}


def test_complaints_by_service_and_colonia(place, complaints):
    scope = Scope(municipality=place.municipality)
    by_service = figures(
        statistic=statistic("complaints"), scope=scope, filters=Filters(), by="service"
    )
    assert as_dict(by_service) == {"Áreas verdes": [4, 4], "Alumbrado": [1, 0]}
    by_colonia = figures(
        statistic=statistic("complaints"), scope=scope, filters=Filters(), by="colonia"
    )
    assert as_dict(by_colonia) == {"Centro": [4, 4], "Norte": [1, 0]}


def test_a_directorate_sees_its_own_figures(place, complaints):
    scope = Scope(municipality=place.municipality, directorate_id=place.lights.pk)
    result = figures(
        statistic=statistic("complaints"), scope=scope, filters=Filters(), by="service"
    )
    assert as_dict(result) == {"Alumbrado": [1, 0]}


def test_filters(place, complaints):
    scope = Scope(municipality=place.municipality)
    s = statistic("complaints")
    february = figures(
        statistic=s,
        scope=scope,
        filters=Filters(start=datetime.date(2026, 2, 1), end=datetime.date(2026, 3, 1)),
        by="month",
    )
    assert [(row.key.month, row.values) for row in february.rows] == [(2, [1, 0]), (3, [0, 0])]
    by_service = figures(
        statistic=s, scope=scope, filters=Filters(service_id=place.lighting.pk), by="month"
    )
    assert by_service.total.values == [1, 0]
    by_colonia = figures(
        statistic=s, scope=scope, filters=Filters(colonia_id=place.centro.pk), by="service"
    )
    assert as_dict(by_colonia) == {"Áreas verdes": [4, 4]}
    by_directorate = figures(
        statistic=s, scope=scope, filters=Filters(directorate_id=place.parks.pk), by="month"
    )
    assert by_directorate.total.values == [4, 4]


# --- Pages ---------------------------------------------------------------------------------


def test_the_page_has_a_chart_a_table_and_filters(client, place, complaints):
    client.force_login(place.staff)
    response = client.get(reverse("workspace:statistics:detail", args=["complaints"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg role="img"' in html and 'class="chart-bar series-0"' in html
    assert 'class="chart-bar series-1"' in html
    assert "<caption>" in html and '<th scope="col"' in html and '<th scope="row"' in html
    assert 'class="table-scroll" tabindex="0" role="region"' in html
    assert "style=" not in html and "<script>" not in html
    assert reverse("workspace:statistics:csv", args=["complaints"]) in html
    rows = [(row.label, row.values) for row in response.context["figures"].rows]
    assert rows == [("enero de 2026", [4, 4]), ("febrero de 2026", [1, 0])] or rows[0][1] == [4, 4]


def test_the_index_links_every_statistic(client, place, complaints):
    client.force_login(place.staff)
    response = client.get(reverse("workspace:statistics:index"))
    assert response.status_code == 200
    for s in statistics():
        assert reverse("workspace:statistics:detail", args=[s.key]) in response.content.decode()


def test_bad_filters_show_errors_and_the_page_still_renders(client, place, complaints):
    client.force_login(place.staff)
    url = reverse("workspace:statistics:detail", args=["complaints"])
    response = client.get(url, {"start": "2026-13", "end": "enero", "service": "99999"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"start", "end", "service"}
    html = response.content.decode()
    assert 'value="2026-13"' in html  # what was typed stays
    assert response.context["figures"].total.values == [5, 4]  # unfiltered
    reversed_period = client.get(url, {"start": "2026-03", "end": "2026-01"})
    assert reversed_period.status_code == 200
    assert "end" in reversed_period.context["form"].errors


def test_the_csv_has_the_tables_figures(client, place, complaints):
    client.force_login(place.staff)
    response = client.get(
        reverse("workspace:statistics:csv", args=["complaints"]), {"by": "service"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "service" and len(rows[0]) == 4
    body = {row[1]: row[2:] for row in rows[1:]}
    assert body["Áreas verdes"] == ["4", "4"]
    assert body["Alumbrado"] == ["1", "0"]
    assert rows[1][0] == str(place.green.pk)
    assert rows[-1][2:] == ["5", "4"]
    by_month = client.get(reverse("workspace:statistics:csv", args=["complaints"]))
    assert [row[0] for row in csv.reader(io.StringIO(by_month.content.decode()))][1:3] == [
        "2026-01",
        "2026-02",
    ]


def test_access(client, place, complaints):
    url = reverse("workspace:statistics:detail", args=["complaints"])
    assert client.get(url).status_code == 302  # to the login
    guardian = user_with(place.municipality, "guardian", Role.GUARDIAN)
    client.force_login(guardian)
    assert client.get(url).status_code == 403
    assert client.get(reverse("workspace:statistics:index")).status_code == 403
    other_staff = user_with(place.other, "otro-staff", Role.MUNICIPAL_STAFF)
    client.force_login(other_staff)  # staff of another municipality, on this one's host
    assert client.get(url).status_code == 403


def test_directorate_staff_see_their_directorate_only(client, place, complaints):
    client.force_login(place.parks_staff)
    url = reverse("workspace:statistics:detail", args=["complaints"])
    response = client.get(url, {"by": "service"})
    assert response.status_code == 200
    assert as_dict(response.context["figures"]) == {"Áreas verdes": [4, 4]}
    assert "directorate" not in response.context["form"].fields
    # Asking for another directorate's service leaves nothing of it.
    response = client.get(url, {"service": place.lighting.pk})
    assert "service" in response.context["form"].errors
    # Statistics without a directorate or service (guardians, forums, needs) are not theirs.
    assert client.get(reverse("workspace:statistics:detail", args=["forums"])).status_code == 404
    assert client.post(reverse("workspace:statistics:refresh")).status_code == 403


@pytest.fixture
def eager_celery():
    """Run tasks inline even when REDIS_URL configures a real broker."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


def test_staff_can_ask_for_fresh_figures(
    client, place, complaints, django_capture_on_commit_callbacks, eager_celery
):
    complaint(place, created=at(2026, 2, 2))
    client.force_login(place.staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("workspace:statistics:refresh"))
    assert response.status_code == 302
    assert len(callbacks) == 1
    result = figures(
        statistic=statistic("complaints"),
        scope=Scope(municipality=place.municipality),
        filters=Filters(),
        by="month",
    )
    assert result.total.values == [6, 4]


def _more_complaints(place, count):
    for n in range(count):
        colonia = ColoniaFactory(municipality=place.municipality, name=f"Colonia {n:03d}")
        complaint(
            place,
            created=at(2025, 1 + n % 12, 1 + n % 27),
            colonia=colonia,
            closed=at(2026, 1, 1) if n % 2 else None,
        )
    statistics_refresh(municipality=place.municipality)


@pytest.mark.parametrize("key", ["complaints", "time-to-close", "fix-rate", "cards", "needs"])
def test_query_counts_do_not_grow_with_the_data(client, place, complaints, key):
    client.force_login(place.staff)
    url = reverse("workspace:statistics:detail", args=[key])
    params = {"by": "colonia", "service": place.green.pk, "start": "2025-01", "end": "2026-12"}
    if key in ("needs",):
        params.pop("service")
    warm = client.get(url, params)  # warm the session and the municipality's host map
    assert warm.status_code == 200, warm.content.decode()[:3000]

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
            assert (
                client.get(url.replace("/" + key + "/", f"/{key}.csv"), params).status_code == 200
            )
        return len(
            [
                q
                for q in queries.captured_queries
                if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))
            ]
        )

    small = count()
    _more_complaints(place, 30)
    assert count() == small
    assert small <= 2 * 12


def test_each_page_stays_within_twelve_queries(
    client, place, complaints, django_assert_max_num_queries
):
    client.force_login(place.staff)
    client.get(reverse("workspace:statistics:index"))
    for s in statistics():
        url = reverse("workspace:statistics:detail", args=[s.key])
        params = {"by": "colonia", "colonia": place.centro.pk, "start": "2025-01", "end": "2026-12"}
        with django_assert_max_num_queries(12):
            assert client.get(url, params).status_code == 200
    with django_assert_max_num_queries(12):
        client.get(reverse("workspace:statistics:index"))


# --- The same numbers as the public pages ----------------------------------------------------


def finding(place, *, company, status="open", created=None, municipality=None, colonia=None):
    when = created or at(2026, 1, 10)
    return Finding.objects.create(
        municipality=municipality or place.municipality,
        kind="unreported",
        severity=2,
        status=status,
        service_type=place.green,
        colonia=colonia or place.centro,
        item_code="grass-cut",
        item_text="Pasto cortado",
        directorate=place.parks,
        company=company,
        period_start=when.date(),
        period_end=when.date(),
        response_hours=72,
        due_at=when + datetime.timedelta(days=3),
        created_at=when,
        updated_at=when,
        verified_at=when + datetime.timedelta(days=4) if status == "verified" else None,
    )


def test_fix_rate_by_company_matches_the_public_page(client, place):
    verde = CompanyFactory(municipality=place.municipality, legal_name="Verde S.A.")
    limpia = CompanyFactory(municipality=place.municipality, legal_name="Limpia S.A.")
    for status in ("verified", "verified", "open", "notified"):
        finding(place, company=verde, status=status)
    for status, month in (("verified", 2), ("open", 3), ("open", 3)):
        finding(place, company=limpia, status=status, created=at(2026, month, 5))
    statistics_refresh(municipality=place.municipality)

    public = client.get(reverse("findings:fix_rate"))
    public_rows = {
        row.name: (row.findings, row.verified, round(row.rate, 1))
        for row in public.context["companies"]
    }
    client.force_login(place.staff)
    workspace = client.get(reverse("workspace:statistics:detail", args=["fix-rate"]))
    assert workspace.context["figures"].by == "subject"
    workspace_rows = {
        row.label: (row.values[1], row.values[2], row.values[0])
        for row in workspace.context["figures"].rows
    }
    assert (
        public_rows
        == workspace_rows
        == {
            "Verde S.A.": (4, 2, 50.0),
            "Limpia S.A.": (3, 1, 33.3),
        }
    )
    assert "Verde S.A." in workspace.content.decode()
    # By month: raised and fixed of each month's findings.
    findings_by_month = figures(
        statistic=statistic("findings"),
        scope=Scope(municipality=place.municipality),
        filters=Filters(),
        by="month",
    )
    assert [row.values for row in findings_by_month.rows] == [[4, 2], [1, 1], [2, 0]]


def test_needs_met_match_the_equity_page(client, place):
    for status in ("prioritised", "delivered", "delivered", "identified"):
        NeedFactory(municipality=place.municipality, colonia=place.centro, status=status)
    NeedFactory(
        municipality=place.municipality,
        colonia=place.centro,
        status="rejected",
        rejection_reason="Fuera del programa",
    )
    NeedFactory(municipality=place.municipality, colonia=place.norte, status="approved")
    NeedFactory(
        municipality=place.other,
        colonia=ColoniaFactory(municipality=place.other),
        status="delivered",
    )
    statistics_refresh(municipality=place.municipality)

    public = client.get(reverse("committees:equity"))
    public_rows = {
        row.name: (row.met, row.prioritised)
        for row in public.context["page"].object_list
        if row.prioritised
    }
    client.force_login(place.staff)
    workspace = client.get(
        reverse("workspace:statistics:detail", args=["needs"]), {"by": "colonia"}
    )
    workspace_rows = {row.label: tuple(row.values[:2]) for row in workspace.context["figures"].rows}
    assert public_rows == workspace_rows == {"Centro": (2, 3), "Norte": (0, 1)}
    assert workspace.context["figures"].total.values == [2, 4, 50.0]
    assert Need.objects.count() == 7


def test_forums_and_attendance(place):
    ForumFactory(
        municipality=place.municipality,
        colonia=place.centro,
        starts_at=at(2026, 1, 10),
        attendance_women=12,
        attendance_men=7,
        attendance_total=19,
    )
    ForumFactory(
        municipality=place.municipality,
        colonia=place.norte,
        starts_at=at(2026, 1, 20),
        attendance_women=3,
        attendance_men=5,
        attendance_total=8,
    )
    # Not held yet: not counted.
    ForumFactory(
        municipality=place.municipality,
        colonia=place.norte,
        starts_at=timezone.now() + datetime.timedelta(days=30),
        attendance_women=50,
        attendance_men=0,
        attendance_total=50,
    )
    statistics_refresh(municipality=place.municipality)
    scope = Scope(municipality=place.municipality)
    result = figures(statistic=statistic("forums"), scope=scope, filters=Filters(), by="colonia")
    assert as_dict(result) == {"Centro": [1, 12, 7], "Norte": [1, 3, 5]}
    assert result.total.values == [2, 15, 12]


def test_cards_and_active_guardians(place):
    from guardians.models import Card, CardTemplate, Guardian

    space = PublicSpaceFactory(municipality=place.municipality, code="P-1", name="Parque 1")
    template = CardTemplate.objects.create(
        municipality=place.municipality, service_type=place.green, name="Parques"
    )
    guardians = []
    for n, status in enumerate(("active", "active", "inactive")):
        user = UserFactory(municipality=place.municipality, username=f"g{n}")
        guardians.append(
            Guardian.private_objects.create(
                municipality=place.municipality, user=user, colonia=place.centro, status=status
            )
        )
    for day in (3, 4, 40):
        Card.objects.create(
            municipality=place.municipality,
            template=template,
            service_type=place.green,
            space=space,
            colonia=place.centro,
            guardian=guardians[0],
            observed_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
        )
    statistics_refresh(municipality=place.municipality)
    scope = Scope(municipality=place.municipality)
    cards = figures(statistic=statistic("cards"), scope=scope, filters=Filters(), by="month")
    assert [row.values for row in cards.rows] == [[2], [1]]
    active = figures(statistic=statistic("guardians"), scope=scope, filters=Filters(), by="colonia")
    assert as_dict(active) == {"Centro": [2]}
    # The parks directorate sees the cards of its service, not the guardians' statistic.
    parks = Scope(municipality=place.municipality, directorate_id=place.parks.pk)
    assert figures(
        statistic=statistic("cards"), scope=parks, filters=Filters(), by="month"
    ).total.values == [3]
    lights = Scope(municipality=place.municipality, directorate_id=place.lights.pk)
    assert figures(
        statistic=statistic("cards"), scope=lights, filters=Filters(), by="month"
    ).total.values == [0]


def test_long_durations_share_weekly_and_monthly_buckets(place):
    # 3 days: exact; 20 days: the week from day 14; 100 days: the 30 days from day 91;
    # 400 days: past a year.
    for days in (3, 20, 20, 100, 400):
        complaint(place, created=at(2025, 1, 3), closed=at(2025, 1, 3) + datetime.timedelta(days))
    statistics_refresh(municipality=place.municipality)
    buckets = dict(
        StatisticFact.objects.filter(metric="complaints_days_to_close", level=0).values_list(
            "bucket", "value"
        )
    )
    assert buckets == {3: 1, 14: 2, 91: 1, 366: 1}
    result = figures(
        statistic=statistic("time-to-close"),
        scope=Scope(municipality=place.municipality),
        filters=Filters(),
        by="service",
    )
    assert result.total.values == [14.0, 5]


def test_every_level_of_facts_gives_the_same_figures(place, complaints):
    """A page reads the facts summed over colonias, or over the rest, or all of them: the
    three give the same totals."""
    from workspace.statistics.selectors import level_for

    scope = Scope(municipality=place.municipality)
    s = statistic("time-to-close")
    assert level_for(scope, Filters(), "month") == 1
    assert level_for(scope, Filters(), "colonia") == 2
    assert level_for(scope, Filters(service_id=place.green.pk), "colonia") == 0
    assert level_for(Scope(place.municipality, place.parks.pk), Filters(), "colonia") == 0
    totals = {
        figures(statistic=s, scope=scope, filters=filters, by=by).total.values[0]
        for filters, by in (
            (Filters(), "month"),
            (Filters(), "colonia"),
            (Filters(service_id=place.green.pk), "colonia"),
        )
    }
    assert totals == {5.0}

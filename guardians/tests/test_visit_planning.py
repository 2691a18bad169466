"""Planning a visit, its public pre-visit brief, and recording it as carried out."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from territory.tests.factories import ColoniaFactory, MunicipalityFactory, square

from .. import selectors, services
from ..models import Visit
from .factories import GuardianFactory, UserFactory

pytestmark = pytest.mark.django_db

OTHER_HOST = "otro.localhost"


def _today():
    return timezone.localdate()


def _plan(world, days=3, **kwargs):
    return services.visit_plan(
        municipality=world.municipality,
        date=kwargs.pop("date", _today() + datetime.timedelta(days=days)),
        colonia=kwargs.pop("colonia", world.colonia_a),
        spaces=kwargs.pop("spaces", world.spaces_a[:2]),
        guardians_invited=kwargs.pop("guardians_invited", [world.guardian_a, world.lead_a]),
        public_note=kwargs.pop("public_note", "Nos vemos en el parque a las 10:00."),
        created_by=world.staff,
        **kwargs,
    )


@pytest.fixture
def other(db):
    """A second municipality with its own staff, colonia and a planned visit."""
    municipality = MunicipalityFactory(slug="otro", name="Otro municipio")
    colonia = ColoniaFactory(
        municipality=municipality, name="Colonia Ajena", geometry=square(-100.0, 20.0, 0.05)
    )
    staff = UserFactory(municipality=municipality, username="otro-staff")
    staff.groups.add(Group.objects.get_or_create(name=Role.MUNICIPAL_STAFF)[0])
    visit = services.visit_plan(
        municipality=municipality,
        date=_today() + datetime.timedelta(days=1),
        colonia=colonia,
        public_note="Visita de otro municipio",
    )
    return type("Other", (), {"municipality": municipality, "staff": staff, "visit": visit})


# --- Services ------------------------------------------------------------------------------


def test_a_planned_visit_gets_an_unguessable_token(world):
    visit = _plan(world)
    other = _plan(world, days=4)
    assert visit.status == Visit.Status.PLANNED
    assert len(visit.brief_token) >= 32 and visit.brief_token != other.brief_token
    assert visit.get_brief_url() == f"/guardians/visits/brief/{visit.brief_token}/"
    assert set(visit.guardians_invited.all()) == {world.guardian_a, world.lead_a}


def test_today_may_be_planned_but_not_yesterday(world):
    assert _plan(world, days=0).date == _today()
    with pytest.raises(ValidationError) as error:
        _plan(world, days=-1)
    assert "date" in error.value.error_dict
    assert Visit.objects.count() == 1


def test_guardians_of_another_municipality_cannot_be_invited(world, other):
    stranger = GuardianFactory(municipality=other.municipality)
    with pytest.raises(ValidationError) as error:
        _plan(world, guardians_invited=[world.guardian_a, stranger])
    assert "guardians_invited" in error.value.error_dict
    assert not Visit.objects.filter(municipality=world.municipality).exists()


def test_carrying_out_a_planned_visit_moves_it_to_done(world):
    visit = _plan(world, days=0)
    services.visit_carry_out(
        visit=visit, date=_today(), people_contacted=12, staff_present=[world.staff]
    )
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE and visit.people_contacted == 12
    with pytest.raises(ValidationError):
        services.visit_carry_out(visit=visit, date=_today(), people_contacted=3)
    visit.refresh_from_db()
    assert visit.people_contacted == 12


def test_a_visit_cannot_be_carried_out_in_the_future(world):
    visit = _plan(world, days=5)
    with pytest.raises(ValidationError) as error:
        services.visit_carry_out(visit=visit, date=visit.date, people_contacted=3)
    assert "date" in error.value.error_dict
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED


def test_the_week_queue_counts_this_weeks_planned_visits_and_the_overdue(world, other):
    today = _today()
    monday, sunday = selectors.week_bounds(today)
    this_week = _plan(world, days=0)
    _plan(world, days=(sunday - today).days + 1)  # next week
    overdue = _plan(world, days=0)
    Visit.objects.filter(pk=overdue.pk).update(date=today - datetime.timedelta(days=8))
    done = _plan(world, days=0)
    services.visit_carry_out(visit=done, date=today, people_contacted=1)
    with CaptureQueriesContext(connection) as queries:
        figures = selectors.planned_visits_this_week(municipality=world.municipality)
    assert len(queries) == 1
    assert figures == {"count": 1, "oldest": this_week.date, "overdue": 1}


# --- Staff pages ---------------------------------------------------------------------------


def test_staff_plan_a_visit_through_the_form(world, client):
    client.force_login(world.staff)
    date = _today() + datetime.timedelta(days=4)
    response = client.post(
        reverse("guardians:visit_plan"),
        {
            "date": date.isoformat(),
            "colonia": world.colonia_a.pk,
            "space_codes": "A-0, A-1",
            "guardians_invited": [world.guardian_a.pk, world.lead_a.pk],
            "public_note": "Trae tus dudas.",
            "notes": "Llevar volantes.",
        },
    )
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == visit.get_absolute_url()
    assert visit.status == Visit.Status.PLANNED and visit.date == date
    assert {s.code for s in visit.spaces.all()} == {"A-0", "A-1"}
    detail = client.get(visit.get_absolute_url()).content.decode()
    assert visit.brief_token in detail
    assert "https://wa.me/?text=" in detail and "mailto:?subject=" in detail
    assert reverse("guardians:visit_done", args=[visit.pk]) in detail


def test_a_past_date_gets_a_field_error_keeps_the_input_and_saves_nothing(world, client):
    client.force_login(world.staff)
    yesterday = _today() - datetime.timedelta(days=1)
    response = client.post(
        reverse("guardians:visit_plan"),
        {
            "date": yesterday.isoformat(),
            "colonia": world.colonia_a.pk,
            "public_note": "Texto que no se pierde",
        },
        HTTP_ACCEPT_LANGUAGE="es-mx",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["date"]
    html = response.content.decode()
    assert 'id="err-date"' in html and "Texto que no se pierde" in html
    assert yesterday.isoformat() in html
    assert not Visit.objects.exists()


def test_a_planned_visit_is_recorded_as_carried_out_from_its_page(world, client):
    visit = _plan(world, days=0)
    client.force_login(world.staff)
    url = reverse("guardians:visit_done", args=[visit.pk])
    form = client.get(url)
    assert form.status_code == 200 and "A-0" in form.content.decode()  # spaces prefilled
    response = client.post(
        url,
        {
            "date": _today().isoformat(),
            "space_codes": "A-0",
            "staff_present": [world.staff.pk],
            "people_contacted": "9",
            "notes": "Se nombraron guardianes.",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE and visit.people_contacted == 9
    assert client.get(url).status_code == 404  # done: nothing left to record


def test_the_visit_list_filters_planned_visits_of_this_week_oldest_first(world, client, other):
    today = _today()
    monday, sunday = selectors.week_bounds(today)
    later = _plan(world, days=(sunday - today).days)
    sooner = _plan(world, days=0)
    _plan(world, days=(sunday - today).days + 2)  # next week
    done = services.visit_create(
        municipality=world.municipality, date=today, colonia=world.colonia_b, people_contacted=4
    )
    client.force_login(world.staff)
    response = client.get(reverse("guardians:visit_list") + "?status=planned&week=this")
    shown = list(response.context["page"])
    expected = [sooner, later] if sooner.date != later.date else [later, sooner]
    assert [v.pk for v in shown] == [v.pk for v in expected]
    assert done not in shown and other.visit not in shown
    everything = client.get(reverse("guardians:visit_list"))
    assert other.visit.pk not in {v.pk for v in everything.context["page"]}


def test_the_visit_list_costs_the_same_with_more_planned_visits(world, client):
    client.force_login(world.staff)
    url = reverse("guardians:visit_list") + "?status=planned"
    _plan(world)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for days in range(1, 15):
        _plan(world, days=days, colonia=world.colonia_b)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_guardians_and_other_municipalities_staff_cannot_plan(world, client, other):
    client.force_login(world.guardian_a.user)
    assert client.get(reverse("guardians:visit_plan")).status_code == 403
    visit = _plan(world)
    client.force_login(other.staff)
    assert client.get(reverse("guardians:visit_plan")).status_code == 403
    response = client.get(visit.get_absolute_url(), HTTP_HOST=OTHER_HOST)
    assert response.status_code == 404
    done_url = reverse("guardians:visit_done", args=[visit.pk])
    assert client.get(done_url, HTTP_HOST=OTHER_HOST).status_code == 404


# --- The public brief ----------------------------------------------------------------------


def test_the_public_brief_opens_logged_out_with_no_personal_data(world, client):
    world.guardian_a.user.first_name, world.guardian_a.user.last_name = "Rosaura", "Quintero"
    world.guardian_a.user.save()
    visit = _plan(world)
    response = client.get(visit.get_brief_url())
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    html = response.content.decode()
    assert "Centro" in html and "Nos vemos en el parque" in html and "Parque A0" in html
    assert "Rosaura" not in html and "Quintero" not in html
    assert world.guardian_a.user.email not in html and world.guardian_a.phone not in html
    assert world.staff.username not in html
    assert "complaints-brief-title" in html  # the complaints panel, through the registry


def test_an_unknown_token_is_not_found(world, client):
    _plan(world)
    assert client.get(reverse("guardians:visit_brief", args=["nope" * 8])).status_code == 404


def test_a_brief_token_does_not_open_on_another_municipalitys_host(world, client, other):
    visit = _plan(world)
    assert client.get(visit.get_brief_url(), HTTP_HOST=OTHER_HOST).status_code == 404
    assert client.get(other.visit.get_brief_url(), HTTP_HOST=OTHER_HOST).status_code == 200
    assert client.get(other.visit.get_brief_url()).status_code == 404


def test_the_brief_counts_the_complaints_of_the_colonia_only(world, client, other):
    from complaints.tests.factories import REPORTER_EMAIL, REPORTER_NAME, make_complaint

    make_complaint(municipality=world.municipality, service_type=world.green)  # colonia A
    make_complaint(municipality=world.municipality, service_type=world.green, lon=-105.98)  # B
    visit = _plan(world)
    response = client.get(visit.get_brief_url())
    panel = response.context["panels"][0]["context"]
    assert panel["brief"].total == 1 and panel["rows"][0]["open"] == 1
    html = response.content.decode()
    assert REPORTER_NAME not in html and REPORTER_EMAIL not in html


def test_the_brief_costs_the_same_queries_with_more_complaints(world, client):
    from complaints.tests.factories import make_complaint

    visit = _plan(world)
    url = visit.get_brief_url()
    make_complaint(
        municipality=world.municipality, service_type=world.green, lon=-106.0895, lat=28.6205
    )
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(3):
        for _n in range(4):
            make_complaint(
                municipality=world.municipality,
                service_type=world.green if index % 2 else world.lighting,
                lon=-106.0895 + index * 0.002,
                lat=28.6205,
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    brief = response.context["panels"][0]["context"]["brief"]
    assert brief.total == 13 and len(brief.spaces) == 3
    assert len(many) == len(few) <= 12


# --- A guardian's upcoming visits ----------------------------------------------------------


def test_guardians_see_their_upcoming_visits_only(world, client, other):
    invited = _plan(world, colonia=world.colonia_b, guardians_invited=[world.guardian_a])
    own_colonia = _plan(world, guardians_invited=[])
    _plan(world, colonia=world.colonia_b, guardians_invited=[world.guardian_b])
    client.force_login(world.guardian_a.user)
    response = client.get(reverse("guardians:my_visits"))
    assert {v.pk for v in response.context["visits"]} == {invited.pk, own_colonia.pk}
    assert invited.get_brief_url() in response.content.decode()
    client.force_login(world.staff)
    assert client.get(reverse("guardians:my_visits")).status_code == 403

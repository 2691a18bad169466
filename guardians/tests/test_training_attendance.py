"""Training attendance: the checklist per session, its capacity, and the report that shows it
beside the pre/post results."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from territory.tests.factories import MunicipalityFactory

from .. import selectors, services
from ..models import (
    Evaluation,
    GuardianApplication,
    Question,
    QuestionChoice,
    Topic,
    TrainingAttendance,
    TrainingSession,
)
from .factories import GuardianApplicationFactory, GuardianFactory, UserFactory

pytestmark = pytest.mark.django_db


def _session(municipality, capacity=None, title="Capacitación", days=-3):
    return TrainingSession.objects.create(
        municipality=municipality,
        title=title,
        date=timezone.localdate() + datetime.timedelta(days=days),
        capacity=capacity,
    )


def _tests(session, questions):
    evaluations = {}
    for kind in Evaluation.Kind.values:
        evaluations[kind] = Evaluation.objects.create(session=session, kind=kind)
        evaluations[kind].questions.set(questions)
    return evaluations


def _questions(municipality, n=4):
    questions = []
    for i in range(n):
        question = Question.objects.create(
            municipality=municipality, topic=Topic.INSTITUTIONS, text=f"Pregunta {i}"
        )
        QuestionChoice.objects.create(question=question, text="Sí", is_correct=True)
        QuestionChoice.objects.create(question=question, text="No")
        questions.append(question)
    return questions


def _take(evaluation, guardian, right):
    answers = {}
    for position, question in enumerate(evaluation.questions.order_by("id")):
        choices = list(question.choices.order_by("-is_correct", "id"))
        answers[question.pk] = choices[0 if position < right else 1].pk
    return services.evaluation_submit(evaluation=evaluation, guardian=guardian, answers=answers)


# --- Services ------------------------------------------------------------------------------


def test_attendance_replaces_the_sessions_list(world):
    session = _session(world.municipality)
    applicant = GuardianApplicationFactory(municipality=world.municipality)
    assert (
        services.training_attendance_record(
            session=session,
            guardians=[world.guardian_a, world.guardian_b],
            applications=[applicant],
            recorded_by=world.staff,
        )
        == 3
    )
    services.training_attendance_record(
        session=session, guardians=[world.guardian_a, world.lead_a], recorded_by=world.staff
    )
    rows = set(TrainingAttendance.objects.values_list("guardian_id", "application_id"))
    assert rows == {(world.guardian_a.pk, None), (world.lead_a.pk, None)}


def test_over_capacity_is_refused_and_nothing_changes(world):
    session = _session(world.municipality, capacity=2)
    services.training_attendance_record(session=session, guardians=[world.guardian_a])
    with pytest.raises(ValidationError) as error:
        services.training_attendance_record(
            session=session, guardians=[world.guardian_a2, world.lead_a, world.guardian_b]
        )
    assert "attendees" in error.value.error_dict
    assert list(TrainingAttendance.objects.values_list("guardian_id", flat=True)) == [
        world.guardian_a.pk
    ]


def test_people_of_another_municipality_are_refused(world):
    session = _session(world.municipality)
    stranger = GuardianFactory(municipality=MunicipalityFactory(slug="otro"))
    with pytest.raises(ValidationError):
        services.training_attendance_record(session=session, guardians=[world.guardian_a, stranger])
    assert not TrainingAttendance.objects.exists()


def test_an_approved_applicant_counts_once(world):
    session = _session(world.municipality, capacity=1)
    applicant = GuardianApplicationFactory(
        municipality=world.municipality, guardian=world.guardian_a
    )
    assert (
        services.training_attendance_record(
            session=session, guardians=[world.guardian_a], applications=[applicant]
        )
        == 1
    )


def test_the_report_puts_attendance_beside_pre_and_post(world):
    questions = _questions(world.municipality)
    first = _session(world.municipality, title="Primera", days=-10)
    second = _session(world.municipality, title="Segunda", days=-3)
    evaluations = _tests(first, questions)
    _take(evaluations["pre"], world.guardian_a, right=1)
    _take(evaluations["post"], world.guardian_a, right=3)
    _take(evaluations["pre"], world.guardian_b, right=2)  # took a test, never checked present
    applicant = GuardianApplicationFactory(municipality=world.municipality, full_name="Zoila Ruiz")
    services.training_attendance_record(
        session=first, guardians=[world.guardian_a], applications=[applicant]
    )
    services.training_attendance_record(session=second, guardians=[world.guardian_a])
    sessions = TrainingSession.objects.for_municipality(world.municipality)
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.training_attendance_by_person(sessions=sessions)
    assert len(queries) == 5
    by_name = {row["name"].strip(): row for row in rows}
    guardian_a = by_name[world.guardian_a.user.username]
    assert (guardian_a["attended"], guardian_a["pre"], guardian_a["post"]) == (2, 25.0, 75.0)
    guardian_b = by_name[world.guardian_b.user.username]
    assert (guardian_b["attended"], guardian_b["pre"], guardian_b["post"]) == (0, 50.0, None)
    zoila = by_name["Zoila Ruiz"]
    assert zoila["is_applicant"] and zoila["attended"] == 1 and zoila["pre"] is None
    only_second = selectors.training_attendance_by_person(sessions=sessions.filter(pk=second.pk))
    assert [(r["attended"], r["pre"]) for r in only_second] == [(1, None)]


# --- Pages ---------------------------------------------------------------------------------


def test_staff_record_attendance_with_the_checklist(world, client):
    session = _session(world.municipality, capacity=10)
    applicant = GuardianApplicationFactory(municipality=world.municipality)
    client.force_login(world.staff)
    url = reverse("guardians:training_attendance", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert applicant.full_name in html and str(world.guardian_b) in html
    response = client.post(
        url, {"guardians": [world.guardian_a.pk, world.lead_a.pk], "applications": [applicant.pk]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("guardians:training_report", args=[session.pk])
    assert TrainingAttendance.objects.filter(session=session).count() == 3
    report = client.get(response["Location"]).content.decode()
    assert 'id="attendance"' in report and applicant.full_name in report
    # The checklist shows who is checked now.
    again = client.get(url).content.decode()
    assert f'value="{world.guardian_a.pk}" id="id_guardians_' in again
    assert again.count("checked") >= 3


def test_over_capacity_on_the_page_is_a_clear_error_and_keeps_the_checks(world, client):
    session = _session(world.municipality, capacity=1)
    client.force_login(world.staff)
    url = reverse("guardians:training_attendance", args=[session.pk])
    response = client.post(
        url, {"guardians": [world.guardian_a.pk, world.guardian_b.pk]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "at most 1" in html and 'role="alert"' in html
    assert html.count("checked") >= 2
    assert not TrainingAttendance.objects.exists()


def test_attendance_pages_are_scoped_to_the_municipality(world, client):
    other = MunicipalityFactory(slug="otro")
    foreign = _session(other, title="Sesión ajena")
    stranger = GuardianFactory(municipality=other)
    stranger_applicant = GuardianApplicationFactory(municipality=other, full_name="Persona Ajena")
    session = _session(world.municipality)
    client.force_login(world.staff)
    assert (
        client.get(reverse("guardians:training_attendance", args=[foreign.pk])).status_code == 404
    )
    html = client.get(reverse("guardians:training_attendance", args=[session.pk])).content.decode()
    assert str(stranger) not in html and "Persona Ajena" not in html
    response = client.post(
        reverse("guardians:training_attendance", args=[session.pk]),
        {"guardians": [stranger.pk], "applications": [stranger_applicant.pk]},
    )
    assert response.status_code == 400  # not a valid choice
    assert not TrainingAttendance.objects.exists()
    services.training_attendance_record(session=foreign, guardians=[stranger])
    report = client.get(reverse("guardians:training_report_all")).content.decode()
    assert str(stranger) not in report and "Sesión ajena" not in report


def test_guardians_cannot_record_attendance(world, client):
    session = _session(world.municipality)
    client.force_login(world.guardian_a.user)
    url = reverse("guardians:training_attendance", args=[session.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"guardians": [world.guardian_a.pk]}).status_code == 403
    assert not TrainingAttendance.objects.exists()


def test_the_report_costs_the_same_queries_with_more_people(world, client):
    questions = _questions(world.municipality, n=2)
    session = _session(world.municipality, capacity=100)
    evaluations = _tests(session, questions)
    client.force_login(world.staff)
    url = reverse("guardians:training_report", args=[session.pk])
    first_applicant = GuardianApplicationFactory(municipality=world.municipality)
    services.training_attendance_record(
        session=session, guardians=[world.guardian_a], applications=[first_applicant]
    )
    _take(evaluations["pre"], world.guardian_a, right=1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    more = [GuardianFactory(municipality=world.municipality) for _ in range(12)]
    for guardian in more:
        _take(evaluations["pre"], guardian, right=1)
        _take(evaluations["post"], guardian, right=2)
    services.training_attendance_record(
        session=session,
        guardians=[world.guardian_a, *more],
        applications=[
            first_applicant,
            GuardianApplicationFactory(municipality=world.municipality),
        ],
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["people"]) == 15
    assert len(many) == len(few)


def test_a_second_staff_role_sees_it_and_the_training_list_links_it(world, client):
    admin = UserFactory(municipality=world.municipality, username="admin-municipal")
    admin.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATOR)[0])
    session = _session(world.municipality, capacity=5)
    client.force_login(admin)
    html = client.get(reverse("guardians:training_list")).content.decode()
    assert reverse("guardians:training_attendance", args=[session.pk]) in html
    assert GuardianApplication.private_objects.count() == 0


def test_a_guardians_arco_export_lists_their_attendance_and_invitations(world):
    from accounts.privacy.arco import Subject

    from ..arco import export

    session = _session(world.municipality, title="Sesión de abril")
    services.training_attendance_record(session=session, guardians=[world.guardian_a])
    visit = services.visit_plan(
        municipality=world.municipality,
        date=timezone.localdate(),
        colonia=world.colonia_a,
        guardians_invited=[world.guardian_a],
    )
    data = export(Subject.for_user(world.guardian_a.user, municipality=world.municipality))
    assert data["training_attendance"] == [str(session)]
    assert data["visits_invited"] == [str(visit)]
    other = export(Subject.for_user(world.guardian_b.user, municipality=world.municipality))
    assert other["training_attendance"] == [] and other["visits_invited"] == []

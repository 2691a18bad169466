import pytest
from django.urls import reverse

from .. import selectors, services
from ..models import Evaluation, Question, QuestionChoice, Topic, TrainingSession

pytestmark = pytest.mark.django_db


def make_session(world):
    session = TrainingSession.objects.create(
        municipality=world.municipality, title="Capacitación", date="2024-05-01"
    )
    questions = []
    for topic in (Topic.INSTITUTIONS, Topic.INSTITUTIONS, Topic.TENDERS, Topic.TENDERS):
        question = Question.objects.create(
            municipality=world.municipality, topic=topic, text=f"Pregunta {len(questions)}"
        )
        QuestionChoice.objects.create(question=question, text="Correcta", is_correct=True)
        QuestionChoice.objects.create(question=question, text="Incorrecta")
        questions.append(question)
    for kind in ("pre", "post"):
        Evaluation.objects.create(session=session, kind=kind).questions.set(questions)
    return session, questions


def take(session, guardian, kind, questions, correct: int):
    answers = {
        q.pk: q.choices.get(is_correct=index < correct).pk for index, q in enumerate(questions)
    }
    services.evaluation_submit(
        evaluation=session.evaluations.get(kind=kind), guardian=guardian, answers=answers
    )


def test_the_report_gives_mean_median_and_share_improved_overall_and_per_topic(world):
    session, questions = make_session(world)
    # guardian_a: 1/4 → 4/4; guardian_b: 2/4 → 2/4; guardian_a2 only the pre-test (left out).
    take(session, world.guardian_a, "pre", questions, 1)
    take(session, world.guardian_a, "post", questions, 4)
    take(session, world.guardian_b, "pre", questions, 2)
    take(session, world.guardian_b, "post", questions, 2)
    take(session, world.guardian_a2, "pre", questions, 0)
    rows = {row["topic"]: row for row in selectors.training_report(sessions=[session])}
    overall = rows[""]
    assert overall["people"] == 2
    assert overall["pre_mean"] == 37.5 and overall["post_mean"] == 75.0
    assert overall["pre_median"] == 37.5
    assert overall["improved_share"] == 50.0
    # The first two questions are institutions: a got 1/2 → 2/2, b 2/2 → 2/2.
    assert rows["institutions"]["pre_mean"] == 75.0
    assert rows["institutions"]["post_mean"] == 100.0
    assert rows["tenders"]["pre_mean"] == 0.0 and rows["tenders"]["post_mean"] == 50.0


def test_the_report_page_and_csv_are_for_staff(world, client, django_assert_max_num_queries):
    session, questions = make_session(world)
    take(session, world.guardian_a, "pre", questions, 1)
    take(session, world.guardian_a, "post", questions, 3)
    url = reverse("guardians:training_report", args=[session.pk])
    client.force_login(world.guardian_a.user)
    assert client.get(url).status_code == 403
    client.force_login(world.staff)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert "<table" in response.content.decode()
    response = client.get(url + "?format=csv", HTTP_ACCEPT_LANGUAGE="en")
    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert len(lines) == 4  # header, all topics, institutions, tenders
    assert lines[1].split(",")[1:] == ["1", "25.0", "75.0", "25.0", "75.0", "100.0"]


def test_a_guardian_takes_a_test_in_the_browser_form(world, client):
    session, questions = make_session(world)
    client.force_login(world.guardian_a.user)
    url = reverse("guardians:evaluation_take", args=[session.pk, "pre"])
    assert client.get(url).status_code == 200
    data = {f"q{q.pk}": q.choices.get(is_correct=True).pk for q in questions}
    response = client.post(url, data)
    assert response.status_code == 302
    attempt = world.guardian_a.attempts.get()
    assert (attempt.correct, attempt.total) == (4, 4)
    # A second submission is refused and changes nothing.
    client.post(url, {f"q{q.pk}": q.choices.get(is_correct=False).pk for q in questions})
    attempt.refresh_from_db()
    assert attempt.correct == 4
    assert world.guardian_a.attempts.count() == 1

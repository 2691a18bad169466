""" "Has it been fixed?": one question per closed complaint, one answer, "no" reopens it and
counts against the fix rate."""

import datetime
import re
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from complaints.models import Complaint, FixedQuestion
from complaints.selectors import place_complaint_counts
from complaints.services import complaint_change_status, fixed_questions_send_pending
from complaints.tasks import ask_fixed_task
from territory.selectors import forget_municipality_hosts
from territory.tests.factories import MunicipalityFactory

from .factories import REPORTER_EMAIL, make_complaint

pytestmark = pytest.mark.django_db


def _resolve(complaint, capture, status="resolved"):
    with capture(execute=True):
        return complaint_change_status(complaint=complaint, status=status, note="Listo")


def _question_link(mailoutbox) -> str:
    (message,) = [m for m in mailoutbox if "Has it been fixed?" in m.subject]
    (path,) = re.findall(r"(/complaints/fixed/\S+/)", message.body)
    return path


def test_the_reporter_is_asked_once_when_the_complaint_is_resolved(
    municipality, lighting, mailoutbox, django_capture_on_commit_callbacks
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    _resolve(complaint, django_capture_on_commit_callbacks)
    question = FixedQuestion.objects.get()
    assert question.complaint == complaint and not question.email_pending and question.sent_at
    asked = [m for m in mailoutbox if "Has it been fixed?" in m.subject]
    assert [m.to for m in asked] == [[REPORTER_EMAIL]]
    assert complaint.code in asked[0].subject
    # Closed after resolved: not asked again. A redelivered task sends nothing either.
    _resolve(complaint, django_capture_on_commit_callbacks, status="closed")
    assert ask_fixed_task(question.pk) is False
    assert len([m for m in mailoutbox if "Has it been fixed?" in m.subject]) == 1
    assert FixedQuestion.objects.count() == 1


def test_no_question_without_an_email_or_when_rejected(
    municipality, lighting, mailoutbox, django_capture_on_commit_callbacks
):
    anonymous = make_complaint(municipality=municipality, service_type=lighting, reporter_email="")
    _resolve(anonymous, django_capture_on_commit_callbacks)
    rejected = make_complaint(municipality=municipality, service_type=lighting)
    _resolve(rejected, django_capture_on_commit_callbacks, status="rejected")
    assert not FixedQuestion.objects.exists()
    assert not [m for m in mailoutbox if "Has it been fixed?" in m.subject]


def test_a_question_the_broker_could_not_take_is_sent_by_the_sweeper(
    municipality, lighting, mailoutbox, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    complaint = make_complaint(municipality=municipality, service_type=lighting)
    with mock.patch.object(ask_fixed_task, "delay", side_effect=OperationalError("down")):
        _resolve(complaint, django_capture_on_commit_callbacks)
    assert FixedQuestion.objects.get().email_pending
    later = timezone.now() + datetime.timedelta(minutes=2)
    assert fixed_questions_send_pending() == 0  # younger than a minute: the task's
    assert fixed_questions_send_pending(now=later) == 1
    assert fixed_questions_send_pending(now=later) == 0
    assert not FixedQuestion.objects.get().email_pending


def test_no_reopens_the_complaint_once_and_counts_against_the_fix_rate(
    en_client, municipality, lighting, colonia, mailoutbox, django_capture_on_commit_callbacks
):
    complaints = [make_complaint(municipality=municipality, service_type=lighting) for _ in "ab"]
    assert all(c.colonia == colonia for c in complaints)
    for complaint in complaints:
        _resolve(complaint, django_capture_on_commit_callbacks)
    assert place_complaint_counts(colonia=colonia)["fix_rate"] == 100
    reopened = complaints[0]
    mailoutbox[:] = [m for m in mailoutbox if reopened.code in m.subject]
    link = _question_link(mailoutbox)

    page = en_client.get(link)
    assert page.status_code == 200 and "Has the problem been fixed?" in page.content.decode()
    # Bad input: a per-field message, nothing changes.
    bad = en_client.post(link, {"comment": "¿?"})
    assert bad.status_code == 400 and "Choose yes or no." in bad.content.decode()
    assert 'id="id_fixed-errors"' in bad.content.decode()
    assert FixedQuestion.objects.get(complaint=reopened).answered_at is None

    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(
            link, {"fixed": "no", "comment": "Sigue apagada, vivo en el número 12"}
        )
    assert response.status_code == 302 and response["Location"] == reopened.get_absolute_url()
    reopened.refresh_from_db()
    assert reopened.status == Complaint.Status.RECEIVED
    question = FixedQuestion.objects.get(complaint=reopened)
    assert question.fixed is False and question.answered_at is not None
    assert question.comment == "Sigue apagada, vivo en el número 12"
    public = en_client.get(reopened.get_absolute_url()).content.decode()
    assert "the person who reported it says the problem has not been fixed" in public
    assert "número 12" not in public  # the comment is for staff only
    assert place_complaint_counts(colonia=colonia)["fix_rate"] == 50

    # Answered once only: a second answer gets a clear message and changes nothing.
    again = en_client.post(link, {"fixed": "yes"})
    assert again.status_code == 409
    assert "already been answered" in again.content.decode()
    assert FixedQuestion.objects.get(complaint=reopened).fixed is False
    assert "already been answered" in en_client.get(link).content.decode()

    # Resolved again by staff: no second question, and it still counts as not fixed.
    _resolve(reopened, django_capture_on_commit_callbacks)
    assert FixedQuestion.objects.filter(complaint=reopened).count() == 1
    assert place_complaint_counts(colonia=colonia)["fix_rate"] == 50
    assert Complaint.private_objects.fixed().count() == 1


def test_yes_keeps_the_complaint_closed(
    en_client, municipality, lighting, mailoutbox, django_capture_on_commit_callbacks
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    _resolve(complaint, django_capture_on_commit_callbacks)
    response = en_client.post(_question_link(mailoutbox), {"fixed": "yes"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "resolved" and FixedQuestion.objects.get().fixed is True


def test_a_forged_or_foreign_question_link_is_refused(
    en_client, municipality, lighting, mailoutbox, django_capture_on_commit_callbacks
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    _resolve(complaint, django_capture_on_commit_callbacks)
    link = _question_link(mailoutbox)
    assert en_client.post(link[:-4] + "xyz/", {"fixed": "no"}).status_code == 400
    MunicipalityFactory(slug="villaflores", hosts="villaflores.localhost")
    forget_municipality_hosts()
    other = Client(HTTP_HOST="villaflores.localhost")
    assert other.post(link, {"fixed": "no"}).status_code == 400
    complaint.refresh_from_db()
    assert complaint.status == "resolved" and FixedQuestion.objects.get().answered_at is None


def test_arco_exports_the_answer_and_cancelling_blanks_the_comment(
    municipality, lighting, django_capture_on_commit_callbacks
):
    from accounts.privacy.arco import Subject
    from complaints.arco import anonymise, export
    from complaints.services import fixed_question_answer

    complaint = make_complaint(municipality=municipality, service_type=lighting)
    _resolve(complaint, django_capture_on_commit_callbacks)
    fixed_question_answer(question=FixedQuestion.objects.get(), fixed=False, comment="Mi casa")
    subject = Subject(municipality=municipality, emails=frozenset({REPORTER_EMAIL}))
    (row,) = export(subject)["complaints"]
    assert (row["fixed_answer"], row["fixed_comment"]) == (False, "Mi casa")
    anonymise(subject)
    question = FixedQuestion.objects.get()
    assert question.comment == "" and question.fixed is False


def test_staff_read_the_reporters_answer_and_comment_in_the_admin(
    client, municipality, lighting, django_capture_on_commit_callbacks
):
    from accounts.services import user_create
    from complaints.services import fixed_question_answer

    complaint = make_complaint(municipality=municipality, service_type=lighting)
    _resolve(complaint, django_capture_on_commit_callbacks)
    fixed_question_answer(question=FixedQuestion.objects.get(), fixed=False, comment="Sigue rota")
    admin = user_create(
        username="admin", password=None, municipality=municipality, is_staff=True, is_superuser=True
    )
    client.force_login(admin)
    change = client.get(f"/admin/complaints/complaint/{complaint.pk}/change/")
    assert change.status_code == 200 and b"Sigue rota" in change.content

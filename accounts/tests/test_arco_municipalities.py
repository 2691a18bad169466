"""ARCO rights across municipalities: an account's data is matched by foreign key, data filed
under an e-mail only after a link sent to that address is followed, and always only within
the municipality the request is made to (issue 14, item 1)."""

import datetime
import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import ArcoRequest, User
from accounts.privacy import arco
from audit.models import AuditEntry
from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintFollower
from complaints.tests.factories import make_complaint
from guardians.models import GuardianApplication
from guardians.tests.factories import GuardianApplicationFactory
from territory.tests.factories import ColoniaFactory, MunicipalityFactory, ServiceTypeFactory

from .world import build_access_world

pytestmark = pytest.mark.django_db

HOST_B = "villa-b.localhost"
VICTIM = "victim@b.example.org"
PASSWORD = "Un-parque-limpio-2026"


@pytest.fixture
def world(municipality):
    return build_access_world(municipality)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def municipality_b(db):
    return MunicipalityFactory(slug="villa-b", name="Villa B")


def file_under_email(municipality, email, *, prefix):
    """A complaint, a follow and a guardian application sent with ``email`` in
    ``municipality``; returns the markers that must never leak."""
    service = ServiceTypeFactory(municipality=municipality)
    complaint = make_complaint(
        municipality=municipality,
        service_type=service,
        reporter_name=f"{prefix}-reporter",
        reporter_email=email,
        reporter_phone=f"{prefix}-phone",
    )
    followed = make_complaint(municipality=municipality, service_type=service)
    complaint_services.complaint_follow(complaint=followed, email=email)
    GuardianApplicationFactory(
        municipality=municipality,
        colonia=ColoniaFactory(municipality=municipality),
        full_name=f"{prefix}-applicant",
        email=email,
    )
    return {"complaint": complaint, "markers": [f"{prefix}-reporter", f"{prefix}-phone"]}


def admin_creates_user_with_email(client, admin, email) -> User:
    """The municipal administrator adds a user and gives it ``email``, through the admin."""
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "impostor",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    impostor = User.objects.get(username="impostor")
    response = client.post(
        reverse("admin:accounts_user_change", args=[impostor.pk]),
        {
            "username": "impostor",
            "first_name": "",
            "last_name": "",
            "email": email,
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "last_login_0": "",
            "last_login_1": "",
            "directorate": "",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    impostor.refresh_from_db()
    assert impostor.email == email
    client.logout()
    return impostor


def log_in(client, username, **extra):
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": PASSWORD}, **extra
    )
    assert response.status_code == 302


def download(client, **extra) -> str:
    response = client.get(reverse("privacy:my_data_download"), **extra)
    assert response.status_code == 200
    return response.content.decode()


def send_confirmation(client, capture):
    with capture(execute=True):
        return client.post(reverse("privacy:email_confirm_send"))


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/account/my-data/confirm-email/\S+)", message.body).group(1)


def test_admin_of_a_cannot_read_or_erase_data_of_b_with_a_user_holding_the_victims_email(
    client, world, capture, municipality_b
):
    theirs = file_under_email(municipality_b, VICTIM, prefix="victim-b")
    admin_a = world.users["administrator"]
    admin_creates_user_with_email(client, admin_a, "Victim@b.example.org")

    log_in(client, "impostor")
    for extra in ({}, {"HTTP_HOST": HOST_B}):
        text = download(client, **extra)
        for marker in [*theirs["markers"], theirs["complaint"].code]:
            assert marker not in text
        data = json.loads(text)
        assert set(data) <= {"exported_at", "accounts"}
    # The confirmation link goes to the victim's mailbox, which the impostor cannot read.
    response = send_confirmation(client, capture)
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["Victim@b.example.org"]]
    response = client.post(reverse("privacy:request"), {"kind": "cancellation", "note": "Borrar"})
    assert response.status_code == 302
    client.logout()

    client.force_login(admin_a)
    request = ArcoRequest.objects.get()
    assert request.email == ""
    response = client.post(
        reverse("admin:accounts_arcorequest_changelist"),
        {"action": "anonymise", "_selected_action": [request.pk]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ArcoRequest.Status.DONE
    complaint = Complaint.private_objects.get(pk=theirs["complaint"].pk)
    assert complaint.reporter_email == VICTIM and complaint.reporter_name == "victim-b-reporter"
    assert ComplaintFollower.objects.filter(email=VICTIM).count() == 1
    assert GuardianApplication.private_objects.filter(email=VICTIM).count() == 1


def test_email_matched_data_appears_only_after_the_link_and_only_in_the_municipality(
    client, world, capture, municipality_b
):
    email = "Persona@Example.org"
    ours = file_under_email(world.municipality, email.lower(), prefix="mine-a")
    theirs = file_under_email(municipality_b, email.lower(), prefix="mine-b")
    person = world.users["authenticated"]
    person.email = email
    person.set_password(PASSWORD)
    person.save()
    log_in(client, person.username)

    assert ours["complaint"].code not in download(client)
    send_confirmation(client, capture)
    assert [m.to for m in mail.outbox] == [[email]]
    link = confirmation_link(mail.outbox[0])
    # Someone else who gets hold of the link confirms nothing for their own account.
    other = world.users["civil_employee"]
    other_client = client.__class__()
    other_client.force_login(other)
    assert other_client.get(link).status_code == 400
    assert (
        "mine-a-reporter"
        not in other_client.get(reverse("privacy:my_data_download")).content.decode()
    )

    response = client.get(link)
    assert response.status_code == 302
    text = download(client)
    assert ours["complaint"].code in text and "mine-a-reporter" in text
    assert "mine-a-applicant" in text
    assert theirs["complaint"].code not in text and "mine-b-reporter" not in text
    assert "mine-b-applicant" not in text

    # A cancellation asked now covers the confirmed e-mail, in this municipality only.
    client.post(reverse("privacy:request"), {"kind": "cancellation", "note": ""})
    request = ArcoRequest.objects.get()
    assert request.email == email.lower() and request.municipality == world.municipality
    client.force_login(world.users["administrator"])
    client.post(
        reverse("admin:accounts_arcorequest_changelist"),
        {"action": "anonymise", "_selected_action": [request.pk]},
    )
    assert Complaint.private_objects.get(pk=ours["complaint"].pk).reporter_email == ""
    assert Complaint.private_objects.get(pk=theirs["complaint"].pk).reporter_email == email.lower()
    assert ComplaintFollower.objects.filter(email=email.lower()).count() == 1
    assert GuardianApplication.private_objects.filter(email=email.lower()).count() == 1


def test_a_confirmation_link_expires_and_a_tampered_one_is_refused(
    client, world, capture, settings, monkeypatch
):
    settings.LANGUAGE_CODE = "en"
    person = world.users["authenticated"]
    person.email = "persona@example.org"
    person.save()
    file_under_email(world.municipality, person.email, prefix="mine")
    client.force_login(person)
    send_confirmation(client, capture)
    link = confirmation_link(mail.outbox[0])
    response = client.get(link[:-3] + "abc/")
    assert response.status_code == 400 and "mine-reporter" not in download(client)

    monkeypatch.setattr(arco, "EMAIL_CONFIRMATION_MAX_AGE", datetime.timedelta(seconds=-1))
    response = client.get(link)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert "mine-reporter" not in download(client)


def test_the_confirmation_stops_counting_when_the_account_email_changes(client, world, capture):
    person = world.users["authenticated"]
    person.email = "persona@example.org"
    person.save()
    file_under_email(world.municipality, person.email, prefix="mine")
    client.force_login(person)
    send_confirmation(client, capture)
    assert client.get(confirmation_link(mail.outbox[0])).status_code == 302
    assert "mine-reporter" in download(client)
    person.email = "nueva@example.org"
    person.save()
    assert "mine-reporter" not in download(client)


def test_anonymising_records_what_was_anonymised_and_no_personal_data(client, world, capture):
    email = "persona@example.org"
    ours = file_under_email(world.municipality, email, prefix="mine")
    person = world.users["authenticated"]
    person.email = email
    person.first_name = "Persona-Nombre"
    person.save()
    client.force_login(person)
    send_confirmation(client, capture)
    client.get(confirmation_link(mail.outbox[0]))
    client.post(reverse("privacy:request"), {"kind": "cancellation", "note": "Borren todo"})
    request = ArcoRequest.objects.get()
    client.force_login(world.users["administrator"])
    before = AuditEntry.objects.count()
    client.post(
        reverse("admin:accounts_arcorequest_changelist"),
        {"action": "anonymise", "_selected_action": [request.pk]},
    )
    entries = list(AuditEntry.objects.order_by("pk")[before:])
    assert len(entries) == 1
    entry = entries[0]
    assert entry.municipality == world.municipality
    assert entry.object_type == "accounts.arcorequest" and entry.object_id == str(request.pk)
    assert entry.actor == world.users["administrator"]
    anonymised = entry.changes["anonymised"]
    assert anonymised["complaints.complaint"] == {"count": 1, "ids": [ours["complaint"].pk]}
    assert anonymised["complaints.complaintfollower"]["count"] == 1
    assert anonymised["guardians.guardianapplication"]["count"] == 1
    assert anonymised["accounts.user"] == {"count": 1, "ids": [person.pk]}
    text = json.dumps(entry.changes) + entry.object_repr
    for personal in [email, "Persona-Nombre", "mine-reporter", "mine-phone", "Borren todo"]:
        assert personal not in text


def test_a_complaint_request_link_counts_only_in_its_own_municipality(
    client, world, capture, municipality_b
):
    theirs = file_under_email(municipality_b, VICTIM, prefix="victim-b")
    code = theirs["complaint"].code
    url = reverse("privacy:complaint_request")
    asked = {"complaint_code": code, "email": VICTIM, "kind": "cancellation", "note": ""}
    # Asked on A's host, B's complaint is unknown: no mail, no request.
    with capture(execute=True):
        assert client.post(url, asked).status_code == 400
    assert mail.outbox == [] and not ArcoRequest.objects.exists()
    with capture(execute=True):
        assert client.post(url, asked, HTTP_HOST=HOST_B).status_code == 302
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)
    assert client.post(link).status_code == 400  # followed on A's host
    assert not ArcoRequest.objects.exists()
    assert client.post(link, HTTP_HOST=HOST_B).status_code == 302
    assert ArcoRequest.objects.get().municipality == municipality_b

"""ARCO rights: a person downloads their data (theirs only), asks for its removal, and staff
anonymise them without losing the public record."""

import json
import re
import uuid

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.models import ArcoRequest, User
from accounts.privacy.arco import (
    Subject,
    arco_anonymise,
    arco_request_create,
    email_confirmation_token,
    personal_data_export,
)
from committees.models import (
    Activity,
    Allocation,
    CitizenCommittee,
    CivilEmployee,
    CommitteeMember,
    Forum,
    Need,
)
from committees.tests.factories import make_committee_member_user
from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintFollower
from complaints.tests.factories import make_complaint
from findings.models import Finding
from guardians.models import Card, EvaluationAttempt, Guardian, GuardianApplication
from guardians.tests.factories import GuardianApplicationFactory

from .world import build_access_world

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("accounts", "territory", "contracts", "guardians", "complaints", "committees")
PROJECT_APPS += ("findings", "opendata", "audit")


def marker(label: str) -> str:
    return f"pii-{label}-{uuid.uuid4().hex[:8]}"


def give_markers(w, user, *, prefix: str, guardian=None) -> dict[str, str]:
    """Fills the personal fields tied to ``user`` across apps with markers."""
    found = {}
    found["first_name"] = user.first_name = marker(f"{prefix}-first")
    found["last_name"] = user.last_name = marker(f"{prefix}-last")
    found["email"] = user.email = marker(f"{prefix}-email") + "@example.org"
    user.save()
    if guardian is not None:
        found["guardian_phone"] = marker(f"{prefix}-phone")
        Guardian.private_objects.filter(pk=guardian.pk).update(phone=found["guardian_phone"])
    found["application_name"] = marker(f"{prefix}-applicant")
    GuardianApplicationFactory(
        municipality=w.municipality,
        colonia=w.colonia,
        full_name=found["application_name"],
        email=user.email,
        motivation=marker(f"{prefix}-motivation"),
    )
    found["reporter_name"] = marker(f"{prefix}-reporter")
    found["reporter_phone"] = marker(f"{prefix}-reporterphone")
    complaint = make_complaint(
        municipality=w.municipality,
        service_type=w.green,
        reporter_name=found["reporter_name"],
        reporter_email=user.email,
        reporter_phone=found["reporter_phone"],
    )
    complaint_services.complaint_follow(complaint=w.complaint, email=user.email)
    found["complaint_code"] = complaint.code
    return found


def markers_in_database(values) -> list[str]:
    """Where any of ``values`` still appears in a text column of a project table."""
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.proxy:
            continue
        text_fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not text_fields:
            continue
        manager = model._base_manager
        for value in values:
            condition = Q()
            for name in text_fields:
                condition |= Q(**{f"{name}__icontains": value})
            if manager.filter(condition).exists():
                found.append(f"{model._meta.label}: {value}")
    return found


def public_record_counts() -> dict[str, int]:
    counted = [
        Card,
        EvaluationAttempt,
        Complaint,
        Finding,
        Need,
        Allocation,
        Forum,
        CitizenCommittee,
        CommitteeMember,
        CivilEmployee,
        Activity,
        Guardian,
        GuardianApplication,
    ]
    return {
        model.__name__: getattr(
            model, "objects", getattr(model, "private_objects", model._base_manager)
        ).count()
        for model in counted
    }


@pytest.fixture
def world(municipality):
    return build_access_world(municipality)


def test_the_export_holds_the_persons_data_and_nobody_elses(world):
    guardian_user = world.guardian.user
    mine = give_markers(world, guardian_user, prefix="me", guardian=world.guardian)
    theirs = give_markers(world, world.lead.user, prefix="other", guardian=world.lead)
    subject = Subject.for_user(
        guardian_user, municipality=world.municipality, confirmed_email=guardian_user.email
    )
    data = personal_data_export(subject=subject)
    text = json.dumps(data, default=str)
    for value in mine.values():
        assert value in text
    for value in theirs.values():
        assert value not in text
    assert {card["id"] for card in data["guardians"]["cards"]} == {world.card.pk}
    assert data["accounts"]["profile"]["username"] == guardian_user.username


def test_a_committee_member_and_a_civil_employee_get_their_memberships(world):
    member = world.users["committee_member"]
    CommitteeMember.objects.filter(user=member).update(phone="961-555-0001")
    data = personal_data_export(subject=Subject.for_user(member, municipality=world.municipality))
    assert data["committees"]["committee_memberships"][0]["phone"] == "961-555-0001"
    civil = world.users["civil_employee"]
    Activity.objects.create(
        employee=world.civil_employee, done_on="2024-06-01", description="Visita al ejido"
    )
    data = personal_data_export(subject=Subject.for_user(civil, municipality=world.municipality))
    activities = data["committees"]["civil_employee"][0]["activities"]
    assert [a["description"] for a in activities] == ["Visita al ejido"]


def test_anonymising_removes_every_marker_and_keeps_the_public_record(world):
    guardian_user = world.guardian.user
    mine = give_markers(world, guardian_user, prefix="me", guardian=world.guardian)
    theirs = give_markers(world, world.lead.user, prefix="other", guardian=world.lead)
    member = make_committee_member_user(committee=world.committee, username="member-two")
    CommitteeMember.objects.filter(user=member).update(
        phone=marker("member-phone"), email=marker("member-email") + "@example.org"
    )
    member_values = list(CommitteeMember.objects.filter(user=member).values_list("phone", "email"))
    mine_all = [*mine.values(), *member_values[0]]
    mine_all.remove(mine["complaint_code"])  # the tracking code is the public record's own
    request = arco_request_create(
        user=guardian_user,
        municipality=world.municipality,
        kind=ArcoRequest.Kind.CANCELLATION,
        note="Borren mis datos",
        email_token=email_confirmation_token(user=guardian_user, municipality=world.municipality),
    )
    member_request = arco_request_create(
        user=member, municipality=world.municipality, kind=ArcoRequest.Kind.CANCELLATION
    )
    before = public_record_counts()
    staff = world.users["municipal_staff"]

    arco_anonymise(request=request, actor=staff)
    arco_anonymise(request=member_request, actor=staff)

    assert markers_in_database(mine_all) == []
    assert sorted(markers_in_database([theirs["email"], theirs["guardian_phone"]])) == sorted(
        [f"accounts.User: {theirs['email']}", f"guardians.Guardian: {theirs['guardian_phone']}"]
        + [
            f"guardians.GuardianApplication: {theirs['email']}",
            f"complaints.Complaint: {theirs['email']}",
            f"complaints.ComplaintFollower: {theirs['email']}",
        ]
    )
    assert public_record_counts() == before
    assert Card.objects.filter(guardian=world.guardian).count() == 1
    guardian_user.refresh_from_db()
    assert not guardian_user.is_active and not guardian_user.has_usable_password()
    assert not guardian_user.groups.exists()
    assert not ComplaintFollower.objects.filter(email=mine["email"]).exists()
    complaint = Complaint.private_objects.get(code=mine["complaint_code"])
    assert complaint.reporter_name == "Anonymised person" and complaint.reporter_email == ""
    request.refresh_from_db()
    assert request.status == ArcoRequest.Status.DONE and request.handled_by == staff
    assert request.outcome["anonymised"]["complaints"] == {
        "complaints.complaint": 1,
        "complaints.complaintfollower": 1,
    }


def test_a_reporter_without_account_asks_by_code_and_email_and_confirms_by_link(
    client, world, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"
    complaint = Complaint.private_objects.get(pk=world.complaint.pk)
    url = reverse("privacy:complaint_request")
    assert client.get(url).status_code == 200
    wrong = {"complaint_code": complaint.code, "email": "nobody@example.org", "kind": "access"}
    assert client.post(url, wrong).status_code == 400
    assert not ArcoRequest.objects.exists()
    right = {**wrong, "email": complaint.reporter_email.upper(), "kind": "cancellation"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, right).status_code == 302
    # Nothing is asked until the link sent to the reporter's address is followed.
    assert not ArcoRequest.objects.exists()
    assert [m.to for m in mail.outbox] == [[complaint.reporter_email.lower()]]
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link)
    assert page.status_code == 200 and complaint.code in page.content.decode()
    assert not ArcoRequest.objects.exists()
    assert client.post(link).status_code == 302
    assert client.post(link).status_code == 302  # twice: still one request
    request = ArcoRequest.objects.get()
    assert request.user is None and request.complaint_code == complaint.code
    assert request.municipality == world.municipality

    arco_anonymise(request=request, actor=None)
    complaint.refresh_from_db()
    assert complaint.reporter_email == "" and complaint.reporter_phone == ""
    assert markers_in_database([wrong["email"], right["email"].lower()]) == []


def test_my_data_page_download_and_request(client, world):
    user = world.users["civil_employee"]
    assert client.get(reverse("privacy:my_data")).status_code == 302
    client.force_login(user)
    assert client.get(reverse("privacy:my_data")).status_code == 200
    response = client.get(reverse("privacy:my_data_download"))
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["accounts"]["profile"]["username"] == user.username
    response = client.post(reverse("privacy:request"), {"kind": "opposition", "note": "No"})
    assert response.status_code == 302
    assert ArcoRequest.objects.get().user == user
    assert client.post(reverse("privacy:request"), {"kind": "nonsense"}).status_code == 400


def test_staff_anonymise_from_the_admin(client, world):
    guardian_user = world.guardian.user
    request = arco_request_create(
        user=guardian_user, municipality=world.municipality, kind=ArcoRequest.Kind.CANCELLATION
    )
    admin_user = world.users["administrator"]
    client.force_login(admin_user)
    changelist = reverse("admin:accounts_arcorequest_changelist")
    assert client.get(changelist).status_code == 200
    response = client.post(
        changelist, {"action": "anonymise", "_selected_action": [request.pk]}, follow=True
    )
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == ArcoRequest.Status.DONE
    assert not User.objects.get(pk=guardian_user.pk).is_active


def test_the_privacy_notice_names_the_controller_and_links_the_program_notices(
    client, world, settings
):
    settings.LANGUAGE_CODE = "en"
    world.municipality.contact_email = "transparencia@example.org"
    world.municipality.save()
    html = client.get(reverse("privacy:notice"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert world.municipality.name in html and "transparencia@example.org" in html
    assert reverse("complaints:privacy_notice") in html
    assert reverse("guardians:privacy_notice") in html
    assert reverse("privacy:my_data") in html
    home = client.get(reverse("home")).content.decode()
    assert reverse("privacy:notice") in home

"""No personal data on any public page, API response, feed or export.

Every personal field of every app is filled with a unique marker; then every route that
``accounts.access`` declares public (so a new public route is covered as soon as it is
declared) is requested as an anonymous visitor, with the variants an API offers (JSON and XML,
each open-data download), and no marker may appear in any answer.
"""

import uuid

import pytest
from django.urls import reverse

from accounts import access
from accounts.models import ArcoRequest
from accounts.tests.world import build_access_world, route_kwargs
from committees.models import CivilEmployee, CommitteeMember, PlanningCommittee, PlanningMember
from complaints.models import Complaint, ComplaintFollower
from complaints.tests.factories import make_complaint
from guardians.models import Guardian, GuardianApplication

pytestmark = pytest.mark.django_db


class Markers:
    """Unique markers, one per personal field, remembered by a label for the report."""

    def __init__(self):
        self.by_label: dict[str, str] = {}

    def text(self, label: str) -> str:
        value = f"PII-{label}-{uuid.uuid4().hex[:10]}"
        self.by_label[label] = value
        return value

    def email(self, label: str) -> str:
        value = f"pii-{label}-{uuid.uuid4().hex[:10]}@example.org"
        self.by_label[label] = value
        return value

    def phone(self, label: str) -> str:
        # Digits only fit a phone field; still unique enough to find in a page.
        value = f"9{uuid.uuid4().int % 10**9:09d}"
        self.by_label[label] = value
        return value

    def found_in(self, content: str) -> list[str]:
        lowered = content.lower()
        return [label for label, value in self.by_label.items() if value.lower() in lowered]


def fill_personal_fields(w) -> Markers:
    """Puts a marker in every personal field of the world (reading every app's models)."""
    m = Markers()
    # Users: names and e-mails.
    for index, user in enumerate(w.users.values()):
        user.first_name = m.text(f"user{index}-first-name")
        user.last_name = m.text(f"user{index}-last-name")
        user.email = m.email(f"user{index}-email")
        user.save()
    # Guardians and applicants.
    Guardian.private_objects.filter(pk=w.guardian.pk).update(phone=m.phone("guardian-phone"))
    Guardian.private_objects.filter(pk=w.lead.pk).update(phone=m.phone("lead-phone"))
    GuardianApplication.private_objects.filter(pk=w.application.pk).update(
        full_name=m.text("applicant-name"),
        email=m.email("applicant-email"),
        phone=m.phone("applicant-phone"),
        motivation=m.text("applicant-motivation"),
    )
    # Complaints: reporters and followers.
    Complaint.private_objects.filter(pk=w.complaint.pk).update(
        reporter_name=m.text("reporter-name"),
        reporter_email=m.email("reporter-email"),
        reporter_phone=m.phone("reporter-phone"),
    )
    make_complaint(
        municipality=w.municipality,
        service_type=w.green,
        lon=-106.088,
        lat=28.621,
        reporter_name=m.text("reporter2-name"),
        reporter_email=m.email("reporter2-email"),
        reporter_phone=m.phone("reporter2-phone"),
    )
    ComplaintFollower.objects.filter(pk=w.follower.pk).update(email=m.email("follower-email"))
    # Committees: members' contacts (their names and positions are the public record).
    for index, member in enumerate(CommitteeMember.objects.all()):
        member.phone = m.phone(f"committee-member{index}-phone")
        member.email = m.email(f"committee-member{index}-email")
        member.address = m.text(f"committee-member{index}-address")
        member.save()
    body = PlanningCommittee.objects.create(municipality=w.municipality, name="COPLADEM")
    PlanningMember.objects.create(
        body=body,
        full_name="Integrante COPLADEM",
        position=PlanningMember.Position.choices[0][0],
        designated_on="2024-01-15",
        phone=m.phone("planning-member-phone"),
        email=m.email("planning-member-email"),
        address=m.text("planning-member-address"),
    )
    CivilEmployee.objects.filter(pk=w.civil_employee.pk).update(
        phone=m.phone("civil-employee-phone"), email=m.email("civil-employee-email")
    )
    # Not markers: a contractor's business contact (Company.contact_name/email/phone) is shown
    # on the public company page on purpose, like a directorate's or the municipality's.
    # ARCO requests themselves.
    ArcoRequest.objects.create(
        municipality=w.municipality,
        complaint_code=w.complaint.code,
        email=m.email("arco-email"),
        kind=ArcoRequest.Kind.ACCESS,
        note=m.text("arco-note"),
    )
    return m


def public_urls(w) -> list[str]:
    """Every public route (from the access matrix), with the variants its API offers."""
    kwargs_by_name = route_kwargs(w)
    variants = {
        "complaints:open311_discovery": [{"fmt": "json"}, {"fmt": "xml"}],
        "complaints:open311_services": [{"fmt": "json"}, {"fmt": "xml"}],
        "complaints:open311_service": [
            {"code": w.green.code, "fmt": "json"},
            {"code": w.green.code, "fmt": "xml"},
        ],
        "complaints:open311_requests": [{"fmt": "json"}, {"fmt": "xml"}],
        "complaints:open311_request": [
            {"code": w.complaint.code, "fmt": "json"},
            {"code": w.complaint.code, "fmt": "xml"},
        ],
        "complaints:open311_token": [
            {"token": str(w.complaint.token), "fmt": "json"},
            {"token": str(w.complaint.token), "fmt": "xml"},
        ],
    }
    try:
        from opendata.exports import DATASETS
    except ImportError:  # pragma: no cover - the open-data app always ships its datasets
        DATASETS = ()
    variants["opendata:dataset_csv"] = [{"slug": dataset.slug} for dataset in DATASETS]
    queries = {
        "territory:spaces_geojson": "?bbox=-106.2,28.5,-106.0,28.7",
        "territory:spaces_nearest": "?lat=28.62&lon=-106.089",
        "complaints:nearby": f"?service={w.green.code}&lat=28.62&lon=-106.089",
        "complaints:open311_requests": "?status=open,closed",
    }
    urls = []
    for name in access.public_names():
        if name in ("accounts:logout", "set_language"):
            continue  # POST-only actions with no content of their own
        for kwargs in variants.get(name, [kwargs_by_name.get(name, {})]):
            urls.append(reverse(name, kwargs=kwargs or None) + queries.get(name, ""))
    return urls


def _content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_no_personal_data_on_any_public_page_api_feed_or_export(client, municipality):
    w = build_access_world(municipality)
    markers = fill_personal_fields(w)
    urls = public_urls(w)
    assert len(urls) > 50
    leaks, errors = [], []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(f"{url}: {response.status_code}")
            continue
        found = markers.found_in(_content(response))
        if found:
            leaks.append(f"{url}: {', '.join(found)}")
    assert not errors, "Public routes failing:\n" + "\n".join(errors)
    assert not leaks, "Personal data on public routes:\n" + "\n".join(leaks)


def test_the_markers_are_found_where_they_are_meant_to_be(client, municipality):
    """The check above can fail: staff do see a reporter's e-mail in their inbox."""
    w = build_access_world(municipality)
    markers = fill_personal_fields(w)
    client.force_login(w.users["municipal_staff"])
    content = _content(
        client.get(reverse("complaints:inbox_detail", kwargs={"code": w.complaint.code}))
    )
    assert "reporter-email" in markers.found_in(content)

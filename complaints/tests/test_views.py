import datetime
import re
import time
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, ComplaintFollower
from complaints.services import complaint_change_status, complaint_follow
from territory.tests.factories import PublicSpaceFactory, square

from .factories import (
    FOLLOWER_EMAIL,
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    jpeg_upload,
    make_complaint,
    make_user,
)

pytestmark = pytest.mark.django_db
NEW = "/complaints/new/"


def form_data(service, **extra):
    data = {
        "service_type": service.pk,
        "description": "La luminaria no enciende",
        "lat": "28.63",
        "lon": "-106.08",
        "address": "",
        "reporter_name": REPORTER_NAME,
        "reporter_email": REPORTER_EMAIL,
        "reporter_phone": REPORTER_PHONE,
    }
    if service.category == "lighting":  # its required question (complaints.attributes)
        data[f"q{service.pk}-lamp_condition"] = "off"
    data.update(extra)
    return data


def assert_private_data_absent(content: bytes):
    for secret in (REPORTER_EMAIL, REPORTER_PHONE, REPORTER_NAME, FOLLOWER_EMAIL):
        assert secret.encode() not in content


def test_the_form_files_a_complaint_with_photos_and_shows_its_code(
    en_client, lighting, colonia, directorate
):
    assert en_client.get(NEW).status_code == 200
    response = en_client.post(
        NEW, {**form_data(lighting), "photos": [jpeg_upload(), jpeg_upload("b.jpg")]}
    )
    complaint = Complaint.private_objects.get()
    assert response.status_code == 302 and response["Location"] == f"/complaints/{complaint.code}/"
    assert (
        complaint.photos.count() == 2 and complaint.source == "web" and complaint.language == "en"
    )
    page = en_client.get(response["Location"])
    assert complaint.code in page.content.decode()
    assert "Received" in page.content.decode()
    assert_private_data_absent(page.content)


def test_the_form_works_with_an_address_only(en_client, lighting):
    response = en_client.post(NEW, form_data(lighting, lat="", lon="", address="Calle 10 y Aldama"))
    assert response.status_code == 302
    assert Complaint.private_objects.get().location is None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"lat": "", "lon": "", "address": ""}, "Place a pin"),
        ({"lat": "28.6", "lon": ""}, "both the latitude and the longitude"),
        ({"lat": "128.6"}, "less than or equal to 90"),
        ({"description": ""}, "This field is required"),
        ({"reporter_email": "nope"}, "valid email"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(en_client, lighting, extra, message):
    response = en_client.post(NEW, form_data(lighting, **extra))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Complaint.private_objects.exists()


def test_a_fake_photo_is_refused(en_client, lighting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 nope", content_type="image/jpeg")
    response = en_client.post(NEW, {**form_data(lighting), "photos": [fake]})
    assert response.status_code == 400 and "not a JPEG, PNG or WebP" in response.content.decode()
    assert not Complaint.private_objects.exists()


def test_without_js_a_nearby_open_complaint_is_offered_and_photos_are_kept(
    en_client, municipality, lighting
):
    existing = make_complaint(municipality=municipality, service_type=lighting, lat=28.6303)
    response = en_client.post(NEW, {**form_data(lighting), "photos": [jpeg_upload()]})
    assert response.status_code == 200
    body = response.content.decode()
    assert existing.code in body and existing.get_absolute_url() in body
    assert Complaint.private_objects.count() == 1
    hidden = {}
    import re

    for name, value in re.findall(r'<input type="hidden" name="([\w-]+)" value="([^"]*)"', body):
        hidden[name] = value
    assert hidden["confirmed"] == "True" and hidden["pending_photos"]
    assert hidden["service_type"] == str(lighting.pk)
    # It offers to follow the existing complaint instead, with the e-mail already given.
    assert f'action="/complaints/{existing.code}/follow/"' in body
    email_input = re.search(rf'<input [^>]*id="follow-{existing.code}-email"[^>]*>', body)
    assert email_input and f'value="{REPORTER_EMAIL}"' in email_input.group()
    assert 'name="accept_privacy_notice"' in body and 'href="/complaints/privacy/"' in body
    assert f"Follow {existing.code} instead" in body
    confirmed = en_client.post(NEW, hidden)
    assert confirmed.status_code == 302
    new = Complaint.private_objects.exclude(pk=existing.pk).get()
    assert new.photos.count() == 1 and new.reporter_email == REPORTER_EMAIL
    assert new.attributes == {"lamp_condition": "off"}  # the answer went through the confirmation


def test_nearby_json_endpoint(client, municipality, lighting):
    existing = make_complaint(municipality=municipality, service_type=lighting, lat=28.6303)
    data = client.get(
        "/complaints/nearby.json", {"service": lighting.pk, "lat": 28.63, "lon": -106.08}
    ).json()
    assert [c["code"] for c in data["complaints"]] == [existing.code]
    assert data["complaints"][0]["follow_url"] == f"/complaints/{existing.code}/follow/"
    # Measured to its public point (28.630, -106.080), not to the exact one 33 m away.
    assert data["complaints"][0]["distance_m"] == 0
    assert_private_data_absent(
        client.get(
            "/complaints/nearby.json", {"service": "lighting", "lat": 28.63, "lon": -106.08}
        ).content
    )
    assert (
        client.get("/complaints/nearby.json", {"service": "lighting", "lat": "x"}).status_code
        == 400
    )


@override_settings(COMPLAINTS_SUBMIT_RATE="2/h")
def test_public_submission_is_rate_limited_per_ip_with_a_429_page(en_client, lighting):
    for _ in range(2):
        assert (
            en_client.post(NEW, form_data(lighting, lat="", lon="", address="Calle 1")).status_code
            == 302
        )
    response = en_client.post(NEW, form_data(lighting, lat="", lon="", address="Calle 1"))
    assert response.status_code == 429
    assert "Too many reports" in response.content.decode()
    assert Complaint.private_objects.count() == 2
    other_ip = en_client.post(
        NEW, form_data(lighting, lat="", lon="", address="Calle 1"), REMOTE_ADDR="10.0.0.9"
    )
    assert other_ip.status_code == 302


@override_settings(COMPLAINTS_SUBMIT_RATE="1/h")
def test_the_429_page_speaks_the_users_language(client, lighting):
    client.post(
        NEW, form_data(lighting, lat="", lon="", address="Calle 1"), HTTP_ACCEPT_LANGUAGE="es-mx"
    )
    response = client.post(
        NEW, form_data(lighting, lat="", lon="", address="Calle 1"), HTTP_ACCEPT_LANGUAGE="es-mx"
    )
    assert response.status_code == 429
    assert '<html lang="es-mx">' in response.content.decode()


def test_no_public_page_shows_the_reporter(
    client, municipality, lighting, colonia, sindicatura_user
):
    complaint = make_complaint(
        municipality=municipality,
        service_type=lighting,
        lon=-106.0812345678,
        lat=28.6312345678,
        photos=[jpeg_upload()],
    )
    follower, _ = complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    complaint_change_status(
        complaint=complaint, status="acknowledged", note="Recibido por Alumbrado"
    )
    urls = [
        "/complaints/",
        complaint.get_absolute_url(),
        "/complaints/complaints.geojson",
        "/complaints/nearby.json?service=lighting&lat=28.63&lon=-106.08",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{complaint.code}.json",
        f"/open311/v2/requests/{complaint.code}.xml",
        f"/open311/v2/tokens/{complaint.token}.json",
        f"/complaints/{complaint.code}/unfollow/{follower.token}/",
        "/complaints/privacy/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_private_data_absent(response.content)
    detail = client.get(complaint.get_absolute_url()).content.decode()
    assert "28.631, -106.081" in detail and "28.6312" not in detail
    geojson = client.get("/complaints/complaints.geojson").json()
    assert geojson["features"][0]["geometry"]["coordinates"] == [-106.081, 28.631]
    assert "1 person follows this complaint." in detail
    # Staff pages do show it: the check above is not vacuous.
    client.force_login(sindicatura_user)
    assert REPORTER_EMAIL.encode() in client.get(f"/complaints/inbox/{complaint.code}/").content


# --- Following a complaint --------------------------------------------------------------------


def follow_data(**extra):
    return {"email": FOLLOWER_EMAIL, "accept_privacy_notice": "on", **extra}


def _confirm_link(message) -> str:
    (path,) = re.findall(r"(/complaints/\S+/follow/confirm/\S+/)", message.body)
    return path


def test_a_citizen_follows_a_complaint_from_its_page(
    en_client, municipality, lighting, mailoutbox, django_capture_on_commit_callbacks
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    url = complaint.get_absolute_url()
    page = en_client.get(url).content.decode()
    assert "0 people follow this complaint." in page
    assert f'action="/complaints/{complaint.code}/follow/"' in page
    assert 'href="/complaints/privacy/"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(f"/complaints/{complaint.code.lower()}/follow/", follow_data())
    assert response.status_code == 302 and response["Location"] == url
    # Double opt-in: nothing stored until the address confirms; the link is e-mailed to it.
    assert not ComplaintFollower.objects.exists()
    assert "Check your e-mail" in en_client.get(url).content.decode()
    (message,) = mailoutbox
    assert message.to == [FOLLOWER_EMAIL] and complaint.code in message.subject
    link = _confirm_link(message)
    # Opening the link (a mail scanner does) creates nothing; the button does.
    assert "Confirm: follow this complaint" in en_client.get(link).content.decode()
    assert not ComplaintFollower.objects.exists()
    assert en_client.post(link)["Location"] == url
    follower = ComplaintFollower.objects.get()
    assert follower.complaint == complaint and follower.confirmed_at is not None
    page = en_client.get(url)
    body = page.content.decode()
    assert f"Confirmed: you follow complaint {complaint.code}" in body
    assert "1 person follows this complaint." in body
    assert FOLLOWER_EMAIL not in body
    # Asking twice and confirming twice creates no second row, and says the same.
    with django_capture_on_commit_callbacks(execute=True):
        again = en_client.post(
            f"/complaints/{complaint.code}/follow/", follow_data(email=FOLLOWER_EMAIL.upper())
        )
    assert again.status_code == 302
    assert en_client.post(_confirm_link(mailoutbox[-1])).status_code == 302
    assert ComplaintFollower.objects.count() == 1
    assert en_client.get(f"/complaints/{complaint.code}/follow/").status_code == 405
    assert en_client.post("/complaints/ZZZZ9999/follow/", follow_data()).status_code == 404


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"email": "nope"}, "Enter a valid e-mail address."),
        ({"email": ""}, "This field is required."),
        ({"accept_privacy_notice": ""}, "You must accept the privacy notice"),
    ],
)
def test_bad_follow_input_gets_a_clear_message_and_saves_nothing(
    en_client, municipality, lighting, extra, message
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    response = en_client.post(f"/complaints/{complaint.code}/follow/", follow_data(**extra))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and complaint.code in body
    assert not ComplaintFollower.objects.exists()


def test_a_closed_complaint_shows_no_follow_form_and_refuses_followers(
    en_client, municipality, lighting
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    complaint_change_status(complaint=complaint, status="resolved")
    page = en_client.get(complaint.get_absolute_url()).content.decode()
    assert "/follow/" not in page
    response = en_client.post(f"/complaints/{complaint.code}/follow/", follow_data())
    assert response.status_code == 400 and "can no longer be followed" in response.content.decode()
    assert not ComplaintFollower.objects.exists()


def test_following_from_the_no_js_duplicate_suggestion(
    en_client, municipality, lighting, mailoutbox, django_capture_on_commit_callbacks
):
    existing = make_complaint(municipality=municipality, service_type=lighting, lat=28.6303)
    offer = en_client.post(NEW, form_data(lighting, reporter_email=FOLLOWER_EMAIL))
    assert f'action="/complaints/{existing.code}/follow/"' in offer.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(f"/complaints/{existing.code}/follow/", follow_data())
    assert response["Location"] == existing.get_absolute_url()
    assert Complaint.private_objects.count() == 1
    en_client.post(_confirm_link(mailoutbox[-1]))
    assert ComplaintFollower.objects.get().complaint == existing


def test_a_follow_link_that_is_forged_expired_or_for_another_complaint_creates_nothing(
    en_client, municipality, lighting
):
    from complaints.services import complaint_follow_request

    complaint = make_complaint(municipality=municipality, service_type=lighting)
    other = make_complaint(municipality=municipality, service_type=lighting)
    token = complaint_follow_request(complaint=complaint, email=FOLLOWER_EMAIL)
    for url in (
        f"/complaints/{complaint.code}/follow/confirm/{token[:-3]}xyz/",
        f"/complaints/{other.code}/follow/confirm/{token}/",
    ):
        response = en_client.post(url)
        assert response.status_code == 400, url
        assert "not valid or has expired" in response.content.decode()
    with mock.patch("time.time", return_value=time.time() + 4 * 24 * 3600):
        assert (
            en_client.post(f"/complaints/{complaint.code}/follow/confirm/{token}/").status_code
            == 400
        )
    assert not ComplaintFollower.objects.exists()


@override_settings(COMPLAINTS_FOLLOW_RATE="2/h")
def test_following_is_rate_limited_per_ip(en_client, municipality, lighting):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    url = f"/complaints/{complaint.code}/follow/"
    for n in range(2):
        assert en_client.post(url, follow_data(email=f"v{n}@example.org")).status_code == 302
    response = en_client.post(url, follow_data(email="v3@example.org"))
    assert response.status_code == 429 and "Too many requests" in response.content.decode()
    other_ip = en_client.post(url, follow_data(email="v3@example.org"), REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 302


def test_unfollow_asks_to_confirm_then_removes_the_follower(
    en_client, municipality, lighting, green
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    other = make_complaint(municipality=municipality, service_type=green)
    follower, _ = complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    url = f"/complaints/{complaint.code}/unfollow/{follower.token}/"
    page = en_client.get(url)
    assert page.status_code == 200
    assert f"Stop following complaint {complaint.code}?" in page.content.decode()
    assert ComplaintFollower.objects.exists()
    # A bad token, a token of another complaint or a malformed one: 404, nothing removed.
    import uuid

    assert (
        en_client.post(f"/complaints/{complaint.code}/unfollow/{uuid.uuid4()}/").status_code == 404
    )
    assert en_client.post(f"/complaints/{other.code}/unfollow/{follower.token}/").status_code == 404
    assert en_client.get(f"/complaints/{complaint.code}/unfollow/not-a-token/").status_code == 404
    assert ComplaintFollower.objects.exists()
    response = en_client.post(url)
    assert response.status_code == 302 and response["Location"] == complaint.get_absolute_url()
    assert not ComplaintFollower.objects.exists()
    assert "You no longer follow" in en_client.get(complaint.get_absolute_url()).content.decode()
    assert en_client.post(url).status_code == 404


def test_the_complaint_page_query_count_does_not_grow_with_followers(
    client, municipality, lighting, django_assert_num_queries
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    complaint_follow(complaint=complaint, email="uno@example.org")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(complaint.get_absolute_url())
    with CaptureQueriesContext(connection) as few:
        client.get(complaint.get_absolute_url())
    for n in range(12):
        complaint_follow(complaint=complaint, email=f"vecino{n}@example.org")
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(complaint.get_absolute_url())
    assert 'data-followers="13"' in response.content.decode()


def test_staff_see_followers_in_the_admin_of_their_municipality_only(
    client, municipality, lighting
):
    from accounts.services import user_create
    from territory.tests.factories import MunicipalityFactory

    complaint = make_complaint(municipality=municipality, service_type=lighting)
    follower, _ = complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    admin = user_create(
        username="admin", password=None, municipality=municipality, is_staff=True, is_superuser=True
    )
    client.force_login(admin)
    change = client.get(f"/admin/complaints/complaint/{complaint.pk}/change/")
    assert change.status_code == 200 and FOLLOWER_EMAIL.encode() in change.content
    listing = client.get("/admin/complaints/complaintfollower/")
    assert listing.status_code == 200 and FOLLOWER_EMAIL.encode() in listing.content
    detail = client.get(f"/admin/complaints/complaintfollower/{follower.pk}/change/")
    assert detail.status_code == 200 and b'name="email"' not in detail.content  # read-only
    assert client.get("/admin/complaints/complaintfollower/add/").status_code == 403
    elsewhere = user_create(
        username="otro-admin",
        password=None,
        municipality=MunicipalityFactory(),
        is_staff=True,
        is_superuser=True,
    )
    client.force_login(elsewhere)
    listing = client.get("/admin/complaints/complaintfollower/")
    assert listing.status_code == 200 and FOLLOWER_EMAIL.encode() not in listing.content
    assert client.get(f"/admin/complaints/complaintfollower/{follower.pk}/change/").status_code in (
        302,
        404,
    )


def test_the_complaints_privacy_notice(en_client, municipality):
    response = en_client.get("/complaints/privacy/")
    assert response.status_code == 200 and "ARCO" in response.content.decode()


def test_tracking_by_code(en_client, municipality, lighting):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    response = en_client.get("/complaints/track/", {"code": complaint.code.lower()})
    assert response["Location"] == complaint.get_absolute_url()
    assert en_client.get("/complaints/track/", {"code": "ZZZZ9999"})["Location"] == "/complaints/"
    assert en_client.get("/complaints/ZZZZ9999/").status_code == 404


def test_public_list_query_count_is_constant(
    client, municipality, lighting, colonia, django_assert_num_queries
):
    make_complaint(municipality=municipality, service_type=lighting)
    client.get("/complaints/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/complaints/")
    for _ in range(12):
        make_complaint(municipality=municipality, service_type=lighting, photos=[jpeg_upload()])
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get("/complaints/")
    assert response.content.decode().count('href="/complaints/') >= 13


# --- Inbox ------------------------------------------------------------------------------------


def test_directorate_staff_see_only_their_directorate(
    en_client, municipality, lighting, green, staff_user, colonia
):
    mine = make_complaint(municipality=municipality, service_type=lighting)
    theirs = make_complaint(municipality=municipality, service_type=green)
    assert en_client.get("/complaints/inbox/").status_code == 302
    en_client.force_login(staff_user)
    body = en_client.get("/complaints/inbox/").content.decode()
    assert mine.code in body and theirs.code not in body
    assert en_client.get(f"/complaints/inbox/{theirs.code}/").status_code == 404


def test_a_citizen_cannot_open_the_inbox(en_client, municipality):
    en_client.force_login(
        make_user(municipality=municipality, roles=["guardian"], username="vecino")
    )
    assert en_client.get("/complaints/inbox/").status_code == 403
    assert en_client.get("/complaints/brief/").status_code == 403


def test_inbox_filters(en_client, municipality, lighting, staff_user, colonia):
    recent = make_complaint(municipality=municipality, service_type=lighting)
    old = make_complaint(
        municipality=municipality,
        service_type=lighting,
        created_at=timezone.now() - datetime.timedelta(days=40),
    )
    complaint_change_status(complaint=old, status="in_progress")
    outside = make_complaint(municipality=municipality, service_type=lighting, lon=-105.0, lat=28.0)
    en_client.force_login(staff_user)

    def codes(**query):
        body = en_client.get("/complaints/inbox/", query).content.decode()
        return {c.code for c in (recent, old, outside) if c.code in body}

    assert codes() == {recent.code, old.code, outside.code}
    assert codes(status="in_progress") == {old.code}
    assert codes(age="30") == {old.code}
    assert codes(colonia=colonia.pk) == {recent.code, old.code}
    assert codes(service_type=lighting.pk) == {recent.code, old.code, outside.code}


def test_inbox_query_count_is_constant(
    client, municipality, lighting, staff_user, colonia, django_assert_num_queries
):
    PublicSpaceFactory(municipality=municipality, geometry=square(-106.081, 28.629, 0.002))
    make_complaint(municipality=municipality, service_type=lighting)
    client.force_login(staff_user)
    client.get("/complaints/inbox/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/complaints/inbox/")
    for _ in range(12):
        make_complaint(municipality=municipality, service_type=lighting)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/complaints/inbox/")


def test_staff_change_status_with_a_note_and_the_reporter_is_emailed(
    en_client, municipality, lighting, staff_user, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    en_client.force_login(staff_user)
    url = f"/complaints/inbox/{complaint.code}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = en_client.post(
            url, {"action": "status", "status": "resolved", "note": "Lámpara reemplazada"}
        )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    (status_message,) = [m for m in mailoutbox if "Lámpara reemplazada" in m.body]
    assert status_message.to == [REPORTER_EMAIL]
    public = en_client.get(complaint.get_absolute_url()).content.decode()
    assert "Lámpara reemplazada" in public and "Resolved" in public
    bad = en_client.post(url, {"action": "status", "status": "teleported"})
    assert bad.status_code == 400


def test_staff_merge_duplicates(en_client, municipality, lighting, staff_user):
    original = make_complaint(municipality=municipality, service_type=lighting)
    copy = make_complaint(municipality=municipality, service_type=lighting)
    en_client.force_login(staff_user)
    response = en_client.post(
        f"/complaints/inbox/{copy.code}/", {"action": "merge", "into": original.code.lower()}
    )
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.duplicate_of == original and copy.status == "duplicate"
    bad = en_client.post(
        f"/complaints/inbox/{original.code}/", {"action": "merge", "into": "NOPE0000"}
    )
    assert bad.status_code == 400 and "No complaint has this tracking code" in bad.content.decode()
    itself = en_client.post(
        f"/complaints/inbox/{original.code}/", {"action": "merge", "into": original.code}
    )
    assert itself.status_code == 400


# --- Brief and impact -------------------------------------------------------------------------


def test_the_brief_page(en_client, municipality, lighting, colonia, sindicatura_user, staff_user):
    PublicSpaceFactory(
        municipality=municipality,
        name="Parque Revolución",
        geometry=square(-106.081, 28.629, 0.002),
    )
    make_complaint(municipality=municipality, service_type=lighting)
    make_complaint(municipality=municipality, service_type=lighting)
    today = timezone.localdate()
    url = (
        reverse("complaints:brief")
        + f"?colonia={colonia.pk}&start={today - datetime.timedelta(days=7)}&end={today}"
    )
    assert url.startswith("/complaints/brief/?colonia=")
    en_client.force_login(staff_user)  # directorate staff: not the Sindicatura
    assert en_client.get(url).status_code == 403
    en_client.force_login(sindicatura_user)
    response = en_client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Parque Revolución" in body and "css/brief" in body and 'id="brief-map"' in body
    assert "2 complaints, 2 still open" in body
    assert_private_data_absent(response.content)
    bad = en_client.get(
        reverse("complaints:brief")
        + f"?colonia={colonia.pk}&start={today}&end={today - datetime.timedelta(days=3)}"
    )
    assert (
        bad.status_code == 400 and "The end date is before the start date" in bad.content.decode()
    )


def test_the_impact_page(en_client, municipality, lighting, colonia, sindicatura_user):
    reference = timezone.localdate() - datetime.timedelta(days=20)

    def at(days):
        return timezone.make_aware(
            datetime.datetime.combine(reference + datetime.timedelta(days=days), datetime.time(12))
        )  # noqa: E731

    for days in (-3, -2, -1):
        make_complaint(municipality=municipality, service_type=lighting, created_at=at(days))
    make_complaint(municipality=municipality, service_type=lighting, created_at=at(2))
    en_client.force_login(sindicatura_user)
    response = en_client.get(
        "/complaints/impact/", {"colonia": colonia.pk, "date": reference.isoformat(), "days": 10}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and 'role="img"' in body and 'id="colonia-impact"' in body
    assert '<td class="num">3</td><td class="num">1</td>' in body
    assert "Total: 3 before, 1 after." in body
    # No guardians app data and no date: a clear message.
    no_date = en_client.get("/complaints/impact/", {"colonia": colonia.pk, "days": 10})
    assert no_date.status_code == 400 and "give a date" in no_date.content.decode()

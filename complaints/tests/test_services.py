import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from PIL import Image

from complaints.models import Complaint, Open311Client
from complaints.services import (
    complaint_change_status,
    complaint_merge,
    open311_client_for_key,
    open311_key_create,
    open311_key_revoke,
)
from complaints.tasks import notify_reporter_task

from .factories import REPORTER_EMAIL, jpeg_upload, make_complaint

pytestmark = pytest.mark.django_db


def test_photos_are_reencoded_without_metadata(municipality, lighting):
    complaint = make_complaint(
        municipality=municipality,
        service_type=lighting,
        photos=[jpeg_upload(), jpeg_upload("b.jpg")],
    )
    photos = list(complaint.photos.all())
    assert len(photos) == 2
    data = photos[0].image.read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_more_than_three_photos_are_refused_and_nothing_is_saved(municipality, lighting):
    with pytest.raises(ValidationError):
        make_complaint(
            municipality=municipality,
            service_type=lighting,
            photos=[jpeg_upload() for _ in range(4)],
        )
    assert not Complaint.private_objects.exists()


def test_a_complaint_needs_a_point_or_an_address(municipality, lighting):
    with pytest.raises(ValidationError):
        make_complaint(municipality=municipality, service_type=lighting, lon=None, address=" ")
    complaint = make_complaint(
        municipality=municipality, service_type=lighting, lon=None, address="Calle 5 y Ojinaga"
    )
    assert complaint.location is None and complaint.colonia is None


def test_anonymous_complaints_are_allowed(municipality, lighting):
    complaint = make_complaint(
        municipality=municipality,
        service_type=lighting,
        reporter_name="",
        reporter_email="",
        reporter_phone="",
    )
    assert complaint.code and complaint.updates.get().status == "received"


def test_status_change_keeps_history_and_emails_the_reporter_after_commit(
    municipality, lighting, staff_user, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complaint_change_status(
            complaint=complaint, status="in_progress", note="Cuadrilla asignada", user=staff_user
        )
    assert len(callbacks) == 1 and mailoutbox == []
    callbacks[0]()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [REPORTER_EMAIL]
    assert complaint.code in mailoutbox[0].subject
    assert "Cuadrilla asignada" in mailoutbox[0].body
    complaint.refresh_from_db()
    assert complaint.status == "in_progress"
    assert [(u.previous_status, u.status) for u in complaint.updates.all()] == [
        ("", "received"),
        ("received", "in_progress"),
    ]


def test_no_email_when_the_reporter_left_none(
    municipality, lighting, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = make_complaint(municipality=municipality, service_type=lighting, reporter_email="")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        complaint_change_status(complaint=complaint, status="resolved")
    assert callbacks == [] and mailoutbox == []


def test_the_task_returns_early_when_the_update_is_gone(db):
    assert notify_reporter_task(999_999) is False


def test_merge_points_the_duplicate_to_the_root(municipality, lighting):
    first = make_complaint(municipality=municipality, service_type=lighting)
    second = make_complaint(municipality=municipality, service_type=lighting)
    third = make_complaint(municipality=municipality, service_type=lighting)
    complaint_merge(complaint=second, into=first)
    complaint_merge(complaint=third, into=second)
    third.refresh_from_db()
    assert third.duplicate_of == first and third.status == "duplicate"
    assert first.code in third.updates.last().note
    with pytest.raises(ValidationError):
        complaint_merge(complaint=first, into=second)


def test_keys_store_only_a_hash_and_stop_working_when_revoked(municipality):
    client, key = open311_key_create(municipality=municipality, name="Línea 072")
    assert key not in client.key_hash and len(client.key_hash) == 64
    assert open311_client_for_key(municipality=municipality, key=key) == client
    open311_key_revoke(client=client)
    assert open311_client_for_key(municipality=municipality, key=key) is None


def test_open311_key_command_creates_and_revokes(municipality, capsys):
    call_command("open311_key", "create", "App Ciudadana", "--municipality", municipality.slug)
    key = capsys.readouterr().out.strip()
    assert open311_client_for_key(municipality=municipality, key=key).name == "App Ciudadana"
    call_command("open311_key", "revoke", "App Ciudadana")
    assert open311_client_for_key(municipality=municipality, key=key) is None
    assert Open311Client.objects.get().revoked_at is not None
    with pytest.raises(CommandError):
        call_command("open311_key", "revoke", "App Ciudadana")

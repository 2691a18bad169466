import datetime
import io
import time
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Q
from django.utils import timezone
from PIL import Image

from complaints.models import Complaint, ComplaintFollower, ComplaintUpdate, Open311Client
from complaints.services import (
    complaint_change_status,
    complaint_follow,
    complaint_merge,
    complaint_unfollow,
    complaint_updates_notify_pending,
    open311_client_for_key,
    open311_key_create,
    open311_key_revoke,
)
from complaints.tasks import (
    ask_fixed_task,
    notify_followers_task,
    notify_reporter_task,
    sweep_notifications,
)

from .factories import FOLLOWER_EMAIL, REPORTER_EMAIL, jpeg_upload, make_complaint

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


# --- Followers --------------------------------------------------------------------------------


def test_following_creates_one_row_and_following_twice_changes_nothing(municipality, lighting):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    follower, created = complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL, language="es")
    assert created and follower.email == FOLLOWER_EMAIL and follower.language == "es"
    again, created_again = complaint_follow(
        complaint=complaint, email=f"  {FOLLOWER_EMAIL.upper()} "
    )
    assert not created_again and again.pk == follower.pk
    assert ComplaintFollower.objects.count() == 1
    # The same address may follow another complaint.
    other = make_complaint(municipality=municipality, service_type=lighting)
    complaint_follow(complaint=other, email=FOLLOWER_EMAIL)
    assert ComplaintFollower.objects.count() == 2


@pytest.mark.parametrize("email", ["nope", "", "a@b@c.org", "vecino@"])
def test_an_invalid_email_cannot_follow_and_nothing_is_saved(municipality, lighting, email):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    with pytest.raises(ValidationError) as error:
        complaint_follow(complaint=complaint, email=email)
    assert error.value.message_dict == {"email": ["Enter a valid e-mail address."]}
    assert not ComplaintFollower.objects.exists()


def test_a_closed_complaint_cannot_be_followed(municipality, lighting):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    complaint_change_status(complaint=complaint, status="resolved")
    complaint.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    assert not ComplaintFollower.objects.exists()


def test_a_status_change_emails_the_reporter_and_each_follower_once(
    municipality, lighting, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    first, _ = complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    second, _ = complaint_follow(complaint=complaint, email="otra.vecina@example.org")
    # The reporter following their own complaint is not e-mailed twice.
    complaint_follow(complaint=complaint, email=REPORTER_EMAIL)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        update = complaint_change_status(
            complaint=complaint, status="in_progress", note="Cuadrilla asignada"
        )
    assert len(callbacks) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [REPORTER_EMAIL, FOLLOWER_EMAIL, "otra.vecina@example.org"]
    )
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mailoutbox)
    for follower in (first, second):
        (message,) = [m for m in mailoutbox if m.to == [follower.email]]
        assert complaint.code in message.subject and "Cuadrilla asignada" in message.body
        assert f"/complaints/{complaint.code}/unfollow/{follower.token}/" in message.body
        assert REPORTER_EMAIL not in message.body
    other_token = str(second.token)
    assert other_token not in next(m.body for m in mailoutbox if m.to == [FOLLOWER_EMAIL])
    reporter_message = next(m for m in mailoutbox if m.to == [REPORTER_EMAIL])
    assert "unfollow" not in reporter_message.body
    # A second run of the task (a redelivery) e-mails nobody again.
    assert notify_followers_task(update.id) == 0
    assert len(mailoutbox) == 3
    # The next change is e-mailed to them again (and, resolved, the reporter is asked once
    # whether it has been fixed).
    with django_capture_on_commit_callbacks(execute=True):
        complaint_change_status(complaint=complaint, status="resolved")
    assert len(mailoutbox) == 7
    assert [m.to for m in mailoutbox if "Has it been fixed?" in m.subject] == [[REPORTER_EMAIL]]


def test_followers_get_an_absolute_unsubscribe_link_when_the_municipality_has_a_host(
    municipality, lighting, mailoutbox
):
    municipality.hosts = "quejas.chihuahua.example, otro.example"
    municipality.save()
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    follower, _ = complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    update = complaint_change_status(complaint=complaint, status="acknowledged")
    assert notify_followers_task(update.id) == 1
    url = f"https://quejas.chihuahua.example/complaints/{complaint.code}/unfollow/{follower.token}/"
    assert url in mailoutbox[-1].body
    assert mailoutbox[-1].extra_headers["List-Unsubscribe"] == f"<{url}>"


def test_emailing_followers_takes_the_same_queries_for_many(
    municipality, lighting, django_assert_num_queries, mailoutbox
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaints.services import complaint_notify_followers

    complaint = make_complaint(municipality=municipality, service_type=lighting)
    complaint_follow(complaint=complaint, email="uno@example.org")
    update = complaint_change_status(complaint=complaint, status="acknowledged")
    with CaptureQueriesContext(connection) as few:
        assert complaint_notify_followers(update=update) == 1
    for n in range(15):
        complaint_follow(complaint=complaint, email=f"vecino{n}@example.org")
    update = complaint_change_status(complaint=complaint, status="in_progress")
    with django_assert_num_queries(len(few.captured_queries)):
        assert complaint_notify_followers(update=update) == 16


def test_no_follower_task_without_followers_and_unfollowing_stops_the_emails(
    municipality, lighting, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = make_complaint(municipality=municipality, service_type=lighting, reporter_email="")
    follower, _ = complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    complaint_unfollow(follower=follower)
    assert not ComplaintFollower.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        complaint_change_status(complaint=complaint, status="acknowledged")
    assert callbacks == [] and mailoutbox == []
    assert notify_followers_task(999_999) == 0


# --- The sweeper: what the broker could not take is sent later, once ---------------------------


def _change_while_the_broker_is_down(complaint, status, capture):
    from kombu.exceptions import OperationalError

    down = OperationalError("broker down")
    with (
        mock.patch.object(notify_reporter_task, "delay", side_effect=down),
        mock.patch.object(notify_followers_task, "delay", side_effect=down),
        mock.patch.object(ask_fixed_task, "delay", side_effect=down),
        capture(execute=True),
    ):
        return complaint_change_status(complaint=complaint, status=status, note="Cuadrilla")


def _in_two_minutes():
    return timezone.now() + datetime.timedelta(minutes=2)


def test_the_sweeper_sends_what_the_broker_could_not_take_once(
    municipality, lighting, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    follower, _ = complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    update = _change_while_the_broker_is_down(
        complaint, "in_progress", django_capture_on_commit_callbacks
    )
    assert mailoutbox == []  # the change is committed all the same, its e-mails pending
    assert update.reporter_email_pending and update.followers_email_pending

    # Within the grace period the tasks enqueued on commit have the row to themselves.
    assert complaint_updates_notify_pending() == 0
    assert complaint_updates_notify_pending(now=_in_two_minutes()) == 2
    assert sorted(m.to[0] for m in mailoutbox) == sorted([REPORTER_EMAIL, FOLLOWER_EMAIL])
    assert all("Cuadrilla" in m.body for m in mailoutbox)
    update.refresh_from_db()
    follower.refresh_from_db()
    assert not update.reporter_email_pending and not update.followers_email_pending
    assert update.reporter_notified_at is not None
    assert follower.last_notified_update == update

    # A second sweep, and a late delivery of the tasks, send nothing more.
    assert complaint_updates_notify_pending(now=_in_two_minutes()) == 0
    assert notify_reporter_task(update.id) is False
    assert notify_followers_task(update.id) == 0
    assert len(mailoutbox) == 2


def test_the_sweeper_skips_what_the_tasks_sent_and_changes_with_nobody_to_tell(
    municipality, lighting, django_capture_on_commit_callbacks, mailoutbox
):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    with django_capture_on_commit_callbacks(execute=True):
        sent = complaint_change_status(complaint=complaint, status="acknowledged")
    assert len(mailoutbox) == 2
    sent.refresh_from_db()
    assert not sent.reporter_email_pending and not sent.followers_email_pending
    anonymous = make_complaint(municipality=municipality, service_type=lighting, reporter_email="")
    quiet = complaint_change_status(complaint=anonymous, status="acknowledged")
    assert not quiet.reporter_email_pending and not quiet.followers_email_pending
    # The complaint's first update ("received") is never e-mailed either.
    assert not ComplaintUpdate.objects.filter(
        Q(reporter_email_pending=True) | Q(followers_email_pending=True)
    ).exists()
    assert complaint_updates_notify_pending(now=_in_two_minutes()) == 0
    assert len(mailoutbox) == 2


def test_a_failed_send_stays_pending_and_the_next_sweep_sends_it(
    municipality, lighting, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    complaint = make_complaint(municipality=municipality, service_type=lighting)
    complaint_follow(complaint=complaint, email=FOLLOWER_EMAIL)
    update = _change_while_the_broker_is_down(
        complaint, "in_progress", django_capture_on_commit_callbacks
    )
    real_send = EmailBackend.send_messages

    def smtp_down(self, messages):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailBackend, "send_messages", smtp_down)
    assert complaint_updates_notify_pending(now=_in_two_minutes()) == 0
    with pytest.raises(ConnectionRefusedError):
        notify_reporter_task(update.id)  # the task fails the same way, and marks nothing
    update.refresh_from_db()
    assert update.reporter_email_pending and update.followers_email_pending
    assert update.reporter_notified_at is None
    assert ComplaintFollower.objects.get().last_notified_update is None

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert complaint_updates_notify_pending(now=_in_two_minutes()) == 2
    assert complaint_updates_notify_pending(now=_in_two_minutes()) == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([REPORTER_EMAIL, FOLLOWER_EMAIL])


def test_the_sweeper_takes_the_oldest_changes_first_a_batch_at_a_time(
    municipality, lighting, django_capture_on_commit_callbacks, mailoutbox
):
    complaints = [make_complaint(municipality=municipality, service_type=lighting) for _ in "abc"]
    for complaint in complaints:
        _change_while_the_broker_is_down(complaint, "resolved", django_capture_on_commit_callbacks)
    assert complaint_updates_notify_pending(now=_in_two_minutes(), limit=2) == 2
    assert [m.subject.split()[2].rstrip(":") for m in mailoutbox] == [
        c.code for c in complaints[:2]
    ]
    assert complaint_updates_notify_pending(now=_in_two_minutes(), limit=2) == 1
    assert complaint_updates_notify_pending(now=_in_two_minutes(), limit=2) == 0
    assert len(mailoutbox) == 3


def test_the_sweeper_task(municipality, lighting, django_capture_on_commit_callbacks, mailoutbox):
    complaint = make_complaint(municipality=municipality, service_type=lighting)
    update = _change_while_the_broker_is_down(
        complaint, "resolved", django_capture_on_commit_callbacks
    )
    assert sweep_notifications() == 0  # younger than a minute
    ComplaintUpdate.objects.filter(pk=update.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    assert sweep_notifications() == 1
    assert sweep_notifications() == 0
    assert mailoutbox[0].to == [REPORTER_EMAIL]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_email_once(
    municipality, lighting, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    import threading

    from django.core.mail.backends.locmem import EmailBackend
    from django.db import connection

    complaints = [make_complaint(municipality=municipality, service_type=lighting) for _ in "abc"]
    for index, complaint in enumerate(complaints):
        complaint_follow(complaint=complaint, email=f"vecino{index}@example.org")
        _change_while_the_broker_is_down(complaint, "resolved", django_capture_on_commit_callbacks)
    real_send = EmailBackend.send_messages

    def slow_send(self, messages):  # long enough for the other sweep to meet the locked rows
        time.sleep(0.3)
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow_send)
    later, barrier, counts = _in_two_minutes(), threading.Barrier(3), []

    def sweep():
        try:
            barrier.wait()
            counts.append(complaint_updates_notify_pending(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == 6 and len(counts) == 3
    sent = sorted((m.to[0], m.subject) for m in mailoutbox)
    assert len(sent) == 6 and len(set(sent)) == 6
    assert not ComplaintUpdate.objects.filter(
        Q(reporter_email_pending=True) | Q(followers_email_pending=True)
    ).exists()


# --- Filing -----------------------------------------------------------------------------------


def test_a_tracking_code_already_taken_is_drawn_again(municipality, lighting, monkeypatch):
    from complaints import services

    first = make_complaint(municipality=municipality, service_type=lighting)
    codes = iter([first.code, first.code, "NEWCODE9"])
    monkeypatch.setattr(services, "_random_code", lambda: next(codes))
    second = make_complaint(municipality=municipality, service_type=lighting)
    assert second.code == "NEWCODE9"
    assert Complaint.private_objects.filter(code=first.code).get() == first
    assert ComplaintUpdate.objects.filter(complaint=second).count() == 1


def test_filing_sends_the_model_signals_as_save_does(municipality, lighting):
    from django.db.models.signals import post_save

    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((sender, instance.pk is not None, created))

    post_save.connect(receiver, dispatch_uid="test-filing-signals")
    try:
        make_complaint(municipality=municipality, service_type=lighting)
    finally:
        post_save.disconnect(dispatch_uid="test-filing-signals")
    assert (Complaint, True, True) in seen
    assert (ComplaintUpdate, True, True) in seen


def test_a_complaint_without_a_point_keeps_the_colonia_it_was_given(
    municipality, lighting, colonia, directorate
):
    complaint = make_complaint(
        municipality=municipality,
        service_type=lighting,
        lon=None,
        address="Calle 5 y Av. Juárez",
        colonia=colonia,
    )
    complaint.refresh_from_db()
    assert (complaint.colonia, complaint.space, complaint.directorate) == (
        colonia,
        None,
        directorate,
    )


# --- The public form's workflow ------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def _submit(municipality, service_type, **kwargs):
    from django.contrib.gis.geos import Point

    from complaints.services import complaint_submit

    defaults = {
        "description": "Lámpara apagada",
        "point": Point(-106.08, 28.63, srid=4326),
        "reporter_email": REPORTER_EMAIL,
    }
    return complaint_submit(
        municipality=municipality, service_type=service_type, **defaults | kwargs
    )


def test_a_complaint_near_an_open_one_is_held_back_until_confirmed(
    municipality, lighting, media, django_capture_on_commit_callbacks
):
    from complaints.services import pending_photos_check

    existing = make_complaint(municipality=municipality, service_type=lighting)
    held = _submit(municipality, lighting, photos=[jpeg_upload()])
    assert held.complaint is None and held.nearby == [existing]
    assert Complaint.private_objects.count() == 1
    (kept,) = pending_photos_check(token=held.pending_photos)
    assert (media / kept).exists()

    with django_capture_on_commit_callbacks(execute=True):
        filed = _submit(municipality, lighting, pending_photos=held.pending_photos, confirmed=True)
    assert filed.complaint is not None and filed.nearby == []
    assert filed.complaint.source == Complaint.Source.WEB
    assert filed.complaint.photos.count() == 1
    assert not (media / kept).exists()  # taken once the complaint is committed


def test_when_filing_fails_the_photos_kept_aside_stay_for_another_try(
    municipality, lighting, media, django_capture_on_commit_callbacks
):
    from complaints.services import pending_photos_check, pending_photos_store

    token = pending_photos_store(uploads=[jpeg_upload() for _ in range(3)])
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="at most 3 photos"),
    ):
        _submit(
            municipality, lighting, photos=[jpeg_upload()], pending_photos=token, confirmed=True
        )
    assert callbacks == []
    assert all((media / name).exists() for name in pending_photos_check(token=token))
    assert not Complaint.private_objects.exists()

import datetime
import io
import re
import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from PIL import Image

from core import outbox

from .. import services
from ..models import Card, CardAnswer, CardPhoto, CardTemplate, Guardian, GuardianApplication
from ..signals import card_filed
from .conftest import file_card, green_answers
from .factories import GuardianApplicationFactory, GuardianFactory, image_bytes

pytestmark = pytest.mark.django_db


# --- Lead guardian constraint ------------------------------------------------------------------


def test_the_database_allows_one_active_lead_per_colonia(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        GuardianFactory(municipality=world.municipality, colonia=world.colonia_a, is_lead=True)


def test_an_inactive_lead_or_another_colonia_does_not_count(world):
    GuardianFactory(
        municipality=world.municipality, colonia=world.colonia_a, is_lead=True, status="inactive"
    )
    GuardianFactory(municipality=world.municipality, colonia=world.colonia_b, is_lead=True)
    assert Guardian.private_objects.leads().count() == 2


def test_guardian_set_lead_explains_a_second_lead_and_changes_nothing(world):
    with pytest.raises(ValidationError) as error:
        services.guardian_set_lead(guardian=world.guardian_a, is_lead=True)
    assert error.value.code == "lead_exists"
    world.guardian_a.refresh_from_db()
    assert world.guardian_a.is_lead is False
    services.guardian_deactivate(guardian=world.lead_a)
    services.guardian_set_lead(guardian=world.guardian_a, is_lead=True)
    assert world.guardian_a.user.has_role("lead_guardian")


# --- Sign-up and approval ----------------------------------------------------------------------


def test_an_application_needs_the_privacy_notice(world):
    with pytest.raises(ValidationError):
        services.guardian_application_submit(
            municipality=world.municipality,
            full_name="Ana",
            email="ana@example.org",
            phone="614",
            colonia=world.colonia_a,
            accepted_privacy_notice=False,
        )
    assert not GuardianApplication.private_objects.exists()


def test_approval_creates_the_guardian_and_mails_a_working_password_link(
    world, client, django_capture_on_commit_callbacks
):
    application = GuardianApplicationFactory(
        municipality=world.municipality, colonia=world.colonia_b, email="Luz@Example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        guardian = services.guardian_application_approve(
            application=application, reviewed_by=world.staff, base_url="http://testserver/"
        )
    assert guardian.colonia == world.colonia_b
    assert guardian.user.email == "luz@example.org"
    assert guardian.user.has_role("guardian")
    assert not guardian.user.has_usable_password()
    application.refresh_from_db()
    assert application.status == "approved" and application.guardian == guardian
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["luz@example.org"]
    link = re.search(r"http://testserver(/guardians/welcome/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "un-parque-limpio-77", "new_password2": "un-parque-limpio-77"},
    )
    assert response.status_code == 302
    guardian.user.refresh_from_db()
    assert guardian.user.check_password("un-parque-limpio-77")
    with pytest.raises(ValidationError):
        services.guardian_application_approve(
            application=application, reviewed_by=world.staff, base_url="http://testserver/"
        )


# --- Cards -------------------------------------------------------------------------------------


def test_a_card_stores_one_answer_row_per_item_with_the_failure_computed(world):
    card, created = file_card(world)
    assert created
    rows = {a.item.code: a for a in CardAnswer.objects.filter(card=card).select_related("item")}
    assert rows["grass-cut"].is_failure is False
    assert rows["litter-removed"].is_failure is True
    assert rows["overall"].is_failure is True and rows["overall"].number == 2
    assert rows["problems"].value == "late" and rows["problems"].is_failure
    assert "playground" not in rows  # optional and left empty
    assert card.failure_count == 3
    assert card.colonia == world.colonia_a


def test_counts_out_of_a_total_fail_below_the_share(world):
    template = world.lighting_template
    items = {i.code: i for i in template.items.all()}
    assert (
        services.answer_is_failure(items["lamps-working"], value="8/8", number=8, total=8) is False
    )
    assert services.answer_is_failure(items["lamps-working"], value="7/8", number=7, total=8)
    assert services.answer_is_failure(items["damaged-poles"], value="1", number=1)
    assert not services.answer_is_failure(items["damaged-poles"], value="0", number=0)


def test_submitting_the_same_card_twice_files_it_once(world):
    client_id = uuid.uuid4()
    first, created = file_card(world, client_id=client_id)
    again, created_again = file_card(world, client_id=client_id)
    assert created and not created_again
    assert again.pk == first.pk
    assert Card.objects.count() == 1
    assert CardAnswer.objects.filter(card=first).count() == 8


def test_a_guardian_cannot_file_for_another_colonia(world):
    with pytest.raises(ValidationError) as error:
        file_card(world, guardian=world.guardian_b, space=world.spaces_a[0])
    assert "space" in error.value.message_dict
    assert not Card.objects.exists()


def test_a_guardian_may_file_for_a_space_they_watch_elsewhere(world):
    world.guardian_b.spaces.add(world.spaces_a[1])
    card, _ = file_card(world, guardian=world.guardian_b, space=world.spaces_a[1])
    assert card.colonia == world.colonia_a


def test_required_items_must_be_answered(world):
    answers = green_answers(world.green_template, **{"grass-cut": None})
    with pytest.raises(ValidationError) as error:
        file_card(world, answers=answers)
    item = world.green_template.items.get(code="grass-cut")
    assert f"item-{item.pk}" in error.value.message_dict
    assert not Card.objects.exists()


def test_photos_are_reencoded_without_metadata(world):
    upload = SimpleUploadedFile("p.jpg", image_bytes(with_gps=True), content_type="image/jpeg")
    card, _ = file_card(world, photos=[upload])
    photo = CardPhoto.objects.get(card=card)
    data = photo.image.read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and not image.getexif()


def test_a_file_that_lies_about_its_type_files_nothing(world):
    liar = SimpleUploadedFile("park.jpg", b"%PDF-1.4 a document", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        file_card(world, photos=[liar])
    assert error.value.code == "not_an_image"
    assert not Card.objects.exists()


def test_more_than_three_photos_are_refused(world):
    photos = [SimpleUploadedFile(f"{i}.png", image_bytes("PNG"), "image/png") for i in range(4)]
    with pytest.raises(ValidationError):
        file_card(world, photos=photos)
    assert not Card.objects.exists()


def test_filing_a_card_enqueues_and_sends_card_filed_once_committed(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued, seen = [], []
    monkeypatch.setattr(outbox, "enqueue", lambda name, *args: enqueued.append((name, *args)))

    def receiver(sender, *, card, **kwargs):
        seen.append((sender, card.pk))

    card_filed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            card, _ = file_card(world)
            assert seen == enqueued == []
        for callback in callbacks:
            callback()
        assert seen == [(Card, card.pk)]
        # The staff's e-mail, then the findings app's receiver (findings.receivers).
        assert enqueued == [
            ("guardians.tasks.card_filed", card.pk),
            ("findings.tasks.verify_from_card", card.pk),
            ("findings.tasks.reconcile_card", card.pk),
        ]
        # A card submitted again is not filed again: nothing more is sent or enqueued.
        with django_capture_on_commit_callbacks(execute=True):
            file_card(world, client_id=card.client_id)
        assert len(seen) == 1 and len(enqueued) == 3
    finally:
        card_filed.disconnect(receiver)


def test_staff_are_mailed_once_about_a_card_with_failures(world):
    from ..tasks import card_filed

    world.staff.email = "sindicatura@example.org"
    world.staff.save()
    card, _ = file_card(world)
    mail.outbox.clear()
    assert card_filed(card.pk) is True
    assert card_filed(card.pk) is False  # a retried task sends nothing more
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sindicatura@example.org"]
    assert world.guardian_a.user.email not in mail.outbox[0].body
    assert card_filed(999999) is False


def _in_two_minutes():
    return timezone.now() + datetime.timedelta(minutes=2)


def _staff_with_email(world):
    world.staff.email = "sindicatura@example.org"
    world.staff.save()


def test_the_sweeper_mails_the_staff_about_a_card_the_broker_never_got_once(world):
    from ..tasks import card_filed

    _staff_with_email(world)
    card, _ = file_card(world)  # its on-commit hooks never run here: as with the broker down
    assert card.failure_count and mail.outbox == []
    # Within the grace period the task enqueued on commit has the card to itself.
    assert services.cards_notify_staff_pending() == 0
    assert services.cards_notify_staff_pending(now=_in_two_minutes()) == 1
    assert [m.to for m in mail.outbox] == [["sindicatura@example.org"]]
    card.refresh_from_db()
    assert card.staff_notified_at is not None
    # A second sweep, and a late delivery of the task, send nothing more.
    assert services.cards_notify_staff_pending(now=_in_two_minutes()) == 0
    assert card_filed(card.pk) is False
    assert len(mail.outbox) == 1


def test_the_sweeper_skips_cards_already_mailed_without_failures_or_without_staff(world):
    from ..tasks import card_filed

    _staff_with_email(world)
    mailed, _ = file_card(world)
    assert card_filed(mailed.pk) is True
    all_fine = {"litter-removed": "yes", "furniture": "5", "overall": "4", "problems": None}
    file_card(world, answers=green_answers(world.green_template, **all_fine))
    assert Card.objects.filter(failure_count=0).count() == 1
    assert services.cards_notify_staff_pending(now=_in_two_minutes()) == 0
    assert len(mail.outbox) == 1
    # Nobody to tell: the card is marked all the same, so no sweep comes back to it.
    world.staff.email = ""
    world.staff.save()
    unheard, _ = file_card(world)
    assert services.cards_notify_staff_pending(now=_in_two_minutes()) == 0
    unheard.refresh_from_db()
    assert unheard.staff_notified_at is not None
    assert not Card.objects.staff_email_due(submitted_before=_in_two_minutes()).exists()


def test_a_failed_send_leaves_the_card_pending_for_the_next_sweep(world, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    from ..tasks import card_filed

    _staff_with_email(world)
    card, _ = file_card(world)
    real_send = EmailBackend.send_messages

    def smtp_down(self, messages):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailBackend, "send_messages", smtp_down)
    with pytest.raises(ConnectionRefusedError):
        card_filed(card.pk)  # marked before, the card was lost; now it stays pending
    assert services.cards_notify_staff_pending(now=_in_two_minutes()) == 0
    card.refresh_from_db()
    assert card.staff_notified_at is None

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert services.cards_notify_staff_pending(now=_in_two_minutes()) == 1
    assert services.cards_notify_staff_pending(now=_in_two_minutes()) == 0
    assert len(mail.outbox) == 1


def test_the_sweeper_takes_the_oldest_cards_first_a_batch_at_a_time(world):
    _staff_with_email(world)
    cards = [file_card(world, space=space)[0] for space in world.spaces_a]
    assert services.cards_notify_staff_pending(now=_in_two_minutes(), limit=2) == 2
    assert list(Card.objects.filter(staff_notified_at__isnull=True)) == [cards[2]]
    assert services.cards_notify_staff_pending(now=_in_two_minutes(), limit=2) == 1
    assert len(mail.outbox) == 3


def test_the_card_sweeper_task(world):
    from ..tasks import sweep_card_notifications

    _staff_with_email(world)
    card, _ = file_card(world)
    assert sweep_card_notifications() == 0  # younger than a minute
    Card.objects.filter(pk=card.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    assert sweep_card_notifications() == 1
    assert sweep_card_notifications() == 0
    assert len(mail.outbox) == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_card_sweeps_at_once_mail_each_card_once(world, monkeypatch):
    import threading
    import time

    from django.core.mail.backends.locmem import EmailBackend
    from django.db import connection

    _staff_with_email(world)
    monkeypatch.setattr(outbox, "enqueue", lambda name, *args: False)  # nothing to the broker
    for space in world.spaces_a:
        file_card(world, space=space)
    real_send = EmailBackend.send_messages

    def slow_send(self, messages):  # long enough for the other sweeps to meet the locked card
        time.sleep(0.3)
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow_send)
    later, barrier, counts = _in_two_minutes(), threading.Barrier(3), []

    def sweep():
        try:
            barrier.wait()
            counts.append(services.cards_notify_staff_pending(now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == 3 and len(counts) == 3
    assert len(mail.outbox) == 3
    assert not Card.objects.filter(staff_notified_at__isnull=True).exists()


# --- Template versions -------------------------------------------------------------------------


def test_a_new_version_leaves_the_old_one_with_its_cards(world):
    card, _ = file_card(world)
    new = services.card_template_create(
        service_type=world.green,
        name="Parques v2",
        items=[{"code": "grass-cut", "text": "¿Pasto cortado?", "kind": "yes_no"}],
    )
    assert new.version == 2 and new.is_current
    old = CardTemplate.objects.get(pk=world.green_template.pk)
    assert not old.is_current
    card.refresh_from_db()
    assert card.template == old and old.items.count() == 9
    assert CardTemplate.objects.filter(service_type=world.green, is_current=True).count() == 1


def test_seeding_the_default_cards_twice_creates_nothing_more(world):
    assert services.seed_card_templates(municipality=world.municipality) == []
    assert CardTemplate.objects.count() == 3


# --- Training ----------------------------------------------------------------------------------


def test_evaluations_are_scored_and_taken_once(world):
    from .test_training import make_session

    session, questions = make_session(world)
    evaluation = session.evaluations.get(kind="pre")
    right = {q.pk: q.choices.get(is_correct=True).pk for q in questions}
    answers = {**right, questions[0].pk: questions[0].choices.get(is_correct=False).pk}
    attempt = services.evaluation_submit(
        evaluation=evaluation, guardian=world.guardian_a, answers=answers
    )
    assert (attempt.correct, attempt.total) == (3, 4)
    with pytest.raises(ValidationError):
        services.evaluation_submit(evaluation=evaluation, guardian=world.guardian_a, answers=right)

"""Writes for complaints: every state change goes through here (views, admin, API, commands)."""

import datetime
import functools
import hashlib
import logging
import posixpath
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record
from core.outbox import claim_pending, enqueue_on_commit, enqueue_or_run_on_commit
from core.photos import MAX_PHOTOS, reencode_photo, validate_photos
from core.tokens import token_make, token_read
from core.uploads import PHOTO_FORMATS, extension_of, safe_storage_name
from territory.models import Colonia, Municipality, ServiceType

from .attributes import default_questions
from .constants import FIXED_STATUSES, REPORTER_FIELDS
from .models import (
    Complaint,
    ComplaintFollower,
    ComplaintPhoto,
    ComplaintUpdate,
    FixedQuestion,
    Open311Client,
    ServiceQuestion,
    ServiceQuestionChoice,
)
from .selectors import nearby_open_complaints, placement_for

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
PENDING_PHOTOS_DIR = "complaints/pending"
PENDING_PHOTOS_SALT = "complaints.pending-photos"
PENDING_PHOTOS_MAX_AGE = 60 * 60 * 6
# Followers are e-mailed in batches: one SMTP connection for the run, and per batch one
# locking SELECT and one UPDATE, whatever the number of followers.
FOLLOWER_BATCH_SIZE = 200
# The sweeper leaves a change alone this long after it was made, so that it does not race the
# tasks enqueued on commit, which send it within seconds while the broker is up.
NOTIFY_GRACE = datetime.timedelta(minutes=1)
# Status changes per sweep: one e-mail to the reporter each, and their followers' (batched).
SWEEP_BATCH_SIZE = 100

logger = logging.getLogger(__name__)


KEY_LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def _random_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _new_code() -> str:
    while True:
        code = _random_code()
        if not Complaint.private_objects.filter(code=code).exists():
            return code


#: Set by complaint_create itself (code, token) or passed as rows it was given.
_CREATE_TRUSTED = [
    "code",
    "token",
    "municipality",
    "service_type",
    "colonia",
    "space",
    "directorate",
    "open311_client",
]


def complaint_create(
    *,
    municipality: Municipality,
    service_type: ServiceType,
    description: str,
    source: str,
    point: Point | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    language: str = "",
    photos: Sequence = (),
    clean_photos: Sequence[ContentFile] = (),
    attributes: dict | None = None,
    media_url: str = "",
    open311_client: Open311Client | None = None,
    external_id: str = "",
    status: str = Complaint.Status.RECEIVED,
    created_at: datetime.datetime | None = None,
    expected_date: datetime.date | None = None,
    colonia: Colonia | None = None,
    user: User | None = None,
) -> Complaint:
    """Files a complaint: colonia, public space and directorate are found from the point and
    the service. ``photos`` are uploads (validated and re-encoded here); ``clean_photos`` are
    already re-encoded (the confirmation step of the web form)."""
    if service_type.municipality_id != municipality.id:
        raise ValidationError({"service_type": _("This service belongs to another municipality.")})
    if point is None and not address.strip():
        raise ValidationError(_("Give the place: a point on the map or an address."))
    if len(photos) + len(clean_photos) > MAX_PHOTOS:
        raise ValidationError(_("Attach at most 3 photos."), code="too_many_photos")
    validate_photos(list(photos))
    if point is not None:
        point = Point(point.x, point.y, srid=4326)
    complaint = Complaint(
        municipality=municipality,
        service_type=service_type,
        description=description.strip(),
        location=point,
        address=address.strip(),
        colonia_id=colonia.pk if colonia else None,
        status=status,
        source=source,
        attributes=attributes or {},
        media_url=media_url,
        reporter_name=reporter_name.strip(),
        reporter_email=reporter_email.strip(),
        reporter_phone=reporter_phone.strip(),
        language=language,
        open311_client=open311_client,
        external_id=external_id.strip(),
        created_at=created_at or timezone.now(),
        expected_date=expected_date,
    )
    # The field rules (lengths, choices) are checked here; the foreign keys were just read and
    # the database enforces the constraints, so no query checks them again, except the
    # external id's uniqueness, which a caller (the 072 import) may meet: a clear message.
    complaint.full_clean(exclude=_CREATE_TRUSTED, validate_unique=False, validate_constraints=False)
    if complaint.external_id:
        complaint.validate_constraints()
    with transaction.atomic():
        placement = placement_for(municipality=municipality, point=point, service_type=service_type)
        complaint.code = _new_code()
        # The colonia the caller gave is the fallback of the one under the point.
        complaint.colonia_id = placement["colonia_id"] or complaint.colonia_id
        complaint.space_id = placement["space_id"]
        complaint.directorate_id = placement["directorate_id"]
        complaint.save()
        ComplaintUpdate.objects.create(
            complaint=complaint, status=status, user=user, created_at=complaint.created_at
        )
        for upload in photos:
            ComplaintPhoto.objects.create(complaint=complaint, image=reencode_photo(upload))
        for clean in clean_photos:
            ComplaintPhoto.objects.create(complaint=complaint, image=clean)
    return complaint


@dataclass
class ComplaintSubmission:
    """What :func:`complaint_submit` did: filed ``complaint``, or held it back because of the
    open complaints ``nearby``, with the photos kept aside under ``pending_photos``."""

    complaint: Complaint | None = None
    nearby: list[Complaint] = field(default_factory=list)
    pending_photos: str = ""


def complaint_submit(
    *,
    municipality: Municipality,
    service_type: ServiceType,
    description: str,
    point: Point | None,
    address: str = "",
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    language: str = "",
    photos: Sequence = (),
    pending_photos: str = "",
    confirmed: bool = False,
    attributes: dict | None = None,
) -> ComplaintSubmission:
    """The public form's workflow. Unless the reporter has ``confirmed``, a complaint with a
    point that has open complaints of the service nearby is not filed: the photos are kept
    aside (``pending_photos_store``) and the nearby ones returned, so that the reporter can
    follow one of them instead or confirm. Otherwise the complaint is filed with the uploads
    and the photos kept aside earlier; if filing fails, the kept photos stay for another try
    (their removal waits for a commit that does not happen)."""
    if point is not None and not confirmed:
        nearby = nearby_open_complaints(
            municipality=municipality, service_type=service_type, point=point
        )
        if nearby:
            if photos:
                pending_photos = pending_photos_store(uploads=photos)
            return ComplaintSubmission(nearby=nearby, pending_photos=pending_photos)
    with transaction.atomic():
        complaint = complaint_create(
            municipality=municipality,
            service_type=service_type,
            description=description,
            source=Complaint.Source.WEB,
            point=point,
            address=address,
            reporter_name=reporter_name,
            reporter_email=reporter_email,
            reporter_phone=reporter_phone,
            language=language,
            photos=photos,
            clean_photos=pending_photos_take(token=pending_photos),
            attributes=attributes,
        )
    return ComplaintSubmission(complaint=complaint)


@transaction.atomic
def service_questions_seed(*, service_type: ServiceType) -> list[ServiceQuestion]:
    """Gives a service with no questions yet the default questions of its category
    (``complaints.attributes.DEFAULT_QUESTIONS``), worded in the site's language; staff then
    edit them in the admin. A service that has questions keeps them."""
    if ServiceQuestion.objects.filter(service_type=service_type).exists():
        return []
    created = []
    with translation.override(settings.LANGUAGE_CODE):
        for order, definition in enumerate(default_questions(service_type.category), start=1):
            question = ServiceQuestion.objects.create(
                service_type=service_type,
                code=definition["code"],
                description=str(definition["description"]),
                datatype=definition["datatype"],
                required=definition["required"],
                order=order,
            )
            ServiceQuestionChoice.objects.bulk_create(
                ServiceQuestionChoice(question=question, key=key, name=str(name), order=position)
                for position, (key, name) in enumerate(definition["values"], start=1)
            )
            created.append(question)
    return created


@transaction.atomic
def complaint_change_status(
    *,
    complaint: Complaint,
    status: str,
    note: str = "",
    user: User | None = None,
    at: datetime.datetime | None = None,
) -> ComplaintUpdate:
    """Moves the complaint to a status with a public note; the reporter, if they left an
    e-mail, is told once the change is committed."""
    if status not in Complaint.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    complaint = Complaint.private_objects.select_for_update().get(pk=complaint.pk)
    if status == complaint.status and not note.strip():
        raise ValidationError({"status": _("The complaint already has this status.")})
    has_followers = complaint.followers.filter(confirmed_at__isnull=False).exists()
    # The pending flags are the outbox, written with the change: if the broker cannot take the
    # tasks below, complaint_updates_notify_pending (the sweeper) sends the e-mails later.
    update = ComplaintUpdate.objects.create(
        complaint=complaint,
        status=status,
        previous_status=complaint.status,
        note=note.strip(),
        user=user,
        created_at=at or timezone.now(),
        reporter_email_pending=bool(complaint.reporter_email),
        followers_email_pending=has_followers,
    )
    before = {"status": complaint.status}
    complaint.status = status
    complaint.save(update_fields=["status", "updated_at"])
    # Only the status: the complaint's reporter data stays out of the trail.
    audit_record(instance=complaint, action="update", actor=user, before=before, only=["status"])
    if update.reporter_email_pending:
        enqueue_on_commit("complaints.tasks.notify_reporter_task", update.id)
    if has_followers:
        enqueue_on_commit("complaints.tasks.notify_followers_task", update.id)
    if status in FIXED_STATUSES and complaint.reporter_email:
        _fixed_question_create(complaint=complaint, at=update.created_at)
    return update


@transaction.atomic
def complaint_merge(
    *, complaint: Complaint, into: Complaint, user: User | None = None, note: str = ""
) -> ComplaintUpdate:
    """Marks ``complaint`` as a duplicate of ``into`` (or of what ``into`` duplicates)."""
    while (original := into.duplicate_of) is not None:
        into = original
    if into.pk == complaint.pk:
        raise ValidationError(_("A complaint cannot be a duplicate of itself."))
    if into.municipality_id != complaint.municipality_id:
        raise ValidationError(_("The complaints belong to different municipalities."))
    Complaint.private_objects.filter(pk=complaint.pk).update(duplicate_of=into)
    Complaint.private_objects.filter(duplicate_of=complaint).update(duplicate_of=into)
    complaint.duplicate_of = into
    note = note.strip() or _("Same problem as complaint %(code)s.") % {"code": into.code}
    return complaint_change_status(
        complaint=complaint, status=Complaint.Status.DUPLICATE, note=note, user=user
    )


def complaint_notify_reporter(*, update: ComplaintUpdate) -> bool:
    """E-mails the reporter the new status (in the language they used to report), once, and
    returns whether it was sent.

    The update is locked (one another run holds is skipped), claimed, e-mailed and marked in one
    transaction: the task and the sweeper, or two deliveries of the task, never both send it,
    and if sending fails nothing is marked, so the sweeper sends it on a later run.
    """
    complaint = Complaint.private_objects.select_related("municipality").get(pk=update.complaint_id)
    with transaction.atomic():
        claimed = claim_pending(
            ComplaintUpdate.objects.filter(pk=update.pk),
            pending={"reporter_email_pending": True},
            mark={
                "reporter_email_pending": False,
                # Erased meanwhile (an ARCO request): nobody to tell.
                "reporter_notified_at": timezone.now() if complaint.reporter_email else None,
            },
        )
        if not claimed or not complaint.reporter_email:
            return False
        subject, body = _reporter_message(complaint=complaint, update=update)
        send_mail(subject, body, None, [complaint.reporter_email])
    return True


def _reporter_message(*, complaint: Complaint, update: ComplaintUpdate) -> tuple[str, str]:
    with translation.override(complaint.language or settings.LANGUAGE_CODE):
        subject = _("Your complaint %(code)s: %(status)s") % {
            "code": complaint.code,
            "status": update.get_status_display(),
        }
        lines = [
            _("The status of your complaint %(code)s is now: %(status)s.")
            % {"code": complaint.code, "status": update.get_status_display()},
        ]
        if update.note:
            lines += ["", update.note]
        lines += [
            "",
            _("Follow it at %(path)s on the portal of %(municipality)s.")
            % {"path": complaint.get_absolute_url(), "municipality": complaint.municipality.name},
        ]
    return str(subject), "\n".join(lines)


# --- Followers ---------------------------------------------------------------------------------


def complaint_unfollow_url(*, follower: ComplaintFollower, code: str) -> str:
    return reverse("complaints:unfollow", kwargs={"code": code, "token": follower.token})


def _follow_checked(*, complaint: Complaint, email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from error
    if not complaint.is_open:
        raise ValidationError(_("This complaint is closed: it can no longer be followed."))
    return email


@transaction.atomic
def complaint_follow(
    *, complaint: Complaint, email: str, language: str = ""
) -> tuple[ComplaintFollower, bool]:
    """Follows an open complaint by e-mail, the address confirmed (the follow link's
    confirmation, see :func:`complaint_follow_request`; the privacy notice was accepted).
    Following twice changes nothing: returns the existing row and False."""
    email = _follow_checked(complaint=complaint, email=email)
    now = timezone.now()
    # get_or_create also covers two requests at once: the unique constraint lets one insert win.
    follower, created = ComplaintFollower.objects.get_or_create(
        complaint=complaint, email=email, defaults={"language": language, "confirmed_at": now}
    )
    if follower.confirmed_at is None:  # followed before addresses were confirmed
        follower.confirmed_at = now
        follower.save(update_fields=["confirmed_at"])
    return follower, created


FOLLOW_CONFIRM_SALT = "complaints.follow-confirm"


def complaint_follow_request(*, complaint: Complaint, email: str, language: str = "") -> str:
    """Asks to follow a complaint: e-mails the address a link to confirm (after the commit)
    and stores nothing (double opt-in: nobody can subscribe someone else's address). Returns
    the link's token, which carries the request (core.tokens)."""
    email = _follow_checked(complaint=complaint, email=email)
    token = token_make({"c": complaint.pk, "e": email, "l": language}, salt=FOLLOW_CONFIRM_SALT)
    enqueue_or_run_on_commit("complaints.tasks.send_follow_confirmation_task", token)
    return token


def complaint_follow_request_read(
    *, municipality: Municipality, token: str
) -> tuple[Complaint, dict]:
    """The complaint (public fields) and the request a follow link carries, or
    ValidationError for a forged, expired or another municipality's link."""
    payload = token_read(token, salt=FOLLOW_CONFIRM_SALT) or {}
    complaint = None
    if isinstance(payload.get("c"), int):
        complaint = (
            Complaint.public_objects.for_municipality(municipality).filter(pk=payload["c"]).first()
        )
    if complaint is None:
        raise ValidationError(_("This confirmation link is not valid or has expired."))
    return complaint, payload


def complaint_follow_confirm(
    *, municipality: Municipality, token: str
) -> tuple[ComplaintFollower, bool]:
    """The confirmation page's POST: the follower the link asks for is created."""
    complaint, payload = complaint_follow_request_read(municipality=municipality, token=token)
    return complaint_follow(
        complaint=complaint, email=payload["e"], language=payload.get("l") or ""
    )


def follow_confirmation_send(*, token: str) -> bool:
    """E-mails the follow link (the task's work); False for a token no longer usable."""
    payload = token_read(token, salt=FOLLOW_CONFIRM_SALT)
    if payload is None:
        return False
    complaint = (
        Complaint.public_objects.select_related("municipality").filter(pk=payload.get("c")).first()
    )
    if complaint is None:
        return False
    url = complaint.municipality.absolute_url(
        reverse("complaints:follow_confirm", kwargs={"code": complaint.code, "token": token})
    )
    with translation.override(payload.get("l") or settings.LANGUAGE_CODE):
        subject = _("Confirm that you want to follow complaint %(code)s") % {"code": complaint.code}
        body = "\n".join(
            [
                _(
                    "Someone, we hope you, asked to follow complaint %(code)s on the portal of "
                    "%(municipality)s and be e-mailed each change of its status."
                )
                % {"code": complaint.code, "municipality": complaint.municipality.name},
                "",
                _("To confirm, open this link and press the button:"),
                url,
                "",
                _(
                    "If it was not you, ignore this e-mail: nothing was saved, and nothing "
                    "will be sent to you."
                ),
            ]
        )
    send_mail(str(subject), body, None, [payload["e"]])
    return True


def complaint_unfollow(*, follower: ComplaintFollower) -> None:
    ComplaintFollower.objects.filter(pk=follower.pk).delete()


def _follower_message(
    *,
    complaint: Complaint,
    update: ComplaintUpdate,
    follower: ComplaintFollower,
    connection: BaseEmailBackend,
) -> EmailMessage:
    unfollow_url = complaint.municipality.absolute_url(
        complaint_unfollow_url(follower=follower, code=complaint.code)
    )
    with translation.override(follower.language or settings.LANGUAGE_CODE):
        status = update.get_status_display()
        subject = _("Complaint %(code)s that you follow: %(status)s") % {
            "code": complaint.code,
            "status": status,
        }
        lines = [
            _("The status of the complaint %(code)s that you follow is now: %(status)s.")
            % {"code": complaint.code, "status": status},
        ]
        if update.note:
            lines += ["", update.note]
        lines += [
            "",
            _("See it at %(url)s on the portal of %(municipality)s.")
            % {
                "url": complaint.municipality.absolute_url(complaint.get_absolute_url()),
                "municipality": complaint.municipality.name,
            },
            "",
            _("To stop receiving these e-mails, open %(url)s") % {"url": unfollow_url},
        ]
    headers = {"List-Unsubscribe": f"<{unfollow_url}>"} if unfollow_url.startswith("https") else {}
    return EmailMessage(
        subject, "\n".join(lines), None, [follower.email], connection=connection, headers=headers
    )


def complaint_notify_followers(*, update: ComplaintUpdate) -> int:
    """E-mails each follower the new status, with their own unsubscribe link, and returns how
    many were e-mailed. A follower is e-mailed once per change even if the task runs twice or
    twice at once: each batch is locked (rows another run holds are skipped), sent and marked
    in one transaction. A follower who also reported the complaint gets only the reporter's
    e-mail. If sending fails, the batch is not marked and a retry (or the sweeper) sends it
    again. Once no follower is left to tell, the update is no longer pending for the sweeper."""
    complaint = Complaint.private_objects.select_related("municipality").get(pk=update.complaint_id)
    pending = (
        ComplaintFollower.objects.filter(complaint=complaint, confirmed_at__isnull=False)
        .filter(Q(last_notified_update__isnull=True) | Q(last_notified_update_id__lt=update.id))
        .exclude(email=complaint.reporter_email.strip().lower())
        .order_by("id")
    )
    sent = 0
    with get_connection() as connection:
        while True:
            with transaction.atomic():
                batch = list(pending.select_for_update(skip_locked=True)[:FOLLOWER_BATCH_SIZE])
                if not batch:
                    break
                connection.send_messages(
                    [
                        _follower_message(
                            complaint=complaint,
                            update=update,
                            follower=follower,
                            connection=connection,
                        )
                        for follower in batch
                    ]
                )
                ComplaintFollower.objects.filter(pk__in=[f.pk for f in batch]).update(
                    last_notified_update=update
                )
            sent += len(batch)
    # Without skip_locked: a batch another run still holds counts as pending, so the flag is
    # cleared by the last run to finish, or stays for the sweeper if that run fails.
    if not pending.exists():
        ComplaintUpdate.objects.filter(pk=update.pk, followers_email_pending=True).update(
            followers_email_pending=False
        )
    return sent


def complaint_updates_notify_pending(
    *, now: datetime.datetime | None = None, limit: int = SWEEP_BATCH_SIZE
) -> int:
    """The sweeper: sends the e-mails of status changes that nobody sent (the broker was down
    when they were committed, or sending failed), oldest first, at most ``limit`` changes a
    run, and returns how many e-mails were sent. Changes younger than ``NOTIFY_GRACE`` are left
    to the tasks enqueued on commit. Each e-mail is claimed as the tasks claim it, so a change
    is never e-mailed twice, and a failure leaves it pending for the next run."""
    cutoff = (now or timezone.now()) - NOTIFY_GRACE
    due = ComplaintUpdate.objects.filter(
        Q(reporter_email_pending=True) | Q(followers_email_pending=True),
        created_at__lte=cutoff,
    ).order_by("created_at", "id")[:limit]
    sent = 0
    for update in due:
        for pending, notify in (
            (update.reporter_email_pending, complaint_notify_reporter),
            (update.followers_email_pending, complaint_notify_followers),
        ):
            if not pending:
                continue
            try:
                sent += int(notify(update=update))
            except Exception:  # noqa: BLE001 - any failure: it stays pending for the next run
                logger.exception("E-mails of complaint update %s not sent", update.pk)
    return sent


# --- "Has it been fixed?" ------------------------------------------------------------------------

FIXED_QUESTION_SALT = "complaints.fixed-question"
#: How long the question's link works after it is e-mailed.
FIXED_QUESTION_MAX_AGE = 60 * 60 * 24 * 60


def _fixed_question_create(*, complaint: Complaint, at: datetime.datetime) -> None:
    """The first time a complaint with a reporter's e-mail is resolved or closed, its one
    question is written (the e-mail's outbox row) and sent after the commit."""
    question, created = FixedQuestion.objects.get_or_create(
        complaint=complaint, defaults={"created_at": at}
    )
    if created:
        enqueue_on_commit("complaints.tasks.ask_fixed_task", question.pk)


def fixed_question_url(*, question: FixedQuestion) -> str:
    token = token_make({"q": question.pk}, salt=FIXED_QUESTION_SALT)
    return reverse("complaints:fixed_answer", kwargs={"token": token})


def fixed_question_for_token(*, municipality: Municipality, token: str) -> FixedQuestion | None:
    """The question a link names, in this municipality, with its complaint (public fields)."""
    payload = token_read(token, salt=FIXED_QUESTION_SALT, max_age=FIXED_QUESTION_MAX_AGE)
    if payload is None or not isinstance(payload.get("q"), int):
        return None
    return (
        FixedQuestion.objects.filter(pk=payload["q"], complaint__municipality=municipality)
        .select_related("complaint__service_type")
        .defer(*(f"complaint__{name}" for name in REPORTER_FIELDS))
        .first()
    )


def fixed_question_send(*, question: FixedQuestion) -> bool:
    """E-mails the reporter the question, once (claimed, sent and marked in one transaction,
    as the status e-mails are: a failure leaves it pending for the sweeper)."""
    complaint = Complaint.private_objects.select_related("municipality", "service_type").get(
        pk=question.complaint_id
    )
    with transaction.atomic():
        claimed = claim_pending(
            FixedQuestion.objects.filter(pk=question.pk),
            pending={"email_pending": True},
            mark={
                "email_pending": False,
                "sent_at": timezone.now() if complaint.reporter_email else None,
            },
        )
        if not claimed or not complaint.reporter_email:
            return False
        url = complaint.municipality.absolute_url(fixed_question_url(question=question))
        with translation.override(complaint.language or settings.LANGUAGE_CODE):
            subject = _("Has it been fixed? Your complaint %(code)s") % {"code": complaint.code}
            body = "\n".join(
                [
                    _("Your complaint %(code)s (%(service)s) is now: %(status)s.")
                    % {
                        "code": complaint.code,
                        "service": complaint.service_type.name,
                        "status": complaint.get_status_display(),
                    },
                    "",
                    _(
                        "Has the problem been fixed? Tell us with one click, and a comment if "
                        "you like. If it has not, the complaint is opened again."
                    ),
                    url,
                    "",
                    _("We ask only once. Thank you."),
                ]
            )
        send_mail(str(subject), body, None, [complaint.reporter_email])
    return True


def fixed_questions_send_pending(
    *, now: datetime.datetime | None = None, limit: int = SWEEP_BATCH_SIZE
) -> int:
    """The sweeper's share: questions nobody e-mailed a minute after they were written."""
    cutoff = (now or timezone.now()) - NOTIFY_GRACE
    due = FixedQuestion.objects.filter(email_pending=True, created_at__lte=cutoff)
    sent = 0
    for question in due.order_by("created_at", "id")[:limit]:
        try:
            sent += int(fixed_question_send(question=question))
        except Exception:  # noqa: BLE001 - any failure: it stays pending for the next run
            logger.exception("'Has it been fixed?' question %s not sent", question.pk)
    return sent


@transaction.atomic
def fixed_question_answer(
    *, question: FixedQuestion, fixed: bool, comment: str = ""
) -> FixedQuestion:
    """Records the reporter's one answer. "No" reopens the complaint (received again, with a
    public note in its history; the comment stays for staff) and it then counts as not fixed.
    A second answer raises ValidationError."""
    locked = FixedQuestion.objects.select_for_update().get(pk=question.pk)
    if locked.answered_at is not None:
        raise ValidationError(_("This question has already been answered: thank you."))
    locked.answered_at = timezone.now()
    locked.fixed = fixed
    locked.comment = comment.strip()
    locked.full_clean(exclude=["complaint"])
    locked.save(update_fields=["answered_at", "fixed", "comment"])
    complaint = Complaint.private_objects.get(pk=locked.complaint_id)
    if not fixed and complaint.status in FIXED_STATUSES:
        complaint_change_status(
            complaint=complaint,
            status=Complaint.Status.RECEIVED,
            note=_("Reopened: the person who reported it says the problem has not been fixed."),
        )
    return locked


# --- Photos kept across the web form's confirmation step -------------------------------------


def pending_photos_store(*, uploads: Sequence) -> str:
    """Validates and re-encodes the uploads, keeps them aside and returns a signed token."""
    validate_photos(list(uploads))
    names = []
    for upload in uploads:
        clean = reencode_photo(upload)
        names.append(default_storage.save(f"{PENDING_PHOTOS_DIR}/{clean.name}", clean))
    return signing.dumps(names, salt=PENDING_PHOTOS_SALT) if names else ""


def _pending_photo_names(names: object) -> list[str]:
    """The token's names, normalised; each must be a photo directly in the pending folder
    (a token is signed, but a leaked secret key must not reach other files through it)."""
    if not isinstance(names, list) or len(names) > MAX_PHOTOS:
        raise SuspiciousFileOperation("The pending photos are not a short list of names.")
    checked = []
    for name in names:
        checked.append(safe_storage_name(name, folder=PENDING_PHOTOS_DIR))
        directory, base = posixpath.split(checked[-1])
        if directory != PENDING_PHOTOS_DIR or extension_of(base) not in PHOTO_FORMATS:
            raise SuspiciousFileOperation(f"{name!r} is not a pending photo.")
    return checked


def pending_photos_check(*, token: str) -> list[str]:
    """The stored names a token of ``pending_photos_store`` holds, once it is known to be ours,
    unexpired, and to name only photos in the pending folder (the form checks it too, so that
    a bad token is a message on the form). A single name outside that folder refuses it all."""
    if not token:
        return []
    try:
        names = signing.loads(token, salt=PENDING_PHOTOS_SALT, max_age=PENDING_PHOTOS_MAX_AGE)
    except signing.BadSignature as error:
        raise ValidationError(
            _("The photos you attached have expired: attach them again.")
        ) from error
    try:
        return _pending_photo_names(names)
    except SuspiciousFileOperation as error:
        logger.warning("Refused pending photos: %s", error)
        raise ValidationError(
            _("The photos you attached cannot be used: attach them again."),
            code="bad_pending_photos",
        ) from error


def pending_photos_take(*, token: str) -> list[ContentFile]:
    """The photos kept by ``pending_photos_store``, removed from the pending folder once the
    caller's transaction commits."""
    names = pending_photos_check(token=token)
    photos = []
    for name in names:
        if not default_storage.exists(name):
            continue
        with default_storage.open(name) as stored:
            photos.append(
                ContentFile(stored.read(), name=f"{uuid.uuid4().hex}.{name.rsplit('.', 1)[-1]}")
            )
        transaction.on_commit(functools.partial(default_storage.delete, name))
    return photos


# --- Open311 keys -----------------------------------------------------------------------------


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# What the audit trail keeps of a key: who it is for and how it begins, never its hash.
OPEN311_KEY_AUDIT_FIELDS = ["name", "key_prefix", "revoked_at"]


@transaction.atomic
def open311_key_create(
    *, municipality: Municipality, name: str, actor: User | None = None, system: str = ""
) -> tuple[Open311Client, str]:
    """Issues a key for a client system. The key is returned once; only its hash is stored.

    Recorded in the audit trail, by ``actor`` (staff in the admin) or ``system`` (a command)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the client system.")})
    if Open311Client.objects.filter(
        municipality=municipality, name=name, revoked_at__isnull=True
    ).exists():
        raise ValidationError(
            {"name": _("An active key named %(name)s already exists.") % {"name": name}}
        )
    key = secrets.token_urlsafe(32)
    client = Open311Client.objects.create(
        municipality=municipality, name=name, key_prefix=key[:8], key_hash=_hash_key(key)
    )
    audit_record(
        instance=client,
        action="issue",
        actor=actor,
        system=system,
        only=OPEN311_KEY_AUDIT_FIELDS,
    )
    return client, key


@transaction.atomic
def open311_key_revoke(
    *, client: Open311Client, actor: User | None = None, system: str = ""
) -> Open311Client:
    """Revokes the key, once: a key already revoked (here or concurrently) is left as it is
    and nothing more is recorded."""
    now = timezone.now()
    revoked = Open311Client.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
        revoked_at=now
    )
    if revoked:
        client.revoked_at = now
        audit_record(
            instance=client,
            action="revoke",
            actor=actor,
            system=system,
            before={"revoked_at": None},
            only=["revoked_at"],
        )
    return client


def open311_client_for_key(*, municipality: Municipality, key: str) -> Open311Client | None:
    if not key:
        return None
    client = Open311Client.objects.filter(
        municipality=municipality, key_hash=_hash_key(key), revoked_at__isnull=True
    ).first()
    now = timezone.now()
    if client is not None and (
        client.last_used_at is None or now - client.last_used_at > KEY_LAST_USED_RESOLUTION
    ):
        # To the minute: a busy key would otherwise write its row on every request.
        Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
    return client

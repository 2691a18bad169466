"""Writes of the guardians program. Views, admin actions, commands and tasks all call these."""

import datetime
import logging
import secrets
import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.functional import Promise
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.services import user_create
from audit.services import audit_record, audit_snapshot
from core.outbox import claim_pending, enqueue_on_commit
from core.photos import reencode_photo, validate_photos
from territory.models import Colonia, Municipality, PublicSpace, ServiceType

from .card_templates import DEFAULT_CARDS
from .models import (
    AttemptAnswer,
    Card,
    CardAnswer,
    CardPhoto,
    CardTemplate,
    CardTemplateItem,
    Evaluation,
    EvaluationAttempt,
    Guardian,
    GuardianApplication,
    QuestionChoice,
    TrainingAttendance,
    TrainingSession,
    Visit,
    VisitPhoto,
)
from .selectors import program_staff_emails, spaces_for_guardian
from .signals import card_filed

logger = logging.getLogger(__name__)
# The sweeper leaves a card alone this long after it was filed, so that it does not race the
# task enqueued on commit, which e-mails the staff within seconds while the broker is up.
CARD_NOTIFY_GRACE = datetime.timedelta(minutes=1)
CARD_SWEEP_BATCH_SIZE = 100  # cards per sweep: one e-mail each
Kind = CardTemplateItem.Kind


# --- Guardians ---------------------------------------------------------------------------------


def guardian_application_submit(
    *,
    municipality: Municipality,
    full_name: str,
    email: str,
    phone: str,
    colonia: Colonia,
    accepted_privacy_notice: bool,
    service_types: Iterable[ServiceType] = (),
    spaces: Iterable[PublicSpace] = (),
    motivation: str = "",
) -> GuardianApplication:
    if not accepted_privacy_notice:
        raise ValidationError(
            {"accept_privacy_notice": _("You must accept the privacy notice to sign up.")}
        )
    if colonia.municipality_id != municipality.pk:
        raise ValidationError({"colonia": _("Choose a colonia of this municipality.")})
    application = GuardianApplication(
        municipality=municipality,
        full_name=full_name.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        colonia=colonia,
        motivation=motivation,
        privacy_accepted_at=timezone.now(),
    )
    application.full_clean()
    application.save()
    application.service_types.set(
        [s for s in service_types if s.municipality_id == municipality.pk]
    )
    application.spaces.set([s for s in spaces if s.municipality_id == municipality.pk])
    return application


def _user_for_guardian(*, municipality: Municipality, email: str, full_name: str) -> User:
    """An existing user of the municipality with that e-mail (and no guardian profile yet), or a
    new one with no usable password: the invitation link lets them choose it."""
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.municipality_id not in (None, municipality.pk) or hasattr(
            existing, "guardian_profile"
        ):
            raise ValidationError(_("A guardian or user with this e-mail already exists."))
        return existing
    first_name, _sep, last_name = full_name.strip().partition(" ")
    username = email.lower()[:150]
    if User.objects.filter(username=username).exists():
        username = f"{username[:140]}-{uuid.uuid4().hex[:6]}"
    return user_create(
        username=username,
        password=None,
        email=email.lower(),
        municipality=municipality,
        first_name=first_name[:150],
        last_name=last_name[:150],
    )


def _add_role(user: User, role: str) -> None:
    group, _created = Group.objects.get_or_create(name=role)
    user.groups.add(group)


# What the audit trail keeps of a card's review (the reviewer is the entry's actor).
CARD_REVIEW_AUDIT_FIELDS = ["review_status", "review_note"]

# What the audit trail keeps of a guardian: the appointment, not the person's contact data.
GUARDIAN_AUDIT_FIELDS = [
    "municipality",
    "user",
    "colonia",
    "status",
    "is_lead",
    "appointed_on_visit",
]


@transaction.atomic
def guardian_create(
    *,
    municipality: Municipality,
    user: User,
    colonia: Colonia,
    phone: str = "",
    service_types: Iterable[ServiceType] = (),
    spaces: Iterable[PublicSpace] = (),
    is_lead: bool = False,
    appointed_on_visit: Visit | None = None,
    privacy_accepted_at: datetime.datetime | None = None,
    actor: User | None = None,
) -> Guardian:
    if colonia.municipality_id != municipality.pk:
        raise ValidationError(_("Choose a colonia of this municipality."))
    guardian = Guardian(
        municipality=municipality,
        user=user,
        colonia=colonia,
        phone=phone,
        appointed_on_visit=appointed_on_visit,
        privacy_accepted_at=privacy_accepted_at,
    )
    guardian.save()
    guardian.service_types.set(service_types)
    guardian.spaces.set(spaces)
    _add_role(user, Role.GUARDIAN)
    audit_record(instance=guardian, action="create", actor=actor, only=GUARDIAN_AUDIT_FIELDS)
    if is_lead:
        guardian_set_lead(guardian=guardian, is_lead=True, actor=actor)
    return guardian


def guardian_set_lead(*, guardian: Guardian, is_lead: bool, actor: User | None = None) -> Guardian:
    """Appoints (or removes) the lead guardian of a colonia; the database allows one active."""
    before = {"is_lead": guardian.is_lead}
    guardian.is_lead = is_lead
    try:
        with transaction.atomic():
            guardian.save(update_fields=["is_lead"])
            audit_record(
                instance=guardian,
                action="update",
                actor=actor,
                before=before,
                only=["is_lead"],
            )
    except IntegrityError as error:
        guardian.is_lead = False
        raise ValidationError(
            _("The colonia %(colonia)s already has an active lead guardian."),
            code="lead_exists",
            params={"colonia": guardian.colonia},
        ) from error
    if is_lead:
        _add_role(guardian.user, Role.LEAD_GUARDIAN)
    else:
        guardian.user.groups.remove(*Group.objects.filter(name=Role.LEAD_GUARDIAN))
    return guardian


@transaction.atomic
def guardian_deactivate(*, guardian: Guardian, actor: User | None = None) -> Guardian:
    before = audit_snapshot(guardian, only=GUARDIAN_AUDIT_FIELDS)
    guardian.status = Guardian.Status.INACTIVE
    guardian.is_lead = False
    guardian.save(update_fields=["status", "is_lead"])
    audit_record(
        instance=guardian, action="update", actor=actor, before=before, only=GUARDIAN_AUDIT_FIELDS
    )
    guardian.user.groups.remove(*Group.objects.filter(name__in=[Role.GUARDIAN, Role.LEAD_GUARDIAN]))
    return guardian


def guardian_invitation_send(*, guardian: Guardian, base_url: str) -> None:
    """E-mails the link to choose a password (Django's password-reset token machinery)."""
    user = guardian.user
    link = base_url.rstrip("/") + reverse(
        "guardians:welcome",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "link": link, "municipality": guardian.municipality}
    subject = _("Welcome to the Citizen Guardians of %(name)s") % {
        "name": guardian.municipality.name
    }
    body = render_to_string("guardians/email/invitation.txt", context)
    transaction.on_commit(
        partial(send_mail, subject, body, None, [user.email], fail_silently=False)
    )


@transaction.atomic
def guardian_application_approve(
    *,
    application: GuardianApplication,
    reviewed_by: User,
    base_url: str,
    appointed_on_visit: Visit | None = None,
    is_lead: bool = False,
) -> Guardian:
    """Creates the account and the guardian profile and sends the invitation e-mail."""
    application = GuardianApplication.private_objects.select_for_update().get(pk=application.pk)
    if application.status != GuardianApplication.Status.PENDING:
        raise ValidationError(_("This application has already been reviewed."))
    # Anyone can apply with any address: never hand a superuser's or another municipality's
    # account (or one bound to none) a guardian profile and an invitation.
    if (
        User.objects.filter(email__iexact=application.email)
        .filter(Q(is_superuser=True) | ~Q(municipality=application.municipality_id))
        .exists()
    ):
        raise ValidationError(
            _(
                "This e-mail belongs to an administrator or to an account of another "
                "municipality, so it cannot become a guardian. Ask the applicant for another "
                "e-mail."
            ),
            code="foreign_account",
        )
    user = _user_for_guardian(
        municipality=application.municipality,
        email=application.email,
        full_name=application.full_name,
    )
    guardian = guardian_create(
        municipality=application.municipality,
        user=user,
        colonia=application.colonia,
        phone=application.phone,
        service_types=application.service_types.all(),
        spaces=application.spaces.all(),
        is_lead=is_lead,
        appointed_on_visit=appointed_on_visit,
        privacy_accepted_at=application.privacy_accepted_at,
        actor=reviewed_by,
    )
    application.status = GuardianApplication.Status.APPROVED
    application.reviewed_by = reviewed_by
    application.reviewed_at = timezone.now()
    application.guardian = guardian
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "guardian"])
    guardian_invitation_send(guardian=guardian, base_url=base_url)
    return guardian


@transaction.atomic
def guardian_application_reject(*, application: GuardianApplication, reviewed_by: User) -> None:
    updated = GuardianApplication.private_objects.filter(
        pk=application.pk, status=GuardianApplication.Status.PENDING
    ).update(
        status=GuardianApplication.Status.REJECTED,
        reviewed_by=reviewed_by,
        reviewed_at=timezone.now(),
    )
    if not updated:
        raise ValidationError(_("This application has already been reviewed."))


# --- Visits ------------------------------------------------------------------------------------


@transaction.atomic
def visit_create(
    *,
    municipality: Municipality,
    date: datetime.date,
    colonia: Colonia,
    people_contacted: int,
    created_by: User | None = None,
    spaces: Iterable[PublicSpace] = (),
    staff_present: Iterable = (),
    notes: str = "",
    photos: Iterable = (),
) -> Visit:
    photos = list(photos)
    validate_photos(photos)
    if colonia.municipality_id != municipality.pk:
        raise ValidationError({"colonia": _("Choose a colonia of this municipality.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The visit date cannot be in the future.")})
    visit = Visit.objects.create(
        municipality=municipality,
        date=date,
        colonia=colonia,
        people_contacted=people_contacted,
        notes=notes,
        created_by=created_by,
    )
    visit.spaces.set(spaces)
    _record_visit_facts(visit=visit, staff_present=staff_present, photos=photos)
    return visit


def _record_visit_facts(*, visit: Visit, staff_present: Iterable, photos: list) -> None:
    visit.staff_present.set(staff_present)
    for upload in photos:
        VisitPhoto.objects.create(visit=visit, image=reencode_photo(upload))


def _new_brief_token() -> str:
    return secrets.token_urlsafe(24)


def _check_visit_places(
    *, municipality: Municipality, colonia: Colonia, spaces: list[PublicSpace]
) -> None:
    if colonia.municipality_id != municipality.pk:
        raise ValidationError({"colonia": _("Choose a colonia of this municipality.")})
    if any(space.municipality_id != municipality.pk for space in spaces):
        raise ValidationError({"space_codes": _("Choose spaces of this municipality.")})


@transaction.atomic
def visit_plan(
    *,
    municipality: Municipality,
    date: datetime.date,
    colonia: Colonia,
    created_by: User | None = None,
    spaces: Iterable[PublicSpace] = (),
    guardians_invited: Iterable[Guardian] = (),
    public_note: str = "",
    notes: str = "",
) -> Visit:
    """Plans a visit for today or a date to come and gives it the unguessable token of its
    public pre-visit brief. A date in the past is refused: that visit is recorded, not planned."""
    spaces = list(spaces)
    guardians_invited = list(guardians_invited)
    if date < timezone.localdate():
        raise ValidationError({"date": _("Choose today or a date to come.")})
    _check_visit_places(municipality=municipality, colonia=colonia, spaces=spaces)
    if any(
        guardian.municipality_id != municipality.pk or guardian.status != Guardian.Status.ACTIVE
        for guardian in guardians_invited
    ):
        raise ValidationError(
            {"guardians_invited": _("Invite active guardians of this municipality.")}
        )
    visit = Visit.objects.create(
        municipality=municipality,
        date=date,
        colonia=colonia,
        status=Visit.Status.PLANNED,
        brief_token=_new_brief_token(),
        public_note=public_note,
        notes=notes,
        created_by=created_by,
    )
    visit.spaces.set(spaces)
    visit.guardians_invited.set(guardians_invited)
    return visit


@transaction.atomic
def visit_carry_out(
    *,
    visit: Visit,
    date: datetime.date,
    people_contacted: int,
    recorded_by: User | None = None,
    spaces: Iterable[PublicSpace] | None = None,
    staff_present: Iterable = (),
    notes: str | None = None,
    photos: Iterable = (),
) -> Visit:
    """Records a planned visit as carried out (the same facts as ``visit_create``): its status
    moves from planned to done. Its public brief stays at the same link."""
    photos = list(photos)
    validate_photos(photos)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError(_("This visit has already been recorded as carried out."))
    if date > timezone.localdate():
        raise ValidationError({"date": _("The visit date cannot be in the future.")})
    if spaces is not None:
        spaces = list(spaces)
        _check_visit_places(municipality=visit.municipality, colonia=visit.colonia, spaces=spaces)
        visit.spaces.set(spaces)
    visit.status = Visit.Status.DONE
    visit.date = date
    visit.people_contacted = people_contacted
    if notes is not None:
        visit.notes = notes
    visit.save(update_fields=["status", "date", "people_contacted", "notes"])
    _record_visit_facts(visit=visit, staff_present=staff_present, photos=photos)
    return visit


# --- Training ----------------------------------------------------------------------------------


@transaction.atomic
def training_attendance_record(
    *,
    session: TrainingSession,
    guardians: Iterable[Guardian] = (),
    applications: Iterable[GuardianApplication] = (),
    recorded_by: User | None = None,
) -> int:
    """Sets who came to a training session: the checked guardians and applicants replace the
    session's previous list, all or nothing. More people than the session's capacity, or
    anyone of another municipality, is refused and nothing changes. Returns how many came."""
    guardians = list(guardians)
    applications = list(applications)
    # One writer per session at a time, so two checklists saved at once cannot both pass the
    # capacity check.
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    municipality_id = session.municipality_id
    if any(g.municipality_id != municipality_id for g in guardians) or any(
        a.municipality_id != municipality_id for a in applications
    ):
        raise ValidationError(_("Choose people of this municipality."))
    guardian_ids = {g.pk for g in guardians}
    application_ids = {a.pk for a in applications if a.guardian_id not in guardian_ids}
    present = len(guardian_ids) + len(application_ids)
    if session.capacity is not None and present > session.capacity:
        raise ValidationError(
            {
                "attendees": _(
                    "%(present)s people were checked but the session takes at most "
                    "%(capacity)s. Uncheck someone or raise the capacity."
                )
                % {"present": present, "capacity": session.capacity}
            }
        )
    attendance = TrainingAttendance.objects.filter(session=session)
    attendance.exclude(
        Q(guardian_id__in=guardian_ids) | Q(application_id__in=application_ids)
    ).delete()
    kept = attendance.values_list("guardian_id", "application_id")
    kept_guardians = {g for g, _a in kept if g}
    kept_applications = {a for _g, a in kept if a}
    TrainingAttendance.objects.bulk_create(
        [
            TrainingAttendance(session=session, guardian_id=pk, recorded_by=recorded_by)
            for pk in sorted(guardian_ids - kept_guardians)
        ]
        + [
            TrainingAttendance(session=session, application_id=pk, recorded_by=recorded_by)
            for pk in sorted(application_ids - kept_applications)
        ]
    )
    return present


@transaction.atomic
def evaluation_submit(
    *, evaluation: Evaluation, guardian: Guardian, answers: dict[int, int | None]
) -> EvaluationAttempt:
    """Scores a guardian's answers ({question id: choice id}); one attempt per evaluation."""
    if evaluation.session.municipality_id != guardian.municipality_id:
        raise PermissionDenied
    if EvaluationAttempt.objects.filter(evaluation=evaluation, guardian=guardian).exists():
        raise ValidationError(_("You have already taken this test."), code="already_taken")
    questions = list(evaluation.questions.all())
    choices = {
        choice.pk: choice for choice in QuestionChoice.objects.filter(question__in=questions)
    }
    rows = []
    for question in questions:
        choice = choices.get(answers.get(question.pk) or 0)
        if choice is not None and choice.question_id != question.pk:
            choice = None
        rows.append(
            AttemptAnswer(
                question=question,
                choice=choice,
                is_correct=bool(choice and choice.is_correct),
            )
        )
    try:
        with transaction.atomic():
            attempt = EvaluationAttempt.objects.create(
                evaluation=evaluation,
                guardian=guardian,
                correct=sum(row.is_correct for row in rows),
                total=len(rows),
            )
    except IntegrityError as error:
        raise ValidationError(
            _("You have already taken this test."), code="already_taken"
        ) from error
    for row in rows:
        row.attempt = attempt
    AttemptAnswer.objects.bulk_create(rows)
    return attempt


# --- Card templates ----------------------------------------------------------------------------


@transaction.atomic
def card_template_version_save(*, template: CardTemplate) -> CardTemplate:
    """Saves an unsaved template as the next (current) version of its service's card.

    Earlier versions stay untouched, so the cards filled with them keep their questions.
    """
    ServiceType.objects.select_for_update().filter(pk=template.service_type_id).first()
    previous = CardTemplate.objects.filter(service_type=template.service_type)
    template.version = (previous.aggregate(v=Max("version"))["v"] or 0) + 1
    previous.filter(is_current=True).update(is_current=False)
    template.is_current = True
    template.municipality_id = template.service_type.municipality_id
    template.save()
    return template


@transaction.atomic
def card_template_create(
    *, service_type: ServiceType, name: str, items: list[dict]
) -> CardTemplate:
    """A new version of the card for a service, with its items (dicts of item fields)."""
    template = card_template_version_save(
        template=CardTemplate(
            municipality=service_type.municipality, service_type=service_type, name=name
        )
    )
    rows = []
    for order, fields in enumerate(items, start=1):
        item = CardTemplateItem(template=template, order=order * 10, **fields)
        item.full_clean(exclude=["template"])
        rows.append(item)
    CardTemplateItem.objects.bulk_create(rows)
    return template


def _texts_resolved(fields: dict) -> dict:
    """An item's fields with its texts (lazy in ``card_templates``) in the active language."""
    return {
        name: str(value) if isinstance(value, Promise) else value for name, value in fields.items()
    }


@transaction.atomic
def seed_card_templates(*, municipality: Municipality) -> list[CardTemplate]:
    """The default cards for parks, garbage collection and street lighting
    (``guardians.card_templates``), for every service of those categories that has no card yet
    (the service types are created when missing). Running it twice creates nothing the second
    time."""
    created = []
    with translation.override(translation.get_language() or "es-mx"):
        for category, default in DEFAULT_CARDS.items():
            if not ServiceType.objects.filter(
                municipality=municipality, category=category
            ).exists():
                ServiceType.objects.get_or_create(
                    municipality=municipality,
                    code=default.service_code,
                    defaults={"name": default.service_name, "category": category},
                )
        services = ServiceType.objects.filter(
            municipality=municipality, category__in=list(DEFAULT_CARDS)
        ).exclude(card_templates__isnull=False)
        for service in services:
            default = DEFAULT_CARDS[service.category]
            created.append(
                card_template_create(
                    service_type=service,
                    name=str(default.name),
                    items=[_texts_resolved(item) for item in default.items],
                )
            )
    return created


# --- Cards -------------------------------------------------------------------------------------


def answer_is_failure(
    item: CardTemplateItem, *, value: str, number: int | None = None, total: int | None = None
) -> bool:
    """Whether an answer means a failure, by the rule the item declares."""
    if item.kind in (Kind.YES_NO, Kind.CHOICE):
        return value in item.failure_value_set
    if item.kind == Kind.MULTI_CHOICE:
        return bool(set(filter(None, value.split(";"))) & item.failure_value_set)
    if number is None:
        return False
    if item.kind == Kind.RATING:
        return item.failure_min is not None and number < item.failure_min
    if item.kind == Kind.COUNT:
        if item.failure_max is not None and number > item.failure_max:
            return True
        if item.has_total and total and item.failure_min is not None:
            return 100 * number < item.failure_min * total
    return False


def _answer_row(item: CardTemplateItem, raw: Any) -> CardAnswer | None:
    """Turns a cleaned form value into an answer row (None when the item was left empty)."""
    number = total = None
    if raw in (None, "", [], ()):
        return None
    if item.kind == Kind.MULTI_CHOICE:
        value = ";".join(raw)
    elif item.kind == Kind.RATING:
        number = int(raw)
        value = str(number)
    elif item.kind == Kind.COUNT:
        if item.has_total:
            number, total = (int(part) for part in raw)
            value = f"{number}/{total}"
        else:
            number = int(raw)
            value = str(number)
    else:
        value = str(raw)
    return CardAnswer(
        item=item,
        value=value,
        number=number,
        total=total,
        is_failure=answer_is_failure(item, value=value, number=number, total=total),
    )


def guardian_can_file(*, guardian: Guardian, space: PublicSpace, service_type: ServiceType) -> bool:
    if guardian.status != Guardian.Status.ACTIVE:
        return False
    if space.municipality_id != guardian.municipality_id:
        return False
    if not spaces_for_guardian(guardian=guardian).filter(pk=space.pk).exists():
        return False
    watched = list(guardian.service_types.values_list("pk", flat=True))
    return not watched or service_type.pk in watched


def card_submit(
    *,
    guardian: Guardian,
    client_id: uuid.UUID,
    template: CardTemplate,
    space: PublicSpace,
    observed_on: datetime.date,
    answers: dict[int, object],
    photos: Iterable = (),
    item_photos: dict[int, object] | None = None,
) -> tuple[Card, bool]:
    """Files a card. ``answers`` maps item ids to cleaned values; ``photos`` are the card's
    photos and ``item_photos`` those answering photo items (at most 3 in all).

    Idempotent on ``client_id``: submitting the same card again (a double tap, a retry from the
    phone's queue) returns the existing card and ``False``. A new card, once committed, is
    announced with ``guardians.signals.card_filed``.
    """
    existing = Card.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.guardian_id != guardian.pk:
            raise PermissionDenied
        return existing, False
    service_type = template.service_type
    if template.municipality_id != guardian.municipality_id:
        raise PermissionDenied
    if not guardian_can_file(guardian=guardian, space=space, service_type=service_type):
        raise ValidationError(
            {"space": _("You can only file cards for the spaces and services you watch.")}
        )
    today = timezone.localdate()
    if observed_on > today:
        raise ValidationError({"observed_on": _("The date observed cannot be in the future.")})
    if observed_on < today - datetime.timedelta(days=366):
        raise ValidationError({"observed_on": _("The date observed is more than a year ago.")})

    item_photos = {k: v for k, v in (item_photos or {}).items() if v}
    photos = list(photos)
    all_photos = photos + list(item_photos.values())
    validate_photos(all_photos)

    items = list(template.items.all())
    rows, errors = [], {}
    for item in items:
        raw = item_photos.get(item.pk) if item.kind == Kind.PHOTO else answers.get(item.pk)
        if item.kind == Kind.PHOTO:
            row = CardAnswer(item=item, value="1") if raw else None
        else:
            row = _answer_row(item, raw)
        if row is None and item.required:
            errors[f"item-{item.pk}"] = _("This question needs an answer.")
        if row is not None:
            rows.append(row)
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        try:
            with transaction.atomic():
                card = Card.objects.create(
                    municipality_id=guardian.municipality_id,
                    client_id=client_id,
                    template=template,
                    service_type=service_type,
                    space=space,
                    colonia_id=space.colonia_id or guardian.colonia_id,
                    guardian=guardian,
                    observed_on=observed_on,
                    failure_count=sum(row.is_failure for row in rows),
                )
        except IntegrityError:
            # The same card arrived twice at once: the other request filed it.
            return Card.objects.get(client_id=client_id), False
        for row in rows:
            row.card = card
        CardAnswer.objects.bulk_create(rows)
        for upload in photos:
            CardPhoto.objects.create(card=card, image=reencode_photo(upload))
        for item_id, upload in item_photos.items():
            CardPhoto.objects.create(card=card, item_id=item_id, image=reencode_photo(upload))
        # Once committed: the staff's e-mail (a broker outage must not turn the filing into an
        # error: the sweeper sends it), then the apps that react to a card (guardians.signals).
        enqueue_on_commit("guardians.tasks.card_filed", card.pk)
        transaction.on_commit(partial(card_filed.send, sender=Card, card=card))
    return card, True


@transaction.atomic
def card_review(*, card: Card, reviewer: User, note: str = "") -> Card:
    """Marks the card reviewed by staff; recorded in the audit trail with the reviewer."""
    before = audit_snapshot(card, only=CARD_REVIEW_AUDIT_FIELDS)
    card.review_status = Card.ReviewStatus.REVIEWED
    card.reviewed_by = reviewer
    card.reviewed_at = timezone.now()
    card.review_note = note
    card.save(update_fields=["review_status", "reviewed_by", "reviewed_at", "review_note"])
    audit_record(
        instance=card,
        action="review",
        actor=reviewer,
        before=before,
        only=CARD_REVIEW_AUDIT_FIELDS,
    )
    return card


def card_notify_staff(*, card: Card) -> bool:
    """E-mails the Sindicatura staff when a card reports failures, once per card, and returns
    whether an e-mail was sent.

    The card is locked (one another run holds is skipped), claimed, e-mailed and marked
    (``staff_notified_at``) in one transaction: a retried task or the sweeper never sends it
    twice, and if sending fails nothing is marked, so the sweeper sends it on a later run.
    """
    if card.failure_count == 0:
        return False
    with transaction.atomic():
        claimed = claim_pending(
            Card.objects.filter(pk=card.pk),
            pending={"staff_notified_at__isnull": True},
            mark={"staff_notified_at": timezone.now()},
        )
        recipients = program_staff_emails(municipality=card.municipality)
        # With nobody to e-mail the card stays marked: the sweeper must not come back to it.
        if not claimed or not recipients:
            return False
        pending = Card.objects.for_municipality(card.municipality).pending_review().count()
        queue_url = card.municipality.absolute_url(reverse("guardians:review_queue"))
        subject = _("A surveillance card reports %(count)s failing items") % {
            "count": card.failure_count
        }
        body = render_to_string(
            "guardians/email/card_filed.txt",
            {"card": card, "pending": pending, "queue_url": queue_url},
        )
        send_mail(subject, body, None, recipients, fail_silently=False)
    return True


def cards_notify_staff_pending(
    *, now: datetime.datetime | None = None, limit: int = CARD_SWEEP_BATCH_SIZE
) -> int:
    """The sweeper: e-mails the staff about the cards with failures that nobody told them of
    (the broker was down when the card was filed, or sending failed), oldest first, at most
    ``limit`` a run, and returns how many were sent. Cards younger than
    ``CARD_NOTIFY_GRACE`` are left to the task enqueued on commit; a failure leaves the card
    pending for the next run."""
    cutoff = (now or timezone.now()) - CARD_NOTIFY_GRACE
    due = (
        Card.objects.staff_email_due(submitted_before=cutoff)
        .select_related("municipality", "space")
        .order_by("submitted_at", "id")[:limit]
    )
    sent = 0
    for card in due:
        try:
            sent += card_notify_staff(card=card)
        except Exception:  # noqa: BLE001 - any failure: it stays pending for the next run
            logger.exception("Card %s: the e-mail to the staff was not sent", card.pk)
    return sent

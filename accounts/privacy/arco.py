"""ARCO rights: a person's data across every app, and its removal without losing the record.

Each app names its functions in its AppConfig, like ``demo_seeders`` and the page panels::

    class GuardiansConfig(AppConfig):
        personal_data_exporters = ["guardians.arco.export"]
        personal_data_anonymisers = ["guardians.arco.anonymise"]

    class ComplaintsConfig(AppConfig):
        personal_data_code_matchers = ["complaints.arco.code_matches"]

An exporter takes a ``Subject`` and returns a JSON-ready dict (or ``{}``/None when the app
holds nothing about them); an anonymiser takes a ``Subject`` and returns the primary keys of
what it changed or removed, by model label (``{"complaints.complaint": [4, 9]}``). Anonymisers
keep the public record (cards, complaints, needs, allocations stay) and replace the person's
fields with neutral values; they must not depend on each other's order, except that the
accounts anonymiser (which renames and deactivates the user) runs last. A code matcher takes
``municipality``, ``code`` and ``email`` and says whether the app filed that tracking code under
that address: how someone without an account proves a complaint is theirs.

Who the subject is, and where (issue 14): every matcher is scoped to ``subject.municipality``,
the municipality the request was made to. An account's rows are matched by foreign key. Rows
filed under an e-mail address (a complaint, a follow, an application) are matched only for
``subject.emails``, the addresses whose owner followed a link sent to them
(``email_confirmation_*`` below): an administrator who gives an account someone else's
address gets nothing of theirs. ``ArcoRequest.email`` is only ever set from such a link.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from django.apps import apps as global_apps
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_append

from ..models import ArcoRequest, User

if TYPE_CHECKING:
    from territory.models import Municipality

# What a person's name becomes once anonymised.
ANONYMISED_NAME = gettext_lazy("Anonymised person")

# How long a link sent to confirm an e-mail address stays good, and what the signature is
# salted with (so no other signed value of the portal passes for one).
EMAIL_CONFIRMATION_MAX_AGE = datetime.timedelta(hours=24)
# The salts keep the module's former name (accounts.arco): links already sent stay valid.
EMAIL_CONFIRMATION_SALT = "accounts.arco.email-confirmation"
COMPLAINT_REQUEST_SALT = "accounts.arco.complaint-request"


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


@dataclasses.dataclass(frozen=True)
class Subject:
    """Whose data, and where: the municipality the request was made to, a user account
    (matched by foreign key), the e-mail addresses its owner confirmed through a link, and the
    complaint tracking codes an account-less person proved to be theirs."""

    municipality: Municipality
    user: User | None = None
    emails: frozenset[str] = frozenset()
    complaint_codes: frozenset[str] = frozenset()

    @classmethod
    def for_user(cls, user: User, *, municipality, confirmed_email: str = "") -> Subject:
        emails = {normalise_email(confirmed_email)} if confirmed_email else set()
        return cls(municipality=municipality, user=user, emails=frozenset(emails))

    @classmethod
    def for_request(cls, request: ArcoRequest) -> Subject:
        municipality = request.municipality
        if municipality is None and request.user is not None:
            municipality = request.user.municipality
        if municipality is None:
            raise ValidationError(_("This request names no municipality."), code="municipality")
        emails = {normalise_email(request.email)} if request.email else set()
        codes = {request.complaint_code} if request.complaint_code else set()
        return cls(
            municipality=municipality,
            user=request.user,
            emails=frozenset(emails),
            complaint_codes=frozenset(codes),
        )

    def email_q(self, field: str) -> Q:
        """Rows whose ``field`` is one of the confirmed addresses, in any letter case."""
        condition = Q(pk__in=[])
        for email in self.emails:
            condition |= Q(**{f"{field}__iexact": email})
        return condition


def _functions(attribute: str) -> list[tuple[str, Callable]]:
    found = []
    for config in global_apps.get_app_configs():
        for entry in getattr(config, attribute, ()):
            found.append((config.label, import_string(entry) if isinstance(entry, str) else entry))
    return found


def exporters() -> list[tuple[str, Callable]]:
    return _functions("personal_data_exporters")


def anonymisers() -> list[tuple[str, Callable]]:
    # The accounts anonymiser renames the user, so the apps must read them first.
    found = _functions("personal_data_anonymisers")
    return [f for f in found if f[0] != "accounts"] + [f for f in found if f[0] == "accounts"]


def personal_data_export(*, subject: Subject) -> dict:
    """Everything the portal holds about the subject in its municipality, one section per app."""
    data = {"exported_at": timezone.now().isoformat()}
    for label, export in exporters():
        section = export(subject)
        if section:
            data[label] = section
    return data


# --- Confirming an e-mail address -------------------------------------------------------------


def _sign(payload: dict, *, salt: str) -> str:
    return signing.TimestampSigner(salt=salt).sign_object(payload, compress=True)


def _unsign(token: str, *, salt: str) -> dict:
    try:
        return signing.TimestampSigner(salt=salt).unsign_object(
            token, max_age=EMAIL_CONFIRMATION_MAX_AGE
        )
    except signing.SignatureExpired:
        raise ValidationError(
            _("This link has expired; ask for a new one."), code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid."), code="invalid") from None


def email_confirmation_token(*, user: User, municipality) -> str:
    """A link's token: this account's current address, for this municipality."""
    return _sign(
        {"user": user.pk, "email": normalise_email(user.email), "municipality": municipality.pk},
        salt=EMAIL_CONFIRMATION_SALT,
    )


def email_confirmation_read(token: str, *, user: User, municipality) -> str:
    """The address a token confirms, if it is still good for this account, its current
    address and this municipality; else a ValidationError."""
    payload = _unsign(token, salt=EMAIL_CONFIRMATION_SALT)
    if (
        payload.get("user") != user.pk
        or payload.get("municipality") != municipality.pk
        or not user.email
        or payload.get("email") != normalise_email(user.email)
    ):
        raise ValidationError(
            _("This link was sent for another account, address or municipality."),
            code="mismatch",
        )
    return payload["email"]


def email_confirmation_send(*, user: User, municipality, base_url: str) -> None:
    """E-mails the account's address a link that lets the data filed under it be matched."""
    if not user.email:
        raise ValidationError(_("Your account has no e-mail address."), code="no_email")
    token = email_confirmation_token(user=user, municipality=municipality)
    link = base_url.rstrip("/") + reverse("privacy:email_confirm", kwargs={"token": token})
    context = {"link": link, "municipality": municipality, "hours": _max_age_hours()}
    subject = _("Confirm your e-mail address for your personal data")
    body = render_to_string("accounts/email/arco_email_confirm.txt", context)
    transaction.on_commit(
        partial(send_mail, subject, body, None, [user.email], fail_silently=False)
    )


def _max_age_hours() -> int:
    return max(1, int(EMAIL_CONFIRMATION_MAX_AGE.total_seconds() // 3600))


# --- Requests -------------------------------------------------------------------------------


@transaction.atomic
def arco_request_create(
    *,
    kind: str,
    user: User,
    municipality,
    note: str = "",
    email_token: str = "",
) -> ArcoRequest:
    """A request from a signed-in person, to the municipality they ask. ``email_token`` (from
    a followed confirmation link) adds their confirmed address; without it only the rows
    linked to the account are covered."""
    if kind not in ArcoRequest.Kind.values:
        raise ValidationError(_("Unknown request kind."), code="kind")
    email = ""
    if email_token:
        email = email_confirmation_read(email_token, user=user, municipality=municipality)
    return ArcoRequest.objects.create(
        kind=kind, note=note, user=user, municipality=municipality, email=email
    )


def code_matchers() -> list[tuple[str, Callable]]:
    return _functions("personal_data_code_matchers")


def _complaint_matches(*, municipality, complaint_code: str, email: str) -> bool:
    """Whether an app that hands out tracking codes (complaints) filed one under this e-mail."""
    return any(
        matches(municipality=municipality, code=complaint_code, email=email)
        for _label, matches in code_matchers()
    )


def complaint_request_send(
    *,
    municipality,
    kind: str,
    complaint_code: str,
    email: str,
    note: str = "",
    base_url: str,
) -> None:
    """Someone who reported a complaint without an account names its tracking code and the
    e-mail they reported with; the request is made only once they follow the link sent to
    that address (``complaint_request_confirm``)."""
    if kind not in ArcoRequest.Kind.values:
        raise ValidationError(_("Unknown request kind."), code="kind")
    code = complaint_code.strip().upper()
    email = normalise_email(email)
    if (
        not code
        or not email
        or not _complaint_matches(municipality=municipality, complaint_code=code, email=email)
    ):
        raise ValidationError(
            _("No complaint has this tracking code and e-mail."), code="no_complaint"
        )
    token = complaint_request_token(
        municipality=municipality, complaint_code=code, email=email, kind=kind, note=note
    )
    link = base_url.rstrip("/") + reverse(
        "privacy:complaint_request_confirm", kwargs={"token": token}
    )
    context = {"link": link, "municipality": municipality, "hours": _max_age_hours()}
    subject = _("Confirm your request about your personal data")
    body = render_to_string("accounts/email/arco_complaint_request_confirm.txt", context)
    transaction.on_commit(partial(send_mail, subject, body, None, [email], fail_silently=False))


def complaint_request_token(
    *, municipality, complaint_code: str, email: str, kind: str, note: str = ""
) -> str:
    """A link's token: the whole request, signed, so nothing is stored until it is followed."""
    payload = {"municipality": municipality.pk, "code": complaint_code, "email": email}
    return _sign({**payload, "kind": kind, "note": note}, salt=COMPLAINT_REQUEST_SALT)


def complaint_request_read(token: str, *, municipality) -> dict:
    """What a complaint request link asks for, if it is still good for this municipality."""
    payload = _unsign(token, salt=COMPLAINT_REQUEST_SALT)
    if payload.get("municipality") != municipality.pk:
        raise ValidationError(_("This link was sent for another municipality."), code="mismatch")
    return payload


@transaction.atomic
def complaint_request_confirm(*, token: str, municipality) -> ArcoRequest:
    """Makes the request a followed link confirms; following it twice makes one request."""
    payload = complaint_request_read(token, municipality=municipality)
    if not _complaint_matches(
        municipality=municipality, complaint_code=payload["code"], email=payload["email"]
    ):
        raise ValidationError(
            _("No complaint has this tracking code and e-mail."), code="no_complaint"
        )
    request, _created = ArcoRequest.objects.get_or_create(
        municipality=municipality,
        user=None,
        complaint_code=payload["code"],
        email=payload["email"],
        kind=payload["kind"],
        note=payload["note"],
        status=ArcoRequest.Status.PENDING,
    )
    return request


# --- Anonymising ----------------------------------------------------------------------------


@transaction.atomic
def arco_anonymise(*, request: ArcoRequest, actor: User | None) -> ArcoRequest:
    """Replaces the person's personal data in every app with neutral values, deactivates their
    account, removes their follower and contact rows, and records what was done on the request
    and in the municipality's audit trail (models, ids and counts; never the data itself).
    The public record (cards, complaints, needs, allocations…) stays."""
    request = ArcoRequest.objects.select_for_update().get(pk=request.pk)
    subject = Subject.for_request(request)
    outcome: dict[str, dict] = {}
    anonymised: dict[str, dict] = {}
    for label, anonymise in anonymisers():
        changed = {model: sorted(ids) for model, ids in (anonymise(subject) or {}).items() if ids}
        if changed:
            outcome[label] = {model: len(ids) for model, ids in changed.items()}
            anonymised.update(
                {model: {"count": len(ids), "ids": ids} for model, ids in changed.items()}
            )
    previous_status = request.status
    request.outcome = {"anonymised": outcome}
    request.status = ArcoRequest.Status.DONE
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.email = ""
    request.save(update_fields=["outcome", "status", "handled_at", "handled_by", "email"])
    # Other requests by the same person keep no copy of their e-mail either.
    if subject.emails:
        ArcoRequest.objects.filter(
            subject.email_q("email"), municipality=subject.municipality
        ).update(email="")
    audit_append(
        municipality_id=subject.municipality.pk,
        action="update",
        object_type=request._meta.label_lower,
        object_id=str(request.pk),
        object_repr=str(request),
        changes={"status": [previous_status, request.status], "anonymised": anonymised},
        actor=actor,
        system="" if actor is not None else "arco",
    )
    return request


# --- The accounts app's own contribution ----------------------------------------------------


def export_account(subject: Subject) -> dict:
    """The profile, roles and ARCO requests of the subject's account."""
    user = subject.user
    requests = ArcoRequest.objects.none()
    if user is not None:
        requests = ArcoRequest.objects.filter(user=user)
    elif subject.complaint_codes:
        requests = ArcoRequest.objects.filter(
            user=None,
            municipality=subject.municipality,
            complaint_code__in=subject.complaint_codes,
        )
    data = {
        "arco_requests": [
            {
                "kind": r.kind,
                "note": r.note,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
            }
            for r in requests
        ]
    }
    if user is not None:
        data["profile"] = {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "municipality": str(user.municipality) if user.municipality_id else None,
            "directorate": str(user.directorate) if user.directorate_id else None,
            "roles": sorted(user.groups.values_list("name", flat=True)),
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        }
    return data


def anonymise_account(subject: Subject) -> dict:
    """Renames and deactivates the account (unusable password, no roles); its rows elsewhere
    keep pointing at it, so the record of who-did-what stays, without a name. Only the
    municipality the account belongs to does this: another one's staff cannot close it."""
    user = subject.user
    if user is None or user.municipality_id != subject.municipality.pk:
        return {}
    user.username = f"anonymised-{user.pk}"
    user.first_name = str(ANONYMISED_NAME)
    user.last_name = ""
    user.email = ""
    user.is_active = False
    user.is_staff = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    ArcoRequest.objects.filter(user=user).update(email="")
    return {user._meta.label_lower: [user.pk]}

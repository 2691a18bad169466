"""ARCO rights: a person's data across every app, and its removal without losing the record.

Each app names its functions in its AppConfig, like ``demo_seeders`` and the page panels::

    class GuardiansConfig(AppConfig):
        personal_data_exporters = ["guardians.arco.export"]
        personal_data_anonymisers = ["guardians.arco.anonymise"]

An exporter takes a ``Subject`` and returns a JSON-ready dict (or ``{}``/None when the app
holds nothing about them); an anonymiser takes a ``Subject`` and returns a dict of what it
changed (``{"complaints": 2}``). Anonymisers keep the public record (cards, complaints, needs,
allocations stay) and replace the person's fields with neutral values; they must not depend on
each other's order, except that the accounts anonymiser (which renames and deactivates the
user) runs last.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from django.apps import apps as global_apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import ArcoRequest, User

# What a person's name becomes once anonymised.
ANONYMISED_NAME = gettext_lazy("Anonymised person")


@dataclasses.dataclass(frozen=True)
class Subject:
    """Whose data: a user account, and/or the e-mail addresses and complaint tracking codes
    an account-less person proved to be theirs."""

    user: User | None = None
    emails: frozenset[str] = frozenset()
    complaint_codes: frozenset[str] = frozenset()

    @classmethod
    def for_user(cls, user: User) -> Subject:
        emails = {user.email.strip().lower()} if user.email else set()
        return cls(user=user, emails=frozenset(emails))

    @classmethod
    def for_request(cls, request: ArcoRequest) -> Subject:
        emails = {request.email.strip().lower()} if request.email else set()
        if request.user is not None and request.user.email:
            emails.add(request.user.email.strip().lower())
        codes = {request.complaint_code} if request.complaint_code else set()
        return cls(user=request.user, emails=frozenset(emails), complaint_codes=frozenset(codes))


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
    """Everything the portal holds about the subject, one section per app."""
    data = {"exported_at": timezone.now().isoformat()}
    for label, export in exporters():
        section = export(subject)
        if section:
            data[label] = section
    return data


@transaction.atomic
def arco_request_create(
    *,
    kind: str,
    note: str = "",
    user: User | None = None,
    municipality=None,
    complaint_code: str = "",
    email: str = "",
) -> ArcoRequest:
    """A request from a logged-in person, or from a complaint's reporter who gives its tracking
    code and the e-mail they reported with (checked against the complaint)."""
    if kind not in ArcoRequest.Kind.values:
        raise ValidationError(_("Unknown request kind."), code="kind")
    if user is None:
        from complaints.models import Complaint

        code = complaint_code.strip().upper()
        email = email.strip().lower()
        matches = Complaint.private_objects.filter(code=code, reporter_email__iexact=email)
        if municipality is not None:
            matches = matches.filter(municipality=municipality)
        if not code or not email or not matches.exists():
            raise ValidationError(
                _("No complaint has this tracking code and e-mail."), code="no_complaint"
            )
        complaint_code = code
    elif municipality is None:
        municipality = user.municipality
    return ArcoRequest.objects.create(
        kind=kind,
        note=note,
        user=user,
        municipality=municipality,
        complaint_code=complaint_code,
        email=email,
    )


@transaction.atomic
def arco_anonymise(*, request: ArcoRequest, actor: User | None) -> ArcoRequest:
    """Replaces the person's personal data in every app with neutral values, deactivates their
    account, removes their follower and contact rows, and records what was done on the request.
    The public record (cards, complaints, needs, allocations…) stays."""
    request = ArcoRequest.objects.select_for_update().get(pk=request.pk)
    subject = Subject.for_request(request)
    outcome: dict[str, dict] = {}
    for label, anonymise in anonymisers():
        changed = anonymise(subject)
        if changed:
            outcome[label] = {key: value for key, value in changed.items() if value}
    request.outcome = {"anonymised": outcome}
    request.status = ArcoRequest.Status.DONE
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.email = ""
    request.save(update_fields=["outcome", "status", "handled_at", "handled_by", "email"])
    # Other requests by the same person keep no copy of their e-mail either.
    if subject.emails:
        ArcoRequest.objects.filter(email__in=subject.emails).update(email="")
    return request


# --- The accounts app's own contribution ----------------------------------------------------


def export_account(subject: Subject) -> dict:
    """The profile, roles and ARCO requests of the subject's account."""
    user = subject.user
    requests = ArcoRequest.objects.none()
    if user is not None:
        requests = ArcoRequest.objects.filter(user=user)
    elif subject.complaint_codes:
        requests = ArcoRequest.objects.filter(user=None, complaint_code__in=subject.complaint_codes)
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
    keep pointing at it, so the record of who-did-what stays, without a name."""
    user = subject.user
    if user is None:
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
    return {"accounts": 1}

"""Client systems' API tokens: issued once and stored hashed, revoked, and looked up for a
request. Issuing and revoking are recorded in the audit trail."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record, audit_snapshot

from .models import ApiClient


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What the audit trail keeps of a token: whom it speaks for and how it begins, never its hash.
API_CLIENT_AUDIT_FIELDS = [
    "name",
    "reported_by",
    "company",
    "directorate",
    "token_prefix",
    "revoked_at",
]


@transaction.atomic
def api_client_issue(*, client: ApiClient, actor: User | None = None, system: str = "") -> str:
    """Gives a (new or existing) client a fresh token and saves it. Returns the token, which
    is shown once: only its hash is stored. Recorded in the audit trail."""
    if not client.name.strip():
        raise ValidationError({"name": _("Name the client system.")})
    before = audit_snapshot(client, only=API_CLIENT_AUDIT_FIELDS) if client.pk else {}
    token = secrets.token_urlsafe(32)
    client.token_prefix = token[:8]
    client.token_hash = _hash_token(token)
    client.revoked_at = None
    client.save()
    audit_record(
        instance=client,
        action="issue",
        actor=actor,
        system=system,
        before=before,
        only=API_CLIENT_AUDIT_FIELDS,
    )
    return token


@transaction.atomic
def api_client_revoke(
    *, client: ApiClient, actor: User | None = None, system: str = ""
) -> ApiClient:
    """Revokes the token, once: a token already revoked (here or concurrently) is left as it
    is and nothing more is recorded."""
    now = timezone.now()
    if ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(revoked_at=now):
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


def api_client_for_token(*, token: str) -> ApiClient | None:
    if not token:
        return None
    client = (
        ApiClient.objects.select_related("municipality")
        .filter(token_hash=_hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if client is not None:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    return client

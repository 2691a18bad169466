"""Writes of the audit trail: every audited service calls ``audit_record`` in its transaction."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Collection
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.gis.db.models import GeometryField
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .chain import HASH_VERSION, canonical, entry_hash
from .models import AuditEntry
from .selectors import audit_head, municipalities

# audit sits below accounts: it knows the user model only as settings.AUTH_USER_MODEL, and
# types the actor as any Django user.
User = AbstractBaseUser

logger = logging.getLogger(__name__)
A = AuditEntry.Action
# Noise, not facts: every save moves them.
SKIPPED_FIELDS = {"updated_at"}
# Lock namespace for pg_advisory_xact_lock(namespace, municipality_id): "audit" in ASCII.
LOCK_NAMESPACE = 0x61756469


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)  # floats as text, so the hash survives any JSON round trip
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


def audit_snapshot(
    instance: models.Model, *, exclude: Collection[str] = (), only: Collection[str] | None = None
) -> dict:
    """The instance's concrete fields as JSON-safe values (foreign keys as ids).

    Geometries are left out: they are large, and the places' own history is not audited."""
    values = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in SKIPPED_FIELDS or field.name in exclude:
            continue
        if only is not None and field.name not in only:
            continue
        if isinstance(field, GeometryField):
            continue
        values[field.name] = _json_value(getattr(instance, field.attname))
    return values


def _municipality_id(instance: models.Model) -> int | None:
    municipality_id = getattr(instance, "municipality_id", None)
    if municipality_id is None and hasattr(instance, "contract"):
        municipality_id = instance.contract.municipality_id
    return municipality_id


def _parent(instance: models.Model) -> str:
    contract_id = getattr(instance, "contract_id", None)
    if instance._meta.label_lower == "contracts.obligation" and contract_id:
        return f"contracts.contract:{contract_id}"
    return ""


def _diff(before: dict, after: dict) -> dict:
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def _lock_chain(municipality_id: int) -> None:
    """Serialises appends to one municipality's chain until the transaction ends.

    SQLite serialises writers by itself; the unique (municipality, sequence) constraint is the
    last line of defence on both."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, municipality_id]
            )


@transaction.atomic
def audit_append(
    *,
    municipality_id: int,
    action: str,
    object_type: str,
    object_id: str = "",
    object_repr: str = "",
    parent: str = "",
    changes: dict,
    actor: User | None = None,
    system: str = "",
) -> AuditEntry:
    """Appends one entry at the head of the municipality's chain."""
    _lock_chain(municipality_id)
    head = (
        AuditEntry.objects.filter(municipality_id=municipality_id)
        .order_by("-sequence")
        .values("sequence", "hash")
        .first()
    )
    user = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        municipality_id=municipality_id,
        sequence=(head["sequence"] + 1) if head else 1,
        created_at=timezone.now(),
        actor_id=user.pk if user else None,
        actor_name=user.get_username() if user else system,
        is_system=user is None and bool(system),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        parent=parent,
        changes=_json_value(changes),
        previous_hash=head["hash"] if head else "",
        hash_version=HASH_VERSION,
    )
    entry.hash = entry_hash(entry)
    entry.save()
    return entry


def audit_record(
    *,
    instance: models.Model,
    action: str,
    actor: User | None = None,
    before: dict | None = None,
    system: str = "",
    exclude: Collection[str] = (),
    only: Collection[str] | None = None,
    extra: dict | None = None,
    municipality_id: int | None = None,
) -> AuditEntry | None:
    """Records a create, update or delete of ``instance``, or a privileged act on it (issue,
    revoke, review, anonymise: recorded like an update, even when no field changed).

    ``before`` is the ``audit_snapshot`` taken before an update; the entry holds only the
    fields that changed (nothing is recorded when none did). Creates hold the full after,
    deletes the full before. ``extra`` adds changes that are not concrete fields (coverage).
    ``exclude``/``only`` keep personal data out of the trail. ``municipality_id`` names the
    chain when the instance has no municipality of its own (a deployment-wide user)."""
    if action == A.DELETE:
        changes = {name: [value, None] for name, value in (before or {}).items()}
        if not changes:
            changes = {
                name: [value, None]
                for name, value in audit_snapshot(instance, exclude=exclude, only=only).items()
            }
    else:
        after = audit_snapshot(instance, exclude=exclude, only=only)
        if action == A.CREATE:
            changes = {name: [None, value] for name, value in after.items()}
        else:
            changes = _diff(before or {}, after)
    changes.update(extra or {})
    if action == A.UPDATE and not changes:
        return None
    chain = municipality_id or _municipality_id(instance)
    if chain is None:
        # Every entry belongs to one municipality's chain (the column is NOT NULL): a caller
        # recording a deployment-wide row names the chain, as ``accounts.services`` does.
        raise ValueError(f"{instance._meta.label} has no municipality: pass municipality_id.")
    return audit_append(
        municipality_id=chain,
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk) if instance.pk is not None else "",
        object_repr=str(instance),
        parent=_parent(instance),
        changes=changes,
        actor=actor,
        system=system,
    )


def audit_heads_log() -> list[dict]:
    """Writes each municipality's signed head to the log, one line each: a copy kept outside
    the database, to check the chain against later (``verify_audit --head SEQUENCE:HASH``)."""
    heads = [audit_head(municipality=m) for m in municipalities()]
    for head in heads:
        logger.info("audit head %s", canonical(head))
    return heads

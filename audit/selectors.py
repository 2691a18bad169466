"""Reads of the audit trail: chain verification and the public change history."""

from __future__ import annotations

import datetime
import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .chain import UNKEYED, entry_hash, head_signature
from .models import AuditEntry

if TYPE_CHECKING:  # territory sits above audit: it lists the municipalities (below)
    from django.db.models import QuerySet

    from territory.models import Municipality

BATCH_SIZE = 2000
PUBLIC_HISTORY_LIMIT = 50


@dataclass
class ChainProblem:
    municipality: str
    sequence: int
    # "altered", "missing", "unsealed" (ends unkeyed), "truncated" or "rewritten" (against a
    # published head)
    kind: str
    detail: str


@dataclass
class ChainReport:
    verified: int = 0
    problems: list[ChainProblem] = field(default_factory=list)


@dataclass(frozen=True)
class PublishedHead:
    """A head someone kept: the chain must contain this entry with this hash."""

    sequence: int
    hash: str


def municipalities() -> QuerySet[Municipality]:
    """Every municipality, by id: each has its own chain, an empty one included. territory
    sits above audit in the layers, so it names the function that lists them on its AppConfig
    (``TerritoryConfig.municipalities``), the registry the apps plug into."""
    for app_config in apps.get_app_configs():
        source = getattr(app_config, "municipalities", None)
        if source:
            return import_string(source)()
    raise ImproperlyConfigured("No installed app lists the municipalities.")


def audit_chain_verify(
    *, municipality: Municipality | None = None, head: PublishedHead | None = None
) -> ChainReport:
    """Walks each municipality's chain in sequence order, recomputing every hash; reports the
    first altered (hash mismatch) or missing (sequence gap, previous hash mismatch) entry, a
    chain that does not end keyed, and, given the ``head`` published for ``municipality``, a
    chain cut before it or rewritten up to it."""
    if head is not None and municipality is None:
        raise ValueError("A published head belongs to one municipality's chain.")
    report = ChainReport()
    chains = municipalities()
    if municipality is not None:
        chains = chains.filter(pk=municipality.pk)
    for current in chains:
        problem = _verify_one(current, report, head)
        if problem:
            report.problems.append(problem)
    return report


def _verify_one(
    municipality: Municipality, report: ChainReport, head: PublishedHead | None
) -> ChainProblem | None:
    expected_sequence = 1
    previous_hash = ""
    keyed_seen = False
    last = 0
    while True:
        # Keyset batches: the chain can be millions of entries long.
        batch = list(
            AuditEntry.objects.filter(municipality=municipality, sequence__gt=last).order_by(
                "sequence"
            )[:BATCH_SIZE]
        )
        if not batch:
            break
        for entry in batch:
            problem = _entry_problem(
                municipality,
                entry,
                expected_sequence=expected_sequence,
                previous_hash=previous_hash,
                keyed_seen=keyed_seen,
                head=head,
            )
            if problem:
                return problem
            report.verified += 1
            keyed_seen = keyed_seen or entry.hash_version != UNKEYED
            previous_hash = entry.hash
            expected_sequence += 1
        last = batch[-1].sequence
    if last and not keyed_seen:
        # Only migration 0003 leaves unkeyed entries, and it seals them with a keyed one.
        return ChainProblem(
            municipality.slug,
            last,
            "unsealed",
            "the chain does not end with a keyed entry: it was rewritten without the key",
        )
    if head and head.sequence > last:
        return ChainProblem(
            municipality.slug,
            last + 1,
            "truncated",
            f"the chain ends at entry {last}, before the published head {head.sequence}",
        )
    return None


def _entry_problem(
    municipality: Municipality,
    entry: AuditEntry,
    *,
    expected_sequence: int,
    previous_hash: str,
    keyed_seen: bool,
    head: PublishedHead | None,
) -> ChainProblem | None:
    if entry.sequence != expected_sequence:
        return ChainProblem(
            municipality.slug,
            expected_sequence,
            "missing",
            f"entry {expected_sequence} is missing (next stored is {entry.sequence})",
        )
    if entry.previous_hash != previous_hash:
        return ChainProblem(
            municipality.slug,
            entry.sequence,
            "missing",
            f"entry {entry.sequence} does not follow entry {entry.sequence - 1} "
            "(previous hash mismatch: an entry before it was replaced or removed)",
        )
    try:
        intact = hmac.compare_digest(entry_hash(entry), entry.hash)
    except ValueError:  # an unknown hash version
        intact = False
    if not intact:
        return ChainProblem(
            municipality.slug,
            entry.sequence,
            "altered",
            f"entry {entry.sequence} was altered (hash mismatch)",
        )
    if entry.hash_version == UNKEYED and keyed_seen:
        return ChainProblem(
            municipality.slug,
            entry.sequence,
            "altered",
            f"entry {entry.sequence} claims the unkeyed hash of the entries written before "
            "the key, after keyed entries",
        )
    if head and entry.sequence == head.sequence and entry.hash != head.hash:
        return ChainProblem(
            municipality.slug,
            entry.sequence,
            "rewritten",
            f"entry {entry.sequence} does not match the published head "
            "(the chain was rewritten up to it)",
        )
    return None


def audit_head(*, municipality: Municipality) -> dict:
    """The latest entry of the municipality's chain, signed with the audit key: what the
    public URL and the daily log line publish (sequence 0 and no hash for an empty chain)."""
    latest = (
        AuditEntry.objects.filter(municipality=municipality)
        .order_by("-sequence")
        .values("sequence", "hash")
        .first()
    ) or {"sequence": 0, "hash": ""}
    head = {
        "municipality": municipality.slug,
        "sequence": latest["sequence"],
        "hash": latest["hash"],
        "timestamp": timezone.now().astimezone(datetime.UTC).isoformat(),
    }
    head["signature"] = head_signature(head)
    return head


# Who received a delivery is a private person's name; who recorded it is staff's account.
PRIVATE_FIELDS = {"signed_by"}


def _is_public(model, name: str) -> bool:
    """Whether a recorded field may be shown: not a private one, nor one that points at a user
    account (who did it). The audited row's own model is read (the trail records every app's
    rows by label), never another model through it."""
    if name in PRIVATE_FIELDS:
        return False
    if model is None:
        return True
    try:
        target = model._meta.get_field(name).remote_field
    except FieldDoesNotExist:
        return True
    return target is None or target.model is not get_user_model()


def _field_label(model, name: str) -> str:
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return name.replace("_", " ")


def public_history(entries) -> list[dict]:
    """Entries shaped for a public page: when, what and before/after, never who by name."""
    rows = []
    for entry in entries:
        try:
            model = apps.get_model(entry.object_type)
        except (LookupError, ValueError):
            model = None
        rows.append(
            {
                "sequence": entry.sequence,
                "when": entry.created_at,
                "action": entry.get_action_display(),
                "object": model._meta.verbose_name if model else entry.object_type,
                "object_repr": entry.object_repr,
                "by": _("Automatic process") if entry.is_system else _("Municipal staff"),
                "changes": [
                    {"field": _field_label(model, name), "before": pair[0], "after": pair[1]}
                    for name, pair in sorted(entry.changes.items())
                    if _is_public(model, name)
                ],
            }
        )
    return rows


def history_about(instance, *, limit: int = PUBLIC_HISTORY_LIMIT) -> list[dict]:
    """The latest entries of an object and its parts, newest first (one query)."""
    entries = AuditEntry.objects.about(instance).only(
        "sequence", "created_at", "is_system", "action", "object_type", "object_repr", "changes"
    )
    return public_history(entries.order_by("-sequence")[:limit])

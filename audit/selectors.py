"""Reads of the audit trail: chain verification and the public change history."""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from territory.models import Municipality

from .models import AuditEntry
from .services import entry_hash

BATCH_SIZE = 2000
PUBLIC_HISTORY_LIMIT = 50


@dataclass
class ChainProblem:
    municipality: str
    sequence: int
    kind: str  # "altered" or "missing"
    detail: str


@dataclass
class ChainReport:
    verified: int = 0
    problems: list[ChainProblem] = field(default_factory=list)


def audit_chain_verify(*, municipality: Municipality | None = None) -> ChainReport:
    """Walks each municipality's chain in sequence order, recomputing every hash; reports the
    first altered (hash mismatch) or missing (sequence gap, previous hash mismatch) entry."""
    report = ChainReport()
    municipalities = Municipality.objects.order_by("pk")
    if municipality is not None:
        municipalities = municipalities.filter(pk=municipality.pk)
    for current in municipalities:
        problem = _verify_one(current, report)
        if problem:
            report.problems.append(problem)
    return report


def _verify_one(municipality: Municipality, report: ChainReport) -> ChainProblem | None:
    expected_sequence = 1
    previous_hash = ""
    last = 0
    while True:
        # Keyset batches: the chain can be millions of entries long.
        batch = list(
            AuditEntry.objects.filter(municipality=municipality, sequence__gt=last).order_by(
                "sequence"
            )[:BATCH_SIZE]
        )
        if not batch:
            return None
        for entry in batch:
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
            if entry_hash(entry) != entry.hash:
                return ChainProblem(
                    municipality.slug,
                    entry.sequence,
                    "altered",
                    f"entry {entry.sequence} was altered (hash mismatch)",
                )
            report.verified += 1
            previous_hash = entry.hash
            expected_sequence += 1
        last = batch[-1].sequence


# Who received a delivery is a private person's name; who recorded it is staff's account.
PRIVATE_FIELDS = {"signed_by"}


def _is_public(model, name: str) -> bool:
    if name in PRIVATE_FIELDS:
        return False
    if model is None:
        return True
    try:
        related = model._meta.get_field(name).related_model
    except FieldDoesNotExist:
        return True
    return related is None or related._meta.label != settings.AUTH_USER_MODEL


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

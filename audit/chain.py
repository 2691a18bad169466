"""The audit trail's cryptography: the keyed hash of an entry and the signature of a head.

Entries are chained with HMAC-SHA256 under ``settings.AUDIT_HMAC_KEY``, a key that lives in the
environment, never in the database: whoever can rewrite the table but does not hold the key
cannot recompute the chain. The latest head (municipality, sequence, hash) is published, signed
with the same key (``/audit/head.json`` and a daily log line), so that even a rewrite by a key
holder shows against a head someone kept (``verify_audit --head SEQUENCE:HASH``).

Hash versions (``AuditEntry.hash_version``); a version's algorithm never changes once entries
carry it:

1. plain SHA-256, the entries written before the key existed. They are kept as they were and
   sealed by a keyed entry appended by migration 0003: the first keyed entry covers the last
   unkeyed hash, so rewriting them breaks it. Verification accepts them only before the first
   keyed entry, and a chain must end with a keyed entry.
2. HMAC-SHA256 of the same canonical JSON plus the version itself.
"""

import datetime
import hashlib
import hmac
import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

UNKEYED = 1
KEYED = 2
HASH_VERSION = KEYED


def canonical(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _key() -> bytes:
    key = settings.AUDIT_HMAC_KEY
    if not key:
        # Fail closed: an unkeyed entry written now could be rewritten by anyone undetected.
        raise ImproperlyConfigured(
            "AUDIT_HMAC_KEY is not set: the audit trail can be neither written nor verified."
        )
    return key.encode()


def _subkey(purpose: str) -> bytes:
    """One key per use, so that a head's signature can never pass for an entry's hash."""
    return hmac.new(_key(), f"villaguard-audit:{purpose}".encode(), hashlib.sha256).digest()


def entry_hash(entry) -> str:
    """The hash of what the entry says, chained to the previous hash, in the entry's version.

    ``entry`` is an ``AuditEntry`` (or the migrations' historical model of it)."""
    payload = {
        "municipality": entry.municipality_id,
        "sequence": entry.sequence,
        "created_at": entry.created_at.astimezone(datetime.UTC).isoformat(),
        "actor_name": entry.actor_name,
        "is_system": entry.is_system,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "parent": entry.parent,
        "changes": entry.changes,
        "previous_hash": entry.previous_hash,
    }
    if entry.hash_version == UNKEYED:
        return hashlib.sha256(canonical(payload).encode()).hexdigest()
    if entry.hash_version == KEYED:
        payload["hash_version"] = KEYED
        message = canonical(payload).encode()
        return hmac.new(_subkey("entry"), message, hashlib.sha256).hexdigest()
    raise ValueError(f"Unknown audit hash version: {entry.hash_version!r}")


def head_signature(head: dict) -> str:
    """HMAC-SHA256 of a head's municipality, sequence, hash and timestamp."""
    fields = {name: head[name] for name in ("municipality", "sequence", "hash", "timestamp")}
    return hmac.new(_subkey("head"), canonical(fields).encode(), hashlib.sha256).hexdigest()


def head_signature_valid(head: dict) -> bool:
    try:
        expected = head_signature(head)
    except (KeyError, TypeError):
        return False
    return hmac.compare_digest(expected, str(head.get("signature", "")))

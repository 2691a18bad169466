"""Signed links that carry what they ask for: the one home of double opt-in tokens.

A citizen who asks to follow something by e-mail is sent a link; nothing is stored until they
follow it and press the button on the page it opens (mail scanners open links, they do not
press buttons). The link's token carries the request itself (who, what), signed with the
``SECRET_KEY`` under a salt of its own and dated, so that it cannot be forged, reused for
another purpose or used after it expires. The same pattern serves the alerts app's sign-ups,
the complaints' followers and the "has it been fixed?" question.
"""

from typing import Any

from django.core import signing

#: How long a confirmation link works: long enough for a slow mailbox, short enough that an
#: old forwarded e-mail cannot subscribe its reader.
CONFIRM_MAX_AGE = 60 * 60 * 24 * 3


def token_make(payload: dict[str, Any], *, salt: str) -> str:
    """A URL-safe signed token carrying ``payload`` (small JSON values)."""
    return signing.dumps(payload, salt=salt, compress=True)


def token_read(token: str, *, salt: str, max_age: int | None = CONFIRM_MAX_AGE) -> dict | None:
    """The payload of a token made with the same salt and younger than ``max_age`` seconds,
    or ``None`` for a forged, altered, expired or foreign token."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return payload if isinstance(payload, dict) else None

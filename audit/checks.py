"""``manage.py check --deploy``: the audit trail's key must be worth keeping secret."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

MIN_KEY_LENGTH = 32


@register(Tags.security, deploy=True)
def audit_key_check(app_configs, **kwargs):
    key = settings.AUDIT_HMAC_KEY
    if len(key) < MIN_KEY_LENGTH or key == settings.SECRET_KEY:
        return [
            Warning(
                f"AUDIT_HMAC_KEY is shorter than {MIN_KEY_LENGTH} characters or equal to "
                "SECRET_KEY: whoever guesses it can rewrite the audit trail undetected.",
                hint="Set AUDIT_HMAC_KEY to its own long random value, e.g. "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                id="audit.W001",
            )
        ]
    return []

from .base import *  # noqa: F403
from .base import env, required_in_deployment

DEBUG = False
# Missing, empty or the development key: the process stops with a message saying what to set.
SECRET_KEY = required_in_deployment("SECRET_KEY")
ALLOWED_HOSTS = required_in_deployment("ALLOWED_HOSTS")
# Never derived from SECRET_KEY here: the audit trail is only as safe as this key.
AUDIT_HMAC_KEY = required_in_deployment("AUDIT_HMAC_KEY")
# Static files are collected into the image; WhiteNoise indexes them once, at start.
WHITENOISE_AUTOREFRESH = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# e.g. CSRF_TRUSTED_ORIGINS=https://portal.example.org,https://*.example.org
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Two-factor login for staff and superusers is always on in production unless turned off.
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

from .base import *  # noqa: F403
from .base import env, key_from_secret

DEBUG = False
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default=key_from_secret("villaguard.audit"))
# As under `make test` (DEBUG on in base): static files looked up on each request, whether or
# not the suite is started through make.
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# As with DEBUG on: the access matrix and the browser journeys open uploaded files.
SERVE_MEDIA = True
MEDIA_ROOT = env.path("TEST_MEDIA_ROOT", default="/tmp/villaguard-test-media")  # noqa: S108
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}

# Tests read messages produced outside a request (services, commands, validation) in English,
# the source language; tests/test_i18n.py checks that the portal itself defaults to es-MX.
LANGUAGE_CODE = "en"

# Most tests log in with force_login() or call authenticate() without a request, which
# django-axes refuses; accounts/tests/test_throttling.py turns it on to test the lockout.
AXES_ENABLED = False
# About a hundred tests open the admin as staff logged in with force_login(); the two-factor
# requirement is tested on its own with override_settings (accounts/tests/test_otp.py).
OTP_REQUIRED_FOR_STAFF = False

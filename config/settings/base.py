"""Settings read from the environment (django-environ).

With no environment at all this is the embedded default: SpatiaLite in ``var/``, Celery in
eager mode, e-mail to the console, an in-process cache. ``DATABASE_URL``, ``REDIS_URL`` and
``EMAIL_URL`` switch on PostGIS, Redis (cache and Celery broker) and SMTP.

This module is shared by the others and is not itself a deployment's choice: the entry points
(manage.py, wsgi.py, asgi.py, celery.py) default to ``config.settings.default``, which is
this module only while DEBUG is on and ``config.settings.production`` otherwise.
"""

import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless asked for: the Makefile's targets (`make run`) turn it on for development.
DEBUG = env.bool("DEBUG", default=False)
# Published with the code, so only for development: the production settings refuse it.
DEVELOPMENT_SECRET_KEY = "insecure-embedded-default-change-me-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

_DEPLOYMENT_HINTS = {
    "SECRET_KEY": "a long random value, e.g. the output of "
    "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'",
    "ALLOWED_HOSTS": "the host names the portal answers to, comma-separated, "
    "e.g. portal.example.org",
    "AUDIT_HMAC_KEY": "a long random value kept apart from the database and its backups "
    "(it keys the audit trail's chain), generated like SECRET_KEY",
}


def required_in_deployment(name: str) -> str | list[str]:
    """A variable a deployment must set (SECRET_KEY, ALLOWED_HOSTS): missing, empty or the
    published development key, the process stops here with a message that says what to set,
    rather than start on a development default."""
    if name == "ALLOWED_HOSTS":
        value = [host for host in env.list(name, default=[]) if host.strip()]
    else:
        value = env.str(name, default="").strip()
    hint = _DEPLOYMENT_HINTS.get(name, "a value")
    if value == DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            f"{name} is the development key published with the code. Set {name} to {hint}."
        )
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set. With DEBUG off VillaGuard does not start on development "
            f"defaults: set {name} to {hint}, in the environment or in .env. For development, "
            "leave DJANGO_SETTINGS_MODULE unset and set DEBUG=true (make run does)."
        )
    return value


INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "leaflet",
    "django_filters",
    "rest_framework",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The project's apps. seed_demo runs their demo seeders in this order (core.demo): each
    # after the apps whose rows it needs, so accounts follows territory (a user belongs to a
    # municipality).
    "core",
    "territory",
    "accounts",
    "contracts",
    "workspace",
    "guardians",
    "complaints",
    "committees",
    "findings",
    "opendata",
    "alerts",
    "reviews",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every response (static files included).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.security.middleware.StaffOTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "territory.middleware.MunicipalityMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "territory.context_processors.municipality",
                "accounts.context_processors.roles",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# The embedded default is SpatiaLite, so `make run` needs no database server.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default=f"spatialite:///{VAR_DIR / 'villaguard.sqlite3'}",
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.contrib.gis.db.backends.postgis":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: the public pages' statements are short, and PostgreSQL's JIT, triggered by a
    # high cost estimate, spent 7 s compiling the map's 130 ms complaints statement
    # (docs/benchmarks.md, map section).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
SPATIALITE_LIBRARY_PATH = env.str("SPATIALITE_LIBRARY_PATH", default="mod_spatialite")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Debian 12 ships GDAL 3.6, which cannot block network access from spatial references; the
# importer reads only files that staff give it, and rejects unknown CRSs before GDAL sees them.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
LOGIN_URL = "accounts:login"
# Every login lands on its role's workspace (a login with no role: its own account there).
LOGIN_REDIRECT_URL = "workspace:home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Spanish (Mexico) first, English too.
LANGUAGE_CODE = "es-mx"
LANGUAGES = [("es-mx", _("Spanish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Chihuahua")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files. MEDIA_URL may name another host (one that shares no cookies with the portal);
# SERVE_MEDIA lets Django serve MEDIA_ROOT itself, with the safe headers of
# core.uploads.serve_media: on by default with DEBUG, and for a small deployment without
# a web server in front (docker-compose). docs/security.md has the web server's configuration.
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# The client's address (core.client_ip.client_ip), read by the rate limits and the login
# lockout alike: the socket's address, unless the portal sits behind this many reverse proxies
# that each append to X-Forwarded-For (then the hop the outermost one appended). 0: the header
# is ignored, since anyone can forge it.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or a number of proxies.")
if "AXES_IP_HEADERS" in env:
    raise ImproperlyConfigured(
        "AXES_IP_HEADERS is no longer read: the rate limits and the login lockout read the "
        "client's address one way. Remove it, and behind reverse proxies set "
        "TRUSTED_PROXY_COUNT to their number (README, Settings)."
    )
RATELIMIT_IP_META_KEY = "core.client_ip.client_ip"

REDIS_URL = env.str("REDIS_URL", default="")


def _redis_db(url: str, db: int) -> str:
    """The same Redis server, another database number (the cache must never share the
    broker's database: clearing the cache would drop queued jobs)."""
    base, _, path = url.rstrip("/").rpartition("/")
    return f"{base}/{db}" if path.isdigit() else f"{url.rstrip('/')}/{db}"


REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default=_redis_db(REDIS_URL, 1) if REDIS_URL else "")
if REDIS_URL:
    CACHES = {
        "default": {
            # django-redis, so that a Redis outage degrades to cache misses instead of errors:
            # pages, forms and their rate limits keep working (tests/test_faults.py).
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": "villaguard",
            "TIMEOUT": 300,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    # With the cache down the rate limits cannot count: let the public forms through.
    RATELIMIT_FAIL_OPEN = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: eager only in the embedded default (no REDIS_URL).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="VillaGuard <no-reply@villaguard.localhost>"
)

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (28.63, -106.08),
    "DEFAULT_ZOOM": 12,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 19,
    "RESET_VIEW": False,
    "TILES": [
        (
            "OpenStreetMap",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            {"attribution": "&copy; OpenStreetMap contributors", "maxZoom": 19},
        )
    ],
}

# Content-Security-Policy (django-csp): scripts only from this origin or inline with the
# request's nonce (django-leaflet's map loader and the few page scripts carry it); no inline
# styles, no plugins, no framing, forms post only here. Map tiles are the one foreign origin.
CSP_TILE_ORIGINS = sorted(
    {"https://" + tile[1].split("//", 1)[1].split("/", 1)[0] for tile in LEAFLET_CONFIG["TILES"]}
)
# A separate media host (MEDIA_URL with a host name) is the other origin images come from.
_media = urlsplit(MEDIA_URL)
CSP_MEDIA_ORIGINS = [f"{_media.scheme}://{_media.netloc}"] if _media.netloc else []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:", "blob:", *CSP_TILE_ORIGINS, *CSP_MEDIA_ORIGINS],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "worker-src": [csp.SELF],
        "manifest-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
}

# Reconciliation: unacknowledged findings escalate to the Sindicatura after this many days.
FINDINGS_ESCALATION_DAYS = env.int("FINDINGS_ESCALATION_DAYS", default=5)

# Demo logins (`seed_demo`) are refused unless DEBUG or this is set explicitly.
ALLOW_DEMO_USERS = env.bool("ALLOW_DEMO_USERS", default=False)

# Where the shared data of the project lives (tests import the real Chihuahua files from there).
SHARED_DIR = env.path("SHARED_DIR", default=BASE_DIR.parent / "shared")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# django-axes first: it refuses a locked-out username+IP before the portal's backend is asked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PortalBackend",
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for the same
# username from the same IP address, that pair is locked out for AXES_COOLOFF_MINUTES.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.security.views.lockout"
AXES_USERNAME_FORM_FIELD = "username"
# The client's address, for the lockout as for the rate limits: core/client_ip.py.
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"

# Two-factor login (django-otp, TOTP): staff and superusers must verify a device before they
# use the admin or the staff pages. Off by default only in the embedded DEBUG default, so that
# `make run`'s demo staff reach the admin at once.
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=not DEBUG)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="VillaGuard")
# The TOTP keys and QR codes are never shown in the admin, not even to a superuser.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# How long an enrolment code an administrator issues can be used to set up an app.
OTP_ENROLMENT_CODE_HOURS = env.int("OTP_ENROLMENT_CODE_HOURS", default=72)

# Open311: requests one API key may post per minute (answered with 429 past it).
OPEN311_POST_RATE = env.str("OPEN311_POST_RATE", default="120/m")


def key_from_secret(purpose: str) -> str:
    """A development key derived from SECRET_KEY, for DEBUG and the tests only."""
    return hmac.new(SECRET_KEY.encode(), purpose.encode(), hashlib.sha256).hexdigest()


# The audit trail's HMAC key (audit/chain.py). It lives in the environment, never in the
# database, so that whoever can rewrite the table cannot recompute the chain. Only DEBUG falls
# back to a key derived from SECRET_KEY; the production settings require it, and the trail
# refuses to write or verify without one.
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="") or (
    key_from_secret("villaguard.audit") if DEBUG else ""
)

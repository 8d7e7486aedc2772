"""Settings for every environment; the environment is parsed strictly.

With DEBUG off the app refuses to start without SECRET_KEY and ALLOWED_HOSTS.
Without DATABASE_URL it runs on an embedded SQLite file (for `make run`).
"""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.prepared import PREPARE_THRESHOLD

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from None


def env_json(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return json.loads(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be JSON, got {value!r}") from None


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-never-used-in-production"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
    ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "accounts",
    "pathway",
    "referrals",
    "documents",
    "privacy",
    "integrity",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outside every middleware that may answer by itself (the two-step redirect): every response gets it.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Above the session (its save may be what fails): a database fault becomes the French 503 page.
    "integrity.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, its user the one read with the session (accounts/request_reads.py).
    "accounts.request_reads.AuthenticationMiddleware",
    # django-otp's OTPMiddleware (request.user.is_verified(), read by TwoFactorMiddleware), its device read
    # by a prepared statement (accounts/request_reads.py).
    "accounts.request_reads.DeviceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages: an idle session ends with a message; then the second factor is enforced.
    "accounts.middleware.IdleSessionMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    # Inside the login middlewares: it logs reads and writes of health data once the view has answered
    # (privacy/access_map.py), for a user the second factor let in.
    "privacy.middleware.AccessLogMiddleware",
    # After CSRF, messages, the login middlewares and the access log: a form sent twice runs its view once.
    "integrity.middleware.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its page
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A persistent connection that died with the server (a restart, a failover) is replaced at the
        # next request's first query, instead of failing that request.
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
POSTGRESQL_ENGINE = "config.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The JIT compiler kicks in on a high estimated cost (a caseload's correlated subqueries reach it)
    # and spends ~20 ms compiling a query that runs in 1 ms: never worth it for these short queries.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    # Parameters bound by the server, and each statement prepared by psycopg once it has run 5 times
    # on a connection: PostgreSQL then skips parsing and planning it, which costs more than running
    # most of these queries (0.5 to 1 ms each, measured with make bench). Off with
    # DB_PREPARED_STATEMENTS=false behind a pooler in transaction mode (PgBouncer), which cannot keep them.
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"]["OPTIONS"].update(server_side_binding=True, prepare_threshold=PREPARE_THRESHOLD)
    # A page's independent statements sent together, one round trip (config/model_rows.read_together).
    # Off with DB_PIPELINES=false behind a pooler that does not pass pipelined statements through.
    DATABASE_PIPELINES = env_bool("DB_PIPELINES", True)
    # Django's backend, its health check made without a round trip (config/postgresql/base.py says how).
    DATABASES["default"]["ENGINE"] = POSTGRESQL_ENGINE
else:
    # SQLite builds the covering indexes without their INCLUDE columns (an index-only read on PostgreSQL),
    # which is all the embedded default of `make run` needs: no warning at each start.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "pathway:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
# django-axes first: it refuses a locked-out username or address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.request_reads.UserBackend",  # Django's ModelBackend, the user read by a prepared statement
]
# Django's database sessions, the session read by a prepared statement (accounts/request_reads.py).
SESSION_ENGINE = "accounts.request_reads"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Birth dates and other far-past dates take 4-digit years only: "%d/%m/%y" would read 05/06/45 as 2045.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# Referral letters are health data: stored outside any public URL, served by an owner-checked view.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Several app servers need one shared store for the letters: a shared folder at MEDIA_ROOT, or another
# Django storage backend (MEDIA_STORAGE_BACKEND, its options as a JSON object in MEDIA_STORAGE_OPTIONS).
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("MEDIA_STORAGE_BACKEND") or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": env_json("MEDIA_STORAGE_OPTIONS", {}),
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REFERRAL_SCAN_MAX_BYTES = 10 * 1024 * 1024

# Access-log traces older than this are deleted by `manage.py purge_access_log` (CNIL: 6 months to 1 year,
# up to 3 years with a reason; privacy/retention.py). The command refuses a figure outside that range.
ACCESS_LOG_RETENTION_DAYS = int(os.environ.get("ACCESS_LOG_RETENTION_DAYS", "365"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# A refused form (CSRF) gets the site's French 403 page, never Django's English one with its reason.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"
# How many proxies in front of the app append to X-Forwarded-For (0: clients connect directly), so that
# config.client_address reads the client's address and not the proxy's. README, "Deploying".
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Sessions end after 30 minutes without a request (accounts.sessions.IDLE_SECONDS, checked by
# accounts.middleware.IdleSessionMiddleware, which says why) and when the browser closes. The database
# drops them 5 minutes later still, as a backstop: the middleware is the one that logs out.
SESSION_COOKIE_AGE = 35 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor login (TOTP): required for every psychologist by accounts.middleware.TwoFactorMiddleware,
# which no setting turns off. The issuer names the account in the authenticator app.
OTP_TOTP_ISSUER = "Mon soutien psy"

# Brute force: 5 failed logins lock the username, and separately the address, for 30 minutes;
# a right password does not get in while locked. No reset on success: a valid account of one's own
# (a doctor can sign up) must not clear the failures counted against an address.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"  # our French page, in the site's layout
AXES_HTTP_RESPONSE_CODE = 429
# Behind a proxy, the client's address as TRUSTED_PROXY_COUNT says, not the proxy's (which would lock everyone).
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"

# Content-Security-Policy (django-csp 4): our own scripts, styles and fonts only, no inline script or
# style, no plugin, no framing; images also as data: URIs (Bootstrap's icons in its CSS).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

"""Serving for real (`make serve`): gunicorn behind a TLS proxy, PostgreSQL, WhiteNoise for static files.

Base plus what only a deployment needs: HTTPS redirect and HSTS (never under `make run` or the tests),
persistent checked database connections, hashed and compressed static files. Each value comes from the
environment a deployer sets (README, "Deploying"); `manage.py check --deploy` passes without a warning.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, DEBUG, MIDDLEWARE, POSTGRESQL_ENGINE, STORAGES, env_bool, env_int

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when serving (config.settings.production): unset DEBUG.")
if DATABASES["default"]["ENGINE"] != POSTGRESQL_ENGINE:
    raise ImproperlyConfigured(
        "Serving needs PostgreSQL: set DATABASE_URL=postgres://user:password@host:5432/name "
        "(SQLite is for `make run` only)."
    )

# One connection per worker kept for a minute (base checks it before reuse: CONN_HEALTH_CHECKS), so a
# request does not pay for a new connection. CONN_MAX_AGE=0 closes it after each request.
if not os.environ.get("CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = 60

# WhiteNoise serves what `collectstatic` gathered, right after SecurityMiddleware (so static files get
# the HTTPS redirect and HSTS too); hashed names are cached for a year, each file also gzip/brotli.
MIDDLEWARE = list(MIDDLEWARE)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "config.static_storage.StaticFilesStorage"}}

# TLS ends at the proxy, which must set X-Forwarded-Proto itself (overwriting what the client sent).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer's health check may speak plain HTTP to the app server: never redirect it.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading binds the whole domain to HTTPS in browsers for months: the deployer's decision, off by default.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

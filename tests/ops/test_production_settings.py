"""config.settings.production, read in fresh processes with the environment a deployer sets (README)."""

import re

import pytest
from django.conf import settings

from .deployment import DEPLOYER, load_settings, manage, settings_of

SERVED = ["DEBUG", "DATABASES", "MIDDLEWARE", "STORAGES", "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT",
          "SECURE_REDIRECT_EXEMPT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
          "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"]


@pytest.fixture(scope="module")
def production():
    return settings_of(SERVED)


def test_the_deployer_secret_key_is_as_long_as_check_deploy_wants():
    assert len(DEPLOYER["SECRET_KEY"]) >= 50


def test_check_deploy_passes_without_a_single_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_preload_the_one_warning_is_the_preload_one():
    # Preloading is off by default (README): check --deploy then says so, and nothing else.
    result = manage("check", "--deploy", SECURE_HSTS_PRELOAD=None)
    assert set(re.findall(r"\(([\w.]+\.[WE]\d+)\)", result.stderr + result.stdout)) == {"security.W021"}


def test_it_refuses_to_serve_on_sqlite():
    result = load_settings(DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode != 0
    assert "Serving needs PostgreSQL: set DATABASE_URL=postgres://" in result.stderr


def test_it_refuses_to_serve_without_a_database_url():
    result = load_settings(DATABASE_URL=None)
    assert "Serving needs PostgreSQL" in result.stderr


def test_it_refuses_to_serve_with_debug_on():
    result = load_settings(DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off when serving" in result.stderr


def test_https_is_required_behind_the_tls_proxy_with_hsts_for_a_year(production):
    assert production["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert production["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production["SESSION_COOKIE_SECURE"] is production["CSRF_COOKIE_SECURE"] is True
    assert production["DEBUG"] is False


def test_the_health_check_is_never_redirected_to_https(production):
    assert any(re.search(pattern, "healthz") for pattern in production["SECURE_REDIRECT_EXEMPT"])
    assert not any(re.search(pattern, "connexion/") for pattern in production["SECURE_REDIRECT_EXEMPT"])


def test_hsts_options_come_from_the_environment():
    chosen = settings_of(["SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"],
                         SECURE_HSTS_SECONDS="600", SECURE_HSTS_INCLUDE_SUBDOMAINS="false", SECURE_HSTS_PRELOAD="no")
    assert chosen == {"SECURE_HSTS_SECONDS": 600, "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
                      "SECURE_HSTS_PRELOAD": False}


def test_a_malformed_hsts_duration_is_refused():
    result = load_settings(SECURE_HSTS_SECONDS="one year")
    assert "SECURE_HSTS_SECONDS must be a whole number" in result.stderr


def test_database_connections_persist_a_minute_and_are_checked_before_reuse(production):
    database = production["DATABASES"]["default"]
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    chosen = settings_of(["DATABASES"], CONN_MAX_AGE="0")["DATABASES"]["default"]
    assert (chosen["CONN_MAX_AGE"], chosen["CONN_HEALTH_CHECKS"]) == (0, True)


def test_whitenoise_serves_hashed_compressed_static_files_right_after_the_security_middleware(production):
    middleware = production["MIDDLEWARE"]
    assert middleware[middleware.index("django.middleware.security.SecurityMiddleware") + 1] == \
        "whitenoise.middleware.WhiteNoiseMiddleware"
    assert production["STORAGES"]["staticfiles"]["BACKEND"] == "config.static_storage.StaticFilesStorage"


def test_neither_make_run_nor_the_tests_redirect_to_https_or_send_hsts():
    make_run = settings_of(["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "MIDDLEWARE"],
                           DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="true", DATABASE_URL=None)
    for values in (make_run, {"SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
                              "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS, "MIDDLEWARE": settings.MIDDLEWARE}):
        assert values["SECURE_SSL_REDIRECT"] is False
        assert values["SECURE_HSTS_SECONDS"] == 0
        assert "whitenoise.middleware.WhiteNoiseMiddleware" not in values["MIDDLEWARE"]


def test_the_tests_use_plain_static_storage():
    assert settings.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"

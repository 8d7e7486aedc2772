import os
import subprocess
import sys

from django.conf import settings

CHECK = "import django; django.setup(); print('started')"


def start_with(**env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings.base")
    return subprocess.run([sys.executable, "-c", CHECK], env=environment, capture_output=True, text=True,
                          cwd=settings.BASE_DIR)


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = start_with(DEBUG="false", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_when_debug_is_off():
    result = start_with(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_it_starts_with_both_set():
    result = start_with(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org")
    assert result.stdout.strip() == "started", result.stderr


def test_a_malformed_boolean_is_refused():
    result = start_with(DEBUG="maybe")
    assert "DEBUG must be a boolean" in result.stderr


def test_the_ui_is_french_in_paris_time():
    assert (settings.LANGUAGE_CODE, settings.TIME_ZONE) == ("fr", "Europe/Paris")


def test_two_digit_years_are_not_accepted_for_dates():
    assert all("%y" not in fmt for fmt in settings.DATE_INPUT_FORMATS)

"""Sessions: 30 minutes idle ends them, closing the browser too; one button ends them all."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.auth import log_in
from tests.factories import PsychologistFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("pathway:dashboard")


@pytest.fixture
def clock(monkeypatch):
    """Moves Django's clock (sessions, the idle check) forward by the minutes given."""
    start = timezone.now()

    def move_to(minutes):
        monkeypatch.setattr(timezone, "now", lambda: start + timedelta(minutes=minutes))

    return move_to


def test_a_session_idle_for_31_minutes_is_logged_out(client_psy, clock):
    assert client_psy.get(DASHBOARD).status_code == 200
    clock(31)
    response = client_psy.get(DASHBOARD)
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client_psy.session


def test_an_active_session_is_not(client_psy, clock):
    for minutes in (0, 20, 40, 60, 80):  # never 30 minutes without a request
        clock(minutes)
        assert client_psy.get(DASHBOARD).status_code == 200, minutes


def test_the_idle_logout_says_why_in_french(client_psy, clock):
    client_psy.get(DASHBOARD)
    clock(32)
    page = client_psy.get(DASHBOARD, follow=True).content.decode()
    assert "Votre session a pris fin après 30 minutes d’inactivité" in page


def test_the_session_cookie_dies_with_the_browser_is_http_only_and_same_site_lax(client):
    PsychologistFactory(username="camille")
    client.post(reverse("accounts:login"), {"username": "camille", "password": "a-long-test-password"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert (cookie["max-age"], cookie["expires"]) == ("", "")  # no date: gone when the browser closes
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_cookies_are_secure_under_production_settings():
    environment = {k: v for k, v in os.environ.items() if k not in ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")}
    environment.update(DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS="example.org",
                       DJANGO_SETTINGS_MODULE="config.settings.base")
    code = ("import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)")
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                            cwd=settings.BASE_DIR)
    assert result.stdout.split() == ["True", "True", "True", "Lax"], result.stderr


def test_logging_out_from_every_device_ends_the_other_sessions_too(client, psychologist):
    laptop, phone = log_in(client, psychologist), log_in(type(client)(), psychologist)
    assert phone.get(DASHBOARD).status_code == 200
    response = laptop.post(reverse("accounts:logout_everywhere"), follow=True)
    assert "Vous êtes déconnecté sur tous les appareils" in response.content.decode()
    assert phone.get(DASHBOARD)["Location"].startswith(reverse("accounts:login"))
    assert laptop.get(DASHBOARD)["Location"].startswith(reverse("accounts:login"))


def test_the_profile_offers_it_as_a_post_button(client_psy):
    page = client_psy.get(reverse("accounts:profile")).content.decode()
    assert f'action="{reverse("accounts:logout_everywhere")}"' in page
    assert client_psy.get(reverse("accounts:logout_everywhere")).status_code == 405

"""Brute force: after 5 failures an account, or an address, is locked for 30 minutes, right password or not."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.urls import reverse

from tests.factories import PsychologistFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
RIGHT = "a-long-test-password"


@pytest.fixture
def camille():
    return PsychologistFactory(username="camille")


def attempt(client, username, password, address):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def is_logged_in(client):
    return "_auth_user_id" in client.session


def assert_locked_out(response, client):
    assert response.status_code == 429
    page = response.content.decode()
    assert "Connexion bloquée pour un temps" in page
    assert "bloquée pendant 30 minutes, même avec le bon mot de passe" in page
    assert 'class="navbar' in page  # the site's own layout
    assert not is_logged_in(client)


def cool_off_passes():
    """30 minutes and a bit later, for the attempts counted so far."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=31))


def test_a_sixth_attempt_with_the_right_password_fails_while_the_account_is_locked(client, camille):
    for index in range(5):  # each guess from another address: only the account is counted
        attempt(client, "camille", f"wrong-{index}", f"10.0.0.{index + 1}")
    assert_locked_out(attempt(client, "camille", RIGHT, "10.0.0.99"), client)


def test_a_sixth_attempt_with_the_right_password_fails_while_the_address_is_locked(client, camille):
    for index in range(5):  # five different accounts guessed from one address
        attempt(client, f"someone-{index}", "wrong", "10.0.0.7")
    assert_locked_out(attempt(client, "camille", RIGHT, "10.0.0.7"), client)
    other_place = type(client)()
    assert attempt(other_place, "camille", RIGHT, "10.0.0.8").status_code == 302  # the account is not locked


def test_four_failures_do_not_lock(client, camille):
    for index in range(4):
        attempt(client, "camille", f"wrong-{index}", "10.0.0.1")
    assert attempt(client, "camille", RIGHT, "10.0.0.1").status_code == 302
    assert is_logged_in(client)


def test_the_right_password_works_again_after_the_cool_off(client, camille):
    for index in range(5):
        attempt(client, "camille", f"wrong-{index}", "10.0.0.1")
    assert attempt(client, "camille", RIGHT, "10.0.0.1").status_code == 429
    cool_off_passes()
    assert attempt(client, "camille", RIGHT, "10.0.0.1").status_code == 302
    assert is_logged_in(client)


def test_behind_a_trusted_proxy_the_client_address_is_locked_not_the_proxy(client, camille, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for index in range(5):
        client.post(LOGIN, {"username": f"someone-{index}", "password": "wrong"}, REMOTE_ADDR="10.0.0.254",
                    HTTP_X_FORWARDED_FOR="203.0.113.5")
    response = client.post(LOGIN, {"username": "camille", "password": RIGHT}, REMOTE_ADDR="10.0.0.254",
                           HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert response.status_code == 302

"""Passwords have 12 characters at least, wherever a user sets one."""

import pytest
from django.urls import reverse

from tests.auth import log_in

pytestmark = pytest.mark.django_db

CHANGE = reverse("accounts:password_change")
ELEVEN = "pomme-poire"  # 11 characters
TWELVE = "pomme-poires"


def change(client, new):
    return client.post(CHANGE, {"old_password": "a-long-test-password", "new_password1": new, "new_password2": new})


def test_an_11_character_password_is_refused_on_the_change_page(client_psy, psychologist):
    response = change(client_psy, ELEVEN)
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères." in (
        response.context["form"].errors["new_password2"])
    psychologist.refresh_from_db()
    assert psychologist.check_password("a-long-test-password")


def test_a_12_character_password_is_accepted_and_ends_the_other_sessions_only(client_psy, psychologist):
    other = log_in(type(client_psy)(), psychologist)
    response = change(client_psy, TWELVE)
    assert response["Location"] == reverse("accounts:profile")
    psychologist.refresh_from_db()
    assert psychologist.check_password(TWELVE)
    assert client_psy.get(reverse("pathway:dashboard")).status_code == 200
    assert other.get(reverse("pathway:dashboard"))["Location"].startswith(reverse("accounts:login"))


def test_the_profile_links_to_the_change_page(client_psy):
    assert f'href="{CHANGE}"' in client_psy.get(reverse("accounts:profile")).content.decode()


def test_an_11_character_password_is_refused_at_the_doctors_sign_up(client):
    response = client.post(reverse("referrals:gp_signup"), {
        "first_name": "Anne", "last_name": "Leroy", "profession": "gp", "number": "10003456786",
        "practice_address": "3 rue des Lilas, 69003 Lyon", "phone": "04 78 00 00 00",
        "email": "anne.leroy@example.org", "password1": ELEVEN, "password2": ELEVEN,
    })
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["password1"]
    assert any("au minimum 12 caractères" in error for error in response.context["form"].errors["password1"])


def test_a_wrong_old_password_changes_nothing(client_psy, psychologist):
    client_psy.post(CHANGE, {"old_password": "not-it-at-all", "new_password1": TWELVE, "new_password2": TWELVE})
    psychologist.refresh_from_db()
    assert not psychologist.check_password(TWELVE)

import pytest
from django.urls import reverse

from tests.auth import log_in
from tests.factories import GPFactory, PsychologistFactory

pytestmark = pytest.mark.django_db

PROFILE = {"first_name": "Hélène", "last_name": "Durand", "rpps": "10003456786", "adeli": "",
           "practice_address": "3 rue de la République, 69001 Lyon", "phone": "04 72 00 00 00",
           "is_conventioned": "on", "convention_date": "01/03/2022"}


def test_the_login_page_is_at_the_root_in_french(client):
    page = client.get("/").content.decode()
    assert '<html lang="fr">' in page
    assert "Se connecter" in page


def test_logging_in_leads_to_the_dashboard(client):
    PsychologistFactory(username="camille", password="a-long-test-password")
    response = client.post("/", {"username": "camille", "password": "a-long-test-password"})
    assert response["Location"] == reverse("pathway:dashboard")


def test_a_wrong_password_is_refused_in_french(client):
    PsychologistFactory(username="camille", password="a-long-test-password")
    response = client.post("/", {"username": "camille", "password": "nope"})
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()


def test_logging_out_ends_the_session(client_psy):
    client_psy.post(reverse("accounts:logout"))
    assert client_psy.get(reverse("pathway:dashboard")).status_code == 302


def test_the_profile_saves_what_documents_need(client_psy, psychologist):
    client_psy.post(reverse("accounts:profile"), PROFILE)
    psychologist.refresh_from_db()
    assert (psychologist.rpps, psychologist.is_conventioned) == ("10003456786", True)
    assert psychologist.convention_date.isoformat() == "2022-03-01"


def test_an_rpps_failing_luhn_is_saved_with_a_warning(client_psy, psychologist):
    response = client_psy.post(reverse("accounts:profile"), {**PROFILE, "rpps": "10003456789"}, follow=True)
    psychologist.refresh_from_db()
    assert psychologist.rpps == "10003456789"
    assert "contrôle de Luhn" in response.content.decode()


def test_an_rpps_must_have_11_digits(client_psy):
    response = client_psy.post(reverse("accounts:profile"), {**PROFILE, "rpps": "123"})
    assert "11 chiffres" in response.context["form"].errors["rpps"][0]


def test_an_adeli_needs_the_psychologist_code_93(client_psy, psychologist):
    response = client_psy.post(reverse("accounts:profile"), {**PROFILE, "adeli": "751200015"})
    assert "93" in response.context["form"].errors["adeli"][0]
    psychologist.refresh_from_db()
    assert psychologist.adeli == ""


def test_a_valid_adeli_is_accepted(client_psy, psychologist):
    client_psy.post(reverse("accounts:profile"), {**PROFILE, "rpps": "", "adeli": "759300015"})
    psychologist.refresh_from_db()
    assert psychologist.adeli == "759300015"


def test_a_conventioned_psychologist_gives_the_convention_date(client_psy):
    response = client_psy.post(reverse("accounts:profile"), {**PROFILE, "convention_date": ""})
    assert "convention_date" in response.context["form"].errors


def test_a_doctor_logging_in_lands_on_their_referrals_not_on_a_caseload(client):
    GPFactory(username="dr-leroy", password="a-long-test-password")
    response = client.post("/", {"username": "dr-leroy", "password": "a-long-test-password"})
    assert response["Location"] == reverse("referrals:gp_portal")
    assert client.get(reverse("pathway:dashboard")).status_code == 404


def test_a_doctor_saves_their_own_details_without_the_psychologist_fields(client):
    doctor = GPFactory(adeli="", rpps="10003456786")
    log_in(client, doctor)
    page = client.get(reverse("accounts:profile"))
    assert "convention_date" not in page.context["form"].fields
    assert "RPPS 10003456786" in page.content.decode()
    response = client.post(reverse("accounts:profile"), {
        "first_name": "Anne", "last_name": "Leroy", "email": "anne.leroy@exemple.fr",
        "practice_address": "3 rue des Lilas, 69003 Lyon", "phone": "04 78 00 00 00",
    })
    assert response.status_code == 302
    doctor.refresh_from_db()
    assert (doctor.practice_address, doctor.rpps, doctor.is_conventioned) == (
        "3 rue des Lilas, 69003 Lyon", "10003456786", False)


def test_a_doctor_shows_no_referral_link(client):
    log_in(client, GPFactory())
    assert "referral_link" not in client.get(reverse("accounts:profile")).context

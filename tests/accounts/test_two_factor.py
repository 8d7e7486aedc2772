"""Two-step login: set up at a psychologist's first login, asked at each one, enforced on every page."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import RecoveryCode
from tests.auth import log_in, totp_device
from tests.factories import GPFactory, PsychologistFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
DASHBOARD = reverse("pathway:dashboard")


def code_of(device):
    return f"{totp(device.bin_key):06d}"


def password_login(client, user):
    """The first step only, as a browser does it: the session knows the password, not the phone."""
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def set_up(client, user):
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return device, client.post(SETUP, {"code": code_of(device)})


@pytest.fixture
def camille():
    return PsychologistFactory(username="camille")


def test_a_psychologist_logging_in_the_first_time_is_sent_to_set_it_up(client, camille):
    password_login(client, camille)
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Ftableau-de-bord%2F"


def test_the_setup_page_shows_the_key_as_an_inline_qr_code_and_as_text(client, camille):
    page = password_login(client, camille).get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=camille)
    assert 'class="qr-code"><path' in page  # drawn inline, no outside service
    assert two_factor.secret_text(device) in page
    assert "Mon%20soutien%20psy" in device.config_url  # the issuer the app shows


def test_a_right_code_confirms_the_app_and_shows_ten_recovery_codes_once(client, camille):
    password_login(client, camille)
    device, response = set_up(client, camille)
    device.refresh_from_db()
    assert device.confirmed
    assert len(response.context["codes"]) == 10
    assert "ils ne sont affichés qu’une seule fois" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 200


def test_a_wrong_code_at_setup_is_refused_in_french_and_confirms_nothing(client, camille):
    password_login(client, camille).get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    assert "Ce code est faux ou a expiré" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=camille, confirmed=True).exists()
    assert client.get(DASHBOARD).status_code == 302


def test_recovery_codes_are_stored_hashed_never_in_clear(client, camille):
    password_login(client, camille)
    _device, response = set_up(client, camille)
    stored = list(RecoveryCode.objects.filter(user=camille).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in response.context["codes"]:
        assert code not in stored and code.replace("-", "") not in stored
        assert two_factor.code_hash(code) in stored


def test_each_later_login_asks_for_the_code_and_then_opens_the_page_first_asked(client, camille):
    device = totp_device(camille)
    password_login(client, camille)
    response = client.get(reverse("pathway:patient_list"))
    assert response["Location"] == f"{VERIFY}?next=%2Fpatients%2F"
    response = client.post(VERIFY, {"code": code_of(device), "next": "/patients/"})
    assert response["Location"] == "/patients/"
    assert client.get(DASHBOARD).status_code == 200


def test_a_wrong_code_keeps_every_page_closed(client, camille):
    totp_device(camille)
    password_login(client, camille)
    response = client.post(VERIFY, {"code": "123456"})
    assert "Ce code est faux ou a expiré" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302


def test_a_code_once_used_does_not_open_a_second_session(client, camille):
    device = totp_device(camille)
    code = code_of(device)
    password_login(client, camille).post(VERIFY, {"code": code})
    other = password_login(type(client)(), camille)
    other.post(VERIFY, {"code": code})
    assert other.get(DASHBOARD).status_code == 302


def test_the_next_page_is_never_another_site(client, camille):
    device = totp_device(camille)
    password_login(client, camille)
    response = client.post(VERIFY, {"code": code_of(device), "next": "https://evil.example/"})
    assert response["Location"] == DASHBOARD


def test_a_recovery_code_replaces_the_app_once(client, camille):
    device = totp_device(camille)
    first, second = two_factor.recovery_codes_create(camille)[:2]
    password_login(client, camille)
    response = client.post(VERIFY, {"code": first.upper()}, follow=True)
    assert response.status_code == 200
    assert "il en reste 9" in response.content.decode()
    client.post(reverse("accounts:logout"))
    password_login(client, camille)
    response = client.post(VERIFY, {"code": first})
    assert "ni le code actuel de l’application, ni un code de secours inutilisé" in response.content.decode()
    assert client.get(DASHBOARD).status_code == 302
    client.post(VERIFY, {"code": second})
    assert client.get(DASHBOARD).status_code == 200
    assert device.user_id == camille.pk


UNVERIFIED_GETS = ["pathway:dashboard", "pathway:patient_list", "pathway:patient_create", "referrals:inbox",
                   "accounts:profile", "accounts:recovery_codes", "pathway:rules"]


def test_until_verified_a_psychologist_reaches_only_setup_verify_and_logout(client, camille):
    password_login(client, camille)
    for name in UNVERIFIED_GETS:
        response = client.get(reverse(name))
        assert (response.status_code, response["Location"].split("?")[0]) == (302, SETUP), name
    assert client.get("/admin/")["Location"].startswith(SETUP)
    response = client.post(reverse("pathway:patient_create"), {"last_name": "Martin"})
    assert response["Location"] == SETUP  # a POST neither runs nor comes back
    assert client.get(SETUP).status_code == 200
    assert client.get("/static/css/app.css").status_code != 302
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")


@pytest.mark.parametrize("overrides", [
    {"OTP_ENABLED": False, "TWO_FACTOR_REQUIRED": False, "TWO_FACTOR_ENABLED": False, "OTP_REQUIRED": False,
     "REQUIRE_TWO_FACTOR": False, "TWO_FACTOR_ENFORCED": False, "DISABLE_TWO_FACTOR": True, "OTP_DISABLED": True},
    {"DEBUG": True, "AXES_ENABLED": False, "TWO_FACTOR_EXEMPT_ROLES": ["psychologist"],
     "TWO_FACTOR_EXEMPT_PATHS": ["/"], "OTP_EXEMPT_URLS": ["/"]},
])
def test_no_setting_turns_it_off_for_a_psychologist(client, camille, settings, overrides):
    for name, value in overrides.items():
        setattr(settings, name, value)
    password_login(client, camille)
    assert client.get(DASHBOARD)["Location"].startswith(SETUP)


def test_a_password_alone_cannot_replace_the_app(client, camille):
    totp_device(camille)
    password_login(client, camille)
    response = client.get(SETUP)
    assert response["Location"].startswith(VERIFY)
    client.post(SETUP, {"code": "000000"})
    assert TOTPDevice.objects.filter(user=camille).count() == 1


def test_moving_to_another_phone_replaces_the_device_and_keeps_this_session(client, camille):
    old = totp_device(camille)
    log_in(client, camille)
    _device, response = set_up(client, camille)
    assert response.status_code == 200
    assert list(TOTPDevice.objects.filter(user=camille).values_list("confirmed", flat=True)) == [True]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert client.get(DASHBOARD).status_code == 200


def test_new_recovery_codes_replace_the_old_ones(client_psy, psychologist):
    old = two_factor.recovery_codes_create(psychologist)
    page = client_psy.get(reverse("accounts:recovery_codes")).content.decode()
    assert "10 codes de secours inutilisés" in page
    response = client_psy.post(reverse("accounts:recovery_codes"))
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert not two_factor.recovery_code_use(psychologist, old[0])
    assert two_factor.recovery_code_use(psychologist, new[0])


def test_a_doctor_is_not_asked_for_a_second_factor(client):
    doctor = GPFactory(username="dr-leroy")
    password_login(client, doctor)
    assert client.get(reverse("referrals:gp_portal")).status_code == 200
    assert "Activer la connexion en deux étapes" in client.get(reverse("accounts:profile")).content.decode()


def test_a_doctor_who_opts_in_is_asked_at_the_next_login_and_may_opt_out(client):
    doctor = GPFactory(username="dr-leroy")
    password_login(client, doctor)
    device, response = set_up(client, doctor)
    assert len(response.context["codes"]) == 10
    client.post(reverse("accounts:logout"))
    password_login(client, doctor)
    assert client.get(reverse("referrals:gp_portal"))["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": two_factor.recovery_codes_create(doctor)[0]})
    assert client.get(reverse("referrals:gp_portal")).status_code == 200
    client.post(reverse("accounts:two_factor_disable"))
    assert not TOTPDevice.objects.filter(user=doctor).exists()
    client.post(reverse("accounts:logout"))
    password_login(client, doctor)
    assert client.get(reverse("referrals:gp_portal")).status_code == 200
    assert device.user_id == doctor.pk


def test_a_psychologist_cannot_turn_it_off(client_psy, psychologist):
    assert client_psy.get(reverse("accounts:two_factor_disable")).status_code == 404
    assert client_psy.post(reverse("accounts:two_factor_disable")).status_code == 404
    assert TOTPDevice.objects.filter(user=psychologist, confirmed=True).exists()


def test_the_log_in_helper_leaves_a_session_the_middleware_accepts(client, psychologist):
    log_in(client, psychologist)
    assert client.get(DASHBOARD).status_code == 200

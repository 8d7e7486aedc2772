"""How a person logs in, in the browser: one function, so the login's steps change here only.

A psychologist gives a second factor at each login: the 6-digit code of her authenticator app,
computed here from her confirmed TOTP device's key (the `psy` fixture creates the device). An
account without a device is sent to set one up: the code is then computed from the key the page
shows, as the person's app would, and the recovery codes page leads on.
"""

import re
from base64 import b32decode

from django.urls import reverse
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from .forms import field

PASSWORD = "a-long-test-password"  # the factories' password
CODE_FIELD = re.compile("code", re.IGNORECASE)  # "Code affiché par l’application", or "… code de secours"
KEY_AS_SHOWN = re.compile(r"^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$")


def two_factor_device(user):
    """A confirmed authenticator for the user, as after a first login that set it up."""
    return TOTPDevice.objects.create(user=user, name="téléphone", confirmed=True)


def current_code(key):
    return f"{totp(key):06d}"


def next_unused_code(user):
    """The code the user's app shows now; if a login has just used it (a code works once), the next
    step's, which the device accepts within its tolerance."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    steps = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if steps.t() <= device.last_t:
        steps.drift += device.last_t - steps.t() + 1
    return f"{steps.token():0{device.digits}d}"


def log_in(page, base_url, user, password=PASSWORD, checks=None):
    arrive = checks.arrive if checks else (lambda name: None)
    page.goto(f"{base_url}{reverse('accounts:login')}")
    arrive("login")
    field(page, "Nom d’utilisateur").fill(user.username)
    field(page, "Mot de passe").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    if page.url.startswith(f"{base_url}{reverse('accounts:two_factor_setup')}"):
        arrive("two-factor set-up")
        give_the_code(page, current_code(key_shown(page)))
        arrive("recovery codes")
        page.get_by_role("link", name=re.compile("continuer")).click()
    elif page.url.startswith(f"{base_url}{reverse('accounts:two_factor_verify')}"):
        arrive("two-factor code")
        give_the_code(page, next_unused_code(user))
    # Past the password and the second factor: no longer on a login page.
    login_pages = rf"{re.escape(reverse('accounts:login'))}(\?.*)?|{re.escape(reverse('accounts:two_factor_verify'))}.*"
    expect(page).not_to_have_url(re.compile(rf"^{re.escape(base_url)}({login_pages})$"))
    # The logout button is in the menu, folded away on a phone: present, not necessarily shown.
    expect(page.get_by_role("button", name="Se déconnecter", include_hidden=True)).to_be_attached()


def give_the_code(page, code):
    page.get_by_role("textbox", name=CODE_FIELD).fill(code)
    with page.expect_navigation():
        page.get_by_role("textbox", name=CODE_FIELD).press("Enter")


def key_shown(page):
    """The key as the set-up page prints it for typing into an app, in groups of four characters."""
    return b32decode(page.get_by_text(KEY_AS_SHOWN).inner_text().replace(" ", ""))

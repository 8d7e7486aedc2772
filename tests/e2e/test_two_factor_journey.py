"""A psychologist's first login: the password, then setting up the authenticator app."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import RecoveryCode
from tests.factories import PsychologistFactory

from .login import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_first_login_sets_up_two_factor(open_page, live_server, width):
    newcomer = PsychologistFactory(username="camille", first_name="Camille", last_name="Rousseau")
    page, checks = open_page(width)

    log_in(page, live_server.url, newcomer, checks=checks)  # set-up page, recovery codes, then on

    expect(page.get_by_role("heading", level=1)).to_have_text("Tableau de bord")
    checks.arrive("dashboard")
    device = TOTPDevice.objects.get(user=newcomer)
    assert device.confirmed
    assert RecoveryCode.objects.filter(user=newcomer, used_at__isnull=True).count() == 10

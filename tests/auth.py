"""How tests log a user in: one place, so the login's requirements change here only.

A psychologist's session must also hold the second factor (accounts.middleware.TwoFactorMiddleware):
the user gets a confirmed TOTP device and the session records it under django-otp's key, exactly as
a verified login leaves it (django_otp.login). A doctor has no second factor unless a test gives one.
"""

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

# A fixed key, so a test can compute the current code (django_otp.oath.totp) when it needs one.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


# What a signed-in request reads before its page's own queries: one statement, its session with its user
# and their second-factor devices (accounts/request_reads.py).
LOGIN_READ = 1


def totp_device(user):
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=True, defaults={"name": "test phone", "key": TEST_TOTP_KEY})
    return device


def log_in(client, user):
    client.force_login(user)
    if user.is_psychologist:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    return client

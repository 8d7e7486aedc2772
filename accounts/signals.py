from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import sessions, two_factor


@receiver(user_logged_in, dispatch_uid="accounts.session_started")
def session_started(sender, request, user, **kwargs):
    request.session[sessions.LAST_SEEN_KEY] = sessions.now_seconds()
    # A psychologist always needs the second factor; a doctor once they turned it on.
    if not user.is_psychologist:
        has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        request.session[two_factor.REQUIRED_SESSION_KEY] = has_device

"""Two-factor login: the TOTP device (django-otp) and our hashed single-use recovery codes.

django-otp verifies codes and remembers the verified device in the session; it enforces nothing:
accounts.middleware.TwoFactorMiddleware does. Its own static tokens are stored in clear, so the
recovery codes are ours (RecoveryCode), hashed.
"""

import hashlib
import secrets
from base64 import b32decode, b32encode

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RecoveryCode
from .sessions import sessions_end_everywhere

RECOVERY_CODE_COUNT = 10
# Crockford's base32 (no i, l, o, u): 16 symbols of 5 bits, 80 bits per code.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
RECOVERY_CODE_LENGTH = 16
# Set in the session at login for an account that opted in (a doctor): a psychologist always needs it.
REQUIRED_SESSION_KEY = "two_factor_required"


def is_required(user, session):
    return user.is_psychologist or bool(session.get(REQUIRED_SESSION_KEY))


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def device_pending(user):
    """The unconfirmed device being set up (created on first sight): its secret shows until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def device_confirm(user, device, token):
    """Confirm the device with a code from the app: it replaces any previous one, every other session
    of the user ends, and fresh recovery codes are returned (in clear, the only time); None if the
    code is wrong."""
    if not device.verify_token(token):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        sessions_end_everywhere(user)
        return recovery_codes_create(user)


def device_remove(user):
    """A doctor turns two-factor login off: the device and the recovery codes go."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()


def device_with_key(user, secret, name):
    """A confirmed device with a known base32 key, for the demo and the benchmark accounts only."""
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, name=name, defaults={"key": b32decode(secret).hex(), "confirmed": True})
    return device


def secret_text(device):
    """The base32 secret as an authenticator app asks for it when typed, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device):
    # Drawn here as inline SVG: the secret never leaves the server for a QR-code service. The SVG
    # holds only the modules' path, never the text, so it is safe to insert as is.
    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4, svgclass="qr-code",
                                                                       omitsize=False))


def code_hash(code):
    normalised = "".join(char for char in code.lower() if char.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def recovery_codes_create(user):
    """Replace the user's recovery codes by new ones; the clear codes are returned, never stored."""
    codes = []
    for _index in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _char in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)))
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=code_hash(code)) for code in codes)
    return codes


def recovery_code_use(user, code):
    # One UPDATE guarded by "not used yet": two requests racing with the same code cannot both win.
    return bool(RecoveryCode.objects.filter(user=user, code_hash=code_hash(code), used_at__isnull=True)
                .update(used_at=timezone.now()))


def recovery_codes_left(user):
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def is_totp_code(code):
    return code.isdigit() and len(code) == 6


def verify_problem(device, code):
    """Why the code does not prove the device's owner, or None when it does (a recovery code is then spent)."""
    if is_totp_code(code):
        # django-otp doubles the wait after each wrong code: say so rather than "wrong code".
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            return _("Too many wrong codes: wait a few seconds, then type the current code.")
        return None if device.verify_token(code) else _("This code is wrong or has expired: type the current code.")
    if recovery_code_use(device.user, code):
        return None
    return _("This code is neither the app's current code nor an unused recovery code.")

"""Sessions: the idle timeout's clock, and ending every session of a user."""

from django.db.models import F
from django.utils import timezone

from .models import User

LAST_SEEN_KEY = "last_seen"
# 30 minutes without a request end a session (SESSION_COOKIE_AGE, a little longer, is the backstop).
IDLE_SECONDS = 30 * 60
# The session is saved (its expiry moved on) at most once a minute, not on every request.
TOUCH_EVERY_SECONDS = 60


def now_seconds():
    return int(timezone.now().timestamp())


def sessions_end_everywhere(user):
    """Every session of the user ends at its next request (see User._get_session_auth_hash)."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])

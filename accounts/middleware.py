from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import sessions, two_factor


class IdleSessionMiddleware:
    """A session left 30 minutes without a request is logged out, with a message saying why.

    The last request's time is written at most once a minute (not a write on every page); each write
    also moves the database session's own expiry on, the backstop.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        last_seen = request.session.get(sessions.LAST_SEEN_KEY)
        if last_seen is not None:
            now = sessions.now_seconds()
            if now - last_seen > sessions.IDLE_SECONDS:
                logout(request)
                messages.info(request, _("Your session ended after 30 minutes without activity: log in again."))
            elif now - last_seen >= sessions.TOUCH_EVERY_SECONDS:
                request.session[sessions.LAST_SEEN_KEY] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """A logged-in psychologist (or a doctor who turned it on) whose session has not given the second
    factor reaches only the set-up, verification and logout pages; anything else redirects there.

    On purpose, no setting turns this off: the second factor protects health data.
    """

    OPEN_URL_NAMES = ("accounts:two_factor_setup", "accounts:two_factor_verify", "accounts:logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not user.is_verified() and two_factor.is_required(user, request.session)
                and not self.is_open(request.path_info)):
            return self.redirect(request)
        return self.get_response(request)

    def is_open(self, path):
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path.startswith(static) or path in {reverse(name) for name in self.OPEN_URL_NAMES}

    def redirect(self, request):
        has_device = two_factor.confirmed_device(request.user) is not None
        url = reverse("accounts:two_factor_verify" if has_device else "accounts:two_factor_setup")
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)

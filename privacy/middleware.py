"""One place logs every access to health data: after the view answered, from the URL's name.

A read is a page shown (2xx); a write is a POST the view accepted (it redirects, as every form of
the app does on success). Refused requests (404, 405, 403) are not logged: nothing was shown or
changed, and a stranger's guesses must not fill the owner's trail. If the trace cannot be written
the request fails (500) rather than serve health data unlogged.
"""

from .access_map import HEALTH_DATA_URLS
from .models import Action
from .trail import access_record


def action_of(request, response):
    if 200 <= response.status_code < 300:
        return Action.READ  # also a POST answered with its form again: the page was shown
    if 300 <= response.status_code < 400 and request.method == "POST":
        return Action.WRITE
    return None


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        target = HEALTH_DATA_URLS.get(match.view_name) if match else None
        # A view that wrote its own entry (the erasure, whose patient is gone) says so.
        if target is None or getattr(request, "access_logged", False):
            return response
        action = action_of(request, response)
        if action and request.user.is_authenticated:
            access_record(request, response, target, action)
        return response

"""Two middlewares: double submissions are processed once; a database fault is a French 503 page.

Their places in settings.MIDDLEWARE:
- DatabaseUnavailableMiddleware high, just below SecurityMiddleware and CSPMiddleware (they put their
  headers on its page), above SessionMiddleware, whose save at the end of a request may be what fails.
- IdempotencyMiddleware low: after CsrfViewMiddleware (a forged request claims nothing), after
  MessageMiddleware (a duplicate is told), after the login middlewares (their redirects are not a
  view's answer), and after AccessLogMiddleware, so that the answer it keeps is the view's own, not
  the error a later failing write makes of it. It is recorded once the response is sent.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import faults, idempotency

# A double login or logout is harmless (each makes or ends a session), and a password is not hashed
# into a table even salted: these are processed as they come.
EXEMPT_VIEWS = {"accounts:login", "accounts:logout"}


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500 and getattr(request, "database_fault", False):
            return faults.unavailable_response(response)
        return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "submission_key", None)
        if key is not None:
            idempotency.submission_answered(request, key, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or request.resolver_match.view_name in EXEMPT_VIEWS:
            return None
        key = idempotency.submission_key(request)
        if key is None:
            return None
        try:
            submission = idempotency.submission_enter(key, idempotency.session_digest(request))
        except idempotency.StillProcessing:
            return render(request, "integrity/still_processing.html", status=409)
        if submission is None:
            request.submission_key = key  # this request runs the view; its answer is recorded once sent
            return None
        return replay(request, submission)


def replay(request, submission):
    """The first submission's redirect, with a word that nothing was recorded twice."""
    idempotency.session_adopt(request, submission)
    messages.info(request, _("This form had already been sent: it was recorded only once."), fail_silently=True)
    # The first request's write was logged by AccessLogMiddleware; this one wrote nothing.
    request.access_logged = True
    response = HttpResponse(status=submission.status_code)
    response["Location"] = submission.location
    return response

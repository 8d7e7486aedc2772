"""When PostgreSQL goes away: a French 503 page in the site's look, never a trace of the fault.

Django turns an exception raised anywhere below a middleware (a view, the session's save, another
middleware) into a 500 answer before that middleware sees it, but it first sends
`got_request_exception` while the exception is being handled: the receiver below notes a database
fault on the request, and DatabaseUnavailableMiddleware turns that 500 into the 503 page.

Nothing is half-written: every write of the app is one transaction, which PostgreSQL rolls back
when the connection dies. With CONN_HEALTH_CHECKS, a persistent connection that died with the
server is replaced at the next request's first query, so the app recovers without a restart.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

DATABASE_FAULTS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
# If even the page cannot be rendered, this is served: plain, French, nothing technical.
FALLBACK_PAGE = (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Service momentanément indisponible'
    "</title></head><body><h1>Service momentanément indisponible</h1><p>Réessayez dans quelques instants."
    "</p></body></html>"
)


def is_database_fault(error, depth=5):
    """The error, or one it was raised from or while handling, is the database's connection failing."""
    while error is not None and depth:
        if isinstance(error, DATABASE_FAULTS):
            return True
        error, depth = error.__cause__ or error.__context__, depth - 1
    return False


def note_database_fault(sender, request=None, **kwargs):
    if request is not None and is_database_fault(sys.exc_info()[1]):
        request.database_fault = True


def unavailable_page():
    # Rendered without the request: its context processors (the user, the messages) read the database.
    try:
        with translation.override(translation.get_language() or settings.LANGUAGE_CODE):
            return render_to_string("integrity/database_unavailable.html")
    except Exception:  # the last answer of a failing request: it must not fail in turn
        logger.exception("The database-unavailable page could not be rendered")
        return FALLBACK_PAGE


def unavailable_response(failed):
    """The 503 page in place of the 500 answer, with the headers set on its way out (CSP, framing)."""
    response = HttpResponse(unavailable_page(), status=503)
    for name, value in failed.items():
        if name.lower() not in ("content-type", "content-length"):
            response[name] = value
    response.cookies = failed.cookies
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

"""/healthz: is this app server able to serve? For the load balancer and the monitoring.

One `SELECT 1`, nothing else: no session, no login, no write, never cached. 200 when the database
answers, 503 when it does not, so that the load balancer takes this server out of rotation.
"""

import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # The class only: a driver's message may name the host or the user.
        logger.warning("Health check: the database did not answer (%s)", type(error).__name__)
        return health_response("unavailable", 503)
    return health_response("ok", 200)


def health_response(status, code):
    response = JsonResponse({"status": status}, status=code)
    response["Cache-Control"] = "no-store"
    return response

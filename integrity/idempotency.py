"""A form sent twice (a double click, a resend from the history) is processed once.

A submission is one showing of a form, sent with its data: its key hashes the path, the form's
CSRF token and the form's data, files included. The token is drawn afresh each time a page is
shown, and CsrfViewMiddleware accepts it only with its own browser's cookie: two browsers (two
users) never share a key. The user is not part of the key: the first answer may log the browser
in or out (a login's new session key), and its duplicate must still be recognised.

The first request to claim a key runs the view; a duplicate that arrives meanwhile waits for its
answer and gets the same redirect. An answer that is not a redirect (the form again,
with its errors; a refusal; a fault) releases the key, so that the user can correct and send again.
A redirect is recorded once it has been sent (Django's request_finished signal, when the server
closes the response): the user does not wait for that bookkeeping, and a duplicate arriving in
between waits for it as it waits for any first request still running.

A POST without a CSRF token (a csrf_exempt view; the test client) cannot be told apart from a second
submission with the same data, so it is processed as it comes.
"""

import contextvars
import hashlib
import json
import logging
import time
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import Submission

logger = logging.getLogger(__name__)

# A processed submission answers its duplicates this long; a resend after that is processed again.
EXPIRES_AFTER = timedelta(minutes=10)
# A submission still "processing" after this is taken over: its request died with its worker (a
# gunicorn worker is killed after 30 s) or could not record its answer (the database went away).
STALE_AFTER = timedelta(seconds=60)
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1
PURGE_EVERY_SECONDS = 60.0

CSRF_FIELD = "csrfmiddlewaretoken"


class StillProcessing(Exception):
    """The first submission has not answered within WAIT_SECONDS."""


def csrf_token_sent(request):
    return request.POST.get(CSRF_FIELD) or request.META.get(settings.CSRF_HEADER_NAME) or ""


def file_digest(upload):
    # Chunk by chunk from the upload handler's memory or temporary file: the body is never held twice.
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def form_content(request):
    """The data as the form sent it, independent of the multipart boundary a browser draws each time."""
    if request.content_type not in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return request.body.decode("latin-1")
    files = [[name, [[f.name, f.size, file_digest(f)] for f in uploads]] for name, uploads in request.FILES.lists()]
    return [list(request.POST.lists()), files]


def submission_key(request):
    """The key of the submission, or None when the request carries no CSRF token to tell it apart."""
    token = csrf_token_sent(request)
    if not token:
        return None
    # The token sent in the form is part of its data; one sent in a header is added.
    content = [request.get_full_path(), request.META.get(settings.CSRF_HEADER_NAME, ""), form_content(request)]
    return hashlib.sha256(json.dumps(content).encode()).hexdigest()


def session_cookie(request):
    return request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")


def session_digest(request):
    return hashlib.sha256(session_cookie(request).encode()).hexdigest()


# Insert the key, or take over a row that expired or went stale; a row comes back when this request won.
CLAIM_SQL = """
INSERT INTO {table} ({key}, {state}, {created_at}, {status_code}, {location}, {origin_session}, {session_key})
VALUES (%s, %s, %s, NULL, '', %s, '')
ON CONFLICT ({key}) DO UPDATE SET {state} = excluded.{state}, {created_at} = excluded.{created_at},
    {status_code} = NULL, {location} = '', {origin_session} = excluded.{origin_session}, {session_key} = ''
WHERE {table}.{created_at} < %s OR ({table}.{state} = %s AND {table}.{created_at} < %s)
RETURNING {key}
"""


FINISH_SQL = "UPDATE {table} SET {state} = %s, {status_code} = %s, {location} = %s, {session_key} = %s WHERE {key} = %s"


def submission_sql(template):
    names = {field.name: connection.ops.quote_name(field.column) for field in Submission._meta.fields}
    return template.format(table=connection.ops.quote_name(Submission._meta.db_table), **names)


def claim_sql():
    return submission_sql(CLAIM_SQL)


def submission_claim(key, origin_session):
    """In autocommit, so that a duplicate sees the claim at once: True if this request runs the view."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    processing = Submission.State.PROCESSING
    with connection.cursor() as cursor:
        cursor.execute(claim_sql(), [key, processing, adapt(now), origin_session, adapt(now - EXPIRES_AFTER),
                                     processing, adapt(now - STALE_AFTER)])
        return cursor.fetchone() is not None


def submission_enter(key, origin_session):
    """None once this request has claimed the key; the answered Submission for a duplicate."""
    deadline = time.monotonic() + WAIT_SECONDS
    purge_now_and_then()
    while not submission_claim(key, origin_session):
        submission = Submission.objects.filter(pk=key).first()
        while submission is not None and submission.state == Submission.State.PROCESSING:
            if time.monotonic() >= deadline:
                raise StillProcessing
            time.sleep(POLL_SECONDS)
            submission = Submission.objects.filter(pk=key).first()
        if submission is not None:
            return submission
        # Released meanwhile (the first got its form back with errors): this one runs the view itself.
    return None


def session_handed_out(request):
    """The session the answer leaves the browser with, when it is not the one it came with."""
    session = getattr(request, "session", None)
    if session is None:
        return ""
    if session.session_key is None and session.modified and not session.is_empty():
        session.save()  # a new session gets its key when saved: SessionMiddleware only saves it later
    key = session.session_key or ""
    return key if key != session_cookie(request) else ""


def kept_for_duplicates(response):
    """A redirect (every form of the app redirects on success) is the answer its duplicates get."""
    return 300 <= response.status_code < 400 and response.has_header("Location")


def submission_finish(request, key, response):
    """Keep a redirect for the duplicates; release the key on any other answer."""
    if not kept_for_duplicates(response):
        submission_release(key)
        return
    values = [Submission.State.DONE, response.status_code, response["Location"], session_handed_out(request), key]
    for attempt in range(2):
        try:
            with connection.cursor() as cursor:  # a fixed statement: the ORM's update cost more to build than to run
                cursor.execute(submission_sql(FINISH_SQL), values)
            return
        except DatabaseError:
            if attempt or connection.in_atomic_block:
                # The view's work is committed and the user has its answer; the key goes stale in STALE_AFTER.
                logger.warning("Could not record the answer of submission %s", key[:12], exc_info=True)
                return
            # A fault after the view (the access log's write) may have broken the connection: reconnect once.
            connection.close()


# The answer the current request sent, recorded once the response has gone (record_sent_answer).
_sent_answer = contextvars.ContextVar("idempotency_sent_answer", default=None)


def submission_answered(request, key, response):
    """A redirect, kept for the duplicates once the response is sent; any other answer releases the
    key now, before the user can send the form again."""
    if kept_for_duplicates(response):
        _sent_answer.set((request, key, response))
    else:
        submission_release(key)


def record_sent_answer(**_signal):
    """request_finished's receiver: record the answer of the request whose response was just sent."""
    answered = _sent_answer.get()
    if answered is not None:
        _sent_answer.set(None)
        submission_finish(*answered)


def submission_release(key):
    for attempt in range(2):
        try:
            Submission.objects.filter(pk=key).delete()
            return
        except DatabaseError:
            if attempt or connection.in_atomic_block:
                logger.warning("Could not release submission %s", key[:12], exc_info=True)
                return
            # The fault that made this answer may have broken the connection: reconnect once.
            connection.close()


def session_adopt(request, submission):
    """Give a duplicate the session its first answer handed out, if it comes from the same browser."""
    if submission.session_key and submission.origin_session == session_digest(request):
        request.session = import_module(settings.SESSION_ENGINE).SessionStore(submission.session_key)
        request.session.modified = True  # SessionMiddleware sets its cookie on the answer


_last_purge = 0.0


def purge_now_and_then():
    """Expired rows go once a minute per process: one DELETE, not one per request."""
    global _last_purge
    if time.monotonic() - _last_purge < PURGE_EVERY_SECONDS:
        return
    _last_purge = time.monotonic()
    Submission.objects.filter(created_at__lt=timezone.now() - EXPIRES_AFTER).delete()

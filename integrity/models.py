from django.db import models


class Submission(models.Model):
    """One form submission while it is processed, then its answer for a few minutes (integrity/idempotency.py).

    Kept apart from the health data: it holds a hash of the request, never its content. On PostgreSQL
    the table is unlogged (migration 0002): no disk flush for its writes, emptied after a crash.
    """

    class State(models.TextChoices):
        PROCESSING = "processing"
        DONE = "done"

    key = models.CharField(max_length=64, primary_key=True)
    state = models.CharField(max_length=10, choices=State.choices)
    created_at = models.DateTimeField(db_index=True)
    # The answer of a processed submission: the redirect its duplicates get too.
    status_code = models.PositiveSmallIntegerField(null=True)
    location = models.TextField(blank=True)
    # A hash of the session cookie the submission came with, and the session its answer handed out
    # when that changed (a first referral from a browser, a login): a duplicate from the same
    # browser gets that session too, since the browser may have dropped the first answer.
    origin_session = models.CharField(max_length=64, blank=True)
    session_key = models.CharField(max_length=40, blank=True)

    def __str__(self):
        return f"{self.key[:12]}… {self.state}"

"""Delete access-log traces older than ACCESS_LOG_RETENTION_DAYS (default 365): the log's only deletion path.

Run it daily (cron or a systemd timer). On PostgreSQL it opens the trigger's gate for its own
transaction only (`privacy.purge`, set local); the trigger still refuses any trace younger than
180 days and every erasure trace, whatever this command is told.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from privacy import retention
from privacy.models import AccessLogEntry


def retention_days():
    days = settings.ACCESS_LOG_RETENTION_DAYS
    rules = retention.rules_on(timezone.localdate())
    if not rules.access_log_min_days <= days <= rules.access_log_max_days:
        raise CommandError(
            f"ACCESS_LOG_RETENTION_DAYS={days}: the CNIL's range is {rules.access_log_min_days} to "
            f"{rules.access_log_max_days} days ({rules.source})"
        )
    return days


def purge(days, now=None):
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('privacy.purge', 'on', true)")
            deleted = AccessLogEntry.objects.purge_older_than(cutoff)
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('privacy.purge', 'off', true)")
    return deleted, cutoff


class Command(BaseCommand):
    help = "Delete access-log traces older than ACCESS_LOG_RETENTION_DAYS (erasure traces are kept)."

    def handle(self, *args, **options):
        deleted, cutoff = purge(retention_days())
        self.stdout.write(f"{deleted} trace(s) older than {timezone.localtime(cutoff):%d/%m/%Y %H:%M} deleted.")

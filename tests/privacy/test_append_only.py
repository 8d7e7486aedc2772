"""The trail cannot be changed or deleted, in the app or in SQL; only the purge removes old traces."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from privacy.models import AccessLogEntry, Action

pytestmark = pytest.mark.django_db


def trace(days_ago=0, action=Action.READ, **fields):
    return AccessLogEntry.objects.create(
        at=timezone.now() - timedelta(days=days_ago), actor_id=1, actor_name="Hélène Durand", owner_id=1,
        action=action, object_type="patient", object_id="x", **fields)


def sql(statement, *params):
    """Run raw SQL in a savepoint, so that a refusal leaves the test's transaction usable."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_a_saved_trace_cannot_be_saved_again():
    entry = trace()
    entry.actor_name = "Someone else"
    with pytest.raises(ValidationError):
        entry.save()
    assert AccessLogEntry.objects.get().actor_name == "Hélène Durand"


def test_a_trace_cannot_be_deleted_through_the_orm():
    entry = trace()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(ValidationError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(actor_name="x")
    entry.actor_name = "x"
    with pytest.raises(ValidationError), transaction.atomic():  # bulk_update runs in a transaction of its own
        AccessLogEntry.objects.bulk_update([entry], ["actor_name"])
    assert AccessLogEntry.objects.get().actor_name == "Hélène Durand"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_an_update_in_raw_sql():
    entry = trace()
    with pytest.raises(DatabaseError, match="append-only: UPDATE refused"):
        sql("UPDATE privacy_accesslogentry SET actor_name = 'x' WHERE id = %s", entry.pk)
    assert AccessLogEntry.objects.get().actor_name == "Hélène Durand"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_postgresql_refuses_a_delete_in_raw_sql_even_of_an_old_trace():
    trace(days_ago=400)
    with pytest.raises(DatabaseError, match="append-only: DELETE refused"):
        sql("DELETE FROM privacy_accesslogentry")
    assert AccessLogEntry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_the_purge_gate_never_lets_a_recent_trace_or_an_erasure_trace_go():
    trace(days_ago=100)
    trace(days_ago=400, action=Action.ERASE)
    with pytest.raises(DatabaseError, match="DELETE refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('privacy.purge', 'on', true)")
            cursor.execute("DELETE FROM privacy_accesslogentry")
    assert AccessLogEntry.objects.count() == 2


def test_the_purge_deletes_the_traces_older_than_the_retention_and_keeps_the_rest(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 365
    old, erased = trace(days_ago=366), trace(days_ago=900, action=Action.ERASE)
    recent = trace(days_ago=364)
    call_command("purge_access_log", stdout=StringIO())
    assert set(AccessLogEntry.objects.values_list("pk", flat=True)) == {erased.pk, recent.pk}
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()


def test_the_purge_follows_the_setting(settings):
    settings.ACCESS_LOG_RETENTION_DAYS = 200
    trace(days_ago=201)
    kept = trace(days_ago=199)
    call_command("purge_access_log", stdout=StringIO())
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [kept.pk]


@pytest.mark.parametrize("days", [30, 182, 2000])
def test_the_purge_refuses_a_retention_outside_the_cnil_range(settings, days):
    settings.ACCESS_LOG_RETENTION_DAYS = days
    trace(days_ago=400)
    with pytest.raises(CommandError, match="CNIL"):
        call_command("purge_access_log")
    assert AccessLogEntry.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_after_a_purge_the_gate_is_closed_again(settings):
    call_command("purge_access_log", stdout=StringIO())
    trace(days_ago=400)
    with pytest.raises(DatabaseError, match="DELETE refused"):
        sql("DELETE FROM privacy_accesslogentry")

"""Statements read together: on PostgreSQL in one pipeline, with the same rows and errors as one by one."""

import pytest
from django.db import ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from config.model_rows import Read, pipelines, read_together

pytestmark = pytest.mark.django_db


def test_each_read_gets_its_own_rows_in_order_and_is_counted():
    reads = [Read("SELECT %(n)s + 1", {"n": number}, lambda rows: rows[0][0]) for number in range(4)]
    reads.append(Read("SELECT 'rien' WHERE 1 = 0", ()))
    with CaptureQueriesContext(connection) as queries:
        assert read_together(*reads) == [1, 2, 3, 4, []]
    assert len(queries) == 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pipeline")
def test_postgresql_reads_them_in_one_pipeline(monkeypatch):
    assert pipelines(connection)
    entered = []
    connection.ensure_connection()
    pipeline = type(connection.connection).pipeline

    def watched(self, *args, **kwargs):
        entered.append(True)
        return pipeline(self, *args, **kwargs)

    monkeypatch.setattr(type(connection.connection), "pipeline", watched)
    assert read_together(Read("SELECT 1", ()), Read("SELECT 2", ())) == [[(1,)], [(2,)]]
    assert entered == [True]


def test_a_failing_statement_raises_djangos_error_and_the_connection_goes_on():
    with pytest.raises(ProgrammingError), transaction.atomic():
        read_together(Read("SELECT 1", ()), Read("SELECT * FROM no_such_table", ()), Read("SELECT 3", ()))
    assert read_together(Read("SELECT 1", ()), Read("SELECT 2", ())) == [[(1,)], [(2,)]]


def test_db_pipelines_false_reads_one_statement_after_the_other(settings, monkeypatch):
    settings.DATABASE_PIPELINES = False
    connection.ensure_connection()
    monkeypatch.setattr(type(connection.connection), "pipeline", lambda self: pytest.fail("no pipeline"))
    assert not pipelines(connection)
    assert read_together(Read("SELECT 1", ()), Read("SELECT 2", ())) == [[(1,)], [(2,)]]

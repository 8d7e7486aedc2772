"""Statements read together: on PostgreSQL in one pipeline, with the same rows and errors as one by one."""

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from config.model_rows import Read, insert_together, pipelines, read_together

pytestmark = pytest.mark.django_db


def test_each_read_gets_its_own_rows_in_order_and_is_counted():
    reads = [Read("SELECT %(n)s + 1", {"n": number}, lambda rows: rows[0][0]) for number in range(4)]
    reads.append(Read("SELECT 'rien' WHERE 1 = 0", ()))
    with CaptureQueriesContext(connection) as queries:
        assert read_together(*reads) == [1, 2, 3, 4, []]
    assert len(queries) == 5


@pytest.fixture
def pipelines_entered(monkeypatch):
    """Each psycopg pipeline the connection enters, as it enters it."""
    entered = []
    connection.ensure_connection()
    pipeline = type(connection.connection).pipeline

    def watched(self, *args, **kwargs):
        entered.append(True)
        return pipeline(self, *args, **kwargs)

    monkeypatch.setattr(type(connection.connection), "pipeline", watched)
    return entered


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pipeline")
def test_postgresql_reads_them_in_one_pipeline(pipelines_entered):
    assert pipelines(connection)
    assert read_together(Read("SELECT 1", ()), Read("SELECT 2", ())) == [[(1,)], [(2,)]]
    assert pipelines_entered == [True]


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


# --- New rows inserted together (config.model_rows.insert_together) --------------------------------


def new_session_and_event(psychologist):
    from pathway.models import PathwayEvent
    from tests.factories import CareSessionFactory, PathwayFactory

    pathway = PathwayFactory(patient__psychologist=psychologist)
    session = CareSessionFactory.build(pathway=pathway, patient=pathway.patient, psychologist=psychologist)
    event = PathwayEvent(pathway=pathway, actor=psychologist, action=PathwayEvent.Action.SESSION_RECORDED,
                         session=session, details="détails")
    return session, event


def test_inserted_rows_are_the_rows_save_would_write(psychologist):
    from pathway.models import CareSession, PathwayEvent

    session, event = new_session_and_event(psychologist)
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        insert_together(session, event)
    assert [query["sql"].split()[:3] for query in queries if query["sql"].startswith("INSERT")] == [
        ["INSERT", "INTO", '"pathway_caresession"'], ["INSERT", "INTO", '"pathway_pathwayevent"']]
    stored = CareSession.objects.get(pk=session.pk)
    assert (stored.pathway_id, stored.date, stored.kind, stored.private_note) == (
        session.pathway_id, session.date, session.kind, session.private_note)
    stored_event = PathwayEvent.objects.get(session=session)
    assert stored_event.created_at is not None and stored_event.details == "détails"  # auto_now_add, as save()
    assert not session._state.adding and not event._state.adding


def test_a_failing_insert_raises_and_its_transaction_keeps_none_of_them(psychologist):
    from pathway.models import CareSession, PathwayEvent

    session, event = new_session_and_event(psychologist)
    duplicate, _event = new_session_and_event(psychologist)
    duplicate.pk = session.pk
    with transaction.atomic():
        insert_together(session)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_together(event, duplicate)  # the event first: it lands, then the second INSERT fails
    assert not PathwayEvent.objects.filter(details="détails").exists()
    assert CareSession.objects.filter(pk=session.pk).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's pipeline")
def test_postgresql_inserts_them_in_one_pipeline(psychologist, pipelines_entered):
    session, event = new_session_and_event(psychologist)
    with transaction.atomic():
        insert_together(session, event)
    assert pipelines_entered == [True]

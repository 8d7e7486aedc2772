"""The annual cap under concurrent requests, on PostgreSQL (DOMAIN.md §4, PITFALLS.md).

Several requests take the 12th session of the same patient at the same moment. The patient row,
locked FOR UPDATE, makes them queue: one wins, the others see its session and are refused.

The services also lock other rows: session_record the pathway, session_update the session and,
through select_related, its pathway and psychologist. With one active pathway per patient, those
locks alone would also queue these requests. So the control strips every FOR UPDATE but the
patient's (the ORM's select_for_update() and the services' fixed statements, cap.lock_sql), shows
that the patient lock alone keeps the cap, then removes it too: the cap breaks.
The race mixes both services: recording a follow-up and turning cancelled sessions into held ones.
"""

import threading
import time
from datetime import date

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from pathway import services
from pathway.models import Patient, SessionKind, SessionStatus
from pathway.services import cap
from pathway.services import sessions as session_actions

from ..factories import CareSessionFactory, PathwayFactory, PatientFactory

THREADS = 8
WINDOW_SECONDS = 0.2


@pytest.fixture
def eleven_sessions_this_year(psychologist):
    """A patient in care with 11 reimbursed sessions held this year, the evaluation first."""
    first_of_year = date(timezone.localdate().year, 1, 1)
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=first_of_year)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=first_of_year)
    for _ in range(10):
        CareSessionFactory(pathway=pathway, date=first_of_year)
    return pathway


@pytest.fixture
def wide_window(monkeypatch):
    """Sleep once the checks pass, before the write, so that concurrent requests overlap there."""
    original = session_actions.check_session

    def slow_check_session(*args, **kwargs):
        original(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)

    monkeypatch.setattr(session_actions, "check_session", slow_check_session)


def run_at_once(actions):
    """Run each action in its own thread, all released together; return what each returned or raised."""
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def worker(action):
        try:
            barrier.wait()
            outcomes.append(action())
        except services.DomainError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def record_a_followup(pathway, actor, index=0):
    """Half the recordings as the form's POST records them (the pathway known by its key), half by the
    pathway read before (session_record): both take the patient's lock first."""
    data = services.SessionInput(date=timezone.localdate(), mode="in_person", duration_minutes=45)
    if index % 2:
        return lambda: services.session_record(pathway, actor, kind=SessionKind.FOLLOWUP, data=data)
    return lambda: services.session_record_on_owned(actor, pathway.pk, kind=SessionKind.FOLLOWUP, data=data)


def hold_the_cancelled_session(cancelled, actor):
    data = services.SessionInput(date=cancelled.date, mode=cancelled.mode, duration_minutes=45)
    return lambda: services.session_update(cancelled, actor, data)


def recordings_and_updates(pathway, actor):
    """Half the threads record a follow-up, half turn each their own cancelled session into a held one."""
    cancelled = [CareSessionFactory(pathway=pathway, date=pathway.opened_on, status=SessionStatus.CANCELLED)
                 for _ in range(THREADS // 2)]
    return [record_a_followup(pathway, actor, index) for index in range(THREADS // 2)] + [
        hold_the_cancelled_session(session, actor) for session in cancelled]


def counted(pathway):
    return services.counted_sessions(pathway.patient_id, timezone.localdate().year).count()


def assert_one_winner(outcomes):
    refusals = [o for o in outcomes if isinstance(o, services.DomainError)]
    assert len(outcomes) == THREADS
    assert len(outcomes) - len(refusals) == 1
    assert {error.code for error in refusals} == {"cap_reached"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_recordings_record_only_one_12th_session(psychologist, eleven_sessions_this_year, wide_window):
    pathway = eleven_sessions_this_year

    outcomes = run_at_once([record_a_followup(pathway, psychologist, index) for index in range(THREADS)])

    assert_one_winner(outcomes)
    assert counted(pathway) == 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_recordings_and_updates_take_only_one_12th_session(
    psychologist, eleven_sessions_this_year, wide_window
):
    pathway = eleven_sessions_this_year

    outcomes = run_at_once(recordings_and_updates(pathway, psychologist))

    assert_one_winner(outcomes)
    assert counted(pathway) == 12


def unlocked(lock_sql):
    return lambda table, columns, where=None: lock_sql(table, columns, where).removesuffix(" FOR UPDATE")


@pytest.fixture
def only_the_patient_lock(monkeypatch):
    """Every lock but the patient row's reads without FOR UPDATE: select_for_update() and cap.lock_sql."""
    original = QuerySet.select_for_update

    def select_for_update(queryset, *args, **kwargs):
        return original(queryset, *args, **kwargs) if queryset.model is Patient else queryset

    monkeypatch.setattr(QuerySet, "select_for_update", select_for_update)
    original_lock_sql = cap.lock_sql

    def lock_sql(table, columns, where=None):
        keep = table == Patient._meta.db_table
        return (original_lock_sql if keep else unlocked(original_lock_sql))(table, columns, where)

    monkeypatch.setattr(cap, "lock_sql", lock_sql)


@pytest.mark.django_db(transaction=True)
def test_the_patient_lock_alone_keeps_the_cap(
    psychologist, eleven_sessions_this_year, wide_window, only_the_patient_lock
):
    pathway = eleven_sessions_this_year

    outcomes = run_at_once(recordings_and_updates(pathway, psychologist))

    assert_one_winner(outcomes)
    assert counted(pathway) == 12


@pytest.mark.django_db(transaction=True)
def test_without_the_patient_lock_concurrent_requests_break_the_cap(
    psychologist, eleven_sessions_this_year, wide_window, only_the_patient_lock, monkeypatch
):
    # The control: the race above, the patient row now read without FOR UPDATE.
    monkeypatch.setattr(cap, "lock_sql", unlocked(cap.lock_sql))
    pathway = eleven_sessions_this_year

    run_at_once(recordings_and_updates(pathway, psychologist))

    assert counted(pathway) > 12

"""The counts the database keeps in step with the sessions (pathway/stored_counts.py): the dashboard's."""

import os
import subprocess
import sys
import threading
import time
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from pathway import services, stored_counts
from pathway.models import (
    Billing,
    CareSession,
    CaseloadMonthCount,
    CaseloadStatusCount,
    Pathway,
    PathwayStatus,
    PatientLatestStatus,
    PatientYearCount,
    SessionKind,
    SessionMode,
    SessionStatus,
)

from ..factories import CareSessionFactory, DeclaredSessionsFactory, PathwayFactory, PatientFactory
from ..stored_counts_check import assert_counts_match

ROOT = Path(__file__).resolve().parents[2]
YEAR = timezone.localdate().year


@pytest.fixture
def pathway(psychologist):
    return PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=date(YEAR - 1, 11, 2))


def used(patient, year=YEAR):
    return PatientYearCount.objects.get(patient=patient, year=year).used


@pytest.mark.django_db
def test_a_reimbursed_held_session_counts_for_its_patient_year_month_and_pathway(pathway):
    CareSessionFactory(pathway=pathway, date=date(YEAR, 3, 4), mode=SessionMode.VIDEO)

    assert used(pathway.patient) == 1
    month = CaseloadMonthCount.objects.get(psychologist=pathway.psychologist, year=YEAR, month=3)
    assert (month.sessions, month.video) == (1, 1)
    pathway.refresh_from_db()
    assert (pathway.last_held_on, pathway.reimbursed_followups_held) == (date(YEAR, 3, 4), 1)


@pytest.mark.django_db
def test_cancelled_and_out_of_scheme_sessions_count_nowhere_but_a_held_one_is_the_last_held(pathway):
    CareSessionFactory(pathway=pathway, date=date(YEAR, 3, 4), status=SessionStatus.CANCELLED)
    CareSessionFactory(pathway=pathway, date=date(YEAR, 3, 2), billing=Billing.OUT_OF_SCHEME,
                       out_of_scheme_fee="60.00")

    assert not PatientYearCount.objects.filter(used__gt=0).exists()
    assert not CaseloadMonthCount.objects.filter(sessions__gt=0).exists()
    pathway.refresh_from_db()
    assert (pathway.last_held_on, pathway.reimbursed_followups_held) == (date(YEAR, 3, 2), 0)
    assert_counts_match()


@pytest.mark.django_db
def test_every_change_to_a_session_moves_the_counts_with_it(pathway):
    other_pathway = PathwayFactory(patient=pathway.patient, psychologist=pathway.psychologist,
                                   status="closed", closed_on=date(YEAR - 1, 12, 1), opened_on=date(YEAR - 1, 1, 5))
    evaluation = CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(YEAR - 1, 12, 20))
    session = CareSessionFactory(pathway=pathway, date=date(YEAR, 1, 8))
    assert_counts_match()

    changes = [
        {"date": date(YEAR - 1, 12, 30)},  # to last year, another month
        {"date": date(YEAR, 2, 3), "mode": SessionMode.VIDEO},
        {"status": SessionStatus.CANCELLED},
        {"status": SessionStatus.HELD, "billing": Billing.OUT_OF_SCHEME, "out_of_scheme_fee": "55.00"},
        {"billing": Billing.REIMBURSED, "out_of_scheme_fee": None, "kind": SessionKind.FOLLOWUP},
        {"pathway": other_pathway},
        {"private_note": "nothing counted changes"},
    ]
    for change in changes:
        for field, value in change.items():
            setattr(session, field, value)
        session.save()
        assert_counts_match()

    session.delete()
    evaluation.delete()
    assert_counts_match()
    pathway.refresh_from_db()
    assert (pathway.last_held_on, pathway.reimbursed_followups_held) == (None, 0)


@pytest.mark.django_db
def test_declared_sessions_add_to_the_patient_year_and_leave_with_their_declaration(pathway):
    CareSessionFactory(pathway=pathway, date=date(YEAR, 2, 1))
    declared = DeclaredSessionsFactory(patient=pathway.patient, year=YEAR, count=4)
    assert used(pathway.patient) == 5

    declared.count, declared.year = 2, YEAR - 1
    declared.save()
    assert (used(pathway.patient), used(pathway.patient, YEAR - 1)) == (1, 2)

    declared.delete()
    assert_counts_match()


@pytest.mark.django_db
def test_the_services_keep_the_counts_too(pathway, psychologist):
    data = services.SessionInput(date=date(YEAR, 1, 10), mode="in_person", duration_minutes=45)
    services.session_record(pathway, psychologist, kind=SessionKind.EVALUATION, data=data)
    session = services.session_record(
        Pathway.objects.get(pk=pathway.pk), psychologist, kind=SessionKind.FOLLOWUP,
        data=services.SessionInput(date=date(YEAR, 1, 17), mode="video", duration_minutes=45))
    services.session_update(session, psychologist, services.SessionInput(
        date=date(YEAR, 1, 24), mode="in_person", duration_minutes=45, status=SessionStatus.CANCELLED))

    expected = assert_counts_match()
    assert expected["years"][(pathway.patient_id, YEAR)] == 1


@pytest.mark.django_db
def test_saving_a_pathway_read_before_a_session_keeps_the_stored_counts(pathway):
    read_before = Pathway.objects.get(pk=pathway.pk)
    CareSessionFactory(pathway=pathway, date=date(YEAR, 4, 1))

    read_before.planned_followups = 6
    read_before.save()

    pathway.refresh_from_db()
    assert (pathway.planned_followups, pathway.last_held_on, pathway.reimbursed_followups_held) == (
        6, date(YEAR, 4, 1), 1)


@pytest.mark.django_db
def test_rebuild_counts_everything_again_from_the_rows(pathway):
    CareSessionFactory(pathway=pathway, date=date(YEAR, 5, 5), mode=SessionMode.VIDEO)
    DeclaredSessionsFactory(patient=pathway.patient, year=YEAR, count=2)
    PatientYearCount.objects.update(used=99)
    CaseloadMonthCount.objects.update(sessions=0, video=7)
    Pathway.objects.update(last_held_on=None, reimbursed_followups_held=9)

    stored_counts.rebuild(connection)

    assert_counts_match()
    assert used(pathway.patient) == 3


@pytest.mark.django_db
def test_the_check_finds_each_kind_of_difference_and_the_command_repairs_them(pathway):
    CareSessionFactory(pathway=pathway, date=date(YEAR, 5, 5), mode=SessionMode.VIDEO)
    DeclaredSessionsFactory(patient=pathway.patient, year=YEAR - 1, count=2)
    call_command("stored_counts", stdout=StringIO())
    assert stored_counts.check(connection) == {"patient years": 0, "months": 0, "latest statuses": 0,
                                               "caseload statuses": 0, "pathways": 0}

    PatientYearCount.objects.filter(year=YEAR).update(used=99)  # differs: one row each way
    PatientYearCount.objects.create(patient=pathway.patient, psychologist=pathway.psychologist, year=YEAR - 5, used=1)
    CaseloadMonthCount.objects.update(video=0)
    PatientLatestStatus.objects.filter(patient=pathway.patient).update(status="closed")  # its count follows it
    CaseloadStatusCount.objects.create(psychologist=pathway.psychologist, status="excluded", patients=4)
    Pathway.objects.filter(pk=pathway.pk).update(last_held_on=None)
    differences = "patient years: 3, months: 2, latest statuses: 2, caseload statuses: 3, pathways: 1"
    assert stored_counts.check(connection) == {"patient years": 3, "months": 2, "latest statuses": 2,
                                               "caseload statuses": 3, "pathways": 1}
    with pytest.raises(CommandError, match=differences):
        call_command("stored_counts", stdout=StringIO())

    output = StringIO()
    call_command("stored_counts", rebuild=True, stdout=output)
    assert ("match the rows (patient years: 0, months: 0, latest statuses: 0, caseload statuses: 0, pathways: 0)"
            in output.getvalue())
    assert_counts_match()


@pytest.mark.django_db
def test_without_the_triggers_the_counts_stand_still_until_installed_and_rebuilt(pathway):
    stored_counts.uninstall(connection)
    CareSessionFactory(pathway=pathway, date=date(YEAR, 6, 1))
    assert not PatientYearCount.objects.exists()

    stored_counts.install(connection)
    stored_counts.rebuild(connection)

    assert used(pathway.patient) == 1
    CareSessionFactory(pathway=pathway, date=date(YEAR, 6, 8))
    assert used(pathway.patient) == 2


def one_then_another(first_change, second_change):
    """first_change() in a transaction held open while second_change() runs; the errors they raised."""
    first_done, errors = threading.Event(), []

    def first():
        try:
            with transaction.atomic():
                first_change()
                first_done.set()
                time.sleep(0.5)  # the second writes meanwhile, and waits on the pathway's row
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def second():
        try:
            first_done.wait(10)
            second_change()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def set_status(session_id, status):
    session = CareSession.objects.get(pk=session_id)
    session.status = status
    session.save()


@pytest.mark.django_db(transaction=True)
def test_a_pathway_updated_while_another_transaction_writes_to_it_sees_that_write(psychologist):
    """Two transactions write a session of the same pathway (no service lock), the first holding its
    transaction open while the second writes. The second session is out of scheme, so that no counter
    row makes the second wait before the pathway's update: the pathway's own row does, and the second
    update starts from the first one's committed figures."""
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=date(YEAR - 1, 1, 2))

    errors = one_then_another(
        lambda: CareSessionFactory(pathway=pathway, date=date(YEAR, 2, 1)),
        lambda: CareSessionFactory(pathway=pathway, date=date(YEAR - 1, 2, 8), billing=Billing.OUT_OF_SCHEME,
                                   out_of_scheme_fee="60.00"))

    assert errors == []
    assert CareSession.objects.filter(pathway=pathway).count() == 2
    expected = assert_counts_match()
    assert expected["pathways"][pathway.pk] == (date(YEAR, 2, 1), 1)


@pytest.mark.django_db(transaction=True)
def test_a_pathway_recounted_while_another_transaction_changes_it_sees_that_change(psychologist):
    """Two session changes in one pathway at once (no service lock): each recounts the pathway's
    sessions. The second recount must wait for the first transaction and see its change: the
    pathway's row is locked before the recount (without that lock, it counted from before)."""
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=date(YEAR, 1, 2))
    held = CareSessionFactory(pathway=pathway, date=date(YEAR, 2, 1))
    cancelled = CareSessionFactory(pathway=pathway, date=date(YEAR, 2, 8), status=SessionStatus.CANCELLED)

    errors = one_then_another(lambda: set_status(held.pk, SessionStatus.CANCELLED),
                              lambda: set_status(cancelled.pk, SessionStatus.HELD))

    assert errors == []
    expected = assert_counts_match()
    assert expected["pathways"][pathway.pk] == (date(YEAR, 2, 8), 1)


@pytest.mark.django_db(transaction=True)
def test_a_patient_s_latest_status_recounted_while_another_pathway_is_opened_sees_it(psychologist):
    """A new pathway (the latest) is opened while the patient's older one changes status, both at once
    (no service lock): the second recount waits for the first and finds the new pathway the latest."""
    patient = PatientFactory(psychologist=psychologist)
    older = PathwayFactory(patient=patient, opened_on=date(YEAR - 2, 3, 1), status=PathwayStatus.EXCLUDED)

    def close_the_older():
        Pathway.objects.filter(pk=older.pk).update(status=PathwayStatus.CLOSED, closed_on=date(YEAR - 1, 1, 5))

    errors = one_then_another(
        lambda: PathwayFactory(patient=patient, opened_on=date(YEAR, 1, 9), status=PathwayStatus.AWAITING_EVALUATION),
        close_the_older)

    assert errors == []
    assert PatientLatestStatus.objects.get(patient=patient).status == PathwayStatus.AWAITING_EVALUATION
    assert_counts_match()


@pytest.mark.django_db(transaction=True)
def test_sessions_of_one_month_written_at_once_all_count(psychologist):
    """Eight transactions record a session of eight patients of one psychologist at once: the month's
    counter row takes each +1 in turn."""
    pathways = [PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=date(YEAR, 1, 2))
                for _ in range(8)]
    barrier, errors = threading.Barrier(len(pathways)), []

    def write(pathway):
        try:
            with transaction.atomic():
                barrier.wait(10)
                CareSessionFactory(pathway=pathway, date=date(YEAR, 3, 3), mode=SessionMode.VIDEO)
                time.sleep(0.05)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(pathway,)) for pathway in pathways]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    month = CaseloadMonthCount.objects.get(psychologist=psychologist, year=YEAR, month=3)
    assert (month.sessions, month.video) == (8, 8)
    assert_counts_match()


def test_sqlite_keeps_the_same_counts(tmp_path):
    """`make run`'s database: the SQLite triggers, through the migrations and the demo caseload."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}", "DEBUG": "true",
           "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, check=True, cwd=ROOT, timeout=300)
    subprocess.run([*manage, "load_demo"], env=env, check=True, cwd=ROOT, timeout=300, capture_output=True)
    check = (
        "import django; django.setup()\n"
        "from datetime import date\n"
        "from pathway.models import CareSession\n"
        "from tests.stored_counts_check import assert_counts_match\n"
        "expected = assert_counts_match()\n"
        "session = CareSession.objects.filter(status='held', billing='reimbursed').first()\n"
        "session.date = date(session.date.year - 1, 12, 31); session.save()\n"
        "assert_counts_match()\n"
        "session.status = 'cancelled'; session.save(); assert_counts_match()\n"
        "CareSession.objects.filter(pk=session.pk).update(status='held', date=date(session.date.year, 1, 1))\n"
        "assert_counts_match()\n"
        "from django.db import connection\n"
        "from pathway import stored_counts\n"
        "from pathway.models import Pathway\n"
        "pathway = Pathway.objects.first(); pathway.status = 'closed'; pathway.save(); assert_counts_match()\n"
        "assert not any(stored_counts.check(connection).values())\n"
        "CareSession.objects.filter(pk=session.pk).update(status='cancelled')\n"
        "assert not any(stored_counts.check(connection).values())\n"
        "stored_counts.uninstall(connection)\n"
        "CareSession.objects.filter(pk=session.pk).update(status='held')\n"
        "assert stored_counts.check(connection)['patient years'] == 1, stored_counts.check(connection)\n"
        "stored_counts.install(connection); stored_counts.rebuild(connection); assert_counts_match()\n"
        "held = sum(1 for last_held, _followups in expected['pathways'].values() if last_held)\n"
        "print(len(expected['years']), len(expected['months']), held)\n"
    )
    result = subprocess.run([sys.executable, "-c", check], env=env,
                            check=True, cwd=ROOT, timeout=120, capture_output=True, text=True)
    patient_years, months, pathways_held = map(int, result.stdout.split())
    assert patient_years > 10 and months > 3 and pathways_held > 10


def caseload_statuses(psychologist):
    return {row.status: row.patients for row in CaseloadStatusCount.objects.filter(psychologist=psychologist)
            if row.patients}


@pytest.mark.django_db
def test_a_caseload_counts_its_patients_under_the_status_of_their_latest_pathway(psychologist, other_psychologist):
    first, second = PatientFactory(psychologist=psychologist), PatientFactory(psychologist=psychologist)
    first_pathway = PathwayFactory(patient=first, opened_on=date(YEAR, 1, 9), status=PathwayStatus.AWAITING_EVALUATION)
    PathwayFactory(patient=second, opened_on=date(YEAR, 2, 1), status=PathwayStatus.IN_CARE)
    PathwayFactory(patient=PatientFactory(psychologist=other_psychologist), status=PathwayStatus.IN_CARE)
    assert caseload_statuses(psychologist) == {"awaiting_evaluation": 1, "in_care": 1}

    Pathway.objects.filter(pk=first_pathway.pk).update(status=PathwayStatus.EXCLUDED)
    assert caseload_statuses(psychologist) == {"excluded": 1, "in_care": 1}
    PathwayFactory(patient=first, opened_on=date(YEAR, 6, 1), status=PathwayStatus.AWAITING_EVALUATION)  # the latest
    assert caseload_statuses(psychologist) == {"awaiting_evaluation": 1, "in_care": 1}
    PathwayFactory(patient=second, opened_on=date(YEAR - 3, 1, 1), status=PathwayStatus.CLOSED)  # an older one
    assert caseload_statuses(psychologist) == {"awaiting_evaluation": 1, "in_care": 1}
    Pathway.objects.filter(patient=first).delete()  # as the erasure of a patient does
    assert caseload_statuses(psychologist) == {"in_care": 1}
    assert caseload_statuses(other_psychologist) == {"in_care": 1}
    assert_counts_match()


@pytest.fixture
def slow_status_counts():
    """Each write of a caseload's status row waits a little once the row is locked: the other
    transaction of a round then reaches its own rows meanwhile, as it may on a busy server."""
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION slow_status_count() RETURNS trigger LANGUAGE plpgsql AS $body$
            BEGIN PERFORM pg_sleep(0.02); RETURN NEW; END $body$;
            CREATE TRIGGER slow_status_count BEFORE UPDATE ON pathway_caseloadstatuscount
                FOR EACH ROW EXECUTE FUNCTION slow_status_count();""")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER slow_status_count ON pathway_caseloadstatuscount; "
                       "DROP FUNCTION slow_status_count();")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_patients_moving_in_opposite_directions_at_once_are_both_counted(psychologist, slow_status_counts):
    """Rounds of two transactions at once: one patient's pathway is closed while another, closed, gets a
    new pathway awaiting its evaluation. Each moves the same two counter rows the other way round; the
    counts take them in one order, so neither deadlocks and both land (taken in the order of each
    move, out then in, most rounds end in a deadlock)."""
    rounds = 12
    leaving = [PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=date(YEAR, 1, 9),
                              status=PathwayStatus.AWAITING_EVALUATION) for _ in range(rounds)]
    returning = [PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=date(YEAR - 1, 1, 9),
                                status=PathwayStatus.CLOSED) for _ in range(rounds)]
    barrier, errors = threading.Barrier(2), []

    def run(changes):
        for change in changes:
            try:
                with transaction.atomic():
                    barrier.wait(10)
                    change()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
        connection.close()

    def close(pathway):
        return lambda: Pathway.objects.filter(pk=pathway.pk).update(status=PathwayStatus.CLOSED)

    def reopen(pathway):
        return lambda: PathwayFactory(patient=pathway.patient, opened_on=date(YEAR, 3, 1),
                                      status=PathwayStatus.AWAITING_EVALUATION)

    threads = [threading.Thread(target=run, args=([close(p) for p in leaving],)),
               threading.Thread(target=run, args=([reopen(p) for p in returning],))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert caseload_statuses(psychologist) == {"awaiting_evaluation": rounds, "closed": rounds}
    assert_counts_match()

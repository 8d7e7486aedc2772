"""The annual cap, counted from session rows (never stored) under a lock on the patient row."""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.transaction import TransactionManagementError

from config.model_rows import Read, column_set, db_key, fetch_rows, read_together

from .. import rules
from ..models import CAP_COUNTED, CareSession, Patient, SessionKind


@dataclass(frozen=True)
class CapUsage:
    year: int
    used: int
    cap: int

    @property
    def remaining(self):
        return max(self.cap - self.used, 0)

    @property
    def is_reached(self):
        return self.used >= self.cap

    @property
    def is_near(self):
        return self.used >= rules.CAP_WARNING_FROM


def counted_sessions(patient_id, year):
    """Reimbursed sessions held in the calendar year: counted from the rows, never stored."""
    return CareSession.objects.filter(patient_id=patient_id, date__year=year, **CAP_COUNTED)


# The cap's count in SQL, written once: a patient's reimbursed sessions held in a calendar year, plus
# those declared done elsewhere that year. `patient` is a column of the statement (the dashboard's, the
# lists') or a placeholder, its value then in `patient_param`; parameters follow the text's order.
# Fixed statements (config/model_rows.py says why) for a recording's checks, run after the patient's lock.
CAP_COUNTED_SQL = " AND ".join(f"held.{field} = %s" for field in CAP_COUNTED)  # CAP_COUNTED's values follow
COUNTED_SQL = """FROM pathway_caresession AS held WHERE held.patient_id = {patient}
    AND held."date" BETWEEN %s AND %s AND """ + CAP_COUNTED_SQL + "{excluding}"
DECLARED_SQL = """FROM pathway_declaredsessions AS declared WHERE declared.patient_id = {patient}
    AND declared."year" = %s"""
USED_SQL = """((SELECT COUNT(*) {counted}) + COALESCE((SELECT SUM(declared."count") {declared}), 0))"""
EVALUATION_HELD = """(EXISTS (SELECT 1 {counted} AND held.kind = %s)
    OR EXISTS (SELECT 1 {declared} AND declared.included_evaluation = %s))"""
EVALUATION_HELD_SQL = "SELECT " + EVALUATION_HELD


def counted_clause(patient, year, excluding_session_id=None, patient_param=()):
    """The FROM and WHERE of a patient's counted sessions in `year` (as counted_sessions() filters them)."""
    adapt = connection.ops.adapt_datefield_value
    params = [*patient_param, adapt(date(year, 1, 1)), adapt(date(year, 12, 31)), *CAP_COUNTED.values()]
    if excluding_session_id:
        params.append(db_key(CareSession, excluding_session_id))
    return COUNTED_SQL.format(patient=patient, excluding=" AND held.id <> %s" if excluding_session_id else ""), params


def used_in_year_clause(patient, year, excluding_session_id=None, patient_param=()):
    """SQL expression: what the cap counts of `year` for the patient, and its parameters."""
    counted, params = counted_clause(patient, year, excluding_session_id, patient_param)
    return (USED_SQL.format(counted=counted, declared=DECLARED_SQL.format(patient=patient)),
            [*params, *patient_param, year])


def patient_param(patient_id):
    return (db_key(Patient, patient_id),)


def cap_usage(patient_id, day, excluding_session_id=None):
    used, params = used_in_year_clause("%s", day.year, excluding_session_id, patient_param(patient_id))
    return usage_on(day, int(fetch_rows(f"SELECT {used}", params)[0][0]))


def usage_on(day, used):
    """The cap's usage for a session on `day`, `used` sessions counted in its year."""
    return CapUsage(day.year, used, rules.rules_on_or_first(day).annual_cap)


def evaluation_held_in_year(patient_id, year, excluding_session_id=None):
    held, params = evaluation_held_clause("%s", year, excluding_session_id, patient_param(patient_id))
    return bool(fetch_rows(f"SELECT {held}", params)[0][0])


def evaluation_held_clause(patient, year, excluding_session_id=None, patient_param=()):
    """SQL expression: whether the patient had an evaluation counted in `year` (here or declared), and its
    parameters; `patient` as in used_in_year_clause."""
    counted, params = counted_clause(patient, year, excluding_session_id, patient_param)
    return (EVALUATION_HELD.format(counted=counted, declared=DECLARED_SQL.format(patient=patient)),
            [*params, SessionKind.EVALUATION, *patient_param, year, True])


def lock_sql(table, columns, where=None):
    """SELECT a row by its key (or by `where`), locked FOR UPDATE where the database locks rows (SQLite
    locks the whole database for a write instead, as Django's select_for_update() leaves it)."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("A row is locked inside a transaction (transaction.atomic).")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT {columns.select} FROM {table} WHERE {where or f'{columns.pk_column} = %s'}{lock}"


def locked_read(model, pk=None, *, where=None, params=()):
    """The read of `model`'s row of key `pk` (or the one row `where` finds, with its `params`), locked
    until the transaction ends; DoesNotExist if there is none."""
    columns = column_set(model)

    def instance(rows):
        if not rows:
            raise model.DoesNotExist
        return columns.instance(rows[0])

    return Read(lock_sql(model._meta.db_table, columns, where), list(params) if where else [db_key(model, pk)],
                instance)


def locked(model, pk):
    """`model`'s row of key `pk`, read again and locked until the transaction ends."""
    return read_together(locked_read(model, pk))[0]


def lock_patient(patient_id):
    # Re-read under FOR UPDATE: concurrent recordings for this patient queue here, so the count
    # that follows (its own statement, with a snapshot taken after the lock) sees every committed session.
    return locked(Patient, patient_id)

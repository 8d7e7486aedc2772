"""The annual cap, counted from session rows (never stored) under a lock on the patient row."""

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.transaction import TransactionManagementError

from config.model_rows import column_set, fetch_rows

from .. import rules
from ..models import Billing, CareSession, Patient, SessionKind, SessionStatus


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
    return CareSession.objects.filter(
        patient_id=patient_id, date__year=year, billing=Billing.REIMBURSED, status=SessionStatus.HELD
    )


# The same count and the same question as fixed statements (config/model_rows.py says why): they run
# on every recording, inside its transaction, after the patient's row is locked.
HELD_IN_YEAR = """FROM pathway_caresession WHERE patient_id = %s AND "date" BETWEEN %s AND %s
    AND billing = %s AND status = %s{excluding}"""
CAP_USAGE_SQL = """SELECT (SELECT COUNT(*) {held}),
    (SELECT COALESCE(SUM("count"), 0) FROM pathway_declaredsessions WHERE patient_id = %s AND "year" = %s)"""
EVALUATION_HELD_SQL = """SELECT EXISTS (SELECT 1 {held} AND kind = %s)
    OR EXISTS (SELECT 1 FROM pathway_declaredsessions WHERE patient_id = %s AND "year" = %s
               AND included_evaluation = %s)"""


def held_in_year(patient_id, year, excluding_session_id):
    """The FROM and WHERE of a patient's counted sessions in `year`, and their parameters."""
    adapt, key = connection.ops.adapt_datefield_value, Patient._meta.pk.get_db_prep_value
    params = [key(patient_id, connection), adapt(date(year, 1, 1)), adapt(date(year, 12, 31)), Billing.REIMBURSED,
              SessionStatus.HELD]
    if excluding_session_id:
        params.append(CareSession._meta.pk.get_db_prep_value(excluding_session_id, connection))
    return HELD_IN_YEAR.format(excluding=" AND id <> %s" if excluding_session_id else ""), params


def cap_usage(patient_id, day, excluding_session_id=None):
    held, params = held_in_year(patient_id, day.year, excluding_session_id)
    sessions, declared = fetch_rows(CAP_USAGE_SQL.format(held=held), [*params, params[0], day.year])[0]
    cap = rules.rules_on_or_first(day).annual_cap
    return CapUsage(day.year, int(sessions) + int(declared), cap)


def evaluation_held_in_year(patient_id, year, excluding_session_id=None):
    held, params = held_in_year(patient_id, year, excluding_session_id)
    return bool(fetch_rows(EVALUATION_HELD_SQL.format(held=held),
                           [*params, SessionKind.EVALUATION, params[0], year, True])[0][0])


def lock_sql(table, columns):
    """SELECT a row by its key, locked FOR UPDATE where the database locks rows (SQLite locks the whole
    database for a write instead, as Django's select_for_update() leaves it)."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("A row is locked inside a transaction (transaction.atomic).")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT {columns.select} FROM {table} WHERE {columns.pk_column} = %s{lock}"


def locked(model, pk):
    """`model`'s row of key `pk`, read again and locked until the transaction ends."""
    columns = column_set(model)
    rows = fetch_rows(lock_sql(model._meta.db_table, columns), [model._meta.pk.get_db_prep_value(pk, connection)])
    if not rows:
        raise model.DoesNotExist
    return columns.instance(rows[0])


def lock_patient(patient_id):
    # Re-read under FOR UPDATE: concurrent recordings for this patient queue here, so the count
    # that follows (its own statement, with a snapshot taken after the lock) sees every committed session.
    return locked(Patient, patient_id)

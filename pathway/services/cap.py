"""The annual cap, counted from session rows (never stored) under a lock on the patient row."""

from dataclasses import dataclass

from django.db.models import Sum

from .. import rules
from ..models import Billing, CareSession, DeclaredSessions, Patient, SessionKind, SessionStatus


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


def cap_usage(patient_id, day, excluding_session_id=None):
    sessions = counted_sessions(patient_id, day.year)
    if excluding_session_id:
        sessions = sessions.exclude(pk=excluding_session_id)
    declared = DeclaredSessions.objects.filter(patient_id=patient_id, year=day.year).aggregate(
        total=Sum("count")
    )["total"] or 0
    cap = rules.rules_on_or_first(day).annual_cap
    return CapUsage(day.year, sessions.count() + declared, cap)


def evaluation_held_in_year(patient_id, year, excluding_session_id=None):
    here = counted_sessions(patient_id, year).filter(kind=SessionKind.EVALUATION)
    if excluding_session_id:
        here = here.exclude(pk=excluding_session_id)
    declared = DeclaredSessions.objects.filter(patient_id=patient_id, year=year, included_evaluation=True)
    return here.exists() or declared.exists()


def lock_patient(patient_id):
    # Re-read under FOR UPDATE: concurrent recordings for this patient queue here, so the count
    # below sees every committed session. Evaluate the row itself (count() drops the lock).
    return Patient.objects.select_for_update().get(pk=patient_id)

"""What the scheme requires of a session, judged by the rule set in force on its date.

Each check raises a DomainError naming the field it concerns; the actions call them after
locking the patient row, so the counts they read cannot change underneath them.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from config.model_rows import Read, db_key, fetch_rows

from .. import rules
from ..models import Billing, EntryMode, Pathway, SessionKind, SessionMode, SessionStatus
from .cap import (
    cap_usage,
    counted_sessions,
    evaluation_held_clause,
    evaluation_held_in_year,
    patient_param,
    usage_on,
    used_in_year_clause,
)
from .errors import DomainError, fmt


@dataclass
class SessionInput:
    date: date
    mode: str
    duration_minutes: int
    status: str = SessionStatus.HELD
    billing: str = Billing.REIMBURSED
    out_of_scheme_fee: object = None
    private_note: str = ""


def check_choices(data):
    """Telephone-only sessions, for one, are not reimbursable: only the known modes exist."""
    for value, choices, field in ((data.mode, SessionMode, "mode"), (data.status, SessionStatus, "status"),
                                  (data.billing, Billing, "billing")):
        if value not in choices.values:
            raise DomainError(_("Choose one of the proposed values."), field=field, code="unknown_choice")


def check_date(day):
    if day > timezone.localdate():
        raise DomainError(_("A session cannot be dated in the future."), field="date")


def check_patient_may_attend(patient, day):
    if patient.is_minor_on(day) and not patient.has_parental_consent_on(day):
        raise DomainError(
            _(
                "This patient is a minor: record the consent of both holders of parental authority "
                "(or of one holder with the sole-holder declaration), given on or before the session's date, "
                "on the patient's file first."
            ),
            code="parental_consent_missing",
        )


def check_scheme_in_force(day):
    if day < rules.SCHEME_START:
        raise DomainError(
            _("Mon soutien psy did not exist before %(start)s: record this session out of scheme.")
            % {"start": fmt(rules.SCHEME_START)},
            field="date", code="before_scheme",
        )


def check_min_age(patient, day, field):
    min_age = rules.rules_on_or_first(day).min_age
    if patient.age_on(day) < min_age:
        raise DomainError(
            _("Mon soutien psy starts at %(age)s years old: the patient is %(patient_age)s on %(day)s.")
            % {"age": min_age, "patient_age": patient.age_on(day), "day": fmt(day)},
            field=field, code="too_young",
        )


def check_planned_followups(planned_followups, day):
    max_followups = rules.rules_on_or_first(day).max_followups
    if not (planned_followups and 1 <= planned_followups <= max_followups):
        raise DomainError(_("Plan between 1 and %(max)s follow-up sessions.") % {"max": max_followups},
                          field="planned_followups")


def check_orientation(orientation):
    if not orientation.strip():
        raise DomainError(_("Record where the patient was oriented."), field="orientation")


def check_reimbursable(pathway, patient, kind, data, excluding_session_id=None, facts=None):
    """Everything the scheme requires of a reimbursed session, judged by the session's rule set."""
    day = data.date
    check_scheme_in_force(day)
    rule_set = rules.rules_on(day)
    if not pathway.psychologist.may_bill_reimbursed_on(day):
        raise DomainError(
            _("Only a conventioned psychologist records reimbursed sessions: record it out of scheme."),
            field="billing", code="not_conventioned",
        )
    check_min_age(patient, day, field="date")
    if data.status != SessionStatus.HELD:
        return  # cancelled sessions and no-shows are not counted
    if kind == SessionKind.EVALUATION and rule_set.referral_required:
        check_referral_letter(pathway, day, rule_set)
    evaluation_held = facts.evaluation_held if facts else evaluation_held_in_year(
        patient.pk, day.year, excluding_session_id)
    if kind == SessionKind.FOLLOWUP and not evaluation_held:
        raise DomainError(
            _(
                "The first reimbursed session of %(year)s must be an evaluation: record an evaluation "
                "first (or declare one held elsewhere this year)."
            ) % {"year": day.year},
            field="kind", code="evaluation_first",
        )
    usage = usage_on(day, facts.used) if facts else cap_usage(patient.pk, day, excluding_session_id)
    if usage.is_reached:
        raise DomainError(
            _(
                "Annual cap reached: %(used)s / %(cap)s reimbursed sessions in %(year)s. This session "
                "cannot be reimbursed; once the patient is told, you may record it out of scheme."
            ) % {"used": usage.used, "cap": usage.cap, "year": usage.year},
            code="cap_reached",
        )


def check_referral_letter(pathway, day, rule_set):
    if pathway.entry_mode != EntryMode.REFERRAL:
        raise DomainError(
            _("Before %(reform)s, a referral letter was required: this pathway has none.")
            % {"reform": fmt(rules.MON_SOUTIEN_PSY_2024.effective_from)},
            field="date", code="referral_required",
        )
    if pathway.referrer_kind not in rule_set.referrer_kinds:
        raise DomainError(
            _("On %(day)s, only a doctor could sign the referral letter.") % {"day": fmt(day)},
            field="date", code="referrer_not_allowed",
        )
    oldest = rules.months_before(day, rule_set.referral_max_age_months)
    if not (oldest <= pathway.referral_date <= day):
        raise DomainError(
            _("The referral letter must be dated within %(months)s months before the evaluation "
              "(from %(oldest)s to %(day)s).")
            % {"months": rule_set.referral_max_age_months, "oldest": fmt(oldest), "day": fmt(day)},
            field="date", code="referral_too_old",
        )


def check_out_of_scheme(data):
    if data.out_of_scheme_fee is None or data.out_of_scheme_fee < 0:
        raise DomainError(_("Set the fee of the out-of-scheme session."), field="out_of_scheme_fee")


def check_within_pathway(pathway, day):
    if day < pathway.opened_on:
        raise DomainError(_("The session is dated before the pathway was opened (%(day)s).")
                          % {"day": fmt(pathway.opened_on)}, field="date", code="before_opening")


def check_after_evaluation(pathway, kind, day, facts=None):
    if kind != SessionKind.FOLLOWUP:
        return
    evaluated_on = facts.first_evaluation_day if facts else first_evaluation_day(pathway)
    if evaluated_on and day < evaluated_on:
        raise DomainError(_("A follow-up cannot come before the evaluation session (%(day)s).")
                          % {"day": fmt(evaluated_on)}, field="date", code="before_evaluation")


FIRST_EVALUATION_SQL = 'SELECT MIN("date") FROM pathway_caresession WHERE pathway_id = %s AND kind = %s'


def first_evaluation_day(pathway):
    """The day of the pathway's first evaluation (held or not), None before it: a fixed statement."""
    return as_date(fetch_rows(FIRST_EVALUATION_SQL, [db_key(Pathway, pathway.pk), SessionKind.EVALUATION])[0][0])


def as_date(day):
    return date.fromisoformat(day) if isinstance(day, str) else day  # SQLite returns text


@dataclass(frozen=True)
class RecordingFacts:
    """What the checks of a new session read of the rows, in one statement: the pathway's first
    evaluation, and the patient's year (what the cap counts, whether an evaluation was held)."""

    year: int
    first_evaluation_day: date | None
    used: int
    evaluation_held: bool


OWNED_PATHWAY_PATIENT_SQL = """(SELECT pathway.patient_id FROM pathway_pathway AS pathway
    WHERE pathway.id = %s AND pathway.psychologist_id = %s)"""


def recording_facts_read(pathway_id, year, patient_id=None, owner=None):
    """The RecordingFacts of a new session of `year` on the pathway. Given its `owner` instead of its
    patient, the statement finds the patient itself, and reads nothing of a pathway of another."""
    key = db_key(Pathway, pathway_id)
    if owner is None:
        patient, patient_params = "%s", patient_param(patient_id)
        first_evaluation, first_params = FIRST_EVALUATION_SQL, [key, SessionKind.EVALUATION]
    else:
        patient, patient_params = OWNED_PATHWAY_PATIENT_SQL, (key, owner.pk)
        first_evaluation = FIRST_EVALUATION_SQL + " AND psychologist_id = %s"
        first_params = [key, SessionKind.EVALUATION, owner.pk]
    used, used_params = used_in_year_clause(patient, year, patient_param=patient_params)
    held, held_params = evaluation_held_clause(patient, year, patient_param=patient_params)
    sql = f"SELECT ({first_evaluation}), {used}, {held}"
    params = [*first_params, *used_params, *held_params]

    def facts(rows):
        first_day, used_count, evaluation_held = rows[0]
        return RecordingFacts(year, as_date(first_day), int(used_count), bool(evaluation_held))

    return Read(sql, params, facts)


def check_session(pathway, patient, kind, data, excluding_session_id=None, facts=None):
    """`facts`: the RecordingFacts of a new session's year, read already (no session to exclude)."""
    if facts is not None and (facts.year != data.date.year or excluding_session_id):
        raise ValueError("These facts are not the ones of this session's year.")
    check_choices(data)
    check_date(data.date)
    if kind == SessionKind.EVALUATION and data.mode != SessionMode.IN_PERSON:
        raise DomainError(_("The evaluation session is held in person."), field="mode", code="video_evaluation")
    check_after_evaluation(pathway, kind, data.date, facts)
    check_patient_may_attend(patient, data.date)
    if data.billing == Billing.REIMBURSED:
        check_reimbursable(pathway, patient, kind, data, excluding_session_id, facts)
    else:
        check_out_of_scheme(data)


def check_evaluation_still_opens_the_year(session, data):
    """An evaluation that follow-ups rest on cannot be cancelled, unbilled or moved past them."""
    if session.kind != SessionKind.EVALUATION or not session.counts_towards_cap:
        return
    year = session.date.year
    followups = counted_sessions(session.patient_id, year).filter(kind=SessionKind.FOLLOWUP)
    still_counts = (data.status, data.billing, data.date.year) == (SessionStatus.HELD, Billing.REIMBURSED, year)
    if not still_counts and followups.exists() and not evaluation_held_in_year(
        session.patient_id, year, excluding_session_id=session.pk
    ):
        raise DomainError(
            _("Reimbursed follow-ups of %(year)s rest on this evaluation: change them first.") % {"year": year},
            code="evaluation_needed",
        )
    first_followup = session.pathway.sessions.filter(kind=SessionKind.FOLLOWUP).order_by("date").values_list(
        "date", flat=True).first()
    if first_followup and data.date > first_followup:
        raise DomainError(_("The evaluation cannot come after a follow-up (%(day)s).") % {"day": fmt(first_followup)},
                          field="date", code="evaluation_after_followup")

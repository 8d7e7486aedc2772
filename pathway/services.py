"""The workflow of a care pathway: the state machine, the annual cap, one function per action.

Each action is atomic: lock the patient row, check, write, record an event. The cap is per patient
per calendar year across pathways, so the **patient** row is the lock that serialises the count.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import eligibility, rules
from .models import (
    ACTIVE_STATUSES,
    Billing,
    CareSession,
    CloseReason,
    DeclaredSessions,
    EntryMode,
    Pathway,
    PathwayEvent,
    PathwayStatus,
    Patient,
    SessionKind,
    SessionMode,
    SessionStatus,
)

S = PathwayStatus

TRANSITIONS = {
    S.AWAITING_EVALUATION: {S.IN_CARE, S.EXCLUDED, S.REORIENTED, S.CLOSED},
    S.IN_CARE: {S.REORIENTED, S.CLOSED},
    S.EXCLUDED: set(),
    S.REORIENTED: set(),
    S.CLOSED: set(),
}


class DomainError(Exception):
    """A rule of the scheme refused the action; `message` is what the user reads, in French."""

    def __init__(self, message, field=None, code=None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


def fmt(day):
    return date_format(day, "SHORT_DATE_FORMAT")


def allowed_transitions(pathway):
    return TRANSITIONS[pathway.status]


def pathway_transition(pathway, to_status, actor, details=""):
    """The only place a pathway's status changes. Call it inside the action's transaction."""
    from_status = pathway.status
    if to_status not in TRANSITIONS[from_status]:
        raise DomainError(
            _("A pathway cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(from_status).label, "to": S(to_status).label},
            code="forbidden_transition",
        )
    pathway.status = to_status
    pathway.save(update_fields=["status", "updated_at"])
    PathwayEvent.objects.create(
        pathway=pathway, actor=actor, action=PathwayEvent.Action.TRANSITION,
        from_status=from_status, to_status=to_status, details=details,
    )


# --- The annual cap -----------------------------------------------------------------------------


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


# --- Checks shared by every session -------------------------------------------------------------


@dataclass
class SessionInput:
    date: date
    mode: str
    duration_minutes: int
    status: str = SessionStatus.HELD
    billing: str = Billing.REIMBURSED
    out_of_scheme_fee: object = None
    private_note: str = ""


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


def check_reimbursable(pathway, patient, kind, data, excluding_session_id=None):
    """Everything the scheme requires of a reimbursed session, judged by the session's rule set."""
    day = data.date
    check_scheme_in_force(day)
    rule_set = rules.rules_on(day)
    if not pathway.psychologist.may_bill_reimbursed_on(day):
        raise DomainError(
            _("Only a conventioned psychologist records reimbursed sessions: record it out of scheme."),
            field="billing", code="not_conventioned",
        )
    if patient.age_on(day) < rule_set.min_age:
        raise DomainError(
            _("Mon soutien psy starts at %(age)s years old: the patient is %(patient_age)s on %(day)s.")
            % {"age": rule_set.min_age, "patient_age": patient.age_on(day), "day": fmt(day)},
            field="date", code="too_young",
        )
    if data.status != SessionStatus.HELD:
        return  # cancelled sessions and no-shows are not counted
    if kind == SessionKind.EVALUATION and rule_set.referral_required:
        check_referral_letter(pathway, day, rule_set)
    if kind == SessionKind.FOLLOWUP and not evaluation_held_in_year(patient.pk, day.year, excluding_session_id):
        raise DomainError(
            _(
                "The first reimbursed session of %(year)s must be an evaluation: record an evaluation "
                "first (or declare one held elsewhere this year)."
            ) % {"year": day.year},
            field="kind", code="evaluation_first",
        )
    usage = cap_usage(patient.pk, day, excluding_session_id)
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


def check_after_evaluation(pathway, kind, day):
    if kind != SessionKind.FOLLOWUP:
        return
    evaluated_on = pathway.sessions.filter(kind=SessionKind.EVALUATION).order_by("date").values_list(
        "date", flat=True).first()
    if evaluated_on and day < evaluated_on:
        raise DomainError(_("A follow-up cannot come before the evaluation session (%(day)s).")
                          % {"day": fmt(evaluated_on)}, field="date", code="before_evaluation")


def check_choices(data):
    """Telephone-only sessions, for one, are not reimbursable: only the known modes exist."""
    for value, choices, field in ((data.mode, SessionMode, "mode"), (data.status, SessionStatus, "status"),
                                  (data.billing, Billing, "billing")):
        if value not in choices.values:
            raise DomainError(_("Choose one of the proposed values."), field=field, code="unknown_choice")


def check_session(pathway, patient, kind, data, excluding_session_id=None):
    check_choices(data)
    check_date(data.date)
    if kind == SessionKind.EVALUATION and data.mode != SessionMode.IN_PERSON:
        raise DomainError(_("The evaluation session is held in person."), field="mode", code="video_evaluation")
    check_after_evaluation(pathway, kind, data.date)
    check_patient_may_attend(patient, data.date)
    if data.billing == Billing.REIMBURSED:
        check_reimbursable(pathway, patient, kind, data, excluding_session_id)
    else:
        check_out_of_scheme(data)


def session_create(pathway, patient, kind, data):
    return CareSession.objects.create(
        pathway=pathway, patient=patient, kind=kind, billing=data.billing, date=data.date,
        mode=data.mode, duration_minutes=data.duration_minutes, status=data.status,
        out_of_scheme_fee=data.out_of_scheme_fee if data.billing == Billing.OUT_OF_SCHEME else None,
        private_note=data.private_note,
    )


# --- Actions ------------------------------------------------------------------------------------


@transaction.atomic
def pathway_open(patient, actor, *, entry_mode, opened_on, referrer_kind="", referrer_name="",
                 referral_date=None, referral_scan=None):
    patient = lock_patient(patient.pk)
    if Pathway.objects.filter(patient=patient, status__in=ACTIVE_STATUSES).exists():
        raise DomainError(_("This patient already has a pathway in progress: close it first."),
                          code="already_active")
    rule_set = rules.rules_on_or_first(opened_on)
    if patient.age_on(opened_on) < rule_set.min_age:
        raise DomainError(
            _("Mon soutien psy starts at %(age)s years old: the patient is %(patient_age)s on %(day)s.")
            % {"age": rule_set.min_age, "patient_age": patient.age_on(opened_on), "day": fmt(opened_on)},
            field="opened_on", code="too_young",
        )
    if entry_mode == EntryMode.DIRECT:
        referrer_kind, referrer_name, referral_date, referral_scan = "", "", None, None
    pathway = Pathway(
        psychologist=actor, patient=patient, entry_mode=entry_mode, opened_on=opened_on,
        referrer_kind=referrer_kind, referrer_name=referrer_name, referral_date=referral_date,
    )
    if referral_scan:
        pathway.referral_scan.save(referral_scan.name, referral_scan, save=False)
    pathway.save()
    PathwayEvent.objects.create(
        pathway=pathway, actor=actor, action=PathwayEvent.Action.OPENED,
        to_status=pathway.status, details=EntryMode(entry_mode).label,
    )
    return pathway


def evaluation_kind(patient, session):
    """The year's evaluation is billed once: a patient who already had one this year (with another
    psychologist, or on an earlier pathway) continues the remaining follow-ups (DOMAIN.md §4)."""
    if session.billing == Billing.REIMBURSED and evaluation_held_in_year(patient.pk, session.date.year):
        return SessionKind.FOLLOWUP
    return SessionKind.EVALUATION


@transaction.atomic
def pathway_evaluate(pathway, actor, *, session, answers, care_reason="", planned_followups=None,
                     orientation=""):
    """Hold the evaluation: record its session, then include, exclude or reorient the patient."""
    patient = lock_patient(pathway.patient_id)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if pathway.status != S.AWAITING_EVALUATION:
        raise DomainError(_("The evaluation of this pathway has already been held."), code="already_evaluated")
    session.status = SessionStatus.HELD
    kind = evaluation_kind(patient, session)
    check_session(pathway, patient, kind, session)
    check_within_pathway(pathway, session.date)
    assessment = eligibility.assess(answers, patient.birth_date, session.date)
    if assessment.outcome == eligibility.REORIENTED and not orientation.strip():
        raise DomainError(_("Record where the patient was oriented."), field="orientation")
    max_followups = rules.rules_on(session.date).max_followups
    if assessment.is_eligible and not (planned_followups and 1 <= planned_followups <= max_followups):
        raise DomainError(
            _("Plan between 1 and %(max)s follow-up sessions.") % {"max": max_followups},
            field="planned_followups",
        )
    evaluation = session_create(pathway, patient, kind, session)
    pathway.eligibility_answers = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in answers.items()}
    pathway.exclusion_reasons = [{"code": r.code, "message": r.message} for r in assessment.reasons]
    pathway.care_reason = care_reason
    pathway.orientation = orientation
    pathway.planned_followups = planned_followups if assessment.is_eligible else None
    pathway.save(update_fields=["eligibility_answers", "exclusion_reasons", "care_reason", "orientation",
                                "planned_followups", "updated_at"])
    PathwayEvent.objects.create(pathway=pathway, actor=actor, action=PathwayEvent.Action.EVALUATED,
                                session=evaluation, details=fmt(session.date))
    to_status = {eligibility.ELIGIBLE: S.IN_CARE, eligibility.EXCLUDED: S.EXCLUDED,
                 eligibility.REORIENTED: S.REORIENTED}[assessment.outcome]
    if to_status != S.IN_CARE:
        pathway.closed_on = session.date
        pathway.close_reason = CloseReason.REORIENTED if to_status == S.REORIENTED else ""
        pathway.save(update_fields=["closed_on", "close_reason", "updated_at"])
    pathway_transition(pathway, to_status, actor, details="; ".join(r.message for r in assessment.reasons))
    return pathway, assessment


@transaction.atomic
def session_record(pathway, actor, *, kind, data, emergency_orientation=""):
    """Record a follow-up (or the evaluation that opens a new calendar year) on a pathway in care."""
    patient = lock_patient(pathway.patient_id)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if pathway.status != S.IN_CARE:
        raise DomainError(_("Sessions are recorded on a pathway in care, after its evaluation."),
                          code="not_in_care")
    check_within_pathway(pathway, data.date)
    if kind == SessionKind.EVALUATION and data.billing == Billing.REIMBURSED and evaluation_held_in_year(
        patient.pk, data.date.year
    ):
        raise DomainError(_("An evaluation has already been held in %(year)s.") % {"year": data.date.year},
                          field="kind", code="evaluation_already_held")
    check_session(pathway, patient, kind, data)
    session = session_create(pathway, patient, kind, data)
    PathwayEvent.objects.create(pathway=pathway, actor=actor, action=PathwayEvent.Action.SESSION_RECORDED,
                                session=session, details=describe_session(session))
    if emergency_orientation.strip():
        pathway.orientation = emergency_orientation
        pathway.closed_on = data.date
        pathway.close_reason = CloseReason.REORIENTED
        pathway.save(update_fields=["orientation", "closed_on", "close_reason", "updated_at"])
        pathway_transition(pathway, S.REORIENTED, actor, details=emergency_orientation)
    return session


@transaction.atomic
def session_update(session, actor, data):
    """Change a recorded session; a change that would break the cap or a rule is refused."""
    patient = lock_patient(session.patient_id)
    session = CareSession.objects.select_for_update().select_related("pathway__psychologist").get(pk=session.pk)
    pathway = session.pathway
    # Only the date, mode, status and billing are judged by the scheme; a note or a duration is not.
    judged = ("date", "mode", "status", "billing", "out_of_scheme_fee")
    if any(getattr(data, name) != getattr(session, name) for name in judged):
        if not pathway.is_active:
            raise DomainError(_("The pathway is over: only the note and duration of its sessions can change."))
        check_within_pathway(pathway, data.date)
        check_session(pathway, patient, session.kind, data, excluding_session_id=session.pk)
        check_evaluation_still_opens_the_year(session, data)
    before = describe_session(session)
    for name in ("date", "mode", "duration_minutes", "status", "billing", "private_note"):
        setattr(session, name, getattr(data, name))
    session.out_of_scheme_fee = data.out_of_scheme_fee if data.billing == Billing.OUT_OF_SCHEME else None
    session.save()
    PathwayEvent.objects.create(pathway=pathway, actor=actor, action=PathwayEvent.Action.SESSION_UPDATED,
                                session=session, details=f"{before} → {describe_session(session)}")
    return session


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


def describe_session(session):
    return ", ".join(str(part) for part in (
        SessionKind(session.kind).label, fmt(session.date), SessionMode(session.mode).label,
        SessionStatus(session.status).label, Billing(session.billing).label,
    ))


@transaction.atomic
def pathway_plan_followups(pathway, actor, planned_followups):
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if pathway.status != S.IN_CARE:
        raise DomainError(_("Follow-ups are planned on a pathway in care."), code="not_in_care")
    max_followups = rules.rules_on(timezone.localdate()).max_followups
    if not 1 <= planned_followups <= max_followups:
        raise DomainError(_("Plan between 1 and %(max)s follow-up sessions.") % {"max": max_followups},
                          field="planned_followups")
    before = pathway.planned_followups
    pathway.planned_followups = planned_followups
    pathway.save(update_fields=["planned_followups", "updated_at"])
    PathwayEvent.objects.create(pathway=pathway, actor=actor, action=PathwayEvent.Action.FOLLOWUPS_PLANNED,
                                details=f"{before} → {planned_followups}")
    return pathway


@transaction.atomic
def pathway_close(pathway, actor, *, reason, closed_on, orientation=""):
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    to_status = S.REORIENTED if reason == CloseReason.REORIENTED else S.CLOSED
    if to_status not in TRANSITIONS[pathway.status]:
        raise DomainError(_("This pathway is already over: a returning patient gets a new pathway."),
                          code="already_over")
    if closed_on > timezone.localdate():
        raise DomainError(_("The closing date cannot be in the future."), field="closed_on")
    last_session = pathway.sessions.order_by("-date").values_list("date", flat=True).first()
    if closed_on < (last_session or pathway.opened_on):
        raise DomainError(_("The closing date cannot be before the last session (%(day)s).")
                          % {"day": fmt(last_session or pathway.opened_on)}, field="closed_on")
    if to_status == S.REORIENTED and not orientation.strip():
        raise DomainError(_("Record where the patient was oriented."), field="orientation")
    pathway.close_reason = reason
    pathway.closed_on = closed_on
    if orientation.strip():
        pathway.orientation = orientation
    pathway.save(update_fields=["close_reason", "closed_on", "orientation", "updated_at"])
    PathwayEvent.objects.create(pathway=pathway, actor=actor, action=PathwayEvent.Action.CLOSED,
                                details=CloseReason(reason).label)
    pathway_transition(pathway, to_status, actor)
    return pathway


@transaction.atomic
def declared_sessions_add(patient, actor, *, year, count, included_evaluation, source, declared_on):
    patient = lock_patient(patient.pk)
    today = timezone.localdate()
    if not rules.SCHEME_START.year <= year <= today.year:
        raise DomainError(_("Declare sessions of a year of the scheme, up to this year."), field="year")
    if declared_on > today:
        raise DomainError(_("This date is in the future."), field="declared_on")
    usage = cap_usage(patient.pk, min(date(year, 12, 31), today))
    if count < 1 or usage.used + count > usage.cap:
        raise DomainError(
            _("With these, the patient would have %(total)s reimbursed sessions in %(year)s, above the cap of "
              "%(cap)s: check the declaration.") % {"total": usage.used + count, "year": year, "cap": usage.cap},
            field="count", code="declared_over_cap",
        )
    return DeclaredSessions.objects.create(
        patient=patient, year=year, count=count, included_evaluation=included_evaluation,
        source=source, declared_on=declared_on,
    )


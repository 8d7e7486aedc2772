"""Opening, evaluating, planning and closing a pathway; declaring sessions held elsewhere."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import eligibility, rules
from ..models import (
    ACTIVE_STATUSES,
    Billing,
    CloseReason,
    DeclaredSessions,
    EntryMode,
    Pathway,
    PathwayEvent,
    SessionKind,
    SessionStatus,
)
from ..models import PathwayStatus as S
from .cap import cap_usage, evaluation_held_in_year, lock_patient
from .checks import (
    check_min_age,
    check_orientation,
    check_planned_followups,
    check_session,
    check_within_pathway,
)
from .errors import DomainError, fmt
from .sessions import session_create
from .transitions import TRANSITIONS, pathway_transition


def evaluation_kind(patient, session):
    """The year's evaluation is billed once: a patient who already had one this year (with another
    psychologist, or on an earlier pathway) continues the remaining follow-ups (DOMAIN.md §4)."""
    if session.billing == Billing.REIMBURSED and evaluation_held_in_year(patient.pk, session.date.year):
        return SessionKind.FOLLOWUP
    return SessionKind.EVALUATION


def pathway_open(patient, actor, *, entry_mode, opened_on, referrer_kind="", referrer_name="",
                 referral_date=None, referral_scan=None):
    """Open a pathway. The letter's scan is written to storage before the rows: if they are not
    committed (a refused check, a lost database), the file is removed, never left on disk unowned."""
    pathway = Pathway(psychologist=actor, entry_mode=entry_mode, opened_on=opened_on)
    try:
        with transaction.atomic():
            return write_pathway(pathway, patient, referrer_kind=referrer_kind, referrer_name=referrer_name,
                                 referral_date=referral_date, referral_scan=referral_scan)
    except BaseException:
        if pathway.referral_scan:
            pathway.referral_scan.storage.delete(pathway.referral_scan.name)
        raise


def write_pathway(pathway, patient, *, referrer_kind, referrer_name, referral_date, referral_scan):
    patient = lock_patient(patient.pk)
    if Pathway.objects.filter(patient=patient, status__in=ACTIVE_STATUSES).exists():
        raise DomainError(_("This patient already has a pathway in progress: close it first."),
                          code="already_active")
    check_min_age(patient, pathway.opened_on, field="opened_on")
    if pathway.opened_on < rules.SCHEME_START:
        raise DomainError(_("Mon soutien psy did not exist before %(start)s: a pathway cannot open earlier.")
                          % {"start": fmt(rules.SCHEME_START)}, field="opened_on", code="before_scheme")
    pathway.patient = patient
    if pathway.entry_mode != EntryMode.DIRECT:
        pathway.referrer_kind, pathway.referrer_name = referrer_kind, referrer_name
        pathway.referral_date = referral_date
        if referral_scan:
            pathway.referral_scan.save(referral_scan.name, referral_scan, save=False)
    pathway.save()
    PathwayEvent.objects.create(
        pathway=pathway, actor=pathway.psychologist, action=PathwayEvent.Action.OPENED,
        to_status=pathway.status, details=EntryMode(pathway.entry_mode).label,
    )
    return pathway


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
    if session.date < rules.SCHEME_START:
        # Out of scheme too: the eligibility it records is judged by the scheme's rules of that day.
        raise DomainError(_("Mon soutien psy did not exist before %(start)s: its evaluation cannot be dated "
                            "earlier.") % {"start": fmt(rules.SCHEME_START)}, field="date", code="before_scheme")
    assessment = eligibility.assess(answers, patient.birth_date, session.date)
    if assessment.outcome == eligibility.REORIENTED:
        check_orientation(orientation)
    if assessment.is_eligible:
        check_planned_followups(planned_followups, session.date)
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
def pathway_plan_followups(pathway, actor, planned_followups):
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if pathway.status != S.IN_CARE:
        raise DomainError(_("Follow-ups are planned on a pathway in care."), code="not_in_care")
    check_planned_followups(planned_followups, timezone.localdate())
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
    if to_status == S.REORIENTED:
        check_orientation(orientation)
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
        patient=patient, psychologist_id=patient.psychologist_id, year=year, count=count,
        included_evaluation=included_evaluation, source=source, declared_on=declared_on,
    )

"""Recording and changing sessions: each atomic, the patient row locked before the count."""

from django.db import transaction
from django.utils.translation import gettext as _

from config.model_rows import cache_relation, db_key, insert_together, read_together

from ..models import (
    Billing,
    CareSession,
    CloseReason,
    Pathway,
    PathwayEvent,
    Patient,
    SessionKind,
    SessionMode,
    SessionStatus,
)
from ..models import PathwayStatus as S
from .cap import lock_patient, locked_read
from .checks import check_evaluation_still_opens_the_year, check_session, check_within_pathway, recording_facts_read
from .errors import DomainError, fmt
from .transitions import pathway_transition


def session_new(pathway, patient, kind, data):
    """The session to record, not saved yet (its key is drawn already)."""
    return CareSession(
        pathway=pathway, patient=patient, psychologist_id=pathway.psychologist_id, kind=kind, billing=data.billing,
        date=data.date, mode=data.mode, duration_minutes=data.duration_minutes, status=data.status,
        out_of_scheme_fee=data.out_of_scheme_fee if data.billing == Billing.OUT_OF_SCHEME else None,
        private_note=data.private_note,
    )


def session_create(pathway, patient, kind, data):
    session = session_new(pathway, patient, kind, data)
    session.save(force_insert=True)
    return session


def describe_session(session):
    return ", ".join(str(part) for part in (
        SessionKind(session.kind).label, fmt(session.date), SessionMode(session.mode).label,
        SessionStatus(session.status).label, Billing(session.billing).label,
    ))


def locked_again(pathway, locked_pathway):
    """The pathway as read again under its lock, its psychologist kept if the caller had it (the login's)."""
    if Pathway.psychologist.is_cached(pathway):
        cache_relation(locked_pathway, "psychologist", pathway.psychologist)
    return locked_pathway


@transaction.atomic
def session_record(pathway, actor, *, kind, data, emergency_orientation=""):
    """Record a follow-up (or the evaluation that opens a new calendar year) on a pathway in care.

    One round trip: the patient's lock (concurrent recordings for the patient queue there), the
    pathway's, then what the checks count, a statement that starts once both locks are held and so
    sees every session committed before them."""
    patient, locked_pathway, facts = read_together(
        locked_read(Patient, pathway.patient_id), locked_read(Pathway, pathway.pk),
        recording_facts_read(pathway.pk, data.date.year, pathway.patient_id))
    return record_on_locked(patient, locked_again(pathway, locked_pathway), facts, actor, kind=kind, data=data,
                            emergency_orientation=emergency_orientation)


# The psychologist's pathway of a key, and its patient: the owner is checked in the locks' statements.
OWNED_PATHWAY_SQL = "id = %s AND psychologist_id = %s"
OWNED_PATHWAY_PATIENT_SQL = "id = (SELECT patient_id FROM pathway_pathway WHERE id = %s AND psychologist_id = %s)"


@transaction.atomic
def session_record_on_owned(psychologist, pathway_id, *, kind, data, emergency_orientation=""):
    """session_record on the psychologist's pathway known by its key (a form's POST), with nothing read
    before the same round trip: the locks' statements find the rows only if the pathway is the
    psychologist's (else Patient.DoesNotExist: a 404 for the view), the patient's first as always."""
    owned = (db_key(Pathway, pathway_id), psychologist.pk)
    patient, pathway, facts = read_together(
        locked_read(Patient, where=OWNED_PATHWAY_PATIENT_SQL, params=owned),
        locked_read(Pathway, where=OWNED_PATHWAY_SQL, params=owned),
        recording_facts_read(pathway_id, data.date.year, owner=psychologist))
    cache_relation(pathway, "psychologist", psychologist)
    return record_on_locked(patient, pathway, facts, psychologist, kind=kind, data=data,
                            emergency_orientation=emergency_orientation)


def record_on_locked(patient, pathway, facts, actor, *, kind, data, emergency_orientation):
    """session_record's checks and writes, the patient and the pathway locked and read again."""
    if pathway.status != S.IN_CARE:
        raise DomainError(_("Sessions are recorded on a pathway in care, after its evaluation."),
                          code="not_in_care")
    check_within_pathway(pathway, data.date)
    if kind == SessionKind.EVALUATION and data.billing == Billing.REIMBURSED and facts.evaluation_held:
        raise DomainError(_("An evaluation has already been held in %(year)s.") % {"year": data.date.year},
                          field="kind", code="evaluation_already_held")
    check_session(pathway, patient, kind, data, facts=facts)
    session = session_new(pathway, patient, kind, data)
    # The session and its event in one round trip (the busiest write): both are new rows, their keys
    # known or not needed.
    insert_together(session, PathwayEvent(pathway=pathway, actor=actor, action=PathwayEvent.Action.SESSION_RECORDED,
                                          session=session, details=describe_session(session)))
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

"""The workflow (DOMAIN.md §2–§5): the state machine, the evaluation, the annual cap, closing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pathway import services
from pathway.models import (
    Billing,
    CareSession,
    CloseReason,
    EntryMode,
    Pathway,
    PathwayEvent,
    PathwayStatus,
    SessionKind,
    SessionMode,
    SessionStatus,
)
from pathway.services import DomainError

from ..factories import (
    CareSessionFactory,
    DeclaredSessionsFactory,
    PathwayFactory,
    PatientFactory,
    PsychologistFactory,
)

S = PathwayStatus
ELIGIBLE_ANSWERS = {"affiliated": True, "treatment": "none"}
OPENED = date(2025, 1, 6)
EVALUATED = date(2025, 1, 13)


def session(day, **overrides):
    values = {"mode": SessionMode.IN_PERSON, "duration_minutes": 45} | overrides
    return services.SessionInput(date=day, **values)


def same_as(care_session, **overrides):
    """The SessionInput that leaves `care_session` as it is, but for `overrides`."""
    values = {name: getattr(care_session, name) for name in (
        "date", "mode", "duration_minutes", "status", "billing", "out_of_scheme_fee", "private_note")}
    return services.SessionInput(**(values | overrides))


def hold(pathway, count, first_day):
    """`count` held reimbursed sessions: an evaluation on `first_day`, then weekly follow-ups."""
    sessions = [CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=first_day)]
    sessions += [CareSessionFactory(pathway=pathway, date=first_day + timedelta(weeks=n)) for n in range(1, count)]
    return sessions


def used(patient, day):
    return services.cap_usage(patient.pk, day).used


def record_followup(pathway, actor, day, **overrides):
    return services.session_record(pathway, actor, kind=SessionKind.FOLLOWUP, data=session(day, **overrides))


def evaluate(pathway, actor, day=EVALUATED, answers=ELIGIBLE_ANSWERS, **kwargs):
    kwargs.setdefault("planned_followups", 11)
    return services.pathway_evaluate(pathway, actor, session=session(day, **kwargs.pop("session", {})),
                                     answers=answers, care_reason="anxiety_depression", **kwargs)


@pytest.fixture
def patient(psychologist):
    return PatientFactory(psychologist=psychologist)


@pytest.fixture
def awaiting(patient):
    return PathwayFactory(patient=patient, status=S.AWAITING_EVALUATION, planned_followups=None, opened_on=OPENED)


@pytest.fixture
def in_care(patient):
    """A pathway in care since its evaluation on 13/01/2025."""
    pathway = PathwayFactory(patient=patient, opened_on=OPENED)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=EVALUATED)
    return pathway


def assert_nothing_written(pathway, status, sessions, events):
    pathway.refresh_from_db()
    assert pathway.status == status
    assert CareSession.objects.count() == sessions
    assert PathwayEvent.objects.count() == events


# --- The state machine --------------------------------------------------------------------------

ALLOWED = {
    (S.AWAITING_EVALUATION, S.IN_CARE), (S.AWAITING_EVALUATION, S.EXCLUDED),
    (S.AWAITING_EVALUATION, S.REORIENTED), (S.AWAITING_EVALUATION, S.CLOSED),
    (S.IN_CARE, S.REORIENTED), (S.IN_CARE, S.CLOSED),
}
EVERY_PAIR = [(a, b) for a in S for b in S]


def test_the_transition_table_is_the_documented_one():
    assert {(a, b) for a, targets in services.TRANSITIONS.items() for b in targets} == ALLOWED


@pytest.mark.parametrize(("from_status", "to_status"), sorted(ALLOWED))
def test_an_allowed_transition_changes_the_status_and_writes_an_event(psychologist, from_status, to_status):
    pathway = PathwayFactory(patient__psychologist=psychologist, status=from_status)

    services.pathway_transition(pathway, to_status, psychologist, details="why")

    pathway.refresh_from_db()
    assert pathway.status == to_status
    event = pathway.events.get()
    assert event.action == PathwayEvent.Action.TRANSITION
    assert (event.from_status, event.to_status) == (from_status, to_status)
    assert (event.actor, event.details) == (psychologist, "why")


@pytest.mark.parametrize(("from_status", "to_status"), [pair for pair in EVERY_PAIR if pair not in ALLOWED])
def test_a_forbidden_transition_changes_nothing(psychologist, from_status, to_status):
    pathway = PathwayFactory(patient__psychologist=psychologist, status=from_status)

    with pytest.raises(DomainError) as error:
        services.pathway_transition(pathway, to_status, psychologist)

    assert error.value.code == "forbidden_transition"
    assert Pathway.objects.get(pk=pathway.pk).status == from_status
    assert not PathwayEvent.objects.exists()


def test_a_forbidden_transition_says_why_in_french(psychologist):
    pathway = PathwayFactory(patient__psychologist=psychologist, status=S.CLOSED)

    with pytest.raises(DomainError) as error:
        services.pathway_transition(pathway, S.IN_CARE, psychologist)

    assert "Un parcours ne peut pas passer de « Clôturé » à « En cours de suivi »" in error.value.message


# --- Opening ------------------------------------------------------------------------------------


def test_it_opens_a_direct_access_pathway(psychologist, patient):
    pathway = services.pathway_open(patient, psychologist, entry_mode=EntryMode.DIRECT, opened_on=OPENED,
                                    referrer_kind="doctor", referrer_name="Dr Leroy", referral_date=OPENED)

    pathway.refresh_from_db()
    assert (pathway.status, pathway.entry_mode, pathway.opened_on) == (S.AWAITING_EVALUATION, "direct", OPENED)
    assert (pathway.referrer_kind, pathway.referrer_name, pathway.referral_date) == ("", "", None)
    assert pathway.psychologist == psychologist
    event = pathway.events.get()
    assert (event.action, event.to_status, event.actor) == (PathwayEvent.Action.OPENED, S.AWAITING_EVALUATION,
                                                            psychologist)


def test_it_opens_a_pathway_with_a_referral_letter(psychologist, patient):
    pathway = services.pathway_open(patient, psychologist, entry_mode=EntryMode.REFERRAL, opened_on=OPENED,
                                    referrer_kind="doctor", referrer_name="Dr Anne Leroy",
                                    referral_date=date(2024, 12, 20))

    pathway.refresh_from_db()
    assert pathway.entry_mode == EntryMode.REFERRAL
    assert (pathway.referrer_kind, pathway.referrer_name, pathway.referral_date) == (
        "doctor", "Dr Anne Leroy", date(2024, 12, 20))
    assert pathway.events.get().action == PathwayEvent.Action.OPENED


def test_it_refuses_a_second_pathway_in_progress_for_the_same_patient(psychologist, awaiting):
    with pytest.raises(DomainError) as error:
        services.pathway_open(awaiting.patient, psychologist, entry_mode=EntryMode.DIRECT, opened_on=OPENED)

    assert error.value.code == "already_active"
    assert "déjà un parcours en cours" in error.value.message
    assert Pathway.objects.count() == 1
    assert not PathwayEvent.objects.exists()


def test_a_returning_patient_gets_a_new_pathway_once_the_last_is_closed(psychologist, patient):
    PathwayFactory(patient=patient, status=S.CLOSED)

    services.pathway_open(patient, psychologist, entry_mode=EntryMode.DIRECT, opened_on=OPENED)

    assert patient.pathways.filter(status=S.AWAITING_EVALUATION).count() == 1


def test_it_refuses_to_open_a_pathway_for_a_2_year_old(psychologist):
    toddler = PatientFactory(psychologist=psychologist, birth_date=date(2022, 6, 1))

    with pytest.raises(DomainError) as error:
        services.pathway_open(toddler, psychologist, entry_mode=EntryMode.DIRECT, opened_on=OPENED)

    assert (error.value.code, error.value.field) == ("too_young", "opened_on")
    assert "à partir de 3 ans" in error.value.message
    assert not Pathway.objects.exists()


def test_it_opens_a_pathway_on_the_third_birthday(psychologist):
    child = PatientFactory(psychologist=psychologist, birth_date=date(2022, 1, 6))

    pathway = services.pathway_open(child, psychologist, entry_mode=EntryMode.DIRECT, opened_on=OPENED)

    assert pathway.status == S.AWAITING_EVALUATION


# --- The evaluation -----------------------------------------------------------------------------


def test_an_eligible_patient_is_taken_into_care(psychologist, awaiting):
    pathway, assessment = evaluate(awaiting, psychologist, planned_followups=7)

    pathway.refresh_from_db()
    assert assessment.is_eligible
    assert (pathway.status, pathway.planned_followups, pathway.closed_on) == (S.IN_CARE, 7, None)
    evaluation = pathway.sessions.get()
    assert (evaluation.kind, evaluation.date, evaluation.status, evaluation.billing) == (
        SessionKind.EVALUATION, EVALUATED, SessionStatus.HELD, Billing.REIMBURSED)
    assert [(e.action, e.to_status) for e in pathway.events.all()] == [
        (PathwayEvent.Action.EVALUATED, ""), (PathwayEvent.Action.TRANSITION, S.IN_CARE)]
    assert pathway.events.first().session == evaluation


@pytest.mark.parametrize("planned", [1, 11])
def test_it_accepts_1_to_11_planned_follow_ups(psychologist, awaiting, planned):
    pathway, _ = evaluate(awaiting, psychologist, planned_followups=planned)

    assert Pathway.objects.get(pk=pathway.pk).planned_followups == planned


@pytest.mark.parametrize("planned", [0, 12, None])
def test_it_refuses_planned_follow_ups_outside_1_to_11(psychologist, awaiting, planned):
    with pytest.raises(DomainError) as error:
        evaluate(awaiting, psychologist, planned_followups=planned)

    assert error.value.field == "planned_followups"
    assert "entre 1 et 11" in error.value.message
    assert_nothing_written(awaiting, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_an_excluded_patient_keeps_the_evaluation_and_the_reasons(psychologist, awaiting):
    pathway, assessment = evaluate(awaiting, psychologist, answers={"severe_anxiety_depression": True})

    pathway.refresh_from_db()
    assert pathway.status == S.EXCLUDED
    assert pathway.exclusion_reasons == [{"code": r.code, "message": r.message} for r in assessment.reasons]
    assert [r["code"] for r in pathway.exclusion_reasons] == ["severe_anxiety_depression"]
    assert (pathway.closed_on, pathway.planned_followups) == (EVALUATED, None)
    assert pathway.sessions.get().kind == SessionKind.EVALUATION
    assert pathway.events.last().to_status == S.EXCLUDED


def test_a_suicide_risk_needs_the_orientation_recorded(psychologist, awaiting):
    with pytest.raises(DomainError) as error:
        evaluate(awaiting, psychologist, answers={"suicide_risk": True})

    assert error.value.field == "orientation"
    assert "Indiquez vers qui le patient a été orienté" in error.value.message
    assert_nothing_written(awaiting, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_a_suicide_risk_reorients_and_keeps_the_evaluation(psychologist, awaiting):
    pathway, _ = evaluate(awaiting, psychologist, answers={"suicide_risk": True},
                          orientation="Urgences psychiatriques, 3114 appelé")

    pathway.refresh_from_db()
    assert pathway.status == S.REORIENTED
    assert (pathway.close_reason, pathway.closed_on) == (CloseReason.REORIENTED, EVALUATED)
    assert pathway.orientation == "Urgences psychiatriques, 3114 appelé"
    assert pathway.sessions.get().kind == SessionKind.EVALUATION
    assert "suicide_risk" in [r["code"] for r in pathway.exclusion_reasons]


@pytest.mark.parametrize("billing", [{}, {"billing": Billing.OUT_OF_SCHEME, "out_of_scheme_fee": Decimal("60")}])
def test_it_refuses_an_evaluation_by_video(psychologist, awaiting, billing):
    with pytest.raises(DomainError) as error:
        evaluate(awaiting, psychologist, session={"mode": SessionMode.VIDEO} | billing)

    assert (error.value.field, error.value.code) == ("mode", "video_evaluation")
    assert "en présentiel" in error.value.message
    assert_nothing_written(awaiting, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_it_refuses_an_evaluation_before_the_scheme_started(psychologist, patient):
    pathway = PathwayFactory(patient=patient, status=S.AWAITING_EVALUATION, opened_on=date(2022, 3, 1),
                             with_letter=True)

    with pytest.raises(DomainError) as error:
        evaluate(pathway, psychologist, day=date(2022, 4, 4))

    assert (error.value.code, error.value.field) == ("before_scheme", "date")
    assert "05/04/2022" in error.value.message
    assert "n'existait pas" in error.value.message
    assert_nothing_written(pathway, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_it_accepts_an_evaluation_on_the_first_day_of_the_scheme(psychologist, patient):
    pathway = PathwayFactory(patient=patient, status=S.AWAITING_EVALUATION, opened_on=date(2022, 3, 20),
                             with_letter=True)

    pathway, _ = evaluate(pathway, psychologist, day=date(2022, 4, 5), planned_followups=7)

    assert pathway.status == S.IN_CARE


def test_it_refuses_an_evaluation_dated_in_the_future(psychologist, awaiting):
    with pytest.raises(DomainError) as error:
        evaluate(awaiting, psychologist, day=timezone.localdate() + timedelta(days=1))

    assert error.value.field == "date"
    assert "dans le futur" in error.value.message
    assert_nothing_written(awaiting, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_it_refuses_an_evaluation_dated_before_the_pathway_was_opened(psychologist, awaiting):
    with pytest.raises(DomainError) as error:
        evaluate(awaiting, psychologist, day=OPENED - timedelta(days=1))

    assert (error.value.field, error.value.code) == ("date", "before_opening")
    assert "datée d'avant l'ouverture du parcours (06/01/2025)" in error.value.message
    assert_nothing_written(awaiting, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_it_refuses_to_evaluate_a_pathway_twice(psychologist, awaiting):
    evaluate(awaiting, psychologist)

    with pytest.raises(DomainError) as error:
        evaluate(awaiting, psychologist, day=EVALUATED + timedelta(days=1))

    assert error.value.code == "already_evaluated"
    assert "L'évaluation de ce parcours a déjà eu lieu" in error.value.message
    assert CareSession.objects.count() == 1


def minor_pathway(psychologist, **guardians):
    child = PatientFactory(psychologist=psychologist, birth_date=date(2013, 3, 1), **guardians)
    return PathwayFactory(patient=child, status=S.AWAITING_EVALUATION, planned_followups=None, opened_on=OPENED)


def test_it_refuses_a_minor_without_parental_consent(psychologist):
    pathway = minor_pathway(psychologist)

    with pytest.raises(DomainError) as error:
        evaluate(pathway, psychologist)

    assert error.value.code == "parental_consent_missing"
    assert "autorité parentale" in error.value.message
    assert_nothing_written(pathway, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_it_refuses_a_minor_with_a_single_consent_and_no_sole_holder_declaration(psychologist):
    pathway = minor_pathway(psychologist, guardian_1_name="Claire Martin", guardian_1_consent_on=OPENED)

    with pytest.raises(DomainError) as error:
        evaluate(pathway, psychologist)

    assert error.value.code == "parental_consent_missing"


def test_it_accepts_a_minor_with_both_consents(psychologist):
    pathway = minor_pathway(psychologist, guardian_1_name="Claire Martin", guardian_1_consent_on=OPENED,
                            guardian_2_name="Paul Martin", guardian_2_consent_on=OPENED)

    pathway, _ = evaluate(pathway, psychologist)

    assert pathway.status == S.IN_CARE


def test_it_accepts_a_minor_with_one_consent_from_the_declared_sole_holder(psychologist):
    pathway = minor_pathway(psychologist, guardian_1_name="Claire Martin", guardian_1_consent_on=OPENED,
                            sole_holder_declared=True)

    pathway, _ = evaluate(pathway, psychologist)

    assert pathway.status == S.IN_CARE


def test_a_non_conventioned_psychologist_cannot_record_a_reimbursed_evaluation(db):
    outsider = PsychologistFactory(is_conventioned=False)
    pathway = PathwayFactory(patient__psychologist=outsider, status=S.AWAITING_EVALUATION, opened_on=OPENED)

    with pytest.raises(DomainError) as error:
        evaluate(pathway, outsider)

    assert (error.value.code, error.value.field) == ("not_conventioned", "billing")
    assert "conventionné" in error.value.message
    assert_nothing_written(pathway, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_a_psychologist_cannot_bill_before_the_convention_date(db):
    newcomer = PsychologistFactory(convention_date=date(2025, 2, 1))
    pathway = PathwayFactory(patient__psychologist=newcomer, status=S.AWAITING_EVALUATION, opened_on=OPENED)

    with pytest.raises(DomainError) as error:
        evaluate(pathway, newcomer)

    assert error.value.code == "not_conventioned"


def test_a_non_conventioned_psychologist_may_hold_the_evaluation_out_of_scheme(db):
    outsider = PsychologistFactory(is_conventioned=False)
    pathway = PathwayFactory(patient__psychologist=outsider, status=S.AWAITING_EVALUATION, opened_on=OPENED)

    pathway, _ = evaluate(pathway, outsider,
                          session={"billing": Billing.OUT_OF_SCHEME, "out_of_scheme_fee": Decimal("60.00")})

    evaluation = pathway.sessions.get()
    assert (evaluation.billing, evaluation.out_of_scheme_fee) == (Billing.OUT_OF_SCHEME, Decimal("60.00"))
    assert pathway.status == S.IN_CARE


def test_an_out_of_scheme_evaluation_needs_its_fee(psychologist, awaiting):
    with pytest.raises(DomainError) as error:
        evaluate(awaiting, psychologist, session={"billing": Billing.OUT_OF_SCHEME})

    assert error.value.field == "out_of_scheme_fee"
    assert "hors dispositif" in error.value.message


def pathway_2023(patient, **letter):
    return PathwayFactory(patient=patient, status=S.AWAITING_EVALUATION, planned_followups=None,
                          opened_on=date(2023, 3, 1), **letter)


def test_before_the_reform_it_refuses_an_evaluation_without_a_referral_letter(psychologist, patient):
    pathway = pathway_2023(patient)

    with pytest.raises(DomainError) as error:
        evaluate(pathway, psychologist, day=date(2023, 3, 10), planned_followups=7)

    assert error.value.code == "referral_required"
    assert "courrier d'adressage" in error.value.message
    assert_nothing_written(pathway, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_from_the_reform_an_evaluation_in_direct_access_is_accepted(psychologist, patient):
    pathway = PathwayFactory(patient=patient, status=S.AWAITING_EVALUATION, opened_on=date(2024, 6, 10))

    pathway, _ = evaluate(pathway, psychologist, day=date(2024, 6, 15))

    assert pathway.status == S.IN_CARE


def test_the_day_before_the_reform_direct_access_is_refused(psychologist, patient):
    pathway = PathwayFactory(patient=patient, status=S.AWAITING_EVALUATION, opened_on=date(2024, 6, 10))

    with pytest.raises(DomainError) as error:
        evaluate(pathway, psychologist, day=date(2024, 6, 14), planned_followups=7)

    assert error.value.code == "referral_required"


def test_it_refuses_a_referral_letter_older_than_6_months(psychologist, patient):
    pathway = pathway_2023(patient, with_letter=True, referral_date=date(2022, 9, 9))

    with pytest.raises(DomainError) as error:
        evaluate(pathway, psychologist, day=date(2023, 3, 10), planned_followups=7)

    assert error.value.code == "referral_too_old"
    assert "6 mois" in error.value.message
    assert "10/09/2022" in error.value.message


def test_it_accepts_a_referral_letter_dated_6_months_before_to_the_day(psychologist, patient):
    pathway = pathway_2023(patient, with_letter=True, referral_date=date(2022, 9, 10))

    pathway, _ = evaluate(pathway, psychologist, day=date(2023, 3, 10), planned_followups=7)

    assert pathway.status == S.IN_CARE


def test_it_refuses_a_midwifes_letter_before_25_december_2023(psychologist, patient):
    pathway = PathwayFactory(patient=patient, status=S.AWAITING_EVALUATION, opened_on=date(2023, 12, 15),
                             with_letter=True, referrer_kind="midwife")

    with pytest.raises(DomainError) as error:
        evaluate(pathway, psychologist, day=date(2023, 12, 20), planned_followups=7)

    assert error.value.code == "referrer_not_allowed"
    assert "seul un médecin" in error.value.message
    assert_nothing_written(pathway, S.AWAITING_EVALUATION, sessions=0, events=0)


def test_it_accepts_a_midwifes_letter_from_25_december_2023(psychologist, patient):
    pathway = PathwayFactory(patient=patient, status=S.AWAITING_EVALUATION, opened_on=date(2024, 1, 5),
                             with_letter=True, referrer_kind="midwife")

    pathway, _ = evaluate(pathway, psychologist, day=date(2024, 1, 10), planned_followups=7)

    assert pathway.status == S.IN_CARE


# --- Recording sessions and the annual cap ------------------------------------------------------


def test_it_accepts_12_reimbursed_sessions_in_a_year_and_refuses_the_13th(psychologist, awaiting):
    evaluate(awaiting, psychologist)
    for week in range(1, 12):
        record_followup(awaiting, psychologist, EVALUATED + timedelta(weeks=week))
    assert used(awaiting.patient, EVALUATED) == 12
    sessions, events = CareSession.objects.count(), PathwayEvent.objects.count()

    with pytest.raises(DomainError) as error:
        record_followup(awaiting, psychologist, date(2025, 5, 5))

    assert error.value.code == "cap_reached"
    assert "Plafond annuel atteint" in error.value.message
    assert "12 / 12" in error.value.message
    assert_nothing_written(awaiting, S.IN_CARE, sessions=sessions, events=events)


def test_the_13th_session_may_be_recorded_out_of_scheme_and_is_not_counted(psychologist, in_care):
    hold(in_care, 11, EVALUATED + timedelta(weeks=1))

    extra = record_followup(in_care, psychologist, date(2025, 5, 5), billing=Billing.OUT_OF_SCHEME,
                            out_of_scheme_fee=Decimal("55.00"))

    extra.refresh_from_db()
    assert (extra.billing, extra.out_of_scheme_fee) == (Billing.OUT_OF_SCHEME, Decimal("55.00"))
    assert used(in_care.patient, EVALUATED) == 12


def test_cancelled_sessions_and_no_shows_do_not_count(psychologist, in_care):
    hold(in_care, 10, EVALUATED + timedelta(weeks=1))
    for status in (SessionStatus.CANCELLED, SessionStatus.CANCELLED, SessionStatus.NO_SHOW):
        CareSessionFactory(pathway=in_care, date=date(2025, 4, 1), status=status)
    assert used(in_care.patient, EVALUATED) == 11

    record_followup(in_care, psychologist, date(2025, 5, 5))

    assert used(in_care.patient, EVALUATED) == 12


def test_a_cancelled_session_is_recorded_even_when_the_cap_is_reached(psychologist, in_care):
    hold(in_care, 11, EVALUATED + timedelta(weeks=1))

    cancelled = record_followup(in_care, psychologist, date(2025, 5, 5), status=SessionStatus.CANCELLED)

    assert cancelled.status == SessionStatus.CANCELLED
    assert used(in_care.patient, EVALUATED) == 12


def test_sessions_declared_elsewhere_count_towards_the_cap(psychologist, patient):
    pathway = PathwayFactory(patient=patient, opened_on=OPENED)
    DeclaredSessionsFactory(patient=patient, year=2025, count=10, included_evaluation=True)

    record_followup(pathway, psychologist, date(2025, 2, 3))
    record_followup(pathway, psychologist, date(2025, 2, 10))
    with pytest.raises(DomainError) as error:
        record_followup(pathway, psychologist, date(2025, 2, 17))

    assert error.value.code == "cap_reached"
    assert pathway.sessions.count() == 2


def test_sessions_declared_for_another_year_do_not_count(psychologist, in_care):
    DeclaredSessionsFactory(patient=in_care.patient, year=2024, count=12, included_evaluation=True)

    record_followup(in_care, psychologist, date(2025, 2, 3))

    assert used(in_care.patient, EVALUATED) == 2


def test_sessions_of_the_previous_calendar_year_do_not_count(psychologist, patient):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 6, 20))
    hold(pathway, 12, date(2024, 7, 1))

    services.session_record(pathway, psychologist, kind=SessionKind.EVALUATION, data=session(date(2025, 1, 6)))
    record_followup(pathway, psychologist, date(2025, 1, 13))

    assert used(patient, date(2025, 1, 13)) == 2
    assert used(patient, date(2024, 12, 31)) == 12


def test_the_first_reimbursed_session_of_a_year_must_be_an_evaluation(psychologist, patient):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 9, 1))
    hold(pathway, 4, date(2024, 9, 2))

    with pytest.raises(DomainError) as error:
        record_followup(pathway, psychologist, date(2025, 1, 13))

    assert (error.value.code, error.value.field) == ("evaluation_first", "kind")
    assert "2025" in error.value.message
    assert "doit être une séance d'évaluation" in error.value.message
    assert pathway.sessions.count() == 4


def test_an_evaluation_declared_elsewhere_this_year_lets_follow_ups_start(psychologist, patient):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 9, 1))
    hold(pathway, 4, date(2024, 9, 2))
    DeclaredSessionsFactory(patient=patient, year=2025, count=1, included_evaluation=True)

    record_followup(pathway, psychologist, date(2025, 1, 13))

    assert used(patient, date(2025, 1, 13)) == 2


def test_sessions_declared_without_an_evaluation_do_not_let_follow_ups_start(psychologist, patient):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 9, 1))
    hold(pathway, 4, date(2024, 9, 2))
    DeclaredSessionsFactory(patient=patient, year=2025, count=3, included_evaluation=False)

    with pytest.raises(DomainError) as error:
        record_followup(pathway, psychologist, date(2025, 2, 3))

    assert error.value.code == "evaluation_first"


def test_an_evaluation_held_this_year_on_a_previous_pathway_counts(psychologist, patient):
    previous = PathwayFactory(patient=patient, status=S.CLOSED, opened_on=OPENED)
    hold(previous, 5, EVALUATED)
    pathway = PathwayFactory(patient=patient, opened_on=date(2025, 3, 1))

    record_followup(pathway, psychologist, date(2025, 3, 10))

    assert used(patient, date(2025, 3, 10)) == 6


def test_a_new_year_evaluation_is_accepted_on_a_pathway_in_care(psychologist, patient):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 9, 1))
    hold(pathway, 4, date(2024, 9, 2))

    evaluation = services.session_record(pathway, psychologist, kind=SessionKind.EVALUATION,
                                         data=session(date(2025, 1, 6)))

    assert evaluation.kind == SessionKind.EVALUATION
    assert pathway.events.get(session=evaluation).action == PathwayEvent.Action.SESSION_RECORDED


def test_a_second_evaluation_in_the_same_year_is_refused(psychologist, in_care):
    with pytest.raises(DomainError) as error:
        services.session_record(in_care, psychologist, kind=SessionKind.EVALUATION, data=session(date(2025, 2, 3)))

    assert (error.value.code, error.value.field) == ("evaluation_already_held", "kind")
    assert "Une évaluation a déjà eu lieu en 2025" in error.value.message
    assert in_care.sessions.count() == 1


def test_the_cap_was_8_in_2023(psychologist, patient):
    pathway = PathwayFactory(patient=patient, opened_on=date(2023, 1, 2), with_letter=True)
    hold(pathway, 8, date(2023, 1, 9))

    with pytest.raises(DomainError) as error:
        record_followup(pathway, psychologist, date(2023, 4, 3))

    assert error.value.code == "cap_reached"
    assert "8 / 8" in error.value.message
    assert pathway.sessions.count() == 8


@pytest.mark.parametrize("day", [date(2024, 5, 1), date(2024, 6, 14)])
def test_in_2024_a_9th_session_before_the_reform_is_refused(psychologist, patient, day):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 1, 2), with_letter=True)
    hold(pathway, 8, date(2024, 1, 8))

    with pytest.raises(DomainError) as error:
        record_followup(pathway, psychologist, day)

    assert error.value.code == "cap_reached"
    assert pathway.sessions.count() == 8


@pytest.mark.parametrize("day", [date(2024, 6, 15), date(2024, 7, 1)])
def test_in_2024_a_9th_session_from_the_reform_is_accepted(psychologist, patient, day):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 1, 2), with_letter=True)
    hold(pathway, 8, date(2024, 1, 8))

    record_followup(pathway, psychologist, day)

    assert used(patient, day) == 9


def test_in_2024_the_cap_of_12_counts_the_sessions_held_before_the_reform(psychologist, patient):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 1, 2), with_letter=True)
    hold(pathway, 8, date(2024, 1, 8))
    for day in (1, 8, 15, 22):
        CareSessionFactory(pathway=pathway, date=date(2024, 7, day))

    with pytest.raises(DomainError) as error:
        record_followup(pathway, psychologist, date(2024, 9, 2))

    assert error.value.code == "cap_reached"
    assert "12 / 12" in error.value.message


@pytest.mark.parametrize("status", [S.AWAITING_EVALUATION, S.EXCLUDED, S.REORIENTED, S.CLOSED])
def test_it_refuses_a_follow_up_on_a_pathway_not_in_care(psychologist, patient, status):
    pathway = PathwayFactory(patient=patient, status=status, opened_on=OPENED)

    with pytest.raises(DomainError) as error:
        record_followup(pathway, psychologist, date(2025, 2, 3))

    assert error.value.code == "not_in_care"
    assert "sur un parcours en cours de suivi" in error.value.message
    assert not CareSession.objects.exists()


def test_a_follow_up_may_be_held_by_video(psychologist, in_care):
    followup = record_followup(in_care, psychologist, date(2025, 2, 3), mode=SessionMode.VIDEO)

    assert followup.mode == SessionMode.VIDEO
    assert followup.fee_split().billing_code == "PSS"


def test_it_refuses_a_follow_up_dated_before_the_pathway_was_opened(psychologist, in_care):
    with pytest.raises(DomainError) as error:
        record_followup(in_care, psychologist, OPENED - timedelta(days=1))

    assert error.value.field == "date"
    assert "datée d'avant l'ouverture du parcours (06/01/2025)" in error.value.message
    assert in_care.sessions.count() == 1


def test_an_emergency_ends_the_pathway_as_reoriented(psychologist, in_care):
    followup = services.session_record(in_care, psychologist, kind=SessionKind.FOLLOWUP,
                                       data=session(date(2025, 2, 3)),
                                       emergency_orientation="SAMU (15) appelé, urgences du CHU")

    in_care.refresh_from_db()
    assert in_care.status == S.REORIENTED
    assert (in_care.close_reason, in_care.closed_on) == (CloseReason.REORIENTED, date(2025, 2, 3))
    assert in_care.orientation == "SAMU (15) appelé, urgences du CHU"
    assert followup.status == SessionStatus.HELD
    assert [(e.action, e.to_status) for e in in_care.events.all()] == [
        (PathwayEvent.Action.SESSION_RECORDED, ""), (PathwayEvent.Action.TRANSITION, S.REORIENTED)]
    with pytest.raises(DomainError):
        record_followup(in_care, psychologist, date(2025, 2, 10))


# --- Changing a session -------------------------------------------------------------------------


def test_it_refuses_to_turn_a_cancelled_session_into_a_held_one_beyond_the_cap(psychologist, in_care):
    hold(in_care, 11, EVALUATED + timedelta(weeks=1))
    cancelled = CareSessionFactory(pathway=in_care, date=date(2025, 5, 5), status=SessionStatus.CANCELLED)

    with pytest.raises(DomainError) as error:
        services.session_update(cancelled, psychologist, same_as(cancelled, status=SessionStatus.HELD))

    assert error.value.code == "cap_reached"
    assert CareSession.objects.get(pk=cancelled.pk).status == SessionStatus.CANCELLED
    assert not PathwayEvent.objects.exists()


def test_it_turns_a_cancelled_session_into_a_held_one_below_the_cap(psychologist, in_care):
    hold(in_care, 10, EVALUATED + timedelta(weeks=1))
    cancelled = CareSessionFactory(pathway=in_care, date=date(2025, 5, 5), status=SessionStatus.CANCELLED)

    services.session_update(cancelled, psychologist, same_as(cancelled, status=SessionStatus.HELD))

    assert CareSession.objects.get(pk=cancelled.pk).status == SessionStatus.HELD
    assert used(in_care.patient, EVALUATED) == 12


def test_the_note_of_a_held_session_can_change_when_the_cap_is_reached(psychologist, in_care):
    fifth = hold(in_care, 11, EVALUATED + timedelta(weeks=1))[4]

    services.session_update(fifth, psychologist, same_as(fifth, private_note="Sommeil amélioré"))

    assert CareSession.objects.get(pk=fifth.pk).private_note == "Sommeil amélioré"
    event = in_care.events.get()
    assert (event.action, event.session) == (PathwayEvent.Action.SESSION_UPDATED, fifth)


def test_the_note_of_a_session_held_before_the_reform_can_change_after_later_sessions(psychologist, patient):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 1, 2), with_letter=True)
    spring = hold(pathway, 8, date(2024, 1, 8))
    for day in (1, 8, 15):
        CareSessionFactory(pathway=pathway, date=date(2024, 7, day))

    # The session was legitimately the 4th of 2024: a note added in July changes nothing to the count.
    services.session_update(spring[3], psychologist, same_as(spring[3], private_note="Relu en juillet"))

    assert CareSession.objects.get(pk=spring[3].pk).private_note == "Relu en juillet"


def test_the_note_of_a_held_session_can_change_after_sessions_are_declared_elsewhere(psychologist, in_care):
    fifth = hold(in_care, 11, EVALUATED + timedelta(weeks=1))[4]
    DeclaredSessionsFactory(patient=in_care.patient, year=2025, count=2, included_evaluation=False)

    services.session_update(fifth, psychologist, same_as(fifth, private_note="Sommeil amélioré"))

    assert CareSession.objects.get(pk=fifth.pk).private_note == "Sommeil amélioré"


def test_on_a_closed_pathway_the_note_of_a_session_can_still_change(psychologist, in_care):
    evaluation = in_care.sessions.get()
    Pathway.objects.filter(pk=in_care.pk).update(status=S.CLOSED)

    services.session_update(evaluation, psychologist, same_as(evaluation, private_note="Relu", duration_minutes=50))

    evaluation.refresh_from_db()
    assert (evaluation.private_note, evaluation.duration_minutes) == ("Relu", 50)


def test_on_a_closed_pathway_a_session_cannot_be_cancelled(psychologist, in_care):
    evaluation = in_care.sessions.get()
    Pathway.objects.filter(pk=in_care.pk).update(status=S.CLOSED)

    with pytest.raises(DomainError) as error:
        services.session_update(evaluation, psychologist, same_as(evaluation, status=SessionStatus.CANCELLED))

    assert "Le parcours est terminé : seules la note et la durée" in error.value.message
    assert CareSession.objects.get(pk=evaluation.pk).status == SessionStatus.HELD
    assert not PathwayEvent.objects.exists()


@pytest.mark.parametrize("fee", [None, Decimal("-10.00")], ids=["no_fee", "negative_fee"])
def test_it_refuses_an_out_of_scheme_session_edited_without_a_valid_fee(psychologist, in_care, fee):
    extra = CareSessionFactory(pathway=in_care, date=date(2025, 2, 3), billing=Billing.OUT_OF_SCHEME,
                               out_of_scheme_fee=Decimal("55.00"))

    with pytest.raises(DomainError) as error:
        services.session_update(extra, psychologist, same_as(extra, out_of_scheme_fee=fee))

    assert error.value.field == "out_of_scheme_fee"
    assert CareSession.objects.get(pk=extra.pk).out_of_scheme_fee == Decimal("55.00")


# --- Closing and planning -----------------------------------------------------------------------


def test_it_closes_a_pathway_with_its_reason_and_date(psychologist, in_care):
    CareSessionFactory(pathway=in_care, date=date(2025, 2, 3))

    services.pathway_close(in_care, psychologist, reason=CloseReason.COMPLETED, closed_on=date(2025, 3, 1))

    in_care.refresh_from_db()
    assert (in_care.status, in_care.close_reason, in_care.closed_on) == (
        S.CLOSED, CloseReason.COMPLETED, date(2025, 3, 1))
    assert [(e.action, e.from_status, e.to_status) for e in in_care.events.all()] == [
        (PathwayEvent.Action.CLOSED, "", ""), (PathwayEvent.Action.TRANSITION, S.IN_CARE, S.CLOSED)]


def test_a_pathway_awaiting_its_evaluation_can_be_closed(psychologist, awaiting):
    services.pathway_close(awaiting, psychologist, reason=CloseReason.PATIENT_STOPPED, closed_on=OPENED)

    assert Pathway.objects.get(pk=awaiting.pk).status == S.CLOSED


def test_it_refuses_to_close_a_pathway_twice(psychologist, in_care):
    services.pathway_close(in_care, psychologist, reason=CloseReason.COMPLETED, closed_on=date(2025, 3, 1))

    with pytest.raises(DomainError) as error:
        services.pathway_close(in_care, psychologist, reason=CloseReason.MOVED, closed_on=date(2025, 3, 2))

    assert error.value.code == "already_over"
    assert "déjà terminé" in error.value.message
    in_care.refresh_from_db()
    assert (in_care.close_reason, in_care.closed_on) == (CloseReason.COMPLETED, date(2025, 3, 1))
    assert in_care.events.count() == 2


def test_closing_as_reoriented_needs_the_orientation(psychologist, in_care):
    with pytest.raises(DomainError) as error:
        services.pathway_close(in_care, psychologist, reason=CloseReason.REORIENTED, closed_on=date(2025, 3, 1))

    assert error.value.field == "orientation"
    assert "Indiquez vers qui le patient a été orienté" in error.value.message
    assert_nothing_written(in_care, S.IN_CARE, sessions=1, events=0)


def test_closing_as_reoriented_ends_the_pathway_reoriented(psychologist, in_care):
    services.pathway_close(in_care, psychologist, reason=CloseReason.REORIENTED, closed_on=date(2025, 3, 1),
                           orientation="CMP du secteur")

    in_care.refresh_from_db()
    assert (in_care.status, in_care.orientation) == (S.REORIENTED, "CMP du secteur")
    assert in_care.events.last().to_status == S.REORIENTED


def test_it_refuses_a_closing_date_before_the_last_session(psychologist, in_care):
    CareSessionFactory(pathway=in_care, date=date(2025, 2, 3))

    with pytest.raises(DomainError) as error:
        services.pathway_close(in_care, psychologist, reason=CloseReason.COMPLETED, closed_on=date(2025, 2, 2))

    assert error.value.field == "closed_on"
    assert "03/02/2025" in error.value.message
    assert "ne peut pas précéder la dernière séance" in error.value.message
    assert_nothing_written(in_care, S.IN_CARE, sessions=2, events=0)


def test_it_refuses_a_closing_date_in_the_future(psychologist, in_care):
    with pytest.raises(DomainError) as error:
        services.pathway_close(in_care, psychologist, reason=CloseReason.COMPLETED,
                               closed_on=timezone.localdate() + timedelta(days=1))

    assert error.value.field == "closed_on"
    assert "La date de clôture ne peut pas être dans le futur" in error.value.message
    assert_nothing_written(in_care, S.IN_CARE, sessions=1, events=0)


@pytest.mark.parametrize("planned", [1, 11])
def test_it_plans_1_to_11_follow_ups(psychologist, in_care, planned):
    services.pathway_plan_followups(in_care, psychologist, planned)

    assert Pathway.objects.get(pk=in_care.pk).planned_followups == planned
    event = in_care.events.get()
    assert (event.action, event.details) == (PathwayEvent.Action.FOLLOWUPS_PLANNED, f"11 → {planned}")


@pytest.mark.parametrize("planned", [0, 12])
def test_it_refuses_to_plan_follow_ups_outside_1_to_11(psychologist, in_care, planned):
    with pytest.raises(DomainError) as error:
        services.pathway_plan_followups(in_care, psychologist, planned)

    assert error.value.field == "planned_followups"
    assert "Prévoyez entre 1 et 11 séances de suivi" in error.value.message
    assert Pathway.objects.get(pk=in_care.pk).planned_followups == 11
    assert not PathwayEvent.objects.exists()


def test_it_refuses_to_plan_follow_ups_on_a_closed_pathway(psychologist, patient):
    pathway = PathwayFactory(patient=patient, status=S.CLOSED)

    with pytest.raises(DomainError) as error:
        services.pathway_plan_followups(pathway, psychologist, 5)

    assert error.value.code == "not_in_care"
    assert "Les suivis se planifient sur un parcours en cours de suivi" in error.value.message


# --- The history is append-only -----------------------------------------------------------------


@pytest.fixture
def event(psychologist, patient):
    pathway = services.pathway_open(patient, psychologist, entry_mode=EntryMode.DIRECT, opened_on=OPENED)
    return pathway.events.get()


def test_an_event_cannot_be_changed(event):
    event.details = "rewritten"

    with pytest.raises(ValidationError):
        event.save()

    assert PathwayEvent.objects.get(pk=event.pk).details != "rewritten"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(ValidationError):
        event.delete()

    assert PathwayEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_deleted_in_bulk(event):
    with pytest.raises(ValidationError):
        PathwayEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValidationError):
        event.pathway.events.all().delete()

    assert PathwayEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_updated_in_bulk(event):
    with pytest.raises(ValidationError):
        PathwayEvent.objects.filter(pk=event.pk).update(details="rewritten")
    event.details = "rewritten"
    with pytest.raises(ValidationError), transaction.atomic():
        PathwayEvent.objects.bulk_update([event], ["details"])

    assert PathwayEvent.objects.get(pk=event.pk).details != "rewritten"


def test_an_unknown_session_mode_such_as_telephone_is_refused(psychologist, in_care):
    with pytest.raises(DomainError) as error:
        services.session_record(in_care, psychologist, kind="followup", data=services.SessionInput(
            date=EVALUATED + timedelta(days=7), mode="telephone", duration_minutes=30))
    assert (error.value.field, error.value.code) == ("mode", "unknown_choice")
    assert "Choisissez une des valeurs proposées" in error.value.message


@pytest.mark.django_db(transaction=True)
def test_a_patient_is_locked_inside_a_transaction_only(psychologist):
    """The lock lasts until the transaction ends: outside one it would end at once, and the cap's count
    after it would not be protected (as select_for_update() refuses it too)."""
    patient = PatientFactory(psychologist=psychologist)
    with pytest.raises(transaction.TransactionManagementError):
        services.lock_patient(patient.pk)
    with transaction.atomic():
        assert services.lock_patient(patient.pk).pk == patient.pk


@pytest.mark.django_db
def test_a_follow_up_cannot_come_before_the_pathway_s_evaluation(psychologist, in_care):
    with pytest.raises(DomainError) as error:
        record_followup(in_care, psychologist, EVALUATED - timedelta(days=3))
    assert error.value.code == "before_evaluation" and error.value.field == "date"
    assert error.value.message == "Une séance de suivi ne peut pas précéder la séance d'évaluation (13/01/2025)."
    assert record_followup(in_care, psychologist, EVALUATED).date == EVALUATED  # the same day is fine

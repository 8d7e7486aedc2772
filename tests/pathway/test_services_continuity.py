"""The year's evaluation, declared sessions and consent dates: what keeps the count honest."""

from datetime import date, timedelta

import pytest

from pathway import services
from pathway.models import Billing, PathwayStatus, SessionKind, SessionStatus
from pathway.services import DomainError
from tests.factories import DeclaredSessionsFactory, PathwayFactory, PatientFactory

from .test_services import EVALUATED, OPENED, evaluate, hold, same_as

S = PathwayStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(psychologist):
    return PatientFactory(psychologist=psychologist)


def new_pathway(patient, opened_on=OPENED):
    return PathwayFactory(patient=patient, status=S.AWAITING_EVALUATION, planned_followups=None, opened_on=opened_on)


def test_a_patient_evaluated_elsewhere_this_year_continues_with_follow_ups(psychologist, patient):
    DeclaredSessionsFactory(patient=patient, year=2025, count=4, included_evaluation=True)
    pathway, _ = evaluate(new_pathway(patient), psychologist)
    first = pathway.sessions.get()
    assert (pathway.status, first.kind, first.billing) == (S.IN_CARE, SessionKind.FOLLOWUP, Billing.REIMBURSED)
    assert services.cap_usage(patient.pk, EVALUATED).used == 5


def test_a_second_pathway_in_the_same_year_bills_no_second_evaluation(psychologist, patient):
    closed = PathwayFactory(patient=patient, status=S.CLOSED, opened_on=date(2025, 1, 2))
    hold(closed, 3, date(2025, 1, 6))
    pathway, _ = evaluate(new_pathway(patient, opened_on=date(2025, 3, 3)), psychologist, day=date(2025, 3, 10))
    evaluations = patient.sessions.filter(kind=SessionKind.EVALUATION, date__year=2025)
    assert evaluations.count() == 1
    assert pathway.sessions.get().kind == SessionKind.FOLLOWUP


def test_the_first_pathway_of_a_year_still_opens_with_an_evaluation(psychologist, patient):
    DeclaredSessionsFactory(patient=patient, year=2024, count=4, included_evaluation=True)
    pathway, _ = evaluate(new_pathway(patient), psychologist)
    assert pathway.sessions.get().kind == SessionKind.EVALUATION


@pytest.mark.parametrize("change", [
    {"status": SessionStatus.CANCELLED},
    {"billing": Billing.OUT_OF_SCHEME, "out_of_scheme_fee": 60},
    {"date": date(2024, 12, 30)},
])
def test_an_evaluation_that_follow_ups_rest_on_cannot_stop_counting(psychologist, patient, change):
    pathway = PathwayFactory(patient=patient, opened_on=date(2024, 12, 2))
    evaluation, *followups = hold(pathway, 3, EVALUATED)
    with pytest.raises(DomainError) as error:
        services.session_update(evaluation, psychologist, same_as(evaluation, **change))
    assert error.value.code == "evaluation_needed"
    assert "reposent sur cette évaluation" in error.value.message
    evaluation.refresh_from_db()
    assert (evaluation.status, evaluation.billing, evaluation.date) == (SessionStatus.HELD, Billing.REIMBURSED,
                                                                       EVALUATED)


def test_an_evaluation_cannot_be_moved_after_its_follow_ups(psychologist, patient):
    evaluation, first_followup, _ = hold(PathwayFactory(patient=patient, opened_on=OPENED), 3, EVALUATED)
    with pytest.raises(DomainError) as error:
        services.session_update(evaluation, psychologist, same_as(evaluation, date=first_followup.date + timedelta(1)))
    assert (error.value.field, error.value.code) == ("date", "evaluation_after_followup")
    assert "ne peut pas venir après une séance de suivi" in error.value.message


def test_an_evaluation_with_no_follow_up_yet_can_be_cancelled(psychologist, patient):
    evaluation = hold(PathwayFactory(patient=patient, opened_on=OPENED), 1, EVALUATED)[0]
    services.session_update(evaluation, psychologist, same_as(evaluation, status=SessionStatus.NO_SHOW))
    evaluation.refresh_from_db()
    assert evaluation.status == SessionStatus.NO_SHOW


def test_declared_sessions_cannot_push_the_year_over_the_cap(psychologist, patient):
    hold(PathwayFactory(patient=patient, opened_on=OPENED), 10, EVALUATED)
    with pytest.raises(DomainError) as error:
        services.declared_sessions_add(patient, psychologist, year=2025, count=3, included_evaluation=False,
                                       source="relevé ameli", declared_on=date(2025, 6, 1))
    assert (error.value.field, error.value.code) == ("count", "declared_over_cap")
    assert "au-delà du plafond de 12" in error.value.message
    services.declared_sessions_add(patient, psychologist, year=2025, count=2, included_evaluation=False,
                                   source="relevé ameli", declared_on=date(2025, 6, 1))
    assert services.cap_usage(patient.pk, date(2025, 12, 31)).used == 12


def test_declared_sessions_refuse_a_zero_count_and_a_future_date(psychologist, patient):
    with pytest.raises(DomainError) as zero:
        services.declared_sessions_add(patient, psychologist, year=2025, count=0, included_evaluation=False,
                                       source="relevé ameli", declared_on=date(2025, 6, 1))
    with pytest.raises(DomainError) as future:
        services.declared_sessions_add(patient, psychologist, year=2025, count=1, included_evaluation=False,
                                       source="relevé ameli", declared_on=date(2999, 1, 1))
    assert (zero.value.field, future.value.field) == ("count", "declared_on")
    assert not patient.declared_sessions.exists()


def test_parental_consent_must_be_given_by_the_session_date(psychologist):
    child = PatientFactory(psychologist=psychologist, birth_date=date(2013, 3, 1),
                           guardian_1_name="Claire Martin", guardian_1_consent_on=EVALUATED + timedelta(days=1),
                           guardian_2_name="Paul Martin", guardian_2_consent_on=date(2024, 12, 1))
    pathway = new_pathway(child)
    with pytest.raises(DomainError) as error:
        evaluate(pathway, psychologist)
    assert error.value.code == "parental_consent_missing"
    assert "au plus tard à la date de la séance" in error.value.message
    evaluate(pathway, psychologist, day=EVALUATED + timedelta(days=1))
    pathway.refresh_from_db()
    assert pathway.status == S.IN_CARE


def test_a_session_counted_elsewhere_keeps_the_cap_on_the_first_follow_up(psychologist, patient):
    DeclaredSessionsFactory(patient=patient, year=2025, count=12, included_evaluation=True)
    with pytest.raises(DomainError) as error:
        evaluate(new_pathway(patient), psychologist)
    assert error.value.code == "cap_reached"


def test_a_declaration_for_2023_is_judged_against_that_year_s_cap_of_8(psychologist, patient):
    with pytest.raises(DomainError) as error:
        services.declared_sessions_add(patient, psychologist, year=2023, count=9, included_evaluation=True,
                                       source="relevé ameli", declared_on=date(2023, 11, 2))
    assert "au-delà du plafond de 8" in error.value.message
    services.declared_sessions_add(patient, psychologist, year=2023, count=8, included_evaluation=True,
                                   source="relevé ameli", declared_on=date(2023, 11, 2))
    assert services.cap_usage(patient.pk, date(2023, 12, 31)).used == 8

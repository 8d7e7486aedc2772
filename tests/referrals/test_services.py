"""The referral services: the link, the submission, accepting and declining (state and side records)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from pathway.models import EntryMode, Pathway, PathwayEvent, PathwayStatus, Patient
from pathway.services import DomainError
from referrals import services
from referrals.models import DeclineReason, Referral, ReferralLink, ReferralStatus, ReferrerProfession
from tests.factories import PathwayFactory, PatientFactory, ReferralFactory, ReferralLinkFactory

from .sending import years_ago

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def referral(psychologist):
    return ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist), patient_last_name="Lefèvre",
                           patient_first_name="Julie", patient_email="julie@example.org")


# The link


def test_the_link_is_created_once_then_found_again(psychologist):
    first = services.referral_link_get_or_create(psychologist)
    assert services.referral_link_get_or_create(psychologist) == first
    assert ReferralLink.objects.filter(psychologist=psychologist).count() == 1


def test_a_doctor_has_no_referral_link(gp):
    with pytest.raises(DomainError, match="Seul un psychologue"):
        services.referral_link_get_or_create(gp)
    assert not ReferralLink.objects.exists()


def test_replacing_the_link_revokes_the_live_one_and_creates_another(psychologist):
    old = services.referral_link_get_or_create(psychologist)
    new = services.referral_link_replace(psychologist)
    old.refresh_from_db()
    assert old.revoked_at is not None and new.revoked_at is None
    assert new.token != old.token
    assert services.referral_link_get_or_create(psychologist) == new


# Submission


def submitted_fields(**changes):
    fields = {
        "referrer_last_name": "Leroy", "referrer_first_name": "Anne", "referrer_profession": ReferrerProfession.GP,
        "referrer_number": "10003456786", "referrer_address": "3 rue des Lilas", "referrer_phone": "0478000000",
        "referrer_email": "", "patient_last_name": "Martin", "patient_first_name": "Julie",
        "patient_birth_date": date(1990, 5, 17), "patient_phone": "", "patient_email": "", "reason": "Anxiété",
        "clinical_context": "", "psychotropic_treatment": "", "psychotropic_started_on": None,
        "screen_psychiatric_ald": False, "screen_psychiatric_follow_up": False, "screen_severe_disorder": False,
    }
    return fields | changes


def test_a_submission_through_a_revoked_link_is_refused(psychologist):
    link = ReferralLinkFactory(psychologist=psychologist, revoked_at=timezone.now())
    with pytest.raises(DomainError) as error:
        services.referral_submit(link, submitted_fields(), fingerprint="f")
    assert error.value.code == "link_revoked"
    assert not Referral.objects.exists()


def test_the_service_itself_refuses_a_patient_under_the_minimum_age(psychologist):
    link = ReferralLinkFactory(psychologist=psychologist)
    with pytest.raises(DomainError) as error:
        services.referral_submit(link, submitted_fields(patient_birth_date=years_ago(2)), fingerprint="f")
    assert error.value.field == "patient_birth_date"
    assert not Referral.objects.exists()


def test_the_rate_limits_are_errors_of_their_own_kind(psychologist):
    link = ReferralLinkFactory(psychologist=psychologist)
    ReferralFactory.create_batch(services.MAX_REFERRALS_PER_SENDER, link=link, sender_fingerprint="same")
    with pytest.raises(services.RateLimited) as error:
        services.referral_submit(link, submitted_fields(), fingerprint="same")
    assert error.value.code == "rate_limited_sender"


# Accepting


def test_accepting_creates_the_patient_and_opens_a_pathway_by_referral(referral, psychologist):
    accepted = services.referral_accept(referral, psychologist, opened_on=TODAY, sex="F")

    patient = Patient.objects.get()
    pathway = Pathway.objects.get()
    assert (patient.psychologist, patient.last_name, patient.first_name) == (psychologist, "Lefèvre", "Julie")
    assert (patient.birth_date, patient.email, patient.sex) == (date(1990, 5, 17), "julie@example.org", "F")
    assert patient.treating_doctor_name == "Dr Anne LEROY"
    assert (pathway.patient, pathway.entry_mode, pathway.status) == (
        patient, EntryMode.REFERRAL, PathwayStatus.AWAITING_EVALUATION)
    assert (pathway.referrer_kind, pathway.referrer_name) == ("doctor", "Dr Anne LEROY")
    assert pathway.referral_date == timezone.localdate(referral.received_at)
    assert pathway.events.get().action == PathwayEvent.Action.OPENED
    assert (accepted.status, accepted.patient, accepted.pathway) == (ReferralStatus.ACCEPTED, patient, pathway)
    assert accepted.decided_at is not None


def test_a_midwife_referral_opens_a_pathway_of_the_midwife_kind(psychologist):
    referral = ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist),
                               referrer_profession=ReferrerProfession.MIDWIFE)
    services.referral_accept(referral, psychologist, opened_on=TODAY, sex="F")
    pathway = Pathway.objects.get()
    assert (pathway.referrer_kind, pathway.referrer_name) == ("midwife", "Anne LEROY")
    assert Patient.objects.get().treating_doctor_name == ""


def test_accepting_may_link_an_existing_patient(referral, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    accepted = services.referral_accept(referral, psychologist, opened_on=TODAY, patient=patient)
    assert Patient.objects.count() == 1
    assert accepted.pathway.patient == patient


def test_accepting_refuses_another_psychologists_patient(referral, psychologist, other_psychologist):
    stranger = PatientFactory(psychologist=other_psychologist)
    with pytest.raises(DomainError) as error:
        services.referral_accept(referral, psychologist, opened_on=TODAY, patient=stranger)
    assert error.value.code == "not_your_patient"
    assert not Pathway.objects.exists()


def test_a_stranger_cannot_accept_the_referral_even_with_their_own_patient(referral, other_psychologist):
    own = PatientFactory(psychologist=other_psychologist)
    with pytest.raises(Referral.DoesNotExist):
        services.referral_accept(referral, other_psychologist, opened_on=TODAY, patient=own)
    assert not Pathway.objects.exists()


def test_a_patient_with_a_pathway_in_progress_leaves_nothing_half_written(referral, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    PathwayFactory(patient=patient)
    with pytest.raises(DomainError) as error:
        services.referral_accept(referral, psychologist, opened_on=TODAY, patient=patient)
    assert error.value.code == "already_active"
    referral.refresh_from_db()
    assert (referral.status, referral.patient, referral.pathway) == (ReferralStatus.PENDING, None, None)
    assert Pathway.objects.count() == 1


def test_a_new_patient_under_the_minimum_age_is_not_created(psychologist):
    referral = ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist),
                               patient_birth_date=years_ago(2))
    with pytest.raises(DomainError) as error:
        services.referral_accept(referral, psychologist, opened_on=TODAY, sex="M")
    assert error.value.code == "too_young"
    assert not Patient.objects.exists() and not Pathway.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_the_pathway_cannot_open_before_the_referral_was_received(referral, psychologist):
    with pytest.raises(DomainError) as error:
        services.referral_accept(referral, psychologist, opened_on=TODAY - timedelta(days=1), sex="F")
    assert error.value.field == "opened_on"
    assert not Patient.objects.exists()


def test_a_second_accept_is_refused_and_opens_no_second_pathway(referral, psychologist):
    services.referral_accept(referral, psychologist, opened_on=TODAY, sex="F")
    with pytest.raises(DomainError, match="déjà été accepté"):
        services.referral_accept(referral, psychologist, opened_on=TODAY, sex="F")
    assert Pathway.objects.count() == 1 and Patient.objects.count() == 1


# Declining


def test_declining_records_the_reason_and_the_note(referral, psychologist):
    declined = services.referral_decline(referral, psychologist, reason=DeclineReason.NO_AVAILABILITY,
                                         note="Orientez vers le CMP.")
    declined.refresh_from_db()
    assert (declined.status, declined.decline_reason, declined.decline_note) == (
        ReferralStatus.DECLINED, DeclineReason.NO_AVAILABILITY, "Orientez vers le CMP.")
    assert declined.decided_at is not None and declined.pathway is None


def test_only_a_pending_referral_may_be_declined_or_accepted(referral, psychologist):
    services.referral_accept(referral, psychologist, opened_on=TODAY, sex="F")
    with pytest.raises(DomainError, match="déjà été accepté"):
        services.referral_decline(referral, psychologist, reason=DeclineReason.OTHER)
    other = ReferralFactory(link=referral.link)
    services.referral_decline(other, psychologist, reason=DeclineReason.OTHER)
    with pytest.raises(DomainError, match="déjà été refusé"):
        services.referral_accept(other, psychologist, opened_on=TODAY, sex="F")
    assert Pathway.objects.count() == 1


# The referrer's view of what became of it


def test_the_referrer_sees_care_ended_once_the_pathway_is_over(referral, psychologist):
    accepted = services.referral_accept(referral, psychologist, opened_on=TODAY, sex="F")
    assert accepted.get_follow_status_display() == "Accepté"
    Pathway.objects.filter(pk=accepted.pathway_id).update(status=PathwayStatus.CLOSED)
    accepted.refresh_from_db()
    assert accepted.get_follow_status_display() == "Prise en charge terminée"

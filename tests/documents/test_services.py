"""Documents for the doctor (DOMAIN.md §6): drafts, issue, correction, consent and release."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from documents import services
from documents.models import Consent, ConsentChannel, ConsentGiver, Document, DocumentKind, Orientation
from pathway.models import PathwayEvent, PathwayStatus, SessionKind
from pathway.services import DomainError
from tests.factories import CareSessionFactory, ConsentFactory, GPFactory, PathwayFactory, ReferralFactory

from .factories import (
    CLOSED_ON,
    EVALUATED,
    OPENED,
    closed_pathway,
    end_of_care_draft,
    issued_end_of_care,
    patient_of,
    with_consent,
)

pytestmark = pytest.mark.django_db

S = PathwayStatus
K = DocumentKind
TODAY = timezone.localdate()


def events(pathway, action):
    return list(pathway.events.filter(action=action).values_list("details", flat=True))


def evaluated_pathway(psychologist, status, **fields):
    pathway = PathwayFactory(patient=patient_of(psychologist), opened_on=OPENED, status=status, **fields)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=EVALUATED)
    return pathway


def minor_pathway(psychologist):
    patient = patient_of(psychologist, birth_date=date(2012, 3, 1), guardian_1_name="Claire Martin",
                         guardian_1_consent_on=OPENED, guardian_2_name="Paul Martin", guardian_2_consent_on=OPENED)
    return closed_pathway(psychologist, patient=patient)


# --- Which document, when ------------------------------------------------------------------------

ALLOWED_KINDS = {
    S.AWAITING_EVALUATION: {K.ALERT},
    S.IN_CARE: {K.POST_EVALUATION, K.ALERT},
    S.EXCLUDED: {K.POST_EVALUATION, K.ALERT},
    S.REORIENTED: {K.POST_EVALUATION, K.ALERT, K.END_OF_CARE},
    S.CLOSED: {K.POST_EVALUATION, K.ALERT, K.END_OF_CARE},
}


@pytest.mark.parametrize(("status", "kind"), [(s, k) for s in S for k in K])
def test_a_kind_is_drafted_only_in_the_statuses_that_allow_it(psychologist, status, kind):
    pathway = evaluated_pathway(psychologist, status)
    if kind in ALLOWED_KINDS[status]:
        assert services.document_draft(pathway, psychologist, kind).kind == kind
        return
    with pytest.raises(DomainError) as error:
        services.document_draft(pathway, psychologist, kind)
    assert error.value.code == "kind_not_allowed"
    assert "ne peut pas être rédigé sur un parcours" in error.value.message
    assert not Document.objects.exists()


def test_the_end_of_care_report_is_refused_before_closure_in_french(psychologist):
    pathway = evaluated_pathway(psychologist, S.IN_CARE)
    with pytest.raises(DomainError) as error:
        services.document_draft(pathway, psychologist, K.END_OF_CARE)
    assert error.value.message == (
        "Un « Compte rendu de fin de prise en charge » ne peut pas être rédigé sur un parcours "
        "dont le statut est « En cours de suivi »."
    )


def test_no_letter_after_an_evaluation_that_never_took_place(psychologist):
    pathway = PathwayFactory(patient=patient_of(psychologist), status=S.CLOSED, opened_on=OPENED)
    with pytest.raises(DomainError) as error:
        services.document_draft(pathway, psychologist, K.POST_EVALUATION)
    assert error.value.code == "no_session_held"


def test_a_pathway_has_one_letter_and_one_report_but_alerts_at_will(psychologist):
    pathway = closed_pathway(psychologist)
    services.document_draft(pathway, psychologist, K.END_OF_CARE)
    with pytest.raises(DomainError) as error:
        services.document_draft(pathway, psychologist, K.END_OF_CARE)
    assert error.value.code == "already_drafted"
    services.document_draft(pathway, psychologist, K.ALERT)
    services.document_draft(pathway, psychologist, K.ALERT)
    assert pathway.documents.count() == 3


# --- Prefilled from the pathway ------------------------------------------------------------------

def test_a_draft_is_addressed_to_the_treating_doctor_with_the_reason_for_care(psychologist):
    document = services.document_draft(closed_pathway(psychologist), psychologist, K.END_OF_CARE)
    assert (document.recipient_name, document.recipient_address) == ("Dr François Garçon", "12 rue de la Paix, Lyon")
    assert document.reason_for_care == "Troubles anxieux ou dépressifs d'intensité légère à modérée"
    assert not document.is_issued


def test_a_referral_pathway_writes_to_the_referrer(psychologist):
    pathway = evaluated_pathway(psychologist, S.IN_CARE, with_letter=True)
    document = services.document_draft(pathway, psychologist, K.POST_EVALUATION)
    assert document.recipient_name == "Dr Anne Leroy"


def test_a_referral_sent_in_the_app_gives_the_referrers_address(psychologist, gp):
    pathway = evaluated_pathway(psychologist, S.IN_CARE, with_letter=True)
    ReferralFactory(pathway=pathway, patient=pathway.patient, status="accepted", sent_by=gp,
                    link__psychologist=psychologist)
    document = services.document_draft(pathway, psychologist, K.POST_EVALUATION)
    assert document.recipient_address == "3 rue des Lilas, 69003 Lyon"


def test_the_letter_after_the_evaluation_says_the_patient_is_included_with_the_planned_follow_ups(psychologist):
    pathway = evaluated_pathway(psychologist, S.IN_CARE, planned_followups=6)
    document = services.document_issue(services.document_draft(pathway, psychologist, K.POST_EVALUATION),
                                       psychologist)
    assert "inclus dans le dispositif : 6 séances de suivi sont prévues" in document.issued_html
    assert "13/01/2025" in document.issued_html


def test_the_letter_after_the_evaluation_gives_the_reasons_of_non_eligibility(psychologist):
    pathway = evaluated_pathway(psychologist, S.EXCLUDED, planned_followups=None, exclusion_reasons=[
        {"code": "severe_anxiety_depression", "message": "Anxiété ou dépression sévère."}])
    document = services.document_issue(services.document_draft(pathway, psychologist, K.POST_EVALUATION),
                                       psychologist)
    assert "ne relève pas du dispositif" in document.issued_html
    assert "Anxiété ou dépression sévère." in document.issued_html


def test_the_letter_after_the_evaluation_gives_the_orientation_of_a_reoriented_patient(psychologist):
    pathway = evaluated_pathway(psychologist, S.REORIENTED, planned_followups=None,
                                orientation="Urgences psychiatriques du CH Le Vinatier",
                                exclusion_reasons=[{"code": "suicide_risk", "message": "Risque suicidaire."}])
    document = services.document_issue(services.document_draft(pathway, psychologist, K.POST_EVALUATION),
                                       psychologist)
    assert "le patient a été réorienté" in document.issued_html
    assert "Urgences psychiatriques du CH Le Vinatier" in document.issued_html


# --- Drafts and issue ----------------------------------------------------------------------------

def test_a_draft_is_edited_with_the_fields_of_its_kind(psychologist):
    document = end_of_care_draft(psychologist, evolution="Mieux.")
    document.refresh_from_db()
    assert document.evolution == "Mieux."
    with pytest.raises(ValueError):
        services.document_update(document, psychologist, body="not a field of the report")


def test_issuing_freezes_the_text_and_the_values_and_writes_an_event(psychologist):
    document = issued_end_of_care(psychologist)
    document.refresh_from_db()
    assert document.is_issued
    assert "Compte rendu de fin de prise en charge" in document.issued_html
    assert "Zoé LEFÈVRE" in document.issued_html
    assert document.issued_content["patient"]["birth_date"] == "1990-05-17"
    assert document.issued_content["pathway"]["sessions_held"] == 4
    assert document.issued_content["psychologist"]["number"] == "RPPS 10003456786"
    assert events(document.pathway, PathwayEvent.Action.DOCUMENT_ISSUED) == [
        "Compte rendu de fin de prise en charge, version 1"]


def test_the_report_counts_held_sessions_in_person_and_by_video(psychologist):
    pathway = closed_pathway(psychologist, followups=5, video=2)
    CareSessionFactory(pathway=pathway, date=date(2025, 6, 2), status="cancelled")
    html = issued_end_of_care(psychologist, pathway).issued_html
    assert "6 séances : 4 en présentiel, 2 en visio" in html
    assert "13/01/2025" in html  # the evaluation
    assert "17/02/2025" in html  # the last held session (the cancelled one is later)


def test_an_issued_document_cannot_be_edited(psychologist):
    document = issued_end_of_care(psychologist)
    with pytest.raises(DomainError) as error:
        services.document_update(document, psychologist, evolution="Réécrit après coup.")
    assert error.value.message.startswith("Ce document a été émis : il ne peut plus être modifié.")
    document.refresh_from_db()
    assert "Réécrit" not in document.evolution + document.issued_html


def test_a_document_is_issued_once(psychologist):
    document = issued_end_of_care(psychologist)
    with pytest.raises(DomainError):
        services.document_issue(document, psychologist)
    assert len(events(document.pathway, PathwayEvent.Action.DOCUMENT_ISSUED)) == 1


def test_an_incomplete_report_is_not_issued_and_the_message_names_the_field(psychologist):
    document = end_of_care_draft(psychologist, outcome="")
    with pytest.raises(DomainError) as error:
        services.document_issue(document, psychologist)
    assert error.value.field == "outcome"
    assert error.value.message == "Renseignez « résultat » avant d'émettre le document."
    document.refresh_from_db()
    assert not document.is_issued


def test_an_alert_needs_its_message_and_orientation(psychologist):
    document = services.document_draft(closed_pathway(psychologist), psychologist, K.ALERT)
    with pytest.raises(DomainError) as error:
        services.document_issue(document, psychologist)
    assert error.value.field == "body"
    services.document_update(document, psychologist, body="Idées noires envahissantes.",
                             orientation=Orientation.PSYCHIATRIST)
    html = services.document_issue(document, psychologist).issued_html
    assert "Idées noires envahissantes." in html
    assert "Psychiatre" in html


def test_a_reprint_years_later_is_what_the_doctor_received(psychologist):
    document = issued_end_of_care(psychologist)
    original = document.issued_html
    psychologist.last_name, psychologist.rpps = "Nouveau-Nom", "10000000000"
    psychologist.save()
    patient = document.pathway.patient
    patient.last_name = "Autre"
    patient.save()
    CareSessionFactory(pathway=document.pathway, date=date(2025, 7, 1))

    document = Document.objects.get(pk=document.pk)
    assert document.issued_html == original
    assert "Durand" in original and "LEFÈVRE" in original and "10003456786" in original


# --- Corrections ---------------------------------------------------------------------------------

def test_a_correction_is_a_new_draft_version_that_replaces_the_issued_one(psychologist):
    first = issued_end_of_care(psychologist)
    second = services.document_correct(first, psychologist)
    assert (second.version, second.replaces, second.is_issued) == (2, first, False)
    assert second.evolution == first.evolution
    services.document_update(second, psychologist, evolution="Évolution corrigée.")
    second = services.document_issue(second, psychologist)
    assert f"Cette version remplace la version 1 du {TODAY:%d/%m/%Y}." in second.issued_html
    assert events(first.pathway, PathwayEvent.Action.DOCUMENT_ISSUED)[-1] == (
        "Compte rendu de fin de prise en charge, version 2 — remplace la version 1")
    first.refresh_from_db()
    assert "Évolution corrigée" not in first.issued_html


def test_a_version_is_corrected_once(psychologist):
    first = issued_end_of_care(psychologist)
    services.document_correct(first, psychologist)
    with pytest.raises(DomainError) as error:
        services.document_correct(first, psychologist)
    assert error.value.message == "Cette version a déjà été corrigée : voyez la version 2."
    assert Document.objects.count() == 2


def test_a_draft_is_not_corrected_but_edited(psychologist):
    with pytest.raises(DomainError) as error:
        services.document_correct(end_of_care_draft(psychologist), psychologist)
    assert error.value.code == "not_issued"


# --- Consent -------------------------------------------------------------------------------------

def test_an_adults_consent_is_recorded_with_the_patients_name_and_an_event(psychologist):
    document = issued_end_of_care(psychologist)
    consent = services.consent_record(document, psychologist, given_on=CLOSED_ON, given_by=ConsentGiver.PATIENT,
                                      channel=ConsentChannel.POST)
    assert (consent.given_by_names, consent.recorded_by) == ("Zoé LEFÈVRE", psychologist)
    assert events(document.pathway, PathwayEvent.Action.CONSENT_RECORDED) == [
        "Compte rendu de fin de prise en charge, version 1 — 30/06/2025, Zoé LEFÈVRE, Courrier postal"]


def test_an_adults_consent_is_the_patients(psychologist):
    document = issued_end_of_care(psychologist)
    with pytest.raises(DomainError) as error:
        services.consent_record(document, psychologist, given_on=CLOSED_ON,
                                given_by=ConsentGiver.PARENTAL_AUTHORITY, channel=ConsentChannel.POST)
    assert error.value.message == "Le patient est majeur à cette date : c'est lui qui consent."
    assert not Consent.objects.exists()


def test_a_minors_consent_is_the_holders_of_parental_authority(psychologist):
    document = issued_end_of_care(psychologist, minor_pathway(psychologist))
    with pytest.raises(DomainError) as error:
        services.consent_record(document, psychologist, given_on=CLOSED_ON, given_by=ConsentGiver.PATIENT,
                                channel=ConsentChannel.POST)
    assert error.value.message == (
        "Le patient est mineur à cette date : le consentement est celui des titulaires de l'autorité parentale.")
    consent = services.consent_record(document, psychologist, given_on=CLOSED_ON,
                                      given_by=ConsentGiver.PARENTAL_AUTHORITY, channel=ConsentChannel.POST)
    assert consent.given_by_names == "Claire Martin et Paul Martin"


def test_minority_is_judged_on_the_consent_date(psychologist):
    patient = patient_of(psychologist, birth_date=date(2007, 6, 1), guardian_1_name="Claire Martin",
                         guardian_1_consent_on=OPENED, sole_holder_declared=True)
    document = issued_end_of_care(psychologist, closed_pathway(psychologist, patient=patient))
    consent = services.consent_record(document, psychologist, given_on=date(2025, 6, 1),
                                      given_by=ConsentGiver.PATIENT, channel=ConsentChannel.POST)
    assert consent.given_by_names == "Zoé LEFÈVRE"  # 18 on 01/06/2025


def test_a_consent_cannot_be_dated_in_the_future_nor_before_the_pathway(psychologist):
    document = issued_end_of_care(psychologist)
    for day, message in (
        (TODAY + timedelta(days=1), "La date du consentement ne peut pas être dans le futur."),
        (OPENED - timedelta(days=1), "Le consentement ne peut pas précéder l'ouverture du parcours (06/01/2025)."),
    ):
        with pytest.raises(DomainError) as error:
            services.consent_record(document, psychologist, given_on=day, given_by=ConsentGiver.PATIENT,
                                    channel=ConsentChannel.POST)
        assert (error.value.field, error.value.message) == ("given_on", message)
    assert not Consent.objects.exists()
    assert not events(document.pathway, PathwayEvent.Action.CONSENT_RECORDED)


def test_one_consent_per_document(psychologist):
    document = with_consent(issued_end_of_care(psychologist), psychologist)
    with pytest.raises(DomainError) as error:
        with_consent(document, psychologist)
    assert error.value.code == "already_recorded"


def test_a_consent_in_the_app_needs_a_doctors_account_on_the_pathway(psychologist):
    document = issued_end_of_care(psychologist)
    with pytest.raises(DomainError) as error:
        with_consent(document, psychologist, channel=ConsentChannel.IN_APP)
    assert error.value.message.startswith("Le médecin n'a pas de compte relié à ce parcours")


# --- Release to the doctor -----------------------------------------------------------------------

def test_release_without_consent_is_refused_and_says_the_document_can_be_printed(psychologist):
    document = issued_end_of_care(psychologist)
    with pytest.raises(DomainError) as error:
        services.document_release(document, psychologist)
    assert error.value.message == (
        "Sans consentement enregistré du patient, ce document ne peut pas être transmis au médecin ; "
        "vous pouvez l'imprimer pour le patient.")
    document.refresh_from_db()
    assert not document.is_released
    assert not events(document.pathway, PathwayEvent.Action.DOCUMENT_RELEASED)


def test_release_of_a_draft_is_refused(psychologist):
    document = end_of_care_draft(psychologist)
    with_consent(document, psychologist)
    with pytest.raises(DomainError) as error:
        services.document_release(document, psychologist)
    assert error.value.message == (
        "Ce document est encore un brouillon : émettez-le avant de le transmettre au médecin.")
    document.refresh_from_db()
    assert not document.is_released


def test_release_with_a_consent_dated_after_today_is_refused(psychologist):
    document = issued_end_of_care(psychologist)
    ConsentFactory(document=document, given_on=TODAY + timedelta(days=2))
    with pytest.raises(DomainError) as error:
        services.document_release(document, psychologist)
    assert error.value.code == "consent_in_future"
    assert "après aujourd'hui" in error.value.message


def test_release_with_consent_is_recorded_with_an_event(psychologist):
    document = with_consent(issued_end_of_care(psychologist), psychologist)
    document = services.document_release(document, psychologist)
    assert document.released_at is not None and document.released_to is None
    assert events(document.pathway, PathwayEvent.Action.DOCUMENT_RELEASED) == [
        "Compte rendu de fin de prise en charge, version 1 — Courrier postal, Dr François Garçon"]
    with pytest.raises(DomainError) as error:
        services.document_release(document, psychologist)
    assert error.value.code == "already_released"


def test_release_in_the_app_goes_to_the_gp_account_that_sent_the_referral(psychologist, gp):
    pathway = closed_pathway(psychologist)
    ReferralFactory(pathway=pathway, patient=pathway.patient, status="accepted", sent_by=gp,
                    link__psychologist=psychologist)
    document = with_consent(issued_end_of_care(psychologist, pathway), psychologist, channel=ConsentChannel.IN_APP)
    document = services.document_release(document, psychologist)
    assert document.released_to == gp


def test_release_in_the_app_is_refused_when_the_referral_came_without_an_account(psychologist):
    pathway = closed_pathway(psychologist)
    ReferralFactory(pathway=pathway, patient=pathway.patient, status="accepted", sent_by=None,
                    link__psychologist=psychologist)
    document = issued_end_of_care(psychologist, pathway)
    ConsentFactory(document=document, channel=ConsentChannel.IN_APP)  # recorded before the check existed
    with pytest.raises(DomainError) as error:
        services.document_release(document, psychologist)
    assert error.value.code == "no_gp_account"
    document.refresh_from_db()
    assert (document.released_at, document.released_to) == (None, None)


def test_a_replaced_version_is_not_released(psychologist):
    first = with_consent(issued_end_of_care(psychologist), psychologist)
    services.document_issue(services.document_correct(first, psychologist), psychologist)
    with pytest.raises(DomainError) as error:
        services.document_release(first, psychologist)
    assert error.value.message == "Cette version a été remplacée par la version 2 : transmettez celle-ci."


def test_another_gp_is_never_the_recipient(psychologist, gp):
    pathway = closed_pathway(psychologist)
    ReferralFactory(pathway=pathway, patient=pathway.patient, status="accepted", sent_by=gp,
                    link__psychologist=psychologist)
    GPFactory(username="another-gp")
    document = with_consent(issued_end_of_care(psychologist, pathway), psychologist, channel=ConsentChannel.IN_APP)
    assert services.document_release(document, psychologist).released_to == gp

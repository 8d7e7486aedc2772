"""What the fuzzing found, each pinned by a test that fails without its fix."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import ConsentGiver
from pathway.models import PathwayStatus, Patient, SessionKind
from tests.documents.factories import issued_end_of_care, patient_of, with_consent
from tests.factories import CareSessionFactory, PathwayFactory, PatientFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


def fr(day):
    return day.strftime("%d/%m/%Y")


def as_posted(patient, **changes):
    fields = {
        "last_name": patient.last_name, "first_name": patient.first_name, "birth_date": fr(patient.birth_date),
        "sex": patient.sex, "guardian_1_name": patient.guardian_1_name, "guardian_2_name": patient.guardian_2_name,
        "guardian_1_consent_on": fr(patient.guardian_1_consent_on) if patient.guardian_1_consent_on else "",
        "guardian_2_consent_on": fr(patient.guardian_2_consent_on) if patient.guardian_2_consent_on else "",
    }
    return fields | changes


def in_care_with_sessions(patient):
    pathway = PathwayFactory(patient=patient, opened_on=date(LAST_YEAR, 1, 6))
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(LAST_YEAR, 1, 13))
    CareSessionFactory(pathway=pathway, date=date(LAST_YEAR, 1, 20))
    return pathway


def edit(client, patient, **changes):
    return client.post(reverse("pathway:patient_edit", args=[patient.pk]), as_posted(patient, **changes))


def test_a_birth_date_after_the_recorded_care_is_refused_next_to_the_field(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist, birth_date=date(1985, 3, 9))
    in_care_with_sessions(patient)
    response = edit(client_psy, patient, birth_date=fr(date(LAST_YEAR, 8, 27)), last_name="Nouveau")
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [
        f"Avec cette date de naissance, le patient avait moins de 3 ans le 06/01/{LAST_YEAR}, quand des soins "
        "ont été enregistrés (ouverture d’un parcours ou séance remboursée) : vérifiez la date."]
    assert 'value="Nouveau"' in response.content.decode()  # what was typed is kept
    assert Patient.objects.get(pk=patient.pk).birth_date == date(1985, 3, 9)


def test_the_parental_consent_a_minors_sessions_rest_on_cannot_be_removed(client_psy, psychologist):
    minor = PatientFactory(psychologist=psychologist, minor_with_consent=True)
    in_care_with_sessions(minor)
    response = edit(client_psy, minor, guardian_2_name="", guardian_2_consent_on="")
    assert response.context["form"].errors["guardian_1_consent_on"] == [
        f"La séance remboursée du 13/01/{LAST_YEAR} repose sur le consentement des titulaires de l’autorité "
        "parentale, donné ce jour-là ou avant : il ne peut pas être retiré ni daté après elle."]
    assert Patient.objects.get(pk=minor.pk).guardian_2_name == "Paul Martin"


def test_a_birth_date_that_would_make_an_adults_consent_a_minors_is_refused(client_psy, psychologist):
    document = with_consent(issued_end_of_care(psychologist), psychologist)
    patient = document.pathway.patient
    assert document.consent.given_by == ConsentGiver.PATIENT
    born = document.consent.given_on - timedelta(days=365 * 16)
    response = edit(client_psy, patient, birth_date=fr(born), guardian_1_name="Claire", sole_holder_declared="on",
                    guardian_1_consent_on=fr(born))
    errors = response.context["form"].errors["birth_date"]
    assert errors and errors[0].startswith("Avec cette date de naissance, le consentement du")
    assert Patient.objects.get(pk=patient.pk).birth_date == date(1990, 5, 17)


def test_a_file_with_recorded_care_still_takes_other_changes(client_psy, psychologist):
    patient = patient_of(psychologist)
    in_care_with_sessions(patient)
    response = edit(client_psy, patient, phone="06 00 00 00 00", birth_date=fr(date(1990, 5, 18)))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.phone, patient.birth_date) == ("06 00 00 00 00", date(1990, 5, 18))


def test_the_evaluation_form_shown_again_with_its_errors_answers(client_psy, psychologist):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=TODAY,
                             status=PathwayStatus.AWAITING_EVALUATION, planned_followups=None)
    response = client_psy.post(reverse("pathway:evaluate", args=[pathway.pk]), {"date": "31/02/2026"})
    assert response.status_code == 200
    assert "cap-meter" in response.content.decode()



def test_a_pathway_cannot_open_before_the_scheme_existed(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    response = client_psy.post(reverse("pathway:pathway_open", args=[patient.pk]),
                               {"entry_mode": "direct", "opened_on": "04/01/2021"})
    assert response.context["form"].errors["opened_on"] == [
        "Mon soutien psy n'existait pas avant le 05/04/2022 : un parcours ne peut pas s'ouvrir plus tôt."]
    assert not patient.pathways.exists()


def test_an_out_of_scheme_evaluation_before_the_scheme_is_refused_not_a_500(client_psy, psychologist):
    # A pathway opened before the scheme (stored before the opening was checked).
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=date(2021, 1, 4),
                             status=PathwayStatus.AWAITING_EVALUATION, planned_followups=None)
    response = client_psy.post(reverse("pathway:evaluate", args=[pathway.pk]), {
        "date": "11/01/2021", "duration_minutes": "45", "billing": "out_of_scheme", "out_of_scheme_fee": "60",
        "care_reason": "anxiety_depression", "affiliated": "on", "ald_psy_status": "no", "invalidity_status": "no",
        "long_sick_leave_status": "no", "psychiatric_follow_up_status": "no", "treatment": "none",
        "planned_followups": "8"})
    assert response.context["form"].errors["date"] == [
        "Mon soutien psy n'existait pas avant le 05/04/2022 : son évaluation ne peut pas être datée plus tôt."]
    assert not pathway.sessions.exists()

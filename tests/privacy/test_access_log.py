"""The middleware writes one trace per read or write of health data: who, when, what, whose, from where."""

from datetime import date

import pytest
from django.db import DatabaseError, connection
from django.urls import reverse
from django.utils import timezone

from pathway.models import Patient
from privacy.models import AccessLogEntry, Action
from tests.auth import log_in
from tests.factories import CareSessionFactory, DocumentFactory, PathwayFactory, PatientFactory

pytestmark = pytest.mark.django_db


def detail_url(patient):
    return reverse("pathway:patient_detail", kwargs={"patient_id": patient.pk})


def test_reading_a_patient_records_who_when_what_whose_and_from_where(client, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    before = timezone.now()
    log_in(client, psychologist).get(detail_url(patient), REMOTE_ADDR="203.0.113.7")
    entry = AccessLogEntry.objects.get()
    assert (entry.actor_id, entry.actor_name, entry.owner_id, entry.patient_id) == (
        psychologist.pk, "Hélène Durand", psychologist.pk, patient.pk)
    assert (entry.action, entry.object_type, entry.object_id, entry.url_name, entry.ip) == (
        Action.READ, "patient", str(patient.pk), "pathway:patient_detail", "203.0.113.7")
    assert before <= entry.at <= timezone.now()


def test_a_change_is_recorded_as_a_write(client, psychologist):
    session = CareSessionFactory(pathway=PathwayFactory(patient=PatientFactory(psychologist=psychologist)),
                                 date=date(2026, 1, 12))
    response = log_in(client, psychologist).post(reverse("pathway:session_edit", kwargs={"session_id": session.pk}), {
        "date": "12/01/2026", "mode": "in_person", "duration_minutes": 50, "status": "held", "billing": "reimbursed",
        "private_note": "ok"})
    assert response.status_code == 302
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.object_type, entry.object_id, entry.patient_id) == (
        Action.WRITE, "session", str(session.pk), session.patient_id)


def test_a_form_sent_back_with_its_errors_is_a_read_not_a_write(client, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    url = reverse("pathway:patient_edit", kwargs={"patient_id": patient.pk})
    assert log_in(client, psychologist).post(url, {"last_name": ""}).status_code == 200
    assert AccessLogEntry.objects.get().action == Action.READ


def test_a_new_patient_is_recorded_with_the_id_it_was_given(client, psychologist):
    response = log_in(client, psychologist).post(reverse("pathway:patient_create"), {
        "last_name": "Martin", "first_name": "Léa", "birth_date": "17/05/1990", "sex": "F"})
    assert response.status_code == 302
    patient = Patient.objects.get()
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.patient_id, entry.owner_id) == (Action.WRITE, patient.pk, psychologist.pk)


def test_the_empty_form_of_a_new_patient_is_not_a_read_of_anyone(client, psychologist):
    assert log_in(client, psychologist).get(reverse("pathway:patient_create")).status_code == 200
    assert not AccessLogEntry.objects.exists()


def test_a_refused_request_is_not_logged(client, psychologist, other_psychologist):
    patient = PatientFactory(psychologist=psychologist)
    assert client.get(detail_url(patient)).status_code == 302  # anonymous: to the login page
    assert log_in(client, other_psychologist).get(detail_url(patient)).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_a_get_on_an_action_that_only_redirects_shows_nothing_and_is_not_logged(client, psychologist):
    document = DocumentFactory(pathway=PathwayFactory(patient=PatientFactory(psychologist=psychologist)))
    response = log_in(client, psychologist).get(reverse("documents:issue", kwargs={"document_id": document.pk}))
    assert response.status_code == 302
    assert not AccessLogEntry.objects.exists()


def test_a_doctor_reading_a_released_report_is_in_the_psychologists_trail(client, psychologist, gp):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist))
    document = DocumentFactory(pathway=pathway, issued_at=timezone.now(), issued_html="<p>Compte rendu</p>",
                               released_at=timezone.now(), released_to=gp)
    assert log_in(client, gp).get(reverse("documents:print", kwargs={"document_id": document.pk})).status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.actor_id, entry.actor_name, entry.owner_id, entry.patient_id) == (
        gp.pk, "Anne Leroy", psychologist.pk, pathway.patient_id)


def test_health_data_is_not_served_when_its_trace_cannot_be_written(client, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    log_in(client, psychologist)
    with connection.cursor() as cursor:  # the test's transaction rolls the trigger back
        cursor.execute("CREATE FUNCTION refuse_trace() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$")
        cursor.execute("CREATE TRIGGER refuse_trace BEFORE INSERT ON privacy_accesslogentry "
                       "FOR EACH ROW EXECUTE FUNCTION refuse_trace()")
    with pytest.raises(DatabaseError, match="disk full"):
        client.get(detail_url(patient))


def test_a_malformed_remote_address_is_stored_as_unknown(client, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    log_in(client, psychologist).get(detail_url(patient), REMOTE_ADDR="not-an-address")
    assert AccessLogEntry.objects.get().ip is None

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pathway.models import CareSession, Pathway, PathwayEvent, PathwayStatus, SessionKind
from tests.auth import log_in
from tests.factories import CareSessionFactory, DeclaredSessionsFactory, PathwayFactory, PatientFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR_START = date(TODAY.year, 1, 5)
ELIGIBLE = {
    "duration_minutes": "45", "billing": "reimbursed", "care_reason": "anxiety_depression", "affiliated": "on",
    "ald_psy_status": "no", "invalidity_status": "no", "long_sick_leave_status": "no",
    "psychiatric_follow_up_status": "no", "treatment": "none", "planned_followups": "8",
}


def day(value):
    return value.strftime("%d/%m/%Y")


def url(name, obj):
    key = {"Pathway": "pathway_id", "Patient": "patient_id", "CareSession": "session_id"}[type(obj).__name__]
    return reverse(f"pathway:{name}", kwargs={key: obj.pk})


def awaiting(psychologist, **patient_fields):
    patient = PatientFactory(psychologist=psychologist, **patient_fields)
    return PathwayFactory(patient=patient, status=PathwayStatus.AWAITING_EVALUATION, planned_followups=None,
                          opened_on=YEAR_START)


def in_care_with(psychologist, followups):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=YEAR_START)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=YEAR_START)
    for index in range(followups):
        CareSessionFactory(pathway=pathway, date=YEAR_START + timedelta(days=7 * (index + 1)))
    return pathway


def follow_up(**changes):
    return {"kind": "followup", "date": day(TODAY), "mode": "video", "duration_minutes": "45", "status": "held",
            "billing": "reimbursed", **changes}


# Opening


def test_it_opens_a_pathway_by_direct_access(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    response = client_psy.post(url("pathway_open", patient), {"entry_mode": "direct", "opened_on": day(TODAY)})
    pathway = Pathway.objects.get()
    assert response["Location"] == url("detail", pathway)
    assert (pathway.status, pathway.entry_mode) == (PathwayStatus.AWAITING_EVALUATION, "direct")
    assert pathway.events.get().action == PathwayEvent.Action.OPENED


def test_a_referral_needs_its_letter_details(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    response = client_psy.post(url("pathway_open", patient), {"entry_mode": "referral", "opened_on": day(TODAY)})
    assert set(response.context["form"].errors) == {"referrer_kind", "referrer_name", "referral_date"}
    assert not Pathway.objects.exists()


def test_it_stores_the_scanned_letter_and_serves_it_to_its_owner_only(client, psychologist, other_psychologist):
    patient = PatientFactory(psychologist=psychologist)
    log_in(client, psychologist)
    scan = SimpleUploadedFile("lettre.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    client.post(url("pathway_open", patient), {
        "entry_mode": "referral", "opened_on": day(TODAY), "referrer_kind": "doctor",
        "referrer_name": "Dr Anne Leroy", "referral_date": day(TODAY), "referral_scan": scan,
    })
    pathway = Pathway.objects.get()
    download = client.get(url("referral_scan", pathway))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 letter"
    log_in(client, other_psychologist)
    assert client.get(url("referral_scan", pathway)).status_code == 404


def test_a_scan_is_judged_by_its_content_not_its_name(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    fake = SimpleUploadedFile("lettre.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client_psy.post(url("pathway_open", patient), {
        "entry_mode": "referral", "opened_on": day(TODAY), "referrer_kind": "doctor",
        "referrer_name": "Dr Anne Leroy", "referral_date": day(TODAY), "referral_scan": fake,
    })
    assert "PDF, JPEG ou PNG" in response.context["form"].errors["referral_scan"][0]
    assert not Pathway.objects.exists()


def test_it_refuses_a_pathway_for_a_two_year_old(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist, birth_date=TODAY.replace(year=TODAY.year - 2))
    response = client_psy.post(url("pathway_open", patient), {"entry_mode": "direct", "opened_on": day(TODAY)})
    assert "à partir de 3 ans" in response.context["form"].errors["opened_on"][0]
    assert not Pathway.objects.exists()


# Evaluation


def test_an_eligible_evaluation_puts_the_patient_in_care(client_psy, psychologist):
    pathway = awaiting(psychologist)
    response = client_psy.post(url("evaluate", pathway), {**ELIGIBLE, "date": day(TODAY)})
    pathway.refresh_from_db()
    assert response.status_code == 302
    assert (pathway.status, pathway.planned_followups) == (PathwayStatus.IN_CARE, 8)
    assert pathway.sessions.get().kind == SessionKind.EVALUATION


def test_an_excluded_patient_ends_with_the_reasons_shown(client_psy, psychologist):
    pathway = awaiting(psychologist)
    client_psy.post(url("evaluate", pathway), {**ELIGIBLE, "date": day(TODAY), "ald_psy_status": "ongoing"})
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.EXCLUDED
    page = client_psy.get(url("detail", pathway)).content.decode()
    assert "Affection de longue durée psychiatrique" in page


def test_a_suicide_risk_shows_3114_and_15_and_reorients(client_psy, psychologist):
    pathway = awaiting(psychologist)
    without_orientation = client_psy.post(url("evaluate", pathway),
                                          {**ELIGIBLE, "date": day(TODAY), "suicide_risk": "on"})
    assert "orientation" in without_orientation.context["form"].errors
    assert "3114" in without_orientation.content.decode()
    client_psy.post(url("evaluate", pathway), {**ELIGIBLE, "date": day(TODAY), "suicide_risk": "on",
                                               "orientation": "Urgences psychiatriques du CHU"})
    pathway.refresh_from_db()
    page = client_psy.get(url("detail", pathway)).content.decode()
    assert pathway.status == PathwayStatus.REORIENTED
    assert "3114" in page and ">15<" in page
    assert pathway.sessions.count() == 1


def test_a_minor_without_parental_consent_is_stopped(client_psy, psychologist):
    pathway = awaiting(psychologist, birth_date=TODAY.replace(year=TODAY.year - 12), guardian_1_name="Claire")
    response = client_psy.post(url("evaluate", pathway), {**ELIGIBLE, "date": day(TODAY)})
    assert "autorité parentale" in " ".join(response.context["form"].non_field_errors())
    assert not CareSession.objects.exists()


def test_a_date_before_the_scheme_is_refused_next_to_the_date(client_psy, psychologist):
    pathway = awaiting(psychologist)
    response = client_psy.post(url("evaluate", pathway), {**ELIGIBLE, "date": "15/03/2021"})
    assert "05/04/2022" in response.context["form"].errors["date"][0]
    assert 'value="15/03/2021"' in response.content.decode()
    assert not CareSession.objects.exists()


def test_text_in_a_number_field_is_refused_without_a_500(client_psy, psychologist):
    pathway = awaiting(psychologist)
    response = client_psy.post(url("evaluate", pathway), {**ELIGIBLE, "date": day(TODAY), "duration_minutes": "abc"})
    assert response.status_code == 200
    assert "nombre entier" in response.context["form"].errors["duration_minutes"][0]


# Sessions and the annual cap


def test_the_session_form_shows_the_count_this_year(client_psy, psychologist):
    pathway = in_care_with(psychologist, 9)
    page = client_psy.get(url("session_record", pathway)).content.decode()
    assert "10 / 12 cette année" in page
    assert "proche du plafond" in page


def test_a_13th_session_is_refused_and_offered_out_of_scheme(client_psy, psychologist):
    pathway = in_care_with(psychologist, 11)
    response = client_psy.post(url("session_record", pathway), follow_up())
    page = response.content.decode()
    assert "Plafond annuel atteint" in page
    assert "hors dispositif" in page.lower()
    assert pathway.sessions.count() == 12
    client_psy.post(url("session_record", pathway), follow_up(billing="out_of_scheme", out_of_scheme_fee="60"))
    assert pathway.sessions.count() == 13
    assert "12 / 12 cette année" in client_psy.get(url("detail", pathway)).content.decode()


def test_a_valid_session_posted_on_another_psychologists_pathway_is_not_found_and_writes_nothing(
        client, psychologist, other_psychologist):
    pathway = in_care_with(other_psychologist, 2)
    log_in(client, psychologist)
    before = (CareSession.objects.count(), PathwayEvent.objects.count())
    # Out of scheme: no count of the year could refuse it, only the pathway's owner.
    form = follow_up(billing="out_of_scheme", out_of_scheme_fee="60")
    assert client.post(url("session_record", pathway), form).status_code == 404
    assert (CareSession.objects.count(), PathwayEvent.objects.count()) == before


def test_a_recorded_session_goes_to_its_pathway_with_its_event(client_psy, psychologist):
    pathway = in_care_with(psychologist, 2)
    response = client_psy.post(url("session_record", pathway), follow_up(private_note="vue ce jour"))
    assert response.status_code == 302 and response["Location"] == url("detail", pathway)
    session = pathway.sessions.get(private_note="vue ce jour")
    assert (session.patient_id, session.psychologist_id) == (pathway.patient_id, psychologist.pk)
    assert PathwayEvent.objects.filter(session=session, actor=psychologist,
                                       action=PathwayEvent.Action.SESSION_RECORDED).count() == 1


def test_a_video_evaluation_is_refused(client_psy, psychologist):
    pathway = in_care_with(psychologist, 0)
    response = client_psy.post(url("session_record", pathway),
                               follow_up(kind="evaluation", date=day(date(TODAY.year, 2, 1))))
    assert "en présentiel" in response.context["form"].errors["mode"][0]


def test_editing_a_session_records_it_in_the_history(client_psy, psychologist):
    pathway = in_care_with(psychologist, 1)
    session = pathway.sessions.get(kind=SessionKind.FOLLOWUP)
    client_psy.post(url("session_edit", session), {
        "date": day(session.date), "mode": "in_person", "duration_minutes": "30", "status": "no_show",
        "billing": "reimbursed", "private_note": "Absent sans prévenir"})
    session.refresh_from_db()
    assert (session.status, session.private_note) == ("no_show", "Absent sans prévenir")
    assert pathway.events.filter(action=PathwayEvent.Action.SESSION_UPDATED).exists()


def test_the_pathway_page_shows_tariff_and_shares(client_psy, psychologist):
    pathway = in_care_with(psychologist, 1)
    page = client_psy.get(url("detail", pathway)).content.decode()
    assert "50,00 €" in page and "30,00 €" in page and "20,00 €" in page


# Closing


def test_a_closed_pathway_takes_no_more_sessions(client_psy, psychologist):
    pathway = in_care_with(psychologist, 2)
    client_psy.post(url("close", pathway), {"reason": "completed", "closed_on": day(TODAY)})
    pathway.refresh_from_db()
    assert (pathway.status, pathway.close_reason) == (PathwayStatus.CLOSED, "completed")
    response = client_psy.post(url("session_record", pathway), follow_up())
    assert response.status_code == 200
    assert pathway.sessions.count() == 3
    assert "Enregistrer une séance" not in client_psy.get(url("detail", pathway)).content.decode()


def test_the_history_lists_every_transition(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    client_psy.post(url("pathway_open", patient), {"entry_mode": "direct", "opened_on": day(TODAY)})
    pathway = Pathway.objects.get()
    client_psy.post(url("evaluate", pathway), {**ELIGIBLE, "date": day(TODAY)})
    client_psy.post(url("close", pathway), {"reason": "patient_stopped", "closed_on": day(TODAY)})
    actions = list(pathway.events.values_list("action", "to_status"))
    assert actions == [
        ("opened", "awaiting_evaluation"), ("evaluated", ""), ("transition", "in_care"),
        ("closed", ""), ("transition", "closed"),
    ]


def test_an_evaluation_cannot_be_moved_to_video_even_out_of_scheme(client_psy, psychologist):
    pathway = in_care_with(psychologist, 0)
    evaluation = pathway.sessions.get()
    response = client_psy.post(url("session_edit", evaluation), {
        "date": day(evaluation.date), "mode": "video", "duration_minutes": "45", "status": "held",
        "billing": "out_of_scheme", "out_of_scheme_fee": "50"})
    assert response.status_code == 200
    assert "en présentiel" in response.context["form"].errors["mode"][0]
    evaluation.refresh_from_db()
    assert evaluation.mode == "in_person"


def test_a_follow_up_cannot_come_before_the_evaluation(client_psy, psychologist):
    pathway = in_care_with(psychologist, 0)
    Pathway.objects.filter(pk=pathway.pk).update(opened_on=YEAR_START - timedelta(days=4))
    response = client_psy.post(url("session_record", pathway), follow_up(date=day(YEAR_START - timedelta(days=1))))
    assert "précéder" in response.context["form"].errors["date"][0]


def test_the_evaluation_form_says_when_the_year_s_evaluation_was_held_elsewhere(client_psy, psychologist):
    pathway = awaiting(psychologist)
    assert "facturée comme un suivi" not in client_psy.get(url("evaluate", pathway)).content.decode()
    DeclaredSessionsFactory(patient=pathway.patient, year=TODAY.year, count=2, included_evaluation=True)
    assert "facturée comme un suivi" in client_psy.get(url("evaluate", pathway)).content.decode()

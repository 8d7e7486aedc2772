"""Erasure when the law allows it: never cared for, or kept long enough; one trace, no name in it."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway.models import Pathway, PathwayEvent
from privacy import erasure, retention, selectors
from privacy.models import AccessLogEntry, Action
from tests.auth import log_in
from tests.factories import CareSessionFactory, PatientFactory

from .builders import full_file, stored_counts

pytestmark = pytest.mark.django_db

EMPTY = {"patients": 0, "pathways": 0, "sessions": 0, "declared": 0, "events": 0, "documents": 0, "consents": 0,
         "referrals": 0}


def url(patient):
    return reverse("privacy:erase", kwargs={"patient_id": patient.pk})


def scan_path(patient, settings):
    return settings.MEDIA_ROOT / Pathway.objects.get(patient=patient, entry_mode="referral").referral_scan.name


# The rule (privacy.retention, privacy.erasure)


def test_a_file_is_kept_20_years_after_the_last_care():
    assert retention.patient_file_kept_until(date(2010, 6, 30), date(1970, 1, 1)) == date(2030, 6, 30)


def test_a_child_s_file_is_kept_until_the_28th_birthday_when_that_is_later():
    assert retention.patient_file_kept_until(date(2010, 6, 30), date(2005, 2, 3)) == date(2033, 2, 3)


def test_a_29_february_moves_to_the_28th():
    assert retention.add_years(date(2004, 2, 29), 20) == date(2024, 2, 29)
    assert retention.add_years(date(2004, 2, 29), 21) == date(2025, 2, 28)


def verdict_for(psychologist, patient, today):
    return erasure.erasure_verdict(selectors.patient_for_erasure(psychologist, patient.pk), today)


def test_the_verdict_counts_the_later_of_the_last_session_and_the_last_issued_document(psychologist):
    patient = full_file(psychologist, cared_on=date(2004, 3, 1))  # last document issued on 10/04/2004
    verdict = verdict_for(psychologist, patient, date(2024, 4, 10))
    assert (verdict.allowed, verdict.last_care_on, verdict.kept_until) == (False, date(2004, 4, 10), date(2024, 4, 10))
    assert verdict_for(psychologist, patient, date(2024, 4, 11)).ground == erasure.RETENTION_ELAPSED


def test_cancelled_sessions_and_drafts_are_no_care(psychologist):
    patient = full_file(psychologist, cared_on=date(2026, 1, 5), cared=False)
    assert verdict_for(psychologist, patient, date(2026, 11, 23)).ground == erasure.NEVER_CARED


# The page


def test_the_page_explains_the_rule_in_french(client, psychologist):
    patient = full_file(psychologist, cared=False)
    html = log_in(client, psychologist).get(url(patient)).content.decode()
    assert "20 ans à compter de la dernière prise en charge" in html
    assert "délibération n° 2020-081" in html
    assert "Aucune séance n'a été tenue" in html


def test_erasing_a_file_never_cared_for_removes_every_row_and_the_scan(client, psychologist, settings,
                                                                     django_capture_on_commit_callbacks):
    patient = full_file(psychologist, cared_on=date(2026, 1, 5), cared=False)
    kept = full_file(psychologist, cared=False, last_name="Autre")
    scan = scan_path(patient, settings)
    assert scan.exists()
    others_before = stored_counts(kept.pk)
    log_in(client, psychologist)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url(patient), {"last_name": "LEFEVRE"})
    assert response.status_code == 302 and response["Location"] == reverse("pathway:patient_list")
    assert stored_counts(patient.pk) == EMPTY
    assert stored_counts(kept.pk) == others_before
    assert len(callbacks) == 1 and not scan.exists()  # removed once the rows are gone for good
    assert scan_path(kept, settings).exists()


def test_erasing_a_file_kept_long_enough_is_allowed(client, psychologist, settings):
    patient = full_file(psychologist, cared_on=date(2004, 3, 1))
    log_in(client, psychologist)
    response = client.post(url(patient), {"last_name": "Lefèvre"})
    assert response.status_code == 302
    assert stored_counts(patient.pk) == EMPTY


def test_the_erasure_leaves_one_trace_with_counts_and_no_name(client, psychologist):
    patient = full_file(psychologist, cared_on=date(2004, 3, 1))
    patient_id = patient.pk
    log_in(client, psychologist).get(reverse("pathway:patient_detail", kwargs={"patient_id": patient_id}))
    client.post(url(patient), {"last_name": "Lefèvre"}, REMOTE_ADDR="198.51.100.4")
    entry = AccessLogEntry.objects.get(action=Action.ERASE)
    assert (entry.patient_id, entry.owner_id, entry.actor_id, entry.actor_name, entry.ip) == (
        patient_id, psychologist.pk, psychologist.pk, "Hélène Durand", "198.51.100.4")
    assert entry.details == {"ground": "retention_elapsed", "counts": {
        "referrals": 1, "events": 1, "consents": 1, "documents": 2, "sessions": 2, "declared_sessions": 1,
        "pathways": 2, "scans": 1}}
    assert timezone.now() - entry.at < timedelta(minutes=1)
    stored = json.dumps(list(AccessLogEntry.objects.values()), default=str).lower()
    for identity in ("lefèvre", "lefevre", "zoé", "180057512345678", "1980-05-17"):
        assert identity not in stored
    # The earlier read stays, naming the patient by id only; the POST itself is not logged a second time.
    assert list(AccessLogEntry.objects.order_by("id").values_list("action", "patient_id")) == [
        (Action.READ, patient_id), (Action.ERASE, patient_id)]


def test_the_erasure_shows_in_the_journal(client, psychologist):
    patient = full_file(psychologist, cared=False)
    log_in(client, psychologist).post(url(patient), {"last_name": "Lefèvre"})
    html = client.get(reverse("privacy:journal")).content.decode()
    assert "Effacement" in html and "2 parcours" in html and "1 courrier scanné" in html


def test_a_file_still_kept_is_not_erased_and_the_page_says_until_when(client, psychologist, settings):
    patient = full_file(psychologist, cared_on=date(2025, 1, 6))
    before = stored_counts()
    log_in(client, psychologist)
    page = client.get(url(patient)).content.decode()
    assert "ce dossier doit être conservé jusqu'au 15/02/2045" in page
    assert "Effacer définitivement" not in page
    response = client.post(url(patient), {"last_name": "Lefèvre"})
    assert response.status_code == 200
    assert stored_counts() == before
    assert scan_path(patient, settings).exists()
    assert not AccessLogEntry.objects.filter(action=Action.ERASE).exists()


def test_the_wrong_name_erases_nothing_and_says_so_in_french(client, psychologist):
    patient = full_file(psychologist, cared=False)
    before = stored_counts()
    response = log_in(client, psychologist).post(url(patient), {"last_name": "Martin"})
    assert response.status_code == 200
    assert response.context["form"].errors["last_name"] == [
        "Ce n'est pas le nom de famille du patient : tapez-le tel qu'il est affiché ci-dessus."]
    assert stored_counts() == before


def test_a_stranger_and_a_doctor_get_404_and_nothing_changes(client, psychologist, other_psychologist, gp):
    patient = full_file(psychologist, cared=False)
    before = stored_counts()
    for user in (other_psychologist, gp):
        log_in(client, user)
        assert client.get(url(patient)).status_code == 404
        assert client.post(url(patient), {"last_name": "Lefèvre"}).status_code == 404
    assert stored_counts() == before
    assert not AccessLogEntry.objects.exists()


def test_care_recorded_after_the_page_was_shown_stops_the_erasure(psychologist):
    patient = PatientFactory(psychologist=psychologist)
    assert erasure.erasure_verdict(selectors.patient_for_erasure(psychologist, patient.pk)).allowed
    CareSessionFactory(pathway__patient=patient, date=date(2026, 11, 2))  # meanwhile, in another tab
    with pytest.raises(erasure.DomainError, match="doit être conservé jusqu'au 02/11/2046"):
        erasure.patient_erase(psychologist, patient.pk)
    assert type(patient).objects.filter(pk=patient.pk).exists()


def test_the_pathway_history_stays_append_only_outside_the_erasure(psychologist):
    full_file(psychologist)
    with pytest.raises(Exception, match="append-only"):
        PathwayEvent.objects.all().delete()

"""The right of access: the patient's whole file in one click, as JSON and as a PDF, for the owner only."""

import json
from datetime import date, timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from documents.models import DocumentKind
from privacy.models import AccessLogEntry
from tests.auth import LOGIN_READ, log_in
from tests.factories import CareSessionFactory, DocumentFactory

from .builders import full_file

pytestmark = pytest.mark.django_db


def url(name, patient):
    return reverse(f"privacy:{name}", kwargs={"patient_id": patient.pk})


@pytest.fixture
def patient(psychologist):
    return full_file(psychologist)


@pytest.fixture
def exported(client, psychologist, patient):
    response = log_in(client, psychologist).get(url("export_json", patient))
    assert response.status_code == 200
    return response


def test_the_json_is_a_download(exported):
    assert exported["Content-Type"] == "application/json; charset=utf-8"
    assert exported["Content-Disposition"].startswith('attachment; filename="dossier-lefevre-zoe-')
    assert exported["Content-Disposition"].endswith('.json"')


def test_the_json_holds_every_part_of_the_file_with_iso_dates(exported, patient):
    data = json.loads(exported.content)
    assert (data["format"], data["format_version"]) == ("mon-soutien-psy/dossier-patient", 1)
    assert data["psychologist"]["name"] == "Hélène Durand"
    assert data["patient"].items() >= {"id": str(patient.pk), "last_name": "Lefèvre", "first_name": "Zoé",
                                       "birth_date": "1980-05-17", "nir": "180057512345678", "sex": "F",
                                       "sex_label": "Femme"}.items()
    assert data["declared_sessions"] == [{"year": 2004, "count": 2, "included_evaluation": True,
                                          "source": "relevé ameli", "declared_on": data["declared_sessions"][0]
                                          ["declared_on"]}]
    [referral] = data["referrals"]
    assert referral["reason"] == "Anxiété depuis un déménagement." and referral["status"] == "accepted"
    closed, awaiting = data["pathways"]
    assert awaiting["has_referral_scan"] is True and awaiting["id"] == referral["pathway_id"]
    assert [(s["date"], s["kind"], s["status"]) for s in closed["sessions"]] == [
        ("2004-03-01", "evaluation", "held"), ("2004-03-08", "followup", "held")]
    assert closed["sessions"][0]["private_note"] == "Note privée : anxiété au travail"
    [event] = closed["events"]
    assert (event["action"], event["details"], event["actor"]) == ("session_recorded", "Évaluation tenue",
                                                                    "Hélène Durand")
    assert event["at"].endswith(("+01:00", "+02:00"))


def test_the_json_has_the_issued_documents_frozen_text_and_their_consent(exported):
    documents = json.loads(exported.content)["pathways"][0]["documents"]
    first, second = documents
    assert first["issued_text"] == "Compte rendu : amélioration."
    assert first["issued_at"].startswith("2004-03-31T10:00:00")
    assert first["consent"]["given_on"] == "2004-04-01"
    assert second["issued_text"] == "Compte rendu corrigé, version 2."
    assert (second["version"], second["replaces_id"]) == (2, first["id"])
    assert first["draft"] is None


def pdf_text(content):
    return " ".join(" ".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages).split())


def test_the_pdf_dossier_shows_every_part_of_the_file(client, psychologist, patient):
    response = log_in(client, psychologist).get(url("export_pdf", patient))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="dossier-lefevre-zoe-')
    text = pdf_text(response.content)
    for expected in (
        "Dossier du patient", "Zoé LEFÈVRE", "17/05/1980", "180057512345678", "Hélène Durand",
        "Séances déclarées faites ailleurs", "relevé ameli",
        "Adressages reçus", "Anxiété depuis un déménagement.",
        "Parcours ouvert le 01/03/2004", "01/03/2004", "08/03/2004", "Note privée : anxiété au travail",
        "Historique", "Évaluation tenue",
        "Compte rendu : amélioration.", "Compte rendu corrigé, version 2.", "consentement donné le 01/04/2004",
        "Parcours ouvert le 30/04/2004",
    ):
        assert expected in text, expected


def test_a_stranger_and_a_doctor_get_404(client, patient, other_psychologist, gp):
    for user in (other_psychologist, gp):
        log_in(client, user)
        for name in ("export_json", "export_pdf"):
            assert client.get(url(name, patient)).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_each_export_is_in_the_access_log(client, psychologist, patient):
    log_in(client, psychologist)
    client.get(url("export_json", patient))
    client.get(url("export_pdf", patient))
    assert list(AccessLogEntry.objects.order_by("id").values_list("object_type", "url_name", "patient_id")) == [
        ("patient_file", "privacy:export_json", patient.pk), ("patient_file", "privacy:export_pdf", patient.pk)]


@pytest.mark.parametrize("extra", [0, 20])
def test_the_export_runs_a_fixed_number_of_queries(client, psychologist, extra, django_assert_num_queries):
    patient = full_file(psychologist)
    pathway = patient.pathways.order_by("opened_on").first()
    for index in range(extra):
        CareSessionFactory(pathway=pathway, date=date(2004, 4, 1) + timedelta(days=index))
        DocumentFactory(pathway=pathway, kind=DocumentKind.ALERT)
    log_in(client, psychologist)
    # After the login's read: the patient with its psychologist, declared sessions, referrals, pathways,
    # sessions, events, documents; the trace.
    with django_assert_num_queries(LOGIN_READ + 8):
        assert client.get(url("export_json", patient)).status_code == 200


def test_the_patient_page_links_to_the_copy_the_trail_and_the_erasure(client, psychologist, patient):
    html = log_in(client, psychologist).get(reverse("pathway:patient_detail", kwargs={"patient_id": patient.pk}))
    html = html.content.decode()
    for link in (url("export_json", patient), url("export_pdf", patient), url("erase", patient),
                 f"{reverse('privacy:journal')}?patient={patient.pk}"):
        assert f'href="{link}"' in html, link

"""The document pages: draft, edit, issue, correct, consent, release, print."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import services
from documents.models import Consent, ConsentChannel, Document, DocumentKind
from pathway.models import PathwayEvent, PathwayStatus
from tests.auth import log_in
from tests.factories import GPFactory, ReferralFactory

from .factories import CLOSED_ON, closed_pathway, end_of_care_draft, issued_end_of_care, with_consent

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def url(name, document):
    return reverse(f"documents:{name}", kwargs={"document_id": document.pk})


def create_url(pathway, kind):
    return reverse("documents:create", kwargs={"pathway_id": pathway.pk, "kind": kind})


def page(response):
    return response.content.decode()


def flash(response):
    return [str(message) for message in response.context["messages"]]


# --- Drafting ------------------------------------------------------------------------------------

def test_the_paths_are_french():
    assert create_url(type("P", (), {"pk": "00000000-0000-0000-0000-000000000000"}), "end_of_care") == (
        "/parcours/00000000-0000-0000-0000-000000000000/documents/nouveau/compte-rendu-fin-de-prise-en-charge/")


def test_it_drafts_an_end_of_care_report_from_the_pathway_page(client_psy, psychologist):
    pathway = closed_pathway(psychologist)
    response = client_psy.post(create_url(pathway, DocumentKind.END_OF_CARE), follow=True)
    document = Document.objects.get()
    assert response.redirect_chain[-1][0] == url("detail", document)
    assert "Brouillon créé : complétez-le, puis émettez-le." in flash(response)
    assert 'value="Dr François Garçon"' in page(response)
    assert "BROUILLON" not in page(response)  # the preview on the page is the body only


def test_a_kind_the_status_does_not_allow_goes_back_with_the_reason(client_psy, psychologist):
    pathway = closed_pathway(psychologist)
    pathway.status = PathwayStatus.IN_CARE
    pathway.save()
    response = client_psy.post(create_url(pathway, DocumentKind.END_OF_CARE), follow=True)
    assert response.redirect_chain[-1][0] == reverse("pathway:detail", kwargs={"pathway_id": pathway.pk})
    assert any("ne peut pas être rédigé" in message for message in flash(response))
    assert not Document.objects.exists()


def test_an_unknown_kind_is_a_404(client_psy, psychologist):
    pathway = closed_pathway(psychologist)
    response = client_psy.post(f"/parcours/{pathway.pk}/documents/nouveau/ordonnance/")
    assert response.status_code == 404


def test_a_get_on_an_action_goes_back_to_the_page_and_changes_nothing(client_psy, psychologist):
    document = end_of_care_draft(psychologist)
    for name in ("issue", "correct", "consent", "release"):
        assert client_psy.get(url(name, document))["Location"] == url("detail", document)
    document.refresh_from_db()
    assert not document.is_issued


# --- Editing and issuing -------------------------------------------------------------------------

def test_the_draft_is_saved_from_its_form(client_psy, psychologist):
    document = end_of_care_draft(psychologist)
    response = client_psy.post(url("detail", document), {
        "recipient_name": "Dr Line Roux", "recipient_address": "", "reason_for_care": "Anxiété",
        "evolution": "Évolution favorable.", "outcome": "improved", "follow_up_needed": "true", "orientation": "cmp",
        "orientation_details": "CMP du 3e",
    })
    assert response["Location"] == url("detail", document)
    document.refresh_from_db()
    assert (document.recipient_name, document.follow_up_needed, document.orientation) == ("Dr Line Roux", True, "cmp")


def test_an_invalid_choice_is_shown_next_to_its_field_with_the_input_kept(client_psy, psychologist):
    document = end_of_care_draft(psychologist)
    response = client_psy.post(url("detail", document), {"evolution": "Texte gardé", "outcome": "miracle"})
    assert response.status_code == 200
    assert "outcome" in response.context["form"].errors
    assert "Texte gardé" in page(response)


def test_issuing_an_incomplete_report_shows_the_missing_field(client_psy, psychologist):
    document = end_of_care_draft(psychologist, evolution="")
    response = client_psy.post(url("issue", document))
    assert response.status_code == 200
    assert response.context["form"].errors["evolution"] == ["Renseignez « évolution » avant d'émettre le document."]
    document.refresh_from_db()
    assert not document.is_issued


def test_issuing_freezes_the_document_and_the_page_offers_a_correction(client_psy, psychologist):
    document = end_of_care_draft(psychologist)
    response = client_psy.post(url("issue", document), follow=True)
    document.refresh_from_db()
    assert document.is_issued
    assert "Document émis : son texte est désormais figé." in flash(response)
    assert "Corriger : rédiger une nouvelle version" in page(response)
    assert 'name="evolution"' not in page(response)


def test_an_issued_document_cannot_be_edited_through_its_form(client_psy, psychologist):
    document = issued_end_of_care(psychologist)
    response = client_psy.post(url("detail", document), {"evolution": "Réécrit", "outcome": "improved"}, follow=True)
    assert flash(response) == [
        "Ce document a été émis : il ne peut plus être modifié. Corrigez-le pour en rédiger une nouvelle version."]
    document.refresh_from_db()
    assert document.evolution != "Réécrit"


def test_a_correction_opens_version_2_and_lists_the_versions(client_psy, psychologist):
    first = issued_end_of_care(psychologist)
    response = client_psy.post(url("correct", first), follow=True)
    second = Document.objects.get(version=2)
    assert response.redirect_chain[-1][0] == url("detail", second)
    assert [v.version for v in response.context["versions"]] == [1, 2]
    client_psy.post(url("issue", second))
    assert "Cette version remplace la version 1" in page(client_psy.get(url("print", second)))
    assert "Cette version a été remplacée par la version 2" in page(client_psy.get(url("print", first)))


# --- Consent and release -------------------------------------------------------------------------

def test_the_consent_form_records_the_consent(client_psy, psychologist):
    document = issued_end_of_care(psychologist)
    response = client_psy.post(url("consent", document), {
        "given_on": CLOSED_ON.strftime("%d/%m/%Y"), "given_by": "patient", "channel": "post"}, follow=True)
    assert "Consentement enregistré." in flash(response)
    assert document.pathway.events.filter(action=PathwayEvent.Action.CONSENT_RECORDED).exists()
    assert "Donné le 30/06/2025 par Zoé LEFÈVRE — Courrier postal." in page(response)


def test_a_consent_in_the_future_is_refused_next_to_the_date_with_the_input_kept(client_psy, psychologist):
    document = issued_end_of_care(psychologist)
    tomorrow = (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")
    response = client_psy.post(url("consent", document), {
        "given_on": tomorrow, "given_by": "patient", "given_by_names": "Zoé et sa sœur", "channel": "post"})
    assert response.status_code == 200
    assert response.context["consent_form"].errors["given_on"] == [
        "La date du consentement ne peut pas être dans le futur."]
    assert "Zoé et sa sœur" in page(response)
    assert not Consent.objects.exists()


def test_the_wrong_giver_is_refused_next_to_the_field(client_psy, psychologist):
    document = issued_end_of_care(psychologist)
    response = client_psy.post(url("consent", document), {
        "given_on": CLOSED_ON.strftime("%d/%m/%Y"), "given_by": "parental_authority", "channel": "post"})
    assert response.context["consent_form"].errors["given_by"] == [
        "Le patient est majeur à cette date : c'est lui qui consent."]


def test_release_without_consent_says_why(client_psy, psychologist):
    document = issued_end_of_care(psychologist)
    response = client_psy.post(url("release", document), follow=True)
    assert flash(response) == ["Sans consentement enregistré du patient, ce document ne peut pas être transmis au "
                               "médecin ; vous pouvez l'imprimer pour le patient."]
    document.refresh_from_db()
    assert not document.is_released


def test_release_with_consent_marks_the_document_sent(client_psy, psychologist):
    document = with_consent(issued_end_of_care(psychologist), psychologist)
    response = client_psy.post(url("release", document), follow=True)
    assert "Document noté comme transmis au médecin." in flash(response)
    document.refresh_from_db()
    assert document.is_released


def test_printing_for_the_patient_needs_no_consent(client_psy, psychologist):
    document = issued_end_of_care(psychologist)
    response = client_psy.get(url("print", document))
    assert response.status_code == 200
    assert "Compte rendu de fin de prise en charge" in page(response)
    assert "BROUILLON" not in page(response)


def test_a_reprint_shows_the_names_of_the_day_it_was_issued(client_psy, psychologist):
    document = issued_end_of_care(psychologist)
    psychologist.first_name, psychologist.last_name, psychologist.rpps = "Inès", "Marchand", "10000000000"
    psychologist.save()
    patient = document.pathway.patient
    patient.first_name, patient.last_name, patient.birth_date = "Léa", "Nouvel", patient.birth_date.replace(year=1991)
    patient.save()
    reprint = page(client_psy.get(url("print", document)))
    assert "Hélène Durand" in reprint and "RPPS 10003456786" in reprint
    assert "Zoé LEFÈVRE" in reprint and "17/05/1990" in reprint
    assert "Marchand" not in reprint and "Nouvel" not in reprint and "10000000000" not in reprint


def test_a_draft_prints_with_a_draft_notice(client_psy, psychologist):
    response = client_psy.get(url("print", end_of_care_draft(psychologist)))
    assert "BROUILLON — non émis : ce texte peut encore changer." in page(response)


# --- What the psychologist types is text, never markup -------------------------------------------

SCRIPT = '<script>alert("x")</script><img src="http://evil.example/t.png">'


def test_typed_markup_is_escaped_in_the_print_view_and_the_page(client_psy, psychologist):
    document = issued_end_of_care(psychologist, evolution=SCRIPT)
    for response in (client_psy.get(url("print", document)), client_psy.get(url("detail", document))):
        assert SCRIPT not in page(response)
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page(response)


def test_a_patient_name_with_markup_is_escaped_in_a_draft_preview(client_psy, psychologist):
    pathway = closed_pathway(psychologist)
    pathway.patient.last_name = "<b>Gras</b>"
    pathway.patient.save()
    document = end_of_care_draft(psychologist, pathway)
    assert "<b>GRAS</b>" not in page(client_psy.get(url("print", document)))


# --- The GP's account ----------------------------------------------------------------------------

@pytest.fixture
def released_in_app(psychologist, gp):
    pathway = closed_pathway(psychologist)
    ReferralFactory(pathway=pathway, patient=pathway.patient, status="accepted", sent_by=gp,
                    link__psychologist=psychologist)
    document = with_consent(issued_end_of_care(psychologist, pathway), psychologist, channel=ConsentChannel.IN_APP)
    return services.document_release(document, psychologist)


def test_the_gp_it_was_released_to_opens_the_print_and_the_pdf(client, gp, released_in_app):
    log_in(client, gp)
    assert "Zoé LEFÈVRE" in page(client.get(url("print", released_in_app)))
    assert client.get(url("pdf", released_in_app))["Content-Type"] == "application/pdf"


def test_only_the_owner_sees_the_link_back_to_the_document_page(client, psychologist, gp, released_in_app):
    link = f'href="{url("detail", released_in_app)}"'
    log_in(client, psychologist)
    assert link in page(client.get(url("print", released_in_app)))
    log_in(client, gp)
    assert link not in page(client.get(url("print", released_in_app)))


def test_the_gp_gets_404_on_the_psychologists_pages(client, gp, released_in_app):
    log_in(client, gp)
    for name in ("detail", "issue", "correct", "consent", "release"):
        assert client.get(url(name, released_in_app)).status_code == 404, name
        assert client.post(url(name, released_in_app)).status_code == 404, name


def test_another_gp_and_another_psychologist_get_404_on_print_and_pdf(client, other_psychologist, released_in_app):
    for user in (GPFactory(username="other-gp"), other_psychologist):
        log_in(client, user)
        assert client.get(url("print", released_in_app)).status_code == 404
        assert client.get(url("pdf", released_in_app)).status_code == 404


def test_the_gp_gets_404_before_release(client, psychologist, gp):
    pathway = closed_pathway(psychologist)
    ReferralFactory(pathway=pathway, patient=pathway.patient, status="accepted", sent_by=gp,
                    link__psychologist=psychologist)
    document = with_consent(issued_end_of_care(psychologist, pathway), psychologist, channel=ConsentChannel.IN_APP)
    log_in(client, gp)
    assert client.get(url("print", document)).status_code == 404


@pytest.mark.parametrize("state", ["draft", "issued"])
def test_the_document_page_keeps_one_h1_its_preview_nested_under_its_heading(client_psy, psychologist, state):
    document = (end_of_care_draft if state == "draft" else issued_end_of_care)(psychologist)
    html = page(client_psy.get(url("detail", document)))
    assert html.count("<h1") == 1
    preview = html[html.index("document-preview"):]
    assert "<h3>Compte rendu de fin de prise en charge</h3>" in preview
    assert "<h4>Évolution</h4>" in preview and "<h2>" not in preview
    if state == "issued":  # the stored text, as printed, is not changed
        assert "<h1>Compte rendu de fin de prise en charge</h1>" in document.issued_html
        assert "<h1>Compte rendu" in page(client_psy.get(url("print", document)))

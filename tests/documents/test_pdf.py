"""The PDF: its text read back with pypdf, and a fetcher that loads nothing but our static files."""

from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from pypdf import PdfReader

from documents import pdf, services
from documents.models import DocumentKind

from .factories import closed_pathway, issued_end_of_care

pytestmark = pytest.mark.django_db

BASE_URL = "http://testserver/"
HOSTILE = ('<img src="http://evil.example/pixel.png"> <link rel="stylesheet" href="file:///etc/passwd"> '
           '<script>alert(1)</script>')


def pdf_text(content):
    """Every page's text, whitespace collapsed (pypdf breaks lines where the layout does)."""
    pages = PdfReader(BytesIO(content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def pdf_url(document):
    return reverse("documents:pdf", kwargs={"document_id": document.pk})


@pytest.fixture
def fetched(monkeypatch):
    """Every URL WeasyPrint asks for, with what the fetcher answered."""
    calls = []
    real_fetch = pdf.StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = real_fetch(self, url, headers)
        except pdf.RefusedURL:
            calls.append((url, "refused"))
            raise
        calls.append((url, "served"))
        return response

    monkeypatch.setattr(pdf.StaticFilesFetcher, "fetch", spy)
    return calls


def test_the_end_of_care_report_pdf_says_what_the_doctor_must_read(client_psy, psychologist):
    document = issued_end_of_care(psychologist, evolution="Le cœur de la plainte s'est apaisé ; élan retrouvé.")
    response = client_psy.get(pdf_url(document))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="compte-rendu-fin-de-prise-en-charge-lefevre-v1.pdf"')
    text = pdf_text(response.content)
    for expected in (
        "Compte rendu de fin de prise en charge", "Zoé LEFÈVRE", "17/05/1990", "Dr François Garçon",
        "Hélène Durand", "Psychologue — RPPS 10003456786", "13/01/2025", "03/02/2025",
        "4 séances : 3 en présentiel, 1 en visio", "Le cœur de la plainte s'est apaisé ; élan retrouvé.",
        "Amélioration", "Pas d'orientation nécessaire",
    ):
        assert expected in text, expected


def test_the_letter_after_the_evaluation_pdf_is_in_french(client_psy, psychologist):
    pathway = closed_pathway(psychologist)
    document = services.document_issue(
        services.document_draft(pathway, psychologist, DocumentKind.POST_EVALUATION), psychologist)
    text = pdf_text(client_psy.get(pdf_url(document)).content)
    assert "Courrier après l'évaluation" in text
    assert "Cher confrère, chère consœur," in text
    assert "J'ai reçu Zoé LEFÈVRE le 13/01/2025 pour l'entretien d'évaluation" in text


def test_a_reprinted_pdf_keeps_the_names_of_the_day_it_was_issued(client_psy, psychologist):
    document = issued_end_of_care(psychologist)
    psychologist.last_name = "Marchand"
    psychologist.save()
    patient = document.pathway.patient
    patient.first_name, patient.last_name = "Inès", "Nouvel"
    patient.save()
    text = pdf_text(client_psy.get(pdf_url(document)).content)
    assert "Hélène Durand" in text and "Zoé LEFÈVRE" in text
    assert "Marchand" not in text and "Nouvel" not in text


def test_a_draft_pdf_says_it_is_a_draft(client_psy, psychologist):
    document = services.document_draft(closed_pathway(psychologist), psychologist, DocumentKind.END_OF_CARE)
    assert "BROUILLON — non émis" in pdf_text(client_psy.get(pdf_url(document)).content)


def test_typed_markup_is_text_in_the_pdf_and_nothing_outside_is_fetched(client_psy, psychologist, fetched):
    document = issued_end_of_care(psychologist, evolution=HOSTILE)
    text = pdf_text(client_psy.get(pdf_url(document)).content)
    assert '<img src="http://evil.example/pixel.png">' in text
    assert "<script>alert(1)</script>" in text
    assert fetched == [("http://testserver/static/css/print.css", "served")]


def test_markup_that_reached_the_html_still_fetches_nothing_outside(fetched):
    html = ('<link rel="stylesheet" href="/static/css/print.css">' + HOSTILE
            + '<img src="data:image/png;base64,iVBORw0KGgo="><img src="/static/../../../etc/passwd">'
            + '<img src="https://evil.example/static/css/print.css"><p>Texte</p>')
    assert pdf_text(pdf.render_pdf(html, BASE_URL)) == "Texte 1 / 1"
    assert [url for url, outcome in fetched if outcome == "served"] == ["http://testserver/static/css/print.css"]
    assert {url for url, outcome in fetched if outcome == "refused"} == {
        "http://evil.example/pixel.png", "file:///etc/passwd", "data:image/png;base64,iVBORw0KGgo=",
        "http://testserver/etc/passwd", "https://evil.example/static/css/print.css",
    }


STATIC_CSS = Path(settings.BASE_DIR) / "static" / "css" / "print.css"


def test_the_fetcher_serves_our_static_files():
    response = pdf.StaticFilesFetcher(BASE_URL).fetch("http://testserver/static/css/print.css")
    assert response.read() == STATIC_CSS.read_bytes()
    assert response.content_type == "text/css"


@pytest.mark.parametrize("url", [
    "http://evil.example/pixel.png",
    "https://evil.example/static/css/print.css",
    "http://testserver.evil.example/static/css/print.css",
    "file:///etc/passwd",
    f"file://{STATIC_CSS}",
    "data:text/css;base64,Ym9keXt9",
    "ftp://testserver/static/css/print.css",
    "http://testserver/static/../../etc/passwd",
    "http://testserver/static/%2e%2e/%2e%2e/etc/passwd",
    "http://testserver/static/css/../../config/settings/base.py",
    "http://testserver/static/",
    "http://testserver/static/css/missing.css",
    "http://testserver/admin/",
])
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.StaticFilesFetcher(BASE_URL).fetch(url)

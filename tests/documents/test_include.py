"""The pathway page's list of documents: what it shows, which kinds it offers, in no extra query."""

import pytest
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from documents import services
from documents.models import Document, DocumentKind
from pathway.models import Pathway, PathwayStatus
from tests.factories import PathwayFactory

from .factories import closed_pathway, end_of_care_draft, issued_end_of_care, with_consent

pytestmark = pytest.mark.django_db

PREFETCH = Prefetch("documents", queryset=Document.objects.select_related("consent", "released_to"))


def render(pathway, psychologist):
    request = RequestFactory().get("/")
    request.user = psychologist
    return render_to_string("documents/includes/pathway_documents.html",
                            {"pathway": pathway, "documents": pathway.documents.all()}, request=request)


def loaded(pathway):
    return Pathway.objects.prefetch_related(PREFETCH).get(pk=pathway.pk)


def create_url(pathway, kind):
    return reverse("documents:create", kwargs={"pathway_id": pathway.pk, "kind": kind})


def test_it_lists_the_documents_with_their_state(psychologist):
    pathway = closed_pathway(psychologist)
    released = services.document_release(with_consent(issued_end_of_care(psychologist, pathway), psychologist),
                                         psychologist)
    services.document_draft(pathway, psychologist, DocumentKind.ALERT)
    html = render(loaded(pathway), psychologist)
    assert "Compte rendu de fin de prise en charge" in html
    assert "consentement du 30/06/2025" in html
    assert "transmis au médecin le" in html
    assert reverse("documents:detail", kwargs={"document_id": released.pk}) in html
    assert "brouillon" in html and "aucun consentement enregistré" in html


def test_it_offers_the_kinds_the_status_allows_and_not_twice_the_report(psychologist):
    pathway = closed_pathway(psychologist)
    html = render(loaded(pathway), psychologist)
    assert all(create_url(pathway, kind) in html for kind in DocumentKind)
    end_of_care_draft(psychologist, pathway)
    html = render(loaded(pathway), psychologist)
    assert create_url(pathway, DocumentKind.END_OF_CARE) not in html
    assert create_url(pathway, DocumentKind.ALERT) in html


def test_before_the_evaluation_only_an_alert_is_offered(psychologist):
    pathway = PathwayFactory(patient__psychologist=psychologist, status=PathwayStatus.AWAITING_EVALUATION)
    html = render(loaded(pathway), psychologist)
    assert [kind for kind in DocumentKind if create_url(pathway, kind) in html] == [DocumentKind.ALERT]
    assert "Aucun document pour l'instant." in html.replace("&#x27;", "'")


def test_it_runs_no_query_once_prefetched(psychologist, django_assert_num_queries):
    pathway = closed_pathway(psychologist)
    with_consent(issued_end_of_care(psychologist, pathway), psychologist)
    for index in range(5):
        alert = services.document_draft(pathway, psychologist, DocumentKind.ALERT)
        if index % 2:
            with_consent(alert, psychologist)
    pathway = loaded(pathway)
    with django_assert_num_queries(0):
        html = render(pathway, psychologist)
    assert html.count("list-group-item") == 6

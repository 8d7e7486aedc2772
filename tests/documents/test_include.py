"""The pathway page's list of documents: what it shows, which kinds it offers, in no extra query."""

import re

import pytest
from django.db.models import Prefetch
from django.template import Engine, RequestContext
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


OLD_PATHWAY_DOCUMENTS = """{% load i18n documents_tags caseload %}{# Expects `pathway` and `documents` (its documents, with consent and released_to fetched). #}
<section class="mb-4" aria-labelledby="pathway-documents-{{ pathway.pk }}">
  <h2 class="h5" id="pathway-documents-{{ pathway.pk }}">{% translate "Documents for the doctor" %}</h2>
  <ul class="list-group mb-2">
  {% for document in documents %}
    <li class="list-group-item">
      <a href="{% row_url 'documents:detail' document.pk %}">{{ document.get_kind_display }}</a>
      · {% blocktranslate trimmed with version=document.version %}version {{ version }}{% endblocktranslate %}
      · {% if document.is_issued %}{% blocktranslate trimmed with day=document.issued_at|date:"d/m/Y" %}issued on {{ day }}{% endblocktranslate %}{% else %}<span class="badge text-bg-secondary">{% translate "draft" %}</span>{% endif %}
      · {% if document.consent %}{% blocktranslate trimmed with day=document.consent.given_on|dmy %}consent of {{ day }}{% endblocktranslate %}{% else %}{% translate "no consent recorded" %}{% endif %}
      {% if document.is_released %}· <strong>{% blocktranslate trimmed with day=document.released_at|date:"d/m/Y" %}sent to the doctor on {{ day }}{% endblocktranslate %}</strong>{% endif %}
      · <a href="{% row_url 'documents:print' document.pk %}">{% translate "print" %}</a>
    </li>
  {% empty %}
    <li class="list-group-item text-muted">{% translate "No document yet." %}</li>
  {% endfor %}
  </ul>
  {% document_kinds_to_start pathway documents as kinds %}
  <div class="d-flex flex-wrap gap-2 align-items-center">
    {% for kind in kinds %}
    <form method="post" action="{% url 'documents:create' pathway_id=pathway.pk kind=kind %}">
      {% csrf_token %}
      <button type="submit" class="btn btn-outline-primary btn-sm">{% blocktranslate trimmed with kind=kind.label %}Write: {{ kind }}{% endblocktranslate %}</button>
    </form>
    {% endfor %}
    {% now "Y" as this_year %}
    <a class="btn btn-link btn-sm" href="{% url 'documents:statement' patient_id=pathway.patient_id year=this_year %}">{% blocktranslate trimmed with year=this_year %}Statement of sessions {{ year }}{% endblocktranslate %}</a>
  </div>
</section>
"""  # noqa: E501 (the include's markup before the tag)


def spaced(html):
    """Markup with each run of whitespace as one space, and none between two tags: what a browser shows.
    The CSRF fields' values are left out: each rendering masks the token afresh."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', 'name="csrfmiddlewaretoken"', html)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def test_the_tag_draws_what_the_include_s_markup_drew(psychologist):
    pathway = closed_pathway(psychologist)
    released = services.document_release(with_consent(issued_end_of_care(psychologist, pathway), psychologist),
                                         psychologist)
    services.document_draft(pathway, psychologist, DocumentKind.ALERT)
    request = RequestFactory().get("/")
    request.user = psychologist
    for shown_pathway in (loaded(pathway), loaded(PathwayFactory(patient__psychologist=psychologist))):
        context = {"pathway": shown_pathway, "documents": shown_pathway.documents.all()}
        drawn = render(shown_pathway, psychologist)
        old = spaced(Engine.get_default().from_string(OLD_PATHWAY_DOCUMENTS).render(
            RequestContext(request, context)))
        assert spaced(drawn) == old
    assert f"transmis au médecin le {released.released_at:%d/%m/%Y}" in render(loaded(pathway), psychologist)

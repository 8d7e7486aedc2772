"""Every documents URL refuses a stranger (404) and changes nothing; anonymous visitors log in first."""

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from documents.models import Consent, Document
from pathway.models import PathwayEvent
from tests.auth import log_in

from .factories import issued_end_of_care, with_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(psychologist):
    document = with_consent(issued_end_of_care(psychologist), psychologist)
    return {"document_id": document.pk, "pathway_id": document.pathway_id,
            "patient_id": document.pathway.patient_id, "kind": "alert", "year": timezone.localdate().year}


def document_urls(objects):
    """Every named URL of the documents app, filled with the owner's objects."""
    namespace = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "documents")
    return [reverse(f"documents:{entry.name}", kwargs={p: objects[p] for p in entry.pattern.converters})
            for entry in namespace.url_patterns]


def snapshot():
    return (list(Document.objects.values_list("pk", "issued_at", "released_at", "evolution")),
            Consent.objects.count(), PathwayEvent.objects.count())


def test_the_walk_covers_every_url(owned):
    assert len(document_urls(owned)) == 10


def test_another_psychologist_gets_404_on_every_url_and_nothing_changes(client, owned, other_psychologist):
    before = snapshot()
    log_in(client, other_psychologist)
    form = {"evolution": "x", "given_on": "01/07/2025", "given_by": "patient", "channel": "post"}
    for url in document_urls(owned):
        assert client.get(url).status_code == 404, url
        assert client.post(url, form).status_code == 404, url
    assert snapshot() == before


def test_a_gp_gets_404_on_every_url_of_an_unreleased_document(client, owned, gp):
    log_in(client, gp)
    for url in document_urls(owned):
        assert client.get(url).status_code == 404, url


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, owned):
    for url in document_urls(owned):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_the_owner_reaches_every_page(client_psy, owned):
    for url in document_urls(owned):
        assert client_psy.get(url).status_code in (200, 302), url

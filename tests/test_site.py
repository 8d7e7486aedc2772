"""Site-wide: every URL that names an object refuses strangers; no pending migration."""

from datetime import date

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.template.loader import render_to_string
from django.urls import get_resolver, reverse

from documents.models import Consent, Document, DocumentKind
from pathway.models import CareSession, Pathway, SessionKind
from referrals.models import Referral
from tests.auth import log_in
from tests.factories import (
    CareSessionFactory,
    DeclaredSessionsFactory,
    DocumentFactory,
    PathwayFactory,
    PatientFactory,
    ReferralFactory,
    ReferralLinkFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned_objects(psychologist):
    patient = PatientFactory(psychologist=psychologist, last_name="Secret")
    pathway = PathwayFactory(patient=patient)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(2026, 1, 5))
    session = CareSessionFactory(pathway=pathway, date=date(2026, 1, 12))
    DeclaredSessionsFactory(patient=patient)
    referral = ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist))
    document = DocumentFactory(pathway=pathway, kind=DocumentKind.ALERT)
    return {
        "patient_id": patient.pk, "pathway_id": pathway.pk, "session_id": session.pk,
        "referral_id": referral.pk, "token": referral.link.token, "reference": referral.reference,
        "document_id": document.pk, "kind": DocumentKind.ALERT, "year": 2026,
    }


NAMESPACES = ("pathway", "referrals", "documents")
# The public referral form is meant for anyone holding the link; it shows nothing stored.
PUBLIC = {"referrals:refer"}


def object_urls(objects):
    """Every named URL of the apps that takes an object, filled with the owner's objects."""
    urls = []
    for pattern in get_resolver().url_patterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace not in NAMESPACES:
            continue
        for entry in pattern.url_patterns:
            name = f"{namespace}:{entry.name}"
            params = list(entry.pattern.converters)
            if params and name not in PUBLIC:
                urls.append(reverse(name, kwargs={p: objects[p] for p in params}))
    return urls


def stored_state():
    return (CareSession.objects.count(), Pathway.objects.count(), Document.objects.count(),
            list(Referral.objects.values_list("status", flat=True)), Consent.objects.count(),
            list(Document.objects.values_list("issued_at", "released_at")))


def test_the_walk_covers_every_object_url(owned_objects):
    # pathway 11, referrals 4 (the public form aside), documents 10; the lists name no object
    assert len(object_urls(owned_objects)) == 25


def test_another_psychologist_gets_404_on_every_object_url(client, owned_objects, other_psychologist):
    before = stored_state()
    log_in(client, other_psychologist)
    posted = {"private_note": "x", "reason": "completed", "decline_reason": "other", "evolution": "x",
              "given_on": "01/02/2026", "given_by": "patient", "given_by_names": "x", "channel": "post"}
    for url in object_urls(owned_objects):
        assert client.get(url).status_code == 404, url
        # The sent letter is GET-only: its 405 comes before any lookup and tells nothing.
        allowed = (404, 405) if url.startswith("/adresser/") else (404,)
        assert client.post(url, posted).status_code in allowed, url
    assert stored_state() == before


def test_a_gp_gets_404_on_every_psychologist_page(client, owned_objects, gp):
    log_in(client, gp)
    lists = [reverse("pathway:dashboard"), reverse("pathway:patient_list"), reverse("referrals:inbox")]
    for url in object_urls(owned_objects) + lists:
        assert client.get(url).status_code == 404, url


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, owned_objects):
    for url in object_urls(owned_objects) + [reverse("pathway:dashboard"), reverse("accounts:profile")]:
        if url.startswith("/adresser/"):
            assert client.get(url).status_code == 404, url  # the sent letter needs the sender's session
            continue
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_the_owner_reaches_every_object_page(client_psy, owned_objects):
    for url in object_urls(owned_objects):
        if url.endswith("/courrier/") or url.startswith("/adresser/"):
            continue  # no scan uploaded, no letter sent from this browser: 404 is right, tested elsewhere
        assert client_psy.get(url).status_code in (200, 302), url


def test_no_migration_is_missing():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_a_missing_page_answers_in_french_and_says_nothing_more(client_psy):
    response = client_psy.get("/parcours/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_a_scan_missing_from_the_disk_is_a_404_not_a_500(client_psy, psychologist):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), with_letter=True)
    type(pathway).objects.filter(pk=pathway.pk).update(referral_scan="referrals/gone.pdf")
    assert client_psy.get(reverse("pathway:referral_scan", kwargs={"pathway_id": pathway.pk})).status_code == 404


def test_every_layout_names_an_icon_that_the_static_files_hold(client, psychologist):
    assert finders.find("favicon.svg")
    icon = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'
    assert icon in client.get(reverse("accounts:login")).content.decode()  # base.html
    assert icon in render_to_string("500.html")
    assert icon in render_to_string("base_print.html")

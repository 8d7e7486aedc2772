"""Every URL that names an object is logged or excluded with a reason; every logged URL finds its patient."""

from datetime import date

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from documents.models import DocumentKind
from privacy.access_map import HEALTH_DATA_URLS, NOT_LOGGED, NOT_LOGGED_NAMESPACES
from privacy.models import AccessLogEntry, Action
from tests.auth import log_in
from tests.factories import CareSessionFactory, DocumentFactory, ReferralFactory, ReferralLinkFactory

from .builders import full_file

pytestmark = pytest.mark.django_db


def named_patterns(resolvers=None, namespace=None):
    """(name, parameters) of every named URL of the project, nested includes walked."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, (namespace, entry.namespace))) or None
            yield from named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, set(entry.pattern.converters) | set(entry.pattern.regex.groupindex)


def test_every_url_naming_an_object_is_logged_or_excluded_with_a_reason():
    unaccounted = [
        name for name, params in named_patterns()
        if params and name not in HEALTH_DATA_URLS and name not in NOT_LOGGED
        and name.split(":")[0] not in NOT_LOGGED_NAMESPACES
    ]
    assert unaccounted == []
    assert all(reason.strip() for reason in [*NOT_LOGGED.values(), *NOT_LOGGED_NAMESPACES.values()])


def test_the_map_names_only_urls_that_exist():
    names = {name for name, _params in named_patterns()}
    assert set(HEALTH_DATA_URLS) - names == set()
    assert set(NOT_LOGGED) - names == set()


def test_the_admin_holds_no_patient_data():
    apps = {model._meta.app_label for model in admin.site._registry}
    assert apps.isdisjoint({"pathway", "documents", "referrals", "privacy"})


@pytest.fixture
def owned(psychologist):
    patient = full_file(psychologist, cared_on=date(2025, 1, 6))
    pathway = patient.pathways.get(entry_mode="referral")
    CareSessionFactory(pathway=pathway, kind="evaluation", date=date(2025, 3, 10))
    return {
        "patient_id": patient.pk, "pathway_id": pathway.pk, "session_id": pathway.sessions.get().pk,
        "document_id": DocumentFactory(pathway=pathway, kind=DocumentKind.ALERT).pk,
        "referral_id": pathway.referral.pk, "kind": DocumentKind.ALERT, "year": 2025,
    }, patient


# Shown by a GET (200); the others act on POST only and send a GET back to their page.
POST_ONLY = {"documents:create", "documents:issue", "documents:correct", "documents:consent", "documents:release"}


def test_each_page_of_the_map_logs_a_read_with_its_patient(client, owned, psychologist):
    objects, patient = owned
    log_in(client, psychologist)
    for name in sorted(set(HEALTH_DATA_URLS) - POST_ONLY - {"pathway:patient_create"}):
        url = reverse(name, kwargs={p: objects[p] for p in dict(named_patterns())[name]})
        before = AccessLogEntry.objects.count()
        response = client.get(url)
        if response.streaming:  # the scan: read to its end, which closes the file
            b"".join(response.streaming_content)
        assert response.status_code == 200, url
        entry = AccessLogEntry.objects.order_by("-id").first()
        assert AccessLogEntry.objects.count() == before + 1, url
        assert (entry.url_name, entry.action, entry.patient_id, entry.owner_id, entry.actor_id, entry.path) == (
            name, Action.READ, patient.pk, psychologist.pk, psychologist.pk, url)


def test_a_pending_referral_not_yet_linked_to_a_patient_is_logged_without_one(client, psychologist):
    referral = ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist))
    log_in(client, psychologist).get(reverse("referrals:detail", kwargs={"referral_id": referral.pk}))
    entry = AccessLogEntry.objects.get()
    assert (entry.object_type, entry.object_id, entry.patient_id, entry.owner_id) == (
        "referral", str(referral.pk), None, psychologist.pk)

"""Site-wide: every URL that names an object refuses strangers; no pending migration."""

from datetime import date

import pytest
from django.core.management import call_command
from django.urls import get_resolver, reverse

from pathway.models import CareSession, SessionKind
from tests.factories import CareSessionFactory, DeclaredSessionsFactory, PathwayFactory, PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned_objects(psychologist):
    patient = PatientFactory(psychologist=psychologist, last_name="Secret")
    pathway = PathwayFactory(patient=patient)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(2026, 1, 5))
    session = CareSessionFactory(pathway=pathway, date=date(2026, 1, 12))
    DeclaredSessionsFactory(patient=patient)
    return {"patient_id": patient.pk, "pathway_id": pathway.pk, "session_id": session.pk}


def object_urls(objects):
    """Every named pathway URL that takes an object id, filled with the owner's objects."""
    urls = []
    for pattern in get_resolver().url_patterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace != "pathway":
            continue
        for entry in pattern.url_patterns:
            params = list(entry.pattern.converters)
            if params:
                urls.append(reverse(f"pathway:{entry.name}", kwargs={p: objects[p] for p in params}))
    return urls


def test_the_walk_covers_every_object_url(owned_objects):
    assert len(object_urls(owned_objects)) == 11  # the rules page and the lists name no object


def test_another_psychologist_gets_404_on_every_object_url(client, owned_objects, other_psychologist):
    client.force_login(other_psychologist)
    for url in object_urls(owned_objects):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"private_note": "x", "reason": "completed"}).status_code == 404, url
    assert CareSession.objects.count() == 2


def test_a_gp_gets_404_on_every_psychologist_page(client, owned_objects, gp):
    client.force_login(gp)
    for url in object_urls(owned_objects) + [reverse("pathway:dashboard"), reverse("pathway:patient_list")]:
        assert client.get(url).status_code == 404, url


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, owned_objects):
    for url in object_urls(owned_objects) + [reverse("pathway:dashboard"), reverse("accounts:profile")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_the_owner_sees_every_object_page(client_psy, owned_objects):
    for url in object_urls(owned_objects):
        if url.endswith("/courrier/"):
            continue  # no scan uploaded: 404 is right, tested with a scan elsewhere
        assert client_psy.get(url).status_code == 200, url


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

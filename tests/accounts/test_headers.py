"""Every page, public or not, carries the security headers; no page needs an inline script or style."""

import re
from datetime import date

import pytest
from django.urls import URLResolver, get_resolver, reverse

from documents.models import DocumentKind
from pathway.models import SessionKind
from tests.auth import log_in
from tests.factories import (
    CareSessionFactory,
    DocumentFactory,
    GPFactory,
    PathwayFactory,
    PatientFactory,
    ReferralFactory,
    ReferralLinkFactory,
)

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.fixture
def owned(psychologist):
    patient = PatientFactory(psychologist=psychologist)
    pathway = PathwayFactory(patient=patient)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(2026, 1, 5))
    session = CareSessionFactory(pathway=pathway, date=date(2026, 1, 12))
    referral = ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist))
    document = DocumentFactory(pathway=pathway, kind=DocumentKind.ALERT)
    return {"patient_id": patient.pk, "pathway_id": pathway.pk, "session_id": session.pk,
            "referral_id": referral.pk, "token": referral.link.token, "reference": referral.reference,
            "document_id": document.pk, "kind": DocumentKind.ALERT, "year": 2026}


def named_patterns(patterns=None, namespace=None):
    """(name, keywords) of every named URL of the project; the admin's own pages by its index only."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield "admin:index", []
                continue
            yield from named_patterns(pattern.url_patterns, pattern.namespace or namespace)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), list(pattern.pattern.converters)


def every_url(objects):
    # A keyword missing from `objects` fails here: a new URL must be added to the walk, not skipped.
    return [reverse(name, kwargs={key: objects[key] for key in keywords}) for name, keywords in named_patterns()]


def assert_secure(response, url):
    policy = response.get("Content-Security-Policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";") if part.strip())
    assert directives.get("default-src") == "'self'", url
    assert directives.get("script-src") == "'self'", url  # so no 'unsafe-inline' nor 'unsafe-eval'
    assert "unsafe" not in directives.get("style-src", "unsafe"), url
    for name, value in {"frame-ancestors": "'none'", "form-action": "'self'", "base-uri": "'none'",
                        "object-src": "'none'"}.items():
        assert directives.get(name) == value, (url, name)
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["X-Frame-Options"] == "DENY", url


def assert_no_inline_code(response, url):
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    page = response.content.decode()
    for pattern in (INLINE_SCRIPT, INLINE_STYLE, INLINE_HANDLER):
        assert not pattern.search(page), (url, pattern.search(page))


def walk(client, urls):
    for url in urls:
        response = client.get(url)
        assert_secure(response, url)
        assert_no_inline_code(response, url)


def test_the_walk_names_every_url_of_the_project(owned):
    assert len(every_url(owned)) == len(list(named_patterns())) > 40


def test_every_page_of_the_owner_carries_the_headers(client_psy, owned):
    walk(client_psy, every_url(owned))


def test_every_page_of_a_doctor_a_stranger_and_a_visitor_carries_them(client, owned):
    urls = every_url(owned) + ["/nulle-part/"]
    walk(client, urls)  # a visitor: the login page, the public referral form, the doctors' sign-up, 404s
    walk(log_in(type(client)(), GPFactory()), urls)


def test_the_two_step_and_lockout_pages_carry_them(client, psychologist):
    client.post(reverse("accounts:login"), {"username": psychologist.username, "password": "a-long-test-password"})
    walk(client, [reverse("accounts:two_factor_setup"), reverse("pathway:dashboard")])
    visitor = type(client)()
    for _attempt in range(6):
        response = visitor.post(reverse("accounts:login"), {"username": "nobody", "password": "wrong"})
    assert response.status_code == 429
    assert_secure(response, "lockout")
    assert_no_inline_code(response, "lockout")


def test_pdfs_are_still_served_under_the_policy(client_psy, owned):
    response = client_psy.get(reverse("documents:statement_pdf", kwargs={"patient_id": owned["patient_id"],
                                                                         "year": 2026}))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content.startswith(b"%PDF")
    assert_secure(response, "statement pdf")

"""Each documents page runs a fixed number of SQL queries, whatever the number of sessions and versions."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from documents import services
from tests.auth import LOGIN_READ, log_in
from tests.factories import CareSessionFactory, DeclaredSessionsFactory

from .factories import closed_pathway, end_of_care_draft, issued_end_of_care, with_consent

pytestmark = pytest.mark.django_db


def long_pathway(psychologist, size):
    """`size` follow-ups over the years (2023 onwards), then closed."""
    pathway = closed_pathway(psychologist, followups=0)
    for index in range(size):
        CareSessionFactory(pathway=pathway, date=date(2023, 1, 2) + timedelta(days=7 * index))
    return pathway


def versions(psychologist, pathway, size):
    """An end-of-care report corrected until it has `size` issued versions, the last with a consent."""
    document = issued_end_of_care(psychologist, pathway)
    for _ in range(size - 1):
        document = services.document_issue(services.document_correct(document, psychologist), psychologist)
    return with_consent(document, psychologist)


def draft_url(psy, size):
    return reverse("documents:detail", kwargs={"document_id": end_of_care_draft(psy, long_pathway(psy, size)).pk})


def issued_url(name):
    def build(psy, size):
        return reverse(f"documents:{name}", kwargs={"document_id": versions(psy, long_pathway(psy, size), size).pk})
    return build


def draft_print_url(psy, size):
    return reverse("documents:print", kwargs={"document_id": end_of_care_draft(psy, long_pathway(psy, size)).pk})


def statement_url(psy, size, name="statement"):
    pathway = long_pathway(psy, size)
    for year in (2023, 2024):
        DeclaredSessionsFactory(patient=pathway.patient, year=year, count=1)
    return reverse(f"documents:{name}", kwargs={"patient_id": pathway.patient_id, "year": 2023})


PAGES = {
    "detail_draft": draft_url,
    "detail_issued": issued_url("detail"),
    "print_draft": draft_print_url,
    "print_issued": issued_url("print"),
    "pdf_issued": issued_url("pdf"),
    "statement": statement_url,
    "statement_pdf": lambda psy, size: statement_url(psy, size, "statement_pdf"),
}

# The page's own reads, after the login's (LOGIN_READ): the document with its relations, the
# versions chain and, for a draft only, the sessions' figures; or the patient, sessions, declarations.
EXPECTED_QUERIES = {
    "detail_draft": 3,
    "detail_issued": 2,
    "print_draft": 2,
    "print_issued": 1,
    "pdf_issued": 1,
    "statement": 3,
    "statement_pdf": 3,
}


# Every page here shows a patient's data: privacy.middleware adds its access trace, one INSERT.
ACCESS_TRACE = 1


def queries_for(client, django_assert_num_queries, psychologist, page, size):
    url = PAGES[page](psychologist, size)
    log_in(client, psychologist)
    with django_assert_num_queries(LOGIN_READ + EXPECTED_QUERIES[page] + ACCESS_TRACE):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_page_runs_the_same_queries_at_1_and_40_rows(client, django_assert_num_queries, page, psychologist,
                                                         other_psychologist):
    queries_for(client, django_assert_num_queries, psychologist, page, 1)
    queries_for(client, django_assert_num_queries, other_psychologist, page, 40)

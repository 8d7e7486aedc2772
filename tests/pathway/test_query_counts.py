"""Each page runs a fixed number of SQL queries, whatever the number of rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import DocumentKind
from pathway.models import CloseReason, PathwayEvent, PathwayStatus, SessionKind
from tests.factories import (
    CareSessionFactory,
    ConsentFactory,
    DeclaredSessionsFactory,
    DocumentFactory,
    PathwayFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db


def caseload(psychologist, size):
    """`size` patients, each with a pathway in care, an evaluation and a follow-up this week."""
    today = timezone.localdate()
    pathways = []
    for index in range(size):
        patient = PatientFactory(psychologist=psychologist, last_name=f"Nom{index:03d}")
        pathway = PathwayFactory(patient=patient, opened_on=date(today.year, 1, 2))
        CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(today.year, 1, 2))
        CareSessionFactory(pathway=pathway, date=today - timedelta(days=today.weekday()))
        DeclaredSessionsFactory(patient=patient, count=1, year=today.year - 1)
        PathwayFactory(patient=patient, status=PathwayStatus.CLOSED, close_reason=CloseReason.COMPLETED)
        PathwayEvent.objects.create(pathway=pathway, actor=psychologist, action=PathwayEvent.Action.OPENED)
    return pathways


def long_pathway(psychologist, size):
    """One pathway with `size` sessions, `size` events and `size` documents, over past years."""
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist))
    for index in range(size):
        session = CareSessionFactory(pathway=pathway, date=date(2023, 1, 1) + timedelta(days=7 * index))
        PathwayEvent.objects.create(pathway=pathway, actor=psychologist, session=session,
                                    action=PathwayEvent.Action.SESSION_RECORDED)
        ConsentFactory(document=DocumentFactory(pathway=pathway, kind=DocumentKind.ALERT))
    return pathway


PAGES = {
    "dashboard": lambda psy, size: (caseload(psy, size), reverse("pathway:dashboard"))[1],
    "patient_list": lambda psy, size: (caseload(psy, size), reverse("pathway:patient_list"))[1],
    "patient_search": lambda psy, size: (caseload(psy, size), reverse("pathway:patient_list") + "?q=nom")[1],
    "patient_detail": lambda psy, size: reverse(
        "pathway:patient_detail", kwargs={"patient_id": long_pathway(psy, size).patient_id}),
    "pathway_detail": lambda psy, size: reverse(
        "pathway:detail", kwargs={"pathway_id": long_pathway(psy, size).pk}),
    "session_record": lambda psy, size: reverse(
        "pathway:session_record", kwargs={"pathway_id": long_pathway(psy, size).pk}),
    "session_edit": lambda psy, size: reverse(
        "pathway:session_edit", kwargs={"session_id": long_pathway(psy, size).sessions.first().pk}),
    "evaluate": lambda psy, size: reverse(
        "pathway:evaluate", kwargs={"pathway_id": long_pathway(psy, size).pk}),
}

# Session + user for the login, then the page's own reads.
EXPECTED_QUERIES = {
    "dashboard": 9,
    "patient_list": 4,
    "patient_search": 4,
    "patient_detail": 5,
    "pathway_detail": 6,
    "session_record": 5,
    "session_edit": 5,
    "evaluate": 7,
}


def queries_for(client, psychologist, page, size):
    url = PAGES[page](psychologist, size)
    client.force_login(psychologist)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_page_runs_the_same_queries_at_1_and_50_rows(client, page, psychologist, other_psychologist):
    at_one = queries_for(client, psychologist, page, 1)
    at_fifty = queries_for(client, other_psychologist, page, 50)
    assert (at_one, at_fifty) == (EXPECTED_QUERIES[page], EXPECTED_QUERIES[page])

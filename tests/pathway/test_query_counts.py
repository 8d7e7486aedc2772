"""Each page runs a fixed number of SQL queries, whatever the number of rows."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import DocumentKind
from pathway.models import CloseReason, PathwayEvent, PathwayStatus, SessionKind
from tests.auth import LOGIN_READ, log_in
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


def dashboard_caseload(psychologist, size):
    """The caseload, plus `size` of each dashboard list: silent, awaiting, near the cap."""
    caseload(psychologist, size)
    today = timezone.localdate()
    for _index in range(size):
        PathwayFactory(patient=PatientFactory(psychologist=psychologist), status=PathwayStatus.AWAITING_EVALUATION)
        silent = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=date(today.year, 1, 2))
        CareSessionFactory(pathway=silent, kind=SessionKind.EVALUATION, date=date(today.year, 1, 2))
        DeclaredSessionsFactory(patient=silent.patient, count=10, year=today.year, included_evaluation=True)
    return reverse("pathway:dashboard")


def patient_of(psychologist, size):
    return long_pathway(psychologist, size).patient_id


PAGES = {
    "dashboard": dashboard_caseload,
    "dashboard_page_2": lambda psy, size: dashboard_caseload(psy, size) + "?page=2",
    "rules": lambda psy, size: (caseload(psy, size), reverse("pathway:rules"))[1],
    "patient_create": lambda psy, size: (caseload(psy, size), reverse("pathway:patient_create"))[1],
    "patient_edit": lambda psy, size: reverse(
        "pathway:patient_edit", kwargs={"patient_id": patient_of(psy, size)}),
    "declared_sessions_add": lambda psy, size: reverse(
        "pathway:declared_sessions_add", kwargs={"patient_id": patient_of(psy, size)}),
    "pathway_open": lambda psy, size: reverse("pathway:pathway_open", kwargs={"patient_id": patient_of(psy, size)}),
    "plan_followups": lambda psy, size: reverse(
        "pathway:plan_followups", kwargs={"pathway_id": long_pathway(psy, size).pk}),
    "close": lambda psy, size: reverse("pathway:close", kwargs={"pathway_id": long_pathway(psy, size).pk}),
    "patient_search_accented": lambda psy, size: (
        caseload(psy, size), reverse("pathway:patient_list") + "?q=NÓM")[1],
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

# The page's own reads, after the login's (LOGIN_READ).
EXPECTED_QUERIES = {
    # Four statements in one round trip: the year's figures; the lists of pathways and a page of the open
    # ones; this week's sessions; the charts' counts (selectors.dashboard).
    "dashboard": 4,
    "dashboard_page_2": 4,
    "rules": 0,
    "patient_create": 0,
    "patient_edit": 1,
    "declared_sessions_add": 1,
    "pathway_open": 1,
    "plan_followups": 1,
    "close": 1,
    # The page's rows carry the list's total: no separate COUNT.
    "patient_search_accented": 1,
    "patient_list": 1,
    "patient_search": 1,
    "patient_detail": 3,
    "pathway_detail": 4,
    # The cap's count (sessions held and declared) and the year's evaluation: a statement each.
    "session_record": 2,
    "session_edit": 2,
    "evaluate": 3,
}


# Pages showing a patient's data add the access trace (privacy.middleware): one INSERT, whatever the rows.
ACCESS_TRACE = 1
ACCESS_LOGGED = {"patient_edit", "declared_sessions_add", "pathway_open", "plan_followups", "close", "patient_detail",
                 "pathway_detail", "session_record", "session_edit", "evaluate"}


def expected_queries(page):
    return LOGIN_READ + EXPECTED_QUERIES[page] + (ACCESS_TRACE if page in ACCESS_LOGGED else 0)


def queries_for(client, psychologist, page, size):
    url = PAGES[page](psychologist, size)
    log_in(client, psychologist)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", sorted(PAGES))
def test_a_page_runs_the_same_queries_at_1_and_50_rows(client, page, psychologist, other_psychologist):
    at_one = queries_for(client, psychologist, page, 1)
    at_fifty = queries_for(client, other_psychologist, page, 50)
    assert (at_one, at_fifty) == (expected_queries(page), expected_queries(page))


def in_care_this_year(psychologist, size):
    """A pathway with this year's evaluation, and `size` sessions of past years before it."""
    today = timezone.localdate()
    pathway = long_pathway(psychologist, size)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(today.year, 1, 2))
    return pathway


def queries_to_record(client, psychologist, size):
    pathway = in_care_this_year(psychologist, size)
    log_in(client, psychologist)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("pathway:session_record", kwargs={"pathway_id": pathway.pk}), {
            "kind": SessionKind.FOLLOWUP, "date": timezone.localdate().strftime("%d/%m/%Y"), "mode": "in_person",
            "duration_minutes": 45, "status": "held", "billing": "reimbursed",
        })
    assert response.status_code == 302
    return len(queries)


def test_recording_a_session_runs_the_same_queries_at_1_and_50_sessions(client, psychologist, other_psychologist):
    # After the login's read, in the transaction (a savepoint and its release here, inside the test's), one
    # round trip: the two locks, which find the pathway only if it is the psychologist's, and what the
    # checks count (one statement); then the insert, the event.
    assert (queries_to_record(client, psychologist, 1), queries_to_record(client, other_psychologist, 50)) == (
        LOGIN_READ + 7 + ACCESS_TRACE, LOGIN_READ + 7 + ACCESS_TRACE)

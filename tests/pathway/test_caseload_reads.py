"""The dashboard's plain-SQL reads and the patient list's one-query pages count what the ORM counted."""

from datetime import date, timedelta

import pytest
from django.core.paginator import Paginator
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from pathway import rules, selectors
from pathway.models import Billing, Pathway, PathwayStatus, Patient, SessionKind, SessionMode, SessionStatus
from pathway.services.cap import used_in_year_clause
from tests.factories import CareSessionFactory, DeclaredSessionsFactory, PathwayFactory, PatientFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
JANUARY = date(TODAY.year, 1, 2)


def in_care(psychologist, last_name, sessions=0, **session_fields):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist, last_name=last_name),
                             opened_on=JANUARY)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=JANUARY)
    for week in range(sessions):
        CareSessionFactory(pathway=pathway, date=JANUARY + timedelta(weeks=week + 1), **session_fields)
    return pathway


def test_near_the_cap_counts_the_year_held_and_declared_sessions_only(psychologist, other_psychologist):
    in_care(psychologist, "Ici", sessions=9)  # 10 with the evaluation
    elsewhere = PatientFactory(psychologist=psychologist, last_name="Ailleurs")  # no session here this year
    DeclaredSessionsFactory(patient=elsewhere, count=11)
    in_care(psychologist, "Annule", sessions=9, status=SessionStatus.CANCELLED)
    in_care(psychologist, "Horsdispositif", sessions=9, billing=Billing.OUT_OF_SCHEME, out_of_scheme_fee=60)
    last_year = in_care(psychologist, "Anneepassee")
    for week in range(10):
        CareSessionFactory(pathway=last_year, date=date(TODAY.year - 1, 3, 1) + timedelta(weeks=week))
    in_care(other_psychologist, "Etranger", sessions=11)
    figures = selectors.year_figures(psychologist, TODAY)
    assert [(row["patient"], row["used_this_year"]) for row in figures.near_cap.rows] == [
        ("AILLEURS " + elsewhere.first_name, 11), (f"ICI {Patient.objects.get(last_name='Ici').first_name}", 10)]
    assert figures.near_cap.total == 2


def test_near_the_cap_shows_ten_patients_and_counts_the_others(psychologist):
    for index in range(12):
        in_care(psychologist, f"Plein{index:02d}", sessions=9)
    near_cap = selectors.year_figures(psychologist, TODAY).near_cap
    assert (len(near_cap.rows), near_cap.total, near_cap.more) == (10, 12, 2)


def test_the_video_share_counts_reimbursed_sessions_held_this_year(psychologist):
    in_care(psychologist, "Visio", sessions=3, mode=SessionMode.VIDEO)
    in_care(psychologist, "Annulee", sessions=4, mode=SessionMode.VIDEO, status=SessionStatus.CANCELLED)
    figures = selectors.year_figures(psychologist, TODAY)
    assert (figures.sessions, figures.video) == (5, 3)  # two evaluations in person, the cancelled not counted
    assert selectors.video_share(figures)["percent"] == 60


def test_the_open_table_shows_each_patients_count_with_declared_sessions(psychologist):
    pathway = in_care(psychologist, "Declare", sessions=2)
    DeclaredSessionsFactory(patient=pathway.patient, count=4)
    PathwayFactory(patient=PatientFactory(psychologist=psychologist), status=PathwayStatus.CLOSED)
    page = selectors.dashboard(psychologist)["open_pathways"]
    assert [(row["id"], row["followups_held"], row["patient_used_this_year"]) for row in page] == [(pathway.pk, 2, 7)]
    assert page.paginator.count == 1


def test_a_dashboard_page_past_the_end_shows_the_last_page_as_the_paginator_does(psychologist):
    for index in range(27):
        in_care(psychologist, f"Ouvert{index:02d}")
    for number in (None, "2", "99", "abc", "0", "-1", "2.0", "99999999999999999999", " 2 ", ""):
        page = selectors.dashboard(psychologist, number)["open_pathways"]
        expected = Paginator(range(27), selectors.OPEN_PATHWAYS_PER_PAGE).get_page(number)
        assert (page.paginator.count, page.number, len(page.object_list)) == (27, expected.number,
                                                                            len(expected.object_list)), number


def test_the_silent_list_puts_pathways_without_any_session_first(psychologist):
    never = PathwayFactory(patient=PatientFactory(psychologist=psychologist, last_name="Jamais"),
                           opened_on=TODAY - timedelta(weeks=20), status=PathwayStatus.IN_CARE)
    old = PathwayFactory(patient=PatientFactory(psychologist=psychologist, last_name="Ancien"),
                         opened_on=TODAY - timedelta(weeks=30))
    CareSessionFactory(pathway=old, kind=SessionKind.EVALUATION, date=TODAY - timedelta(weeks=10))
    recent = PathwayFactory(patient=PatientFactory(psychologist=psychologist, last_name="Recent"),
                            opened_on=TODAY - timedelta(weeks=30))
    CareSessionFactory(pathway=recent, kind=SessionKind.EVALUATION, date=TODAY - timedelta(weeks=1))
    silent = selectors.dashboard(psychologist)["silent_pathways"]
    assert [(row["id"], row["last_session_on"]) for row in silent.rows] == [
        (never.pk, None), (old.pk, TODAY - timedelta(weeks=10))]


def used_in_year_raw(year, patient_column):
    """The cap's SQL count (services/cap.py) as an ORM annotation, for a column of the annotated table."""
    return RawSQL(*used_in_year_clause(patient_column, year), output_field=IntegerField())


def test_the_sql_count_of_the_year_is_used_in_year(psychologist):
    in_care(psychologist, "Mixte", sessions=3)
    DeclaredSessionsFactory(patient=Patient.objects.get(last_name="Mixte"), count=2)
    in_care(psychologist, "Seul")
    PatientFactory(psychologist=psychologist, last_name="Aucun")
    year = TODAY.year
    by_orm = dict(Patient.objects.annotate(used=selectors.used_in_year(year)).values_list("last_name", "used"))
    by_sql = dict(Patient.objects.annotate(used=used_in_year_raw(year, '"pathway_patient"."id"')).values_list(
        "last_name", "used"))
    assert by_sql == by_orm == {"Mixte": 6, "Seul": 1, "Aucun": 0}
    on_pathways = Pathway.objects.annotate(used=used_in_year_raw(year, '"pathway_pathway"."patient_id"'))
    assert sorted(on_pathways.values_list("used", flat=True)) == [1, 6]


def test_a_patient_page_carries_the_lists_total_in_one_query(psychologist, django_assert_num_queries):
    for index in range(30):
        PatientFactory(psychologist=psychologist, last_name=f"Patient{index:02d}")
    with django_assert_num_queries(1):
        page = selectors.patient_page(psychologist, "", "2", 25)
        assert (page.number, page.paginator.count, page.paginator.num_pages, len(page)) == (2, 30, 2, 5)
    assert selectors.patient_page(psychologist, "", "9", 25).number == 2  # the last page
    for not_a_page, served in (("abc", 1), ("²", 1), ("0", 2), ("-1", 2), ("9" * 30, 2), ("2.0", 1)):
        assert selectors.patient_page(psychologist, "", not_a_page, 25).number == served
    assert selectors.patient_page(psychologist, "zzz", None, 25).paginator.count == 0


def test_a_patient_page_reads_each_patients_count_of_the_year_and_only_the_caseload(
        psychologist, other_psychologist):
    in_care(psychologist, "Mixte", sessions=3)
    DeclaredSessionsFactory(patient=Patient.objects.get(last_name="Mixte"), count=2)
    PatientFactory(psychologist=psychologist, last_name="Aucun", birth_date=date(1990, 5, 17))
    in_care(other_psychologist, "Etranger", sessions=2)
    page = selectors.patient_page(psychologist, "", None, 25)
    names = {patient.last_name: str(patient) for patient in Patient.objects.filter(psychologist=psychologist)}
    assert [(row["name"], row["used_this_year"]) for row in page] == [(names["Aucun"], 0), (names["Mixte"], 6)]
    assert page[0]["birth_date"] == date(1990, 5, 17) and page.paginator.count == 2


def test_the_patient_list_counts_every_patient_found(client_psy, psychologist):
    for index in range(30):
        PatientFactory(psychologist=psychologist, last_name=f"Patient{index:02d}")
    page = client_psy.get(reverse("pathway:patient_list"), {"page": 2}).content.decode()
    assert "30 patients" in page and "Page 2 sur 2" in page


def test_each_list_is_its_first_rows_in_order_with_its_total(psychologist, other_psychologist):
    """Every list longer than it shows, against the lists computed here from the ORM's rows."""
    since = TODAY - timedelta(weeks=rules.SILENT_PATHWAY_WEEKS)
    for index in range(50):
        status = PathwayStatus.AWAITING_EVALUATION if index % 3 == 0 else PathwayStatus.IN_CARE
        pathway = PathwayFactory(
            patient=PatientFactory(psychologist=psychologist, last_name=f"Nom{(index * 7) % 50:02d}",
                                   first_name="Éa" if index % 2 else "Zoé"),
            opened_on=JANUARY + timedelta(days=(index * 11) % 60), status=status)
        if status == PathwayStatus.IN_CARE and index % 4:
            CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=pathway.opened_on)
            for week in range(index % 5):
                CareSessionFactory(pathway=pathway, date=TODAY - timedelta(weeks=2 + 3 * week + index % 9))
    PathwayFactory(patient=PatientFactory(psychologist=other_psychologist))
    PathwayFactory(patient=PatientFactory(psychologist=psychologist), status=PathwayStatus.CLOSED)

    open_pathways = list(Pathway.objects.filter(psychologist=psychologist, status__in=(
        PathwayStatus.AWAITING_EVALUATION, PathwayStatus.IN_CARE)).select_related("patient"))
    in_care = [p for p in open_pathways if p.status == PathwayStatus.IN_CARE]
    silent = sorted((p for p in in_care if (p.last_held_on or p.opened_on) < since),
                    key=lambda p: (p.last_held_on is not None, p.last_held_on or date.min, p.opened_on, p.pk))
    awaiting_followups = sorted((p for p in in_care if p.reimbursed_followups_held == 0),
                                key=lambda p: (p.opened_on, p.pk))
    awaiting_evaluation = sorted((p for p in open_pathways if p.status == PathwayStatus.AWAITING_EVALUATION),
                                 key=lambda p: (p.opened_on, p.pk))
    by_name = sorted(open_pathways, key=lambda p: (p.patient.last_name, p.patient.first_name, p.pk))
    assert min(len(silent), len(awaiting_followups), len(awaiting_evaluation)) > selectors.DASHBOARD_LIST_LENGTH

    shown = selectors.dashboard(psychologist)
    for name, expected in (("silent_pathways", silent), ("awaiting_followups", awaiting_followups),
                           ("awaiting_evaluation", awaiting_evaluation)):
        assert [row["id"] for row in shown[name].rows] == [p.pk for p in expected[:10]], name
        assert shown[name].total == len(expected), name
    for number in (1, 2):
        page = selectors.dashboard(psychologist, str(number))["open_pathways"]
        start = (number - 1) * selectors.OPEN_PATHWAYS_PER_PAGE
        assert [row["id"] for row in page] == [p.pk for p in by_name[start:start + selectors.OPEN_PATHWAYS_PER_PAGE]]
        assert page.paginator.count == len(open_pathways) == 50

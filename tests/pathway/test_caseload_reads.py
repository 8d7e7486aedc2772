"""The dashboard's plain-SQL reads and the patient list's one-query pages count what the ORM counted."""

from datetime import date, timedelta

import pytest
from django.core.paginator import Paginator
from django.db.models import IntegerField
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from pathway import selectors
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

"""The charts: geometry from figures (no database), then the pages that draw them."""

import html
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway import charts, selectors
from pathway.models import Billing, PathwayStatus, SessionKind, SessionStatus
from tests.auth import log_in
from tests.factories import CareSessionFactory, DeclaredSessionsFactory, PathwayFactory, PatientFactory

TODAY = timezone.localdate()
MID_YEAR = date(2025, 6, 18)


def session(day, kind=SessionKind.FOLLOWUP, **fields):
    return CareSessionFactory.build(date=day, kind=kind, **fields)


def weekly(first_day, count, **fields):
    """An evaluation on `first_day`, then follow-ups a week apart: `count` sessions in all."""
    return [session(first_day, SessionKind.EVALUATION, **fields)] + [
        session(first_day + timedelta(weeks=index), **fields) for index in range(1, count)]


# Reimbursed sessions per month


def test_the_month_chart_has_twelve_bars_january_to_december():
    chart = charts.month_bars({}, 2025, MID_YEAR)
    assert [bar.month for bar in chart.bars] == [date(2025, month, 1) for month in range(1, 13)]
    assert [bar.x for bar in chart.bars] == sorted(bar.x for bar in chart.bars)


def test_bar_heights_are_proportional_to_the_counts():
    chart = charts.month_bars({1: 10, 2: 5, 3: 1}, 2025, MID_YEAR)
    heights = [bar.height for bar in chart.bars]
    assert heights[:4] == [charts.MONTH_BAR_MAX_HEIGHT, charts.MONTH_BAR_MAX_HEIGHT / 2, 11.0, 0]
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)
    assert chart.total == 16


def test_a_year_without_sessions_draws_twelve_empty_bars():
    chart = charts.month_bars({}, 2025, MID_YEAR)
    assert [bar.count for bar in chart.bars] == [0] * 12
    assert {bar.height for bar in chart.bars} == {0}
    assert chart.total == 0


def test_only_the_current_month_is_marked_and_only_in_the_current_year():
    assert [bar.month.month for bar in charts.month_bars({}, 2025, MID_YEAR).bars if bar.is_current] == [6]
    assert not any(bar.is_current for bar in charts.month_bars({}, 2024, MID_YEAR).bars)


# Patients by status


def test_status_parts_are_as_wide_as_their_share_and_follow_each_other():
    chart = charts.status_shares({PathwayStatus.IN_CARE: 3, PathwayStatus.CLOSED: 1})
    in_care, closed = chart.segments
    assert (in_care.status, in_care.width, in_care.percent) == ("in_care", 252.0, 75)
    assert (closed.x, closed.width, closed.percent) == (252.0, 84.0, 25)
    assert [share.status for share in chart.shares] == list(PathwayStatus.values)  # zeros stay in the legend


def test_no_pathway_gives_no_part():
    chart = charts.status_shares({})
    assert chart.total == 0 and chart.segments == ()


# A pathway's timeline


def test_1_january_and_31_december_are_the_ends_of_the_axis_leap_year_or_not():
    for year in (2024, 2025):
        assert charts.day_x(date(year, 1, 1)) == charts.AXIS_START
        assert charts.day_x(date(year, 12, 31)) == charts.AXIS_END
    assert charts.day_x(date(2024, 7, 2)) == pytest.approx((charts.AXIS_START + charts.AXIS_END) / 2, abs=0.5)


def test_a_pathway_over_two_years_gives_one_row_per_year():
    sessions = weekly(date(2024, 11, 4), 12)
    timeline = charts.pathway_timeline(sessions, MID_YEAR, used_this_year=3, is_active=False)
    assert timeline.years == [2024, 2025]
    first, second = timeline.rows
    assert [mark.session.date.year for mark in first.marks] == [2024] * 9
    assert [mark.session.date.year for mark in second.marks] == [2025] * 3
    assert second.top == charts.ROW_HEIGHT and timeline.height == 2 * charts.ROW_HEIGHT
    assert [mark.rank for mark in second.marks] == [1, 2, 3]  # the count starts again on 1 January


def test_an_open_pathway_shows_the_current_year_even_before_its_first_session():
    timeline = charts.pathway_timeline([], MID_YEAR, used_this_year=0, is_active=True)
    assert timeline.years == [2025]
    assert (timeline.rows[0].used, timeline.rows[0].remaining) == (0, 12)
    assert charts.pathway_timeline([], MID_YEAR, used_this_year=0, is_active=False).rows == ()


def test_cancelled_and_out_of_scheme_sessions_do_not_move_the_cap_marker():
    sessions = weekly(date(2025, 1, 6), 14)
    sessions[3].status = SessionStatus.CANCELLED
    sessions[5].billing, sessions[5].out_of_scheme_fee = Billing.OUT_OF_SCHEME, 60
    row = charts.pathway_timeline(sessions, MID_YEAR, used_this_year=12, is_active=True).rows[0]
    assert [mark.session for mark in row.cap_marks] == [sessions[13]]
    assert (sessions[3].date, None) == (row.marks[3].session.date, row.marks[3].rank)
    assert (row.used, row.remaining) == (12, 0)


def test_a_year_with_the_cap_reached_marks_that_session_and_leaves_none():
    sessions = weekly(date(2025, 1, 6), 12)
    row = charts.pathway_timeline(sessions, MID_YEAR, used_this_year=12, is_active=True).rows[0]
    assert [mark.rank for mark in row.marks] == list(range(1, 13))
    assert [mark.session for mark in row.cap_marks] == [sessions[11]]
    assert (row.used, row.cap, row.remaining) == (12, 12, 0)


def test_sessions_declared_elsewhere_this_year_move_the_cap_to_an_earlier_session():
    sessions = weekly(date(2025, 3, 3), 10)
    row = charts.pathway_timeline(sessions, MID_YEAR, used_this_year=14, is_active=True).rows[0]
    assert row.counted_elsewhere == 4
    assert [mark.session for mark in row.cap_marks] == [sessions[7]]


def test_before_the_2024_reform_the_8th_session_reached_the_cap():
    sessions = weekly(date(2024, 1, 8), 9)  # 9th on 04/03/2024: the cap was still 8
    row = charts.pathway_timeline(sessions, MID_YEAR, used_this_year=0, is_active=False).rows[0]
    assert [(mark.rank, mark.cap) for mark in row.cap_marks] == [(8, 8)]
    assert row.cap == 12  # in force on 31/12/2024


def test_marks_have_the_shape_of_their_kind_and_show_when_not_held():
    sessions = [session(date(2025, 1, 6), SessionKind.EVALUATION), session(date(2025, 1, 13)),
                session(date(2025, 1, 20), billing=Billing.OUT_OF_SCHEME, out_of_scheme_fee=60),
                session(date(2025, 1, 27), status=SessionStatus.NO_SHOW)]
    marks = charts.pathway_timeline(sessions, MID_YEAR, used_this_year=2, is_active=True).rows[0].marks
    assert [(mark.shape, mark.held, mark.rank) for mark in marks] == [
        ("evaluation", True, 1), ("followup", True, 2), ("out_of_scheme", True, None), ("followup", False, None)]
    assert len(marks[0].points.split()) == 4 and len(marks[2].points.split()) == 3


# The pages

MONTH_NAMES = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
               "novembre", "décembre")


def page_of(client, user, url):
    return html.unescape(log_in(client, user).get(url).content.decode())


def hidden_table(page, caption):
    start = page.index(f"<caption>{caption}")
    return page[start:page.index("</table>", start)]


def cells(table):
    """Each body row's text, cells joined by a space."""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in table.split("<tr>")[2:]]


@pytest.mark.django_db
def test_the_dashboard_draws_this_year_s_reimbursed_sessions_per_month(client, psychologist, other_psychologist):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist))
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(TODAY.year, 1, 5))
    CareSessionFactory(pathway=pathway, date=date(TODAY.year, 1, 20))
    CareSessionFactory(pathway=pathway, date=TODAY)
    # Not counted: cancelled, out of scheme, last year's, another psychologist's.
    CareSessionFactory(pathway=pathway, date=TODAY, status=SessionStatus.CANCELLED)
    CareSessionFactory(pathway=pathway, date=TODAY, billing=Billing.OUT_OF_SCHEME, out_of_scheme_fee=60)
    CareSessionFactory(pathway=pathway, date=date(TODAY.year - 1, 12, 15))
    CareSessionFactory(pathway=PathwayFactory(patient=PatientFactory(psychologist=other_psychologist)), date=TODAY)
    page = page_of(client, psychologist, reverse("pathway:dashboard"))
    assert 'role="img" aria-labelledby="chart-months-title"' in page
    assert f'<title id="chart-months-title">3 séances remboursées tenues en {TODAY.year}, par mois</title>' in page
    expected = {1: 2}
    expected[TODAY.month] = expected.get(TODAY.month, 0) + 1
    assert cells(hidden_table(page, f"Séances remboursées tenues par mois en {TODAY.year}")) == [
        f"{name} {TODAY.year}{' (mois en cours)' if month == TODAY.month else ''} {expected.get(month, 0)}"
        for month, name in enumerate(MONTH_NAMES, start=1)]


@pytest.mark.django_db
def test_the_dashboard_shares_patients_by_the_status_of_their_latest_pathway(client, psychologist):
    returning = PatientFactory(psychologist=psychologist)
    PathwayFactory(patient=returning, status=PathwayStatus.CLOSED, opened_on=date(2023, 1, 9))
    PathwayFactory(patient=returning, opened_on=date(2024, 2, 5))
    PathwayFactory(patient=PatientFactory(psychologist=psychologist), status=PathwayStatus.AWAITING_EVALUATION)
    page = page_of(client, psychologist, reverse("pathway:dashboard"))
    assert "Répartition de 2 patients selon le statut de leur dernier parcours</title>" in page
    legend = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.index('<ul class="chart-legend'):]))
    assert ("En attente d'évaluation : 1 patient (50 %) En cours de suivi : 1 patient (50 %) "
            "Non éligible : 0 patient (0 %) Réorienté : 0 patient (0 %) Clôturé : 0 patient (0 %)") in legend


@pytest.mark.django_db
def test_a_patient_counts_once_under_the_pathway_opened_last_then_created_last(psychologist, other_psychologist):
    returning = PatientFactory(psychologist=psychologist)
    PathwayFactory(patient=returning, status=PathwayStatus.CLOSED, opened_on=date(2023, 1, 9))
    PathwayFactory(patient=returning, status=PathwayStatus.EXCLUDED, opened_on=date(2025, 3, 3))
    PathwayFactory(patient=returning, status=PathwayStatus.CLOSED, opened_on=date(2024, 5, 6))
    same_day = PatientFactory(psychologist=psychologist)
    PathwayFactory(patient=same_day, status=PathwayStatus.EXCLUDED, opened_on=date(2025, 3, 3))
    PathwayFactory(patient=same_day, status=PathwayStatus.IN_CARE, opened_on=date(2025, 3, 3))  # created after
    PathwayFactory(patient=PatientFactory(psychologist=other_psychologist), status=PathwayStatus.IN_CARE)
    gone = PatientFactory(psychologist=psychologist)
    PathwayFactory(patient=gone, status=PathwayStatus.CLOSED).delete()  # no pathway left: counted nowhere
    _months, statuses = charts.dashboard_counts(psychologist, TODAY.year)
    assert statuses == {PathwayStatus.EXCLUDED: 1, PathwayStatus.IN_CARE: 1}


@pytest.mark.django_db
def test_the_charts_draw_without_style_attributes(client, psychologist):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist))
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(TODAY.year, 1, 5))
    log_in(client, psychologist)
    for url in (reverse("pathway:dashboard"), reverse("pathway:detail", kwargs={"pathway_id": pathway.pk})):
        page = client.get(url).content.decode()
        figures = re.findall(r'<figure class="chart">.*?</figure>', page, re.DOTALL)
        assert figures and not any("style=" in figure for figure in figures)
        assert not any(re.search(r'[xy]="\d+,\d', figure) for figure in figures)  # no French decimal comma


@pytest.mark.django_db
def test_the_pathway_page_places_its_sessions_on_the_year_with_the_cap(client, psychologist):
    start = date(TODAY.year, 1, 5)
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=start)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=start)
    for week in range(1, 10):
        CareSessionFactory(pathway=pathway, date=start + timedelta(weeks=week))
    DeclaredSessionsFactory(patient=pathway.patient, count=2, year=TODAY.year)
    page = page_of(client, psychologist, reverse("pathway:detail", kwargs={"pathway_id": pathway.pk}))
    assert 'role="img" aria-labelledby="chart-timeline-title"' in page
    assert f"Séances de ce parcours placées sur l’année civile ({TODAY.year})" in page
    assert "12e séance : plafond atteint</text>" in page and ">31/12</text>" in page
    rows = cells(hidden_table(page, "Séances de ce parcours et leur rang sous le plafond annuel"))
    assert rows[0] == f"{start:%d/%m/%Y} Évaluation Réalisée 3 / 12"
    assert rows[-1] == f"{start + timedelta(weeks=9):%d/%m/%Y} Suivi Réalisée 12 / 12 — 12e séance : plafond atteint"
    assert "dont 2 déclarées ailleurs" in page


@pytest.mark.django_db
def test_the_pathway_page_says_how_many_reimbursed_sessions_remain_until_31_december(client, psychologist):
    start = date(TODAY.year - 1, 12, 1)
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=start)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=start)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=date(TODAY.year, 1, 2))
    CareSessionFactory(pathway=pathway, date=date(TODAY.year, 1, 9))
    DeclaredSessionsFactory(patient=pathway.patient, count=3, year=TODAY.year)
    page = page_of(client, psychologist, reverse("pathway:detail", kwargs={"pathway_id": pathway.pk}))
    assert f">{TODAY.year - 1} — 1/12 (ce parcours)</text>" in page
    assert f">{TODAY.year} — 5/12 — 7 restantes</text>" in page
    assert "Il reste 7 séances jusqu’au 31/12." in page
    assert "plafond atteint</text>" not in page


@pytest.mark.django_db
def test_the_dashboard_charts_read_one_query_at_one_row_and_at_many(django_assert_num_queries, psychologist,
                                                                    other_psychologist):
    PathwayFactory(patient=PatientFactory(psychologist=psychologist))
    for month in range(1, 13):
        pathway = PathwayFactory(patient=PatientFactory(psychologist=other_psychologist),
                                 status=PathwayStatus.values[month % 5])
        CareSessionFactory(pathway=pathway, date=date(TODAY.year, month, 3))
    for psy in (psychologist, other_psychologist):
        with django_assert_num_queries(1):
            charts.dashboard_charts(psy)
    assert charts.dashboard_charts(other_psychologist)["months"].total == 12


@pytest.mark.django_db
def test_the_timeline_reads_nothing_more_than_the_pathway_page_loaded(django_assert_num_queries, psychologist):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist))
    for week in range(30):
        CareSessionFactory(pathway=pathway, date=date(TODAY.year - 1, 1, 6) + timedelta(weeks=week))
    loaded = selectors.pathway_detail(psychologist, pathway.pk)
    with django_assert_num_queries(0):
        timeline = charts.timeline_for(loaded)
    assert timeline.years == [TODAY.year - 1, TODAY.year]

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway.models import PathwayStatus, SessionKind
from tests.factories import CareSessionFactory, DeclaredSessionsFactory, PathwayFactory, PatientFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def in_care(psychologist, last_name, evaluated_on, followups=()):
    patient = PatientFactory(psychologist=psychologist, last_name=last_name)
    pathway = PathwayFactory(patient=patient, opened_on=evaluated_on, planned_followups=6)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=evaluated_on)
    for day in followups:
        CareSessionFactory(pathway=pathway, date=day)
    return pathway


def section(page, heading_id):
    start = page.index(f'id="{heading_id}"')
    return page[start:page.index("</section>", start)]


def test_it_lists_pathways_without_a_session_for_six_weeks(client_psy, psychologist):
    in_care(psychologist, "Oublié", TODAY - timedelta(weeks=10), [TODAY - timedelta(weeks=7)])
    in_care(psychologist, "Suivi", TODAY - timedelta(weeks=10), [TODAY - timedelta(weeks=1)])
    silent = section(client_psy.get(reverse("pathway:dashboard")).content.decode(), "silent")
    assert "OUBLIÉ" in silent
    assert "SUIVI" not in silent


def test_it_lists_evaluations_awaiting_their_follow_ups(client_psy, psychologist):
    in_care(psychologist, "Attente", TODAY - timedelta(days=3))
    in_care(psychologist, "Engagé", TODAY - timedelta(days=10), [TODAY - timedelta(days=3)])
    awaiting = section(client_psy.get(reverse("pathway:dashboard")).content.decode(), "awaiting")
    assert "ATTENTE" in awaiting
    assert "ENGAGÉ" not in awaiting


def test_it_lists_patients_at_or_near_the_cap(client_psy, psychologist):
    near = in_care(psychologist, "Presque", date(TODAY.year, 1, 5))
    DeclaredSessionsFactory(patient=near.patient, count=9, year=TODAY.year)
    in_care(psychologist, "Loin", date(TODAY.year, 1, 5))
    page = section(client_psy.get(reverse("pathway:dashboard")).content.decode(), "near-cap")
    assert "PRESQUE" in page and "10 / 12" in page
    assert "LOIN" not in page


def test_it_lists_this_weeks_sessions_only(client_psy, psychologist):
    in_care(psychologist, "Cettesemaine", TODAY - timedelta(days=TODAY.weekday()))
    in_care(psychologist, "Moisdernier", TODAY - timedelta(days=40))
    week = section(client_psy.get(reverse("pathway:dashboard")).content.decode(), "week")
    assert "CETTESEMAINE" in week
    assert "MOISDERNIER" not in week


def test_it_shows_no_other_psychologists_patients(client_psy, other_psychologist):
    in_care(other_psychologist, "Étranger", TODAY - timedelta(days=1))
    assert "ÉTRANGER" not in client_psy.get(reverse("pathway:dashboard")).content.decode()


def test_it_warns_when_video_follow_ups_exceed_the_policy_share(client_psy, psychologist):
    pathway = in_care(psychologist, "Visio", date(TODAY.year, 1, 5))
    for week in range(1, 4):
        CareSessionFactory(pathway=pathway, date=date(TODAY.year, 1, 5) + timedelta(weeks=week), mode="video")
    page = client_psy.get(reverse("pathway:dashboard")).content.decode()
    assert "75 %" in page


def test_a_closed_pathway_is_not_in_the_open_list(client_psy, psychologist):
    PathwayFactory(patient=PatientFactory(psychologist=psychologist, last_name="Fini"),
                   status=PathwayStatus.CLOSED)
    assert "FINI" not in section(client_psy.get(reverse("pathway:dashboard")).content.decode(), "open")


def test_the_rules_page_shows_every_rule_set_and_the_policies(client_psy):
    page = client_psy.get(reverse("pathway:rules")).content.decode()
    assert "05/04/2022" in page and "25/12/2023" in page and "15/06/2024" in page
    assert "50,00 € / 50,00 €" in page and "40,00 € / 30,00 €" in page
    assert "60 %" in page


def test_the_open_list_counts_reimbursed_follow_ups_against_the_plan(client_psy, psychologist):
    pathway = in_care(psychologist, "Horsplafond", date(TODAY.year, 1, 5), [date(TODAY.year, 1, 12)])
    CareSessionFactory(pathway=pathway, date=date(TODAY.year, 1, 19), billing="out_of_scheme",
                       out_of_scheme_fee=60)
    row = section(client_psy.get(reverse("pathway:dashboard")).content.decode(), "open")
    row = row[row.index("HORSPLAFOND"):]
    assert "<td>1 / 6</td>" in row


def test_a_large_caseload_shows_bounded_lists_and_pages_the_open_pathways(client_psy, psychologist):
    for index in range(30):
        in_care(psychologist, f"Attente{index:02d}", TODAY - timedelta(days=3))
    page = client_psy.get(reverse("pathway:dashboard")).content.decode()
    awaiting = section(page, "awaiting")
    assert awaiting.count('href="/parcours/') == 10
    assert "20" in awaiting[awaiting.rindex("ATTENTE"):]  # and 20 more
    assert section(page, "open").count('href="/parcours/') == 25
    second = client_psy.get(reverse("pathway:dashboard"), {"page": 2}).content.decode()
    assert section(second, "open").count('href="/parcours/') == 5

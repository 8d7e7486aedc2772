"""The "relevé de séances Mon soutien psy": the year's reimbursed sessions held, for the next psychologist."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from pathway import rules
from pathway.models import Billing, CloseReason, PathwayStatus, SessionKind, SessionMode, SessionStatus
from tests.auth import log_in
from tests.factories import CareSessionFactory, DeclaredSessionsFactory, PathwayFactory

from .factories import patient_of

pytestmark = pytest.mark.django_db


def statement_url(patient, year, pdf=False):
    return reverse(f"documents:statement{'_pdf' if pdf else ''}", kwargs={"patient_id": patient.pk, "year": year})


@pytest.fixture
def patient(psychologist):
    """Two pathways in 2025, with sessions that count and sessions that do not."""
    patient = patient_of(psychologist)
    first = PathwayFactory(patient=patient, opened_on=date(2024, 11, 4), status=PathwayStatus.CLOSED,
                           closed_on=date(2025, 2, 1), close_reason=CloseReason.MOVED)
    CareSessionFactory(pathway=first, kind=SessionKind.EVALUATION, date=date(2024, 11, 4))  # another year
    CareSessionFactory(pathway=first, kind=SessionKind.EVALUATION, date=date(2025, 1, 6))
    CareSessionFactory(pathway=first, date=date(2025, 1, 13), mode=SessionMode.VIDEO)
    CareSessionFactory(pathway=first, date=date(2025, 1, 20), status=SessionStatus.CANCELLED)
    CareSessionFactory(pathway=first, date=date(2025, 1, 21), status=SessionStatus.NO_SHOW)
    second = PathwayFactory(patient=patient, opened_on=date(2025, 3, 3))
    CareSessionFactory(pathway=second, date=date(2025, 3, 3))
    CareSessionFactory(pathway=second, date=date(2025, 3, 10), billing=Billing.OUT_OF_SCHEME,
                       out_of_scheme_fee=Decimal("60.00"))
    CareSessionFactory(pathway=second, date=date(2026, 1, 5), kind=SessionKind.EVALUATION)  # another year
    DeclaredSessionsFactory(patient=patient, year=2025, count=2, source="relevé ameli", declared_on=date(2025, 3, 3))
    DeclaredSessionsFactory(patient=patient, year=2024, count=5)
    return patient


def test_it_lists_only_the_reimbursed_sessions_held_that_year(client_psy, patient):
    response = client_psy.get(statement_url(patient, 2025))
    assert [(s.date, s.kind, s.mode) for s in response.context["sessions"]] == [
        (date(2025, 1, 6), "evaluation", "in_person"),
        (date(2025, 1, 13), "followup", "video"),
        (date(2025, 3, 3), "followup", "in_person"),
    ]
    page = response.content.decode()
    assert "06/01/2025" in page and "13/01/2025" in page and "03/03/2025" in page
    assert "20/01/2025" not in page and "21/01/2025" not in page and "10/03/2025" not in page


def test_it_counts_against_the_years_cap_with_the_sessions_declared_elsewhere_apart(client_psy, patient):
    page = client_psy.get(statement_url(patient, 2025)).content.decode()
    cap = rules.rules_on_or_first(date(2025, 12, 31)).annual_cap
    assert f"3 réalisées avec moi + 2 déclarées ailleurs = 5 sur les {cap} séances remboursées de 2025." in page
    assert "2 séances, déclarées le 03/03/2025 (relevé ameli)" in page


def test_a_year_under_the_old_rules_uses_that_years_cap(client_psy, patient):
    page = client_psy.get(statement_url(patient, 2023)).content.decode()
    assert "sur les 8 séances remboursées de 2023" in page
    assert "Aucune séance remboursée réalisée avec moi cette année." in page


def test_it_tells_the_patient_to_hand_it_to_the_next_psychologist(client_psy, patient):
    page = client_psy.get(statement_url(patient, 2025)).content.decode()
    assert "Remettez-le à votre prochain psychologue" in page
    assert "Hélène Durand" in page and "RPPS 10003456786" in page


def test_the_pdf_reads_the_same(client_psy, patient):
    response = client_psy.get(statement_url(patient, 2025, pdf=True))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="releve-seances-2025-lefevre.pdf"'
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages).split())
    for expected in ("Relevé de séances Mon soutien psy — 2025", "Zoé LEFÈVRE", "17/05/1990", "06/01/2025",
                     "Évaluation", "Visio", "Hélène Durand", "RPPS 10003456786", "prochain psychologue"):
        assert expected in text, expected


@pytest.mark.parametrize("year", [rules.SCHEME_START.year - 1, timezone.localdate().year + 1, 1, 99999])
def test_a_year_outside_the_scheme_is_a_404(client_psy, patient, year):
    assert client_psy.get(statement_url(patient, year)).status_code == 404
    assert client_psy.get(statement_url(patient, year, pdf=True)).status_code == 404


def test_the_first_and_this_year_exist(client_psy, patient):
    for year in (rules.SCHEME_START.year, timezone.localdate().year):
        assert client_psy.get(statement_url(patient, year)).status_code == 200


def test_another_psychologist_gets_404(client, patient, other_psychologist, gp):
    for user in (other_psychologist, gp):
        log_in(client, user)
        assert client.get(statement_url(patient, 2025)).status_code == 404
        assert client.get(statement_url(patient, 2025, pdf=True)).status_code == 404

"""Evaluations that must not open a pathway in care: a minor without parental consent, a suicide risk."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pathway.models import CareSession, PathwayStatus
from tests.factories import PathwayFactory, PatientFactory

from .forms import button, field, link
from .login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PARENTAL_CONSENT_MISSING = (
    "Ce patient est mineur : enregistrez d'abord dans sa fiche le consentement des deux titulaires de "
    "l'autorité parentale (ou d'un seul, avec sa déclaration d'exercice exclusif), donné au plus tard à la "
    "date de la séance."
)


def awaiting_evaluation(psychologist, **patient_fields):
    patient = PatientFactory(psychologist=psychologist, **patient_fields)
    return PathwayFactory(patient=patient, status=PathwayStatus.AWAITING_EVALUATION,
                          opened_on=timezone.localdate(), planned_followups=None)


def open_the_evaluation_from_the_dashboard(page, checks, patient):
    # Listed under "awaiting their evaluation" and among the open pathways: both lead to the pathway.
    page.get_by_role("main").get_by_role("link", name=str(patient)).first.click()
    checks.arrive("pathway awaiting its evaluation")
    checks.expect_visible(link(page, "Réaliser la séance d'évaluation"))
    link(page, "Réaliser la séance d'évaluation").click()
    checks.arrive("evaluation form")


def test_a_minor_without_parental_consent_is_stopped_at_the_evaluation(open_page, psy, live_server, width):
    twelve_years_ago = timezone.localdate().year - 12
    pathway = awaiting_evaluation(psy, first_name="Jules", last_name="Martin", birth_date=date(twelve_years_ago, 3, 1))
    page, checks = open_page(width)
    log_in(page, live_server.url, psy)
    open_the_evaluation_from_the_dashboard(page, checks, pathway.patient)

    field(page, "Motif de prise en charge").select_option(
        label="Enfant ou adolescent : souffrance psychique d'intensité légère à modérée")
    field(page, "Séances de suivi prévues").fill("5")
    button(page, "Enregistrer l'évaluation").click()

    expect(page.get_by_role("alert")).to_have_text(PARENTAL_CONSENT_MISSING)
    checks.arrive("evaluation refused for a minor")
    expect(field(page, "Séances de suivi prévues")).to_have_value("5")  # the input is kept
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.AWAITING_EVALUATION
    assert not CareSession.objects.filter(pathway=pathway).exists()


def test_a_suicide_risk_at_the_evaluation_shows_whom_to_call(open_page, psy, live_server, width):
    pathway = awaiting_evaluation(psy, first_name="Paul", last_name="Roux")
    page, checks = open_page(width)
    log_in(page, live_server.url, psy)
    open_the_evaluation_from_the_dashboard(page, checks, pathway.patient)

    emergency = page.get_by_role("group", name="Urgence")
    expect(emergency).to_contain_text("appelez le 3114")
    field(emergency, "Risque suicidaire").check()
    field(page, "Orientation (psychiatre, CMP, urgences…)").fill("Urgences psychiatriques du CH Le Vinatier, ce jour.")
    button(page, "Enregistrer l'évaluation").click()

    panel = page.get_by_role("alert").filter(has_text="Risque suicidaire ou urgence : agissez maintenant")
    expect(panel).to_be_visible()
    expect(panel.get_by_text("3114", exact=True)).to_be_visible()
    expect(panel.get_by_text("15", exact=True)).to_be_visible()
    expect(page.get_by_text("Réorienté").first).to_be_visible()
    checks.arrive("reoriented pathway")
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.REORIENTED

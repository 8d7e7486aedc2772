"""A psychologist's whole pathway in the browser, at desktop and phone width.

Log in, create a patient, open a pathway by direct access, hold the evaluation, record follow-ups
up to the annual cap, see the next one refused and record it out of scheme, close the pathway,
then write, issue, print and download the end-of-care report.
"""

import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from pathway import rules
from pathway.models import Billing, CareSession, Pathway, PathwayStatus

from .forms import button, field, link
from .login import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def create_patient(page, checks):
    checks.expect_visible(link(page, "Nouveau patient"))
    link(page, "Nouveau patient").click()
    checks.arrive("patient form")
    field(page, "Nom").fill("Lefèvre")
    field(page, "Prénom").fill("Zoé")
    field(page, "Date de naissance").fill("17/05/1990")
    field(page, "Sexe").select_option(label="Femme")
    field(page, "Médecin traitant").fill("Dr François Garçon")
    button(page, "Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LEFÈVRE Zoé")
    checks.arrive("patient")


def open_pathway_by_direct_access(page, checks):
    checks.expect_visible(link(page, "Ouvrir un parcours"))
    link(page, "Ouvrir un parcours").click()
    checks.arrive("pathway opening form")
    expect(field(page, "Accès direct")).to_be_checked()
    button(page, "Ouvrir le parcours").click()
    expect(page.get_by_text("En attente d'évaluation").first).to_be_visible()
    checks.arrive("pathway", screenshot=True)


def hold_the_evaluation(page, checks, planned_followups):
    checks.expect_visible(link(page, "Réaliser la séance d'évaluation"))
    link(page, "Réaliser la séance d'évaluation").click()
    checks.arrive("evaluation form")
    field(page, "Motif de prise en charge").select_option(
        label="Troubles anxieux ou dépressifs d'intensité légère à modérée")
    expect(field(page, "Affilié à un régime de sécurité sociale, ou bénéficiaire de l'AME")).to_be_checked()
    field(page, "Séances de suivi prévues").fill(str(planned_followups))
    button(page, "Enregistrer l'évaluation").click()
    expect(page.get_by_role("status").filter(has_text="Évaluation enregistrée")).to_contain_text("En cours de suivi")
    checks.arrive("pathway in care")


def record_followup(page, checks):
    link(page, "Enregistrer une séance").click()
    checks.arrive("session form")
    checks.expect_visible(button(page, "Enregistrer"))
    expect(field(page, "Type")).to_have_value("followup")
    button(page, "Enregistrer").click()
    expect(page.get_by_role("status").filter(has_text="Séance enregistrée.")).to_be_visible()


def cap_meter(page):
    return page.get_by_role("meter", name="Séances remboursées utilisées cette année civile").first


def see_the_cap_refuse_then_record_out_of_scheme(page, checks, cap):
    link(page, "Enregistrer une séance").click()
    button(page, "Enregistrer").click()
    error = page.get_by_text(re.compile(rf"Plafond annuel atteint : {cap} / {cap} séances remboursées"))
    expect(error).to_be_visible()
    checks.arrive("session form, cap reached")
    out_of_scheme = page.get_by_role("form", name=re.compile("Enregistrer hors dispositif"))
    field(out_of_scheme, "Honoraires hors dispositif (€)").fill("60")
    checks.expect_visible(button(out_of_scheme, "Enregistrer hors dispositif"))
    button(out_of_scheme, "Enregistrer hors dispositif").click()
    expect(page.get_by_role("status").filter(has_text="Séance enregistrée.")).to_be_visible()
    expect(page.get_by_role("cell", name="60,00 € (hors dispositif, non comptée)")).to_be_visible()


def close_the_pathway(page, checks):
    checks.expect_visible(link(page, "Clôturer le parcours"))
    link(page, "Clôturer le parcours").click()
    checks.arrive("closing form")
    field(page, "Motif").select_option(label="Plafond annuel atteint")
    button(page, "Enregistrer").click()
    expect(page.get_by_role("status").filter(has_text="Parcours clôturé.")).to_be_visible()
    checks.arrive("closed pathway")


def write_and_issue_the_report(page, checks):
    button(page, "Rédiger : Compte rendu de fin de prise en charge").click()
    checks.arrive("report draft")
    field(page, "Évolution").fill("Anxiété nettement diminuée ; reprise du travail à mi-temps.")
    field(page, "Résultat").select_option(label="Amélioration")
    field(page, "Suivi psychologique encore nécessaire").select_option(label="Non")
    field(page, "Orientation recommandée").select_option(label="Pas d'orientation nécessaire")
    button(page, "Enregistrer le brouillon").click()
    expect(page.get_by_role("status").filter(has_text="Brouillon enregistré.")).to_be_visible()
    button(page, "Émettre le document").click()
    expect(page.get_by_role("status").filter(has_text="Document émis")).to_be_visible()
    checks.arrive("issued report")


def print_and_download_the_report(page, checks):
    link(page, "Imprimer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compte rendu de fin de prise en charge")
    expect(page.get_by_text("LEFÈVRE").first).to_be_visible()
    checks.arrive("report print page", screenshot=True)
    checks.expect_visible(button(page, "Imprimer"), link(page, "Télécharger le PDF"))
    # Served inline, it would open in the browser's PDF viewer: fetch the link's address with the session instead.
    response = page.request.get(link(page, "Télécharger le PDF").get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    content = response.body()
    assert content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Zoé" in text and "LEFÈVRE" in text


def test_a_pathway_from_the_first_visit_to_the_end_of_care_report(open_page, psy, live_server, width):
    cap = rules.rules_on(timezone.localdate()).annual_cap
    page, checks = open_page(width)
    log_in(page, live_server.url, psy, checks=checks)
    checks.arrive("dashboard", screenshot=True)

    create_patient(page, checks)
    open_pathway_by_direct_access(page, checks)
    hold_the_evaluation(page, checks, planned_followups=cap - 1)
    for used in range(2, cap + 1):
        record_followup(page, checks)
        expect(cap_meter(page)).to_have_attribute("aria-valuenow", str(used))
    expect(cap_meter(page)).to_contain_text(f"{cap} / {cap} cette année — plafond atteint")
    see_the_cap_refuse_then_record_out_of_scheme(page, checks, cap)
    close_the_pathway(page, checks)

    pathway = Pathway.objects.get(patient__last_name="Lefèvre")
    assert pathway.status == PathwayStatus.CLOSED
    sessions = CareSession.objects.filter(pathway=pathway)
    assert sessions.filter(billing=Billing.REIMBURSED).count() == cap
    assert sessions.filter(billing=Billing.OUT_OF_SCHEME).count() == 1

    write_and_issue_the_report(page, checks)
    print_and_download_the_report(page, checks)

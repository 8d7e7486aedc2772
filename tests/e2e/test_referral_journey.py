"""A doctor refers a patient through the psychologist's link; the psychologist accepts from her inbox."""

import re

import pytest
from playwright.sync_api import expect

from referrals.models import Referral, ReferralStatus

from .forms import button, field, link, menu
from .login import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def referral_link_from_the_profile(page, checks):
    menu(page, "Profil").click()
    checks.arrive("profile")
    region = page.get_by_role("region", name="Votre lien d'adressage")
    return region.get_by_role("link", name=re.compile("adresser")).get_attribute("href")


def send_a_referral(page, checks):
    checks.arrive("referral form")
    doctor = page.get_by_role("group", name="Vous, l'adresseur")
    field(doctor, "Nom").fill("Leroy")
    field(doctor, "Prénom").fill("Anne")
    field(doctor, "Profession").select_option(label="Médecin généraliste")
    field(doctor, "Numéro RPPS ou ADELI").fill("10003456786")
    field(doctor, "Adresse du cabinet").fill("3 rue des Lilas, 69003 Lyon")
    field(doctor, "Téléphone").fill("04 78 00 00 00")
    field(page, "Nom du patient").fill("Garnier")
    field(page, "Prénom du patient").fill("Léa")
    field(page, "Date de naissance du patient").fill("02/03/1988")
    field(page, "Téléphone du patient").fill("06 12 34 56 78")
    field(page, "Motif de l'adressage").fill("Anxiété persistante depuis un changement de poste.")
    checks.expect_visible(button(page, "Envoyer l'adressage"))
    button(page, "Envoyer l'adressage").click()


def print_the_letter(page, checks):
    expect(page.get_by_role("status")).to_contain_text("Votre adressage a été envoyé à Hélène DURAND.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Courrier d'adressage — Mon soutien psy")
    expect(page.get_by_text("Je vous adresse GARNIER Léa, né(e) le 02/03/1988.")).to_be_visible()
    checks.arrive("referral letter")
    checks.expect_visible(button(page, "Imprimer"))
    button(page, "Imprimer").click()
    assert page.evaluate("window.printed") == 1


def accept_from_the_inbox(page, checks, reference):
    menu(page, "Adressages").click()
    checks.arrive("referral inbox")
    expect(page.get_by_role("row", name=re.compile("GARNIER Léa"))).to_contain_text("En attente")
    link(page, reference).click()
    checks.arrive("referral")
    accept = page.get_by_role("region", name="Accepter : ouvrir un parcours")
    expect(field(accept, "Créer un nouveau patient à partir de l'adressage")).to_be_checked()
    field(accept, "Sexe (pour un nouveau patient)").select_option(label="Femme")
    checks.expect_visible(button(accept, "Accepter et ouvrir le parcours"))
    button(accept, "Accepter et ouvrir le parcours").click()
    expect(page.get_by_role("status").filter(has_text="Adressage accepté")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parcours de GARNIER Léa")
    checks.arrive("pathway from a referral")


def test_a_doctor_refers_a_patient_and_the_psychologist_accepts(open_page, psy, live_server, width):
    psy_page, psy_checks = open_page(width)
    log_in(psy_page, live_server.url, psy)
    address = referral_link_from_the_profile(psy_page, psy_checks)

    doctor_page, doctor_checks = open_page(width)
    # The browser's print dialog cannot be driven: count the calls the page's print button makes.
    doctor_page.add_init_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    doctor_page.goto(address)
    send_a_referral(doctor_page, doctor_checks)
    print_the_letter(doctor_page, doctor_checks)

    referral = Referral.objects.get(psychologist=psy)
    assert referral.status == ReferralStatus.PENDING
    accept_from_the_inbox(psy_page, psy_checks, referral.reference)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.pathway.patient.last_name == "Garnier"

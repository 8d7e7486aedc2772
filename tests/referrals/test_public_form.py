"""The public referral form at /adresser/<token>/: no account needed, nothing readable through it."""

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from referrals import services
from referrals.models import Referral, ReferralStatus
from tests.auth import log_in
from tests.factories import PsychologistFactory, ReferralFactory, ReferralLinkFactory

from .sending import day, letter_url, refer_url, referral_form_data, years_ago

pytestmark = pytest.mark.django_db


def send(client, link, remote_addr="127.0.0.1", **changes):
    return client.post(refer_url(link), referral_form_data(**changes), REMOTE_ADDR=remote_addr)


def field_errors(response, name):
    return " ".join(response.context["form"].errors.get(name, []))


# The form


def test_the_form_names_the_psychologist_and_shows_nothing_stored(client, link):
    ReferralFactory(link=link, patient_last_name="Confidentiel")
    page = client.get(refer_url(link)).content.decode()
    assert "Adresser un patient à Hélène DURAND, psychologue" in page
    assert "à partir de 3 ans" in page
    assert "Confidentiel" not in page


def test_the_honeypot_is_hidden_from_humans_and_their_tools(client, link):
    page = client.get(refer_url(link)).content.decode()
    assert '<div class="referral-hp" aria-hidden="true">' in page
    assert 'name="homepage"' in page and 'tabindex="-1"' in page and 'autocomplete="off"' in page
    assert "Laissez ce champ vide" in page


def test_the_emergency_panel_is_on_the_page_hidden_until_the_box_is_ticked(client, link):
    page = client.get(refer_url(link)).content.decode()
    assert 'id="suicide-risk-warning"' in page and " hidden>" in page
    assert "js/referral_form.js" in page
    assert "<script>" not in page  # no inline script: a strict CSP comes later


# Sending


def test_a_valid_referral_is_recorded_for_the_psychologist_and_leads_to_its_letter(client, link, psychologist):
    response = send(client, link, remote_addr="203.0.113.7")

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == letter_url(referral)
    assert (referral.psychologist, referral.link, referral.status) == (psychologist, link, ReferralStatus.PENDING)
    assert (referral.patient_last_name, referral.referrer_number) == ("Martin", "10003456786")
    assert referral.sent_by is None
    assert referral.patient is None and referral.pathway is None


def test_the_sender_address_is_kept_only_as_a_keyed_hash(client, link, settings):
    send(client, link, remote_addr="203.0.113.7")
    fingerprint = Referral.objects.get().sender_fingerprint
    assert "203.0.113.7" not in fingerprint and len(fingerprint) == 64
    assert fingerprint == services.sender_fingerprint("203.0.113.7")
    settings.SECRET_KEY = "another-secret-key"
    assert services.sender_fingerprint("203.0.113.7") != fingerprint


def test_the_letter_holds_what_the_patient_carries_to_the_psychologist(client, link):
    response = send(client, link, psychotropic_treatment="Sertraline 50 mg", psychotropic_started_on="02/01/2026")
    referral = Referral.objects.get()

    page = client.get(response["Location"]).content.decode()

    assert referral.reference in page
    assert "Votre adressage a été envoyé à Hélène DURAND." in page
    assert "Dr Anne LEROY" in page and "RPPS 10003456786" in page and "Médecin généraliste" in page
    assert "Je vous adresse MARTIN Julie, né(e) le 17/05/1990." in page
    assert "Anxiété persistante" in page and "Troubles du sommeil" in page
    assert "Sertraline 50 mg" in page and "Débuté le 02/01/2026." in page
    assert "12 quai Saint-Vincent" in page
    assert timezone.localdate().strftime("%d/%m/%Y") in page
    assert "12 séances au plus par année civile" in page


def test_the_letter_is_readable_only_from_the_browser_that_sent_it(client, link):
    send(client, link)
    referral = Referral.objects.get()
    assert Client().get(letter_url(referral)).status_code == 404


def test_the_letter_is_no_longer_readable_after_an_hour(client, link):
    send(client, link)
    referral = Referral.objects.get()
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - timedelta(minutes=61))
    assert client.get(letter_url(referral)).status_code == 404


def test_the_letter_answers_only_through_the_link_it_was_sent_by(client, link):
    send(client, link)
    referral = Referral.objects.get()
    other_link = ReferralLinkFactory(psychologist=PsychologistFactory())
    url = letter_url(referral).replace(link.token, other_link.token)
    assert client.get(url).status_code == 404


def test_the_browser_keeps_only_its_last_five_letters(client, link):
    for index in range(6):
        send(client, link, patient_last_name=f"Patient{index}", remote_addr=f"198.51.100.{index}")
    first = Referral.objects.get(patient_last_name="Patient0")
    last = Referral.objects.get(patient_last_name="Patient5")
    assert client.get(letter_url(first)).status_code == 404
    assert client.get(letter_url(last)).status_code == 200


def test_another_referral_of_the_same_link_cannot_be_read_with_a_guessed_reference(client, link):
    other = ReferralFactory(link=link)
    send(client, link)
    assert client.get(letter_url(other)).status_code == 404


# Bad links


def test_an_unknown_token_is_a_plain_404(client, link):
    response = client.get("/adresser/abcdefghijklmnopqrstuvwxyz012345/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_a_malformed_token_is_a_404_before_any_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/adresser/%00abcdefghijklmnopqrstuvwxyz/").status_code == 404
        assert client.get("/adresser/short/").status_code == 404


def test_a_revoked_link_is_a_404_and_takes_nothing(client, link):
    link.revoked_at = timezone.now()
    link.save()
    assert client.get(refer_url(link)).status_code == 404
    assert send(client, link).status_code == 404
    assert not Referral.objects.exists()


# Abuse protection


def test_a_post_without_csrf_token_is_refused_and_records_nothing(link):
    response = send(Client(enforce_csrf_checks=True), link)
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_a_filled_honeypot_answers_as_if_sent_and_records_nothing(client, link):
    response = send(client, link, homepage="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == refer_url(link)
    assert "Votre adressage a été envoyé." in client.get(response["Location"]).content.decode()
    assert not Referral.objects.exists()


def test_over_the_limit_of_a_link_a_referral_is_refused_with_429(client, link):
    ReferralFactory.create_batch(services.MAX_REFERRALS_PER_LINK, link=link, sender_fingerprint="elsewhere")

    response = send(client, link)

    assert response.status_code == 429
    assert "Trop d'adressages" in response.content.decode()
    assert Referral.objects.count() == services.MAX_REFERRALS_PER_LINK


def test_the_limit_of_a_link_counts_only_the_last_hour(client, link):
    ReferralFactory.create_batch(services.MAX_REFERRALS_PER_LINK, link=link, sender_fingerprint="elsewhere")
    Referral.objects.update(received_at=timezone.now() - services.RATE_WINDOW - timedelta(minutes=1))
    assert send(client, link).status_code == 302


def test_over_the_limit_of_an_address_a_referral_is_refused_with_429_whatever_the_link(client, link):
    other_link = ReferralLinkFactory(psychologist=PsychologistFactory())
    ReferralFactory.create_batch(services.MAX_REFERRALS_PER_SENDER, link=other_link,
                                 sender_fingerprint=services.sender_fingerprint("203.0.113.7"))

    refused = send(client, link, remote_addr="203.0.113.7")
    accepted = send(client, link, remote_addr="203.0.113.8")

    assert refused.status_code == 429
    assert "Rien n'a été enregistré" in refused.content.decode()
    assert accepted.status_code == 302
    assert Referral.objects.filter(link=link).count() == 1


# Emergency and exclusion criteria


def test_a_suicide_risk_records_nothing_and_tells_whom_to_call(client, link):
    response = send(client, link, suicide_risk="on")
    page = response.content.decode()
    assert response.status_code == 200
    assert '<span class="phone">15</span>' in page and '<span class="phone">3114</span>' in page
    assert "urgences psychiatriques" in page
    assert "Rien n'a été envoyé au psychologue." in page
    assert not Referral.objects.exists()


def test_a_suicide_risk_is_answered_at_once_even_with_an_incomplete_form(client, link):
    response = client.post(refer_url(link), {"suicide_risk": "on"})
    assert '<span class="phone">3114</span>' in response.content.decode()
    assert not Referral.objects.exists()


def test_other_exclusion_criteria_still_send_but_say_the_scheme_seems_not_suited(client, link):
    response = send(client, link, screen_psychiatric_ald="on", screen_severe_disorder="on")
    referral = Referral.objects.get()
    assert (referral.screen_psychiatric_ald, referral.screen_psychiatric_follow_up,
            referral.screen_severe_disorder) == (True, False, True)
    page = client.get(response["Location"]).content.decode()
    assert "le dispositif ne semble pas adapté à ce patient" in page


# Bad input: a message next to the field, everything typed kept, never a 500


def test_a_patient_under_the_minimum_age_is_refused_next_to_the_field_with_the_input_kept(client, link):
    birth_date = day(years_ago(2))
    response = send(client, link, patient_birth_date=birth_date, patient_last_name="Petitjean")
    assert response.status_code == 200
    assert field_errors(response, "patient_birth_date") == (
        "Mon soutien psy est ouvert à partir de 3 ans : ce patient est plus jeune.")
    page = response.content.decode()
    assert f'value="{birth_date}"' in page and 'value="Petitjean"' in page
    assert "Anxiété persistante depuis un changement de poste." in page
    assert not Referral.objects.exists()


def test_a_patient_on_their_third_birthday_may_be_referred(client, link):
    assert send(client, link, patient_birth_date=day(years_ago(3))).status_code == 302


@pytest.mark.parametrize(("typed", "message"), [
    ("05/06/45", "Saisissez une date valide."),
    ("31/02/2020", "Saisissez une date valide."),
    ("01/01/0990", "l'année s'écrit sur 4 chiffres"),
])
def test_a_bad_birth_date_is_refused_with_a_french_message(client, link, typed, message):
    response = send(client, link, patient_birth_date=typed)
    assert message in field_errors(response, "patient_birth_date")
    assert not Referral.objects.exists()


def test_a_birth_date_in_the_future_is_refused(client, link):
    response = send(client, link, patient_birth_date=day(timezone.localdate() + timedelta(days=1)))
    assert field_errors(response, "patient_birth_date") == "La date de naissance est dans le futur."


def test_a_nul_byte_in_a_field_is_an_error_not_a_500(client, link):
    response = send(client, link, patient_last_name="Mar\x00tin", reason="x\x00")
    assert response.status_code == 200
    assert "Le caractère nul n’est pas autorisé." in field_errors(response, "patient_last_name")
    assert not Referral.objects.exists()


def test_overlong_values_are_refused_next_to_their_field(client, link):
    response = send(client, link, patient_last_name="x" * 101, reason="y" * 3001)
    assert response.status_code == 200
    assert "au plus 100 caractères" in field_errors(response, "patient_last_name")
    assert "au plus 3000 caractères" in field_errors(response, "reason")


def test_the_reason_is_required(client, link):
    response = send(client, link, reason="")
    assert field_errors(response, "reason") == "Ce champ est obligatoire."


def test_the_referrer_gives_a_phone_or_an_email(client, link):
    response = send(client, link, referrer_phone="", referrer_email="")
    assert "Indiquez un téléphone ou un e-mail" in field_errors(response, "referrer_phone")
    assert send(client, link, referrer_phone="", referrer_email="a.leroy@example.org").status_code == 302


def test_a_named_treatment_needs_its_start_date_not_in_the_future(client, link):
    without = send(client, link, psychotropic_treatment="Sertraline")
    future = send(client, link, psychotropic_treatment="Sertraline",
                  psychotropic_started_on=day(timezone.localdate() + timedelta(days=3)))
    assert field_errors(without, "psychotropic_started_on") == "Indiquez la date de début du traitement."
    assert field_errors(future, "psychotropic_started_on") == "Cette date est dans le futur."
    assert not Referral.objects.exists()


@pytest.mark.parametrize("number", ["123", "1000345678X", "12345678901234"])
def test_a_number_that_is_neither_rpps_nor_adeli_is_refused(client, link, number):
    response = send(client, link, referrer_number=number)
    assert "RPPS (11 chiffres) ou votre numéro ADELI (9 caractères)" in field_errors(response, "referrer_number")


def test_an_adeli_number_is_accepted(client, link):
    assert send(client, link, referrer_number="69 101 234 8", referrer_profession="midwife").status_code == 302
    referral = Referral.objects.get()
    assert (referral.referrer_number, referral.referrer_number_display) == ("691012348", "ADELI 691012348")


def test_a_number_failing_its_check_digit_is_sent_only_once_confirmed(client, link):
    asked = send(client, link, referrer_number="10003456789")
    assert "La clé de contrôle de ce numéro ne correspond pas" in field_errors(asked, "referrer_number")
    assert "Ce numéro est exact : l'envoyer tel quel" in html.unescape(asked.content.decode())
    assert not Referral.objects.exists()

    assert send(client, link, referrer_number="10003456789", confirm_number="on").status_code == 302
    assert Referral.objects.get().referrer_number == "10003456789"


def test_a_bad_phone_is_refused(client, link):
    response = send(client, link, patient_phone="appelez-moi")
    assert "Indiquez un numéro de téléphone" in field_errors(response, "patient_phone")


# Who sends


def test_a_doctor_logged_in_finds_their_identity_filled_in_and_follows_the_referral(client, link, gp):
    gp.practice_address = "8 place Bellecour, 69002 Lyon"
    gp.save()
    log_in(client, gp)
    page = client.get(refer_url(link)).content.decode()
    assert 'value="Leroy"' in page and "8 place Bellecour" in page

    send(client, link)

    assert Referral.objects.get().sent_by == gp


def test_a_psychologist_logged_in_sends_as_anyone_else(client, link, other_psychologist):
    log_in(client, other_psychologist)
    send(client, link)
    assert Referral.objects.get().sent_by is None

"""The referring doctor's own account: sign-up, login, the list of what they sent and received."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from documents.models import DocumentKind
from pathway.models import PathwayStatus
from referrals.models import DeclineReason, ReferralStatus, ReferrerProfile
from tests.auth import LOGIN_READ, log_in
from tests.factories import (
    DocumentFactory,
    GPFactory,
    PathwayFactory,
    PatientFactory,
    ReferralFactory,
    ReferralLinkFactory,
)

pytestmark = pytest.mark.django_db

PORTAL = reverse("referrals:gp_portal")
SIGNUP = reverse("referrals:gp_signup")
SIGNUP_DATA = {
    "last_name": "Leroy", "first_name": "Anne", "profession": "gp", "number": "10003456786",
    "practice_address": "3 rue des Lilas, 69003 Lyon", "phone": "04 78 00 00 00",
    "email": "Anne.Leroy@example.org", "password1": "un-long-mot-de-passe-7", "password2": "un-long-mot-de-passe-7",
}


@pytest.fixture
def client_gp(client, gp):
    log_in(client, gp)
    return client


def sent(gp, link, **fields):
    return ReferralFactory(link=link, sent_by=gp, **fields)


# Sign-up and login


def test_a_doctor_signs_up_is_logged_in_and_lands_on_their_referrals(client):
    response = client.post(SIGNUP, SIGNUP_DATA)

    user = User.objects.get(username="anne.leroy@example.org")
    assert response["Location"] == PORTAL
    assert (user.role, user.rpps, user.adeli, user.email) == ("gp", "10003456786", "", "anne.leroy@example.org")
    assert ReferrerProfile.objects.get(user=user).profession == "gp"
    assert user.check_password("un-long-mot-de-passe-7")
    assert client.get(PORTAL).status_code == 200


def test_an_adeli_number_is_kept_as_adeli(client):
    client.post(SIGNUP, {**SIGNUP_DATA, "number": "691012348", "profession": "midwife"})
    user = User.objects.get()
    assert (user.rpps, user.adeli) == ("", "691012348")


def test_the_password_validators_apply_in_french(client):
    response = client.post(SIGNUP, {**SIGNUP_DATA, "password1": "court", "password2": "court"})
    assert "trop court" in " ".join(response.context["form"].errors["password1"])
    assert not User.objects.exists()


def test_two_different_passwords_are_refused(client):
    response = client.post(SIGNUP, {**SIGNUP_DATA, "password2": "un-autre-mot-de-passe-8"})
    assert response.context["form"].errors["password2"] == ["Les deux mots de passe diffèrent."]


def test_an_email_already_used_is_refused(client):
    GPFactory(username="anne.leroy@example.org")
    response = client.post(SIGNUP, SIGNUP_DATA)
    assert "Un compte existe déjà avec cet e-mail" in response.context["form"].errors["email"][0]
    assert User.objects.count() == 1


def test_a_doctor_logging_in_lands_on_their_referrals(client):
    GPFactory(username="dr-leroy", password="a-long-test-password")
    response = client.post(reverse("accounts:login"), {"username": "dr-leroy", "password": "a-long-test-password"})
    assert response["Location"] == PORTAL


# The portal


def test_the_portal_lists_only_the_referrals_this_account_sent_with_what_became_of_them(client_gp, gp, link):
    sent(gp, link, patient_last_name="Attente")
    sent(gp, link, patient_last_name="Refuse", status=ReferralStatus.DECLINED,
         decline_reason=DeclineReason.NO_AVAILABILITY, decline_note="Essayez le CMP.", decided_at=timezone.now())
    ongoing = PathwayFactory(patient=PatientFactory(psychologist=link.psychologist), with_letter=True)
    sent(gp, link, patient_last_name="Suivi", status=ReferralStatus.ACCEPTED, patient=ongoing.patient,
         pathway=ongoing, decided_at=timezone.now())
    ended = PathwayFactory(patient=PatientFactory(psychologist=link.psychologist), with_letter=True,
                           status=PathwayStatus.CLOSED)
    sent(gp, link, patient_last_name="Termine", status=ReferralStatus.ACCEPTED, patient=ended.patient,
         pathway=ended, decided_at=timezone.now())
    ReferralFactory(link=link, patient_last_name="Anonyme")
    ReferralFactory(link=link, patient_last_name="Confrere", sent_by=GPFactory())

    page = client_gp.get(PORTAL).content.decode()

    assert "ATTENTE" in page and "En attente" in page
    assert "REFUSE" in page and "Pas de disponibilité dans un délai raisonnable" in page
    assert "Essayez le CMP." in page
    assert "SUIVI" in page and "Accepté" in page
    assert "TERMINE" in page and "Prise en charge terminée" in page
    assert "ANONYME" not in page and "CONFRERE" not in page
    assert "Hélène DURAND" in page


def test_the_portal_lists_the_reports_released_to_this_account(client_gp, gp, link):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=link.psychologist, last_name="Martin"))
    document = DocumentFactory(pathway=pathway, issued_at=timezone.now(), issued_html="<p>x</p>",
                               released_at=timezone.now(), released_to=gp)
    DocumentFactory(pathway=pathway, kind=DocumentKind.ALERT, issued_at=timezone.now(), issued_html="<p>y</p>",
                    released_at=timezone.now(), released_to=GPFactory())

    page = client_gp.get(PORTAL).content.decode()

    with translation.override("fr"):
        assert str(DocumentKind.END_OF_CARE.label) in page
        assert str(DocumentKind.ALERT.label) not in page
    assert reverse("documents:print", kwargs={"document_id": document.pk}) in page
    assert reverse("documents:pdf", kwargs={"document_id": document.pk}) in page


def test_the_portal_says_when_nothing_was_sent_nor_received(client_gp):
    page = client_gp.get(PORTAL).content.decode()
    assert "Vous n'avez encore envoyé aucun adressage depuis ce compte." in page
    assert "Aucun compte rendu reçu pour l'instant." in page


def test_a_psychologist_gets_404_on_the_doctors_portal(client_psy):
    assert client_psy.get(PORTAL).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    assert client.get(PORTAL)["Location"].startswith(reverse("accounts:login"))


def test_a_logged_in_user_is_not_offered_a_second_account(client, gp, psychologist):
    assert client.get(SIGNUP).status_code == 200
    log_in(client, gp)
    assert client.get(SIGNUP)["Location"] == PORTAL
    other = Client()
    log_in(other, psychologist)
    assert other.get(SIGNUP)["Location"] == reverse("accounts:profile")


# The menu


def test_a_doctor_sees_only_their_referrals_and_profile_in_the_menu(client_gp):
    page = client_gp.get(PORTAL).content.decode()
    assert "Mes adressages" in page and "Profil" in page
    assert reverse("pathway:patient_list") not in page and reverse("referrals:inbox") not in page


def test_a_psychologist_sees_the_referrals_inbox_in_the_menu(client_psy):
    page = client_psy.get(reverse("pathway:dashboard")).content.decode()
    assert f'href="{reverse("referrals:inbox")}">Adressages</a>' in page
    assert PORTAL not in page


# Query counts


@pytest.mark.parametrize("size", [1, 30])
def test_the_portal_runs_a_fixed_number_of_queries(client_gp, gp, size, django_assert_num_queries):
    for _ in range(size):
        link = ReferralLinkFactory()
        pathway = PathwayFactory(patient=PatientFactory(psychologist=link.psychologist), with_letter=True)
        sent(gp, link, status=ReferralStatus.ACCEPTED, patient=pathway.patient, pathway=pathway,
             decided_at=timezone.now())
        DocumentFactory(pathway=pathway, issued_at=timezone.now(), issued_html="<p>x</p>",
                        released_at=timezone.now(), released_to=gp)
    with django_assert_num_queries(LOGIN_READ + 3):  # the count, the referrals, the documents
        client_gp.get(PORTAL)


def test_an_email_a_login_cannot_hold_is_refused_next_to_the_field(client):
    # "&" is valid in an email but not in a username, and the email becomes the login.
    response = client.post(SIGNUP, {**SIGNUP_DATA, "email": "anne&leroy@example.org"})
    assert "identifiant de connexion" in response.context["form"].errors["email"][0]
    assert not User.objects.exists()

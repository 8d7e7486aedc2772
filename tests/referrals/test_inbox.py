"""The psychologist's referral inbox: list, detail, accept, decline — owner-scoped, fixed queries."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway.models import EntryMode, Pathway, PathwayEvent, Patient
from referrals.models import DeclineReason, Referral, ReferralStatus
from tests.auth import LOGIN_READ, log_in
from tests.factories import PathwayFactory, PatientFactory, ReferralFactory, ReferralLinkFactory

from .sending import day

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def referral(link):
    return ReferralFactory(link=link, patient_last_name="Lefèvre", patient_first_name="Julie",
                           patient_birth_date=date(1990, 5, 17), screen_psychiatric_follow_up=True,
                           clinical_context="Insomnie depuis trois mois.")


def url(name, referral):
    return reverse(f"referrals:{name}", kwargs={"referral_id": referral.pk})


def accept_new(**changes):
    return {"target": "new", "sex": "F", "opened_on": day(TODAY), **changes}


# The list


def test_the_inbox_lists_pending_referrals_first(client_psy, link):
    ReferralFactory(link=link, patient_last_name="Ancien", status=ReferralStatus.DECLINED,
                    decline_reason=DeclineReason.OTHER, decided_at=timezone.now())
    older = ReferralFactory(link=link, patient_last_name="Attente")
    Referral.objects.filter(pk=older.pk).update(received_at=timezone.now() - timedelta(days=3))

    page = client_psy.get(reverse("referrals:inbox")).content.decode()

    assert page.index("ATTENTE") < page.index("ANCIEN")
    assert "En attente" in page and "Refusé" in page


def test_the_inbox_shows_only_the_psychologists_own_referrals(client_psy, link, other_psychologist):
    ReferralFactory(link=ReferralLinkFactory(psychologist=other_psychologist), patient_last_name="Ailleurs")
    page = client_psy.get(reverse("referrals:inbox")).content.decode()
    assert "AILLEURS" not in page
    assert "0 adressage" in page


def test_the_inbox_flags_referrals_with_exclusion_criteria(client_psy, referral):
    assert "Critères d'exclusion cochés" in client_psy.get(reverse("referrals:inbox")).content.decode()


# The detail


def test_the_detail_shows_everything_the_referrer_sent_with_the_flags_highlighted(client_psy, referral):
    page = client_psy.get(url("detail", referral)).content.decode()
    assert referral.reference in page
    assert "LEFÈVRE Julie" in page and "17/05/1990" in page
    assert "Dr Anne LEROY, médecin généraliste" in page and "RPPS 10003456786" in page
    assert "Insomnie depuis trois mois." in page
    assert "L'adresseur a coché des critères qui excluent Mon soutien psy" in page
    assert "Déjà suivi en psychiatrie" in page


def test_the_detail_suggests_own_patients_with_the_same_name_and_birth_date(
    client_psy, referral, psychologist, other_psychologist
):
    same = PatientFactory(psychologist=psychologist, last_name="LEFEVRE", birth_date=date(1990, 5, 17))
    PatientFactory(psychologist=psychologist, last_name="Lefèvre", birth_date=date(1991, 5, 17))
    PatientFactory(psychologist=other_psychologist, last_name="Lefèvre", birth_date=date(1990, 5, 17))

    response = client_psy.get(url("detail", referral))

    assert response.context["matches"] == [same]
    assert "Peut-être déjà l'un de vos patients" in response.content.decode()
    assert response.context["accept_form"]["patient"].initial == same.pk


def test_the_patients_offered_for_linking_are_only_the_psychologists_own(
    client_psy, referral, psychologist, other_psychologist
):
    PatientFactory(psychologist=psychologist, last_name="Mienne")
    PatientFactory(psychologist=other_psychologist, last_name="Etrangere")
    page = client_psy.get(url("detail", referral)).content.decode()
    assert "MIENNE" in page and "ETRANGERE" not in page


# Accepting


def test_accepting_with_a_new_patient_opens_the_pathway_and_goes_there(client_psy, referral, psychologist):
    response = client_psy.post(url("accept", referral), accept_new(), follow=True)

    pathway = Pathway.objects.get()
    referral.refresh_from_db()
    assert response.redirect_chain[-1][0] == reverse("pathway:detail", kwargs={"pathway_id": pathway.pk})
    assert "Adressage accepté : le parcours est ouvert" in response.content.decode()
    assert (pathway.entry_mode, pathway.patient.last_name, pathway.psychologist) == (
        EntryMode.REFERRAL, "Lefèvre", psychologist)
    assert pathway.events.get().action == PathwayEvent.Action.OPENED
    assert (referral.status, referral.pathway, referral.patient) == (
        ReferralStatus.ACCEPTED, pathway, pathway.patient)


def test_accepting_may_link_one_of_the_psychologists_patients(client_psy, referral, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    client_psy.post(url("accept", referral), {"target": "existing", "patient": patient.pk, "opened_on": day(TODAY)})
    assert Pathway.objects.get().patient == patient
    assert Patient.objects.count() == 1


def test_another_psychologists_patient_cannot_be_linked(client_psy, referral, other_psychologist):
    stranger = PatientFactory(psychologist=other_psychologist)
    response = client_psy.post(url("accept", referral),
                               {"target": "existing", "patient": stranger.pk, "opened_on": day(TODAY)})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.context["accept_form"].errors["patient"][0]
    assert not Pathway.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_a_nul_byte_in_the_patient_choice_is_an_error_not_a_500(client_psy, referral):
    response = client_psy.post(url("accept", referral),
                               {"target": "existing", "patient": "\x00", "opened_on": day(TODAY)})
    assert response.status_code == 200
    assert "patient" in response.context["accept_form"].errors
    assert not Pathway.objects.exists()


def test_a_new_patient_needs_a_sex(client_psy, referral):
    response = client_psy.post(url("accept", referral), accept_new(sex=""))
    assert response.context["accept_form"].errors["sex"] == ["Indiquez le sexe du nouveau patient."]
    assert not Patient.objects.exists()


def test_a_refusal_of_the_rules_is_shown_next_to_the_form_and_nothing_is_written(client_psy, referral, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    PathwayFactory(patient=patient)

    response = client_psy.post(url("accept", referral),
                               {"target": "existing", "patient": patient.pk, "opened_on": day(TODAY)})

    assert response.status_code == 200
    assert "a déjà un parcours en cours" in response.content.decode()
    assert Pathway.objects.count() == 1
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_a_second_accept_opens_no_second_pathway(client_psy, referral):
    client_psy.post(url("accept", referral), accept_new())
    response = client_psy.post(url("accept", referral), accept_new(), follow=True)
    assert "Cet adressage a déjà été accepté." in response.content.decode()
    assert Pathway.objects.count() == 1 and Patient.objects.count() == 1


def test_the_detail_of_an_accepted_referral_leads_to_its_pathway(client_psy, referral):
    client_psy.post(url("accept", referral), accept_new())
    page = client_psy.get(url("detail", referral)).content.decode()
    assert reverse("pathway:detail", kwargs={"pathway_id": Pathway.objects.get().pk}) in page
    assert "Accepter et ouvrir le parcours" not in page


# Declining


def test_declining_records_the_reason_and_returns_to_the_inbox(client_psy, referral):
    response = client_psy.post(url("decline", referral), {"reason": "out_of_area", "note": "Trop loin."}, follow=True)
    referral.refresh_from_db()
    assert response.redirect_chain[-1][0] == reverse("referrals:inbox")
    assert "Adressage refusé." in response.content.decode()
    assert (referral.status, referral.decline_reason, referral.decline_note) == (
        ReferralStatus.DECLINED, "out_of_area", "Trop loin.")


def test_declining_needs_a_reason(client_psy, referral):
    response = client_psy.post(url("decline", referral), {"reason": ""})
    assert response.context["decline_form"].errors["reason"] == ["Ce champ est obligatoire."]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_an_accepted_referral_cannot_be_declined(client_psy, referral):
    client_psy.post(url("accept", referral), accept_new())
    response = client_psy.post(url("decline", referral), {"reason": "other"}, follow=True)
    assert "Cet adressage a déjà été accepté." in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


# Who may see it


def test_another_psychologist_gets_404_on_every_referral_url(client, referral, other_psychologist):
    own_patient = PatientFactory(psychologist=other_psychologist)
    log_in(client, other_psychologist)
    for name in ("detail", "accept", "decline"):
        assert client.get(url(name, referral)).status_code == 404, name
    assert client.post(url("accept", referral), {"target": "existing", "patient": own_patient.pk,
                                                 "opened_on": day(TODAY)}).status_code == 404
    assert client.post(url("accept", referral), accept_new()).status_code == 404
    assert client.post(url("decline", referral), {"reason": "other"}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    assert not Pathway.objects.exists()


def test_a_doctor_gets_404_on_every_psychologist_page(client, referral, gp):
    log_in(client, gp)
    for page in (reverse("referrals:inbox"), url("detail", referral), url("accept", referral),
                 url("decline", referral), reverse("referrals:poster")):
        assert client.get(page).status_code == 404, page
    assert client.post(url("accept", referral), accept_new()).status_code == 404
    assert client.post(reverse("referrals:link_replace")).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, referral):
    for page in (reverse("referrals:inbox"), url("detail", referral), url("accept", referral)):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


# Query counts


@pytest.mark.parametrize("size", [1, 30])
def test_the_inbox_runs_a_fixed_number_of_queries(client_psy, link, size, django_assert_num_queries):
    ReferralFactory.create_batch(size, link=link)
    with django_assert_num_queries(LOGIN_READ + 2):  # the count, the page's rows
        client_psy.get(reverse("referrals:inbox"))


@pytest.mark.parametrize("size", [1, 30])
def test_the_detail_runs_a_fixed_number_of_queries(client_psy, link, psychologist, size, django_assert_num_queries):
    referral = ReferralFactory(link=link, patient_last_name="Lefèvre", patient_birth_date=date(1990, 5, 17))
    for _ in range(size):
        PatientFactory(psychologist=psychologist, last_name="Lefevre", birth_date=date(1990, 5, 17))
    # the referral, the matches, the patients to link; the access trace (privacy.middleware)
    with django_assert_num_queries(LOGIN_READ + 3 + 1):
        client_psy.get(url("detail", referral))

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway.models import Patient
from tests.factories import CareSessionFactory, PathwayFactory, PatientFactory

pytestmark = pytest.mark.django_db

VALID = {"last_name": "Lefèvre", "first_name": "Zoé", "birth_date": "17/05/1990", "sex": "F"}
# 2 90 05 2A 004 005: Corsica-born; the key is computed with 2A read as 19.
CORSICAN_NIR = "290052A004005" + f"{97 - int('2900519004005') % 97:02d}"


def create(client, **changes):
    return client.post(reverse("pathway:patient_create"), {**VALID, **changes})


def test_it_creates_a_patient_for_the_logged_in_psychologist(client_psy, psychologist):
    response = create(client_psy)
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert (patient.psychologist, patient.last_name, patient.birth_date) == (psychologist, "Lefèvre", date(1990, 5, 17))


def test_it_accepts_a_corsican_nir(client_psy):
    create(client_psy, nir=CORSICAN_NIR)
    assert Patient.objects.get().nir == CORSICAN_NIR


def test_it_refuses_a_wrong_nir_key_next_to_the_field_and_keeps_the_input(client_psy):
    wrong = CORSICAN_NIR[:-2] + ("00" if CORSICAN_NIR[-2:] != "00" else "01")
    response = create(client_psy, nir=wrong)
    assert response.status_code == 200
    assert "La clé du NIR ne correspond pas" in response.context["form"].errors["nir"][0]
    assert 'value="Lefèvre"' in response.content.decode()
    assert not Patient.objects.exists()


def test_it_refuses_a_nir_of_the_wrong_length(client_psy):
    response = create(client_psy, nir="1234")
    assert "15 caractères" in response.context["form"].errors["nir"][0]


def test_it_reads_no_two_digit_year_as_a_birth_date(client_psy):
    response = create(client_psy, birth_date="05/06/45")
    assert "birth_date" in response.context["form"].errors
    assert not Patient.objects.exists()


def test_it_refuses_a_birth_date_in_the_future(client_psy):
    response = create(client_psy, birth_date="01/01/2999")
    assert "dans le futur" in response.context["form"].errors["birth_date"][0]


def test_a_consent_date_needs_the_holders_name(client_psy):
    response = create(client_psy, birth_date="01/01/2015", guardian_1_consent_on="01/09/2025")
    assert "guardian_1_name" in response.context["form"].errors


def test_it_edits_its_own_patient(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    client_psy.post(reverse("pathway:patient_edit", kwargs={"patient_id": patient.pk}),
                    {**VALID, "last_name": "Moreau"})
    patient.refresh_from_db()
    assert patient.last_name == "Moreau"


def test_the_list_shows_only_its_own_patients_with_their_count_this_year(client_psy, psychologist,
                                                                        other_psychologist):
    mine = PatientFactory(psychologist=psychologist, last_name="Bérard")
    PatientFactory(psychologist=other_psychologist, last_name="Inconnu")
    pathway = PathwayFactory(patient=mine)
    CareSessionFactory(pathway=pathway, kind="evaluation", date=date(timezone.localdate().year, 1, 3))
    CareSessionFactory(pathway=pathway, date=date(timezone.localdate().year, 1, 10))
    page = client_psy.get(reverse("pathway:patient_list")).content.decode()
    assert "BÉRARD" in page
    assert "INCONNU" not in page
    assert "2 / 12 cette année" in page


def test_the_search_finds_a_patient_by_any_case(client_psy, psychologist):
    PatientFactory(psychologist=psychologist, last_name="Garnier", first_name="Hélène")
    PatientFactory(psychologist=psychologist, last_name="Roux", first_name="Paul")
    page = client_psy.get(reverse("pathway:patient_list"), {"q": "garn"}).content.decode()
    assert "GARNIER" in page
    assert "ROUX" not in page


def test_a_nul_byte_in_the_search_is_refused_without_a_500(client_psy, psychologist):
    PatientFactory(psychologist=psychologist)
    response = client_psy.get(reverse("pathway:patient_list") + "?q=a%00b")
    assert response.status_code == 200


def test_the_list_is_paginated(client_psy, psychologist):
    for index in range(30):
        PatientFactory(psychologist=psychologist, last_name=f"Patient{index:02d}")
    first = client_psy.get(reverse("pathway:patient_list")).content.decode()
    second = client_psy.get(reverse("pathway:patient_list"), {"page": 2}).content.decode()
    assert "PATIENT00" in first and "PATIENT29" not in first
    assert "PATIENT29" in second


def test_it_records_sessions_declared_elsewhere(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    client_psy.post(reverse("pathway:declared_sessions_add", kwargs={"patient_id": patient.pk}), {
        "year": timezone.localdate().year, "count": 4, "included_evaluation": "on",
        "source": "relevé ameli", "declared_on": timezone.localdate().strftime("%d/%m/%Y"),
    })
    page = client_psy.get(reverse("pathway:patient_detail", kwargs={"patient_id": patient.pk})).content.decode()
    assert "4 / 12 cette année" in page


def test_declared_sessions_beyond_the_cap_are_refused(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    response = client_psy.post(reverse("pathway:declared_sessions_add", kwargs={"patient_id": patient.pk}), {
        "year": timezone.localdate().year, "count": 13, "source": "relevé ameli",
        "declared_on": timezone.localdate().strftime("%d/%m/%Y"),
    })
    assert "count" in response.context["form"].errors
    assert not patient.declared_sessions.exists()


def test_the_patient_page_links_to_this_years_statement_of_sessions(client_psy, psychologist):
    patient = PatientFactory(psychologist=psychologist)
    year = timezone.localdate().year
    page = client_psy.get(reverse("pathway:patient_detail", kwargs={"patient_id": patient.pk}))
    statement = reverse("documents:statement", kwargs={"patient_id": patient.pk, "year": year})
    assert f'href="{statement}"' in page.content.decode()

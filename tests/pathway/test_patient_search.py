"""The patient search ignores accents and case, stays in the caseload, and has an index to use."""

import pytest
from django.db import connection
from django.urls import reverse

from pathway import selectors
from pathway.models import Patient, search_key
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def found(client, query):
    return client.get(reverse("pathway:patient_list"), {"q": query}).content.decode()


@pytest.mark.parametrize("query", ["helene", "HELENE", "Hélène", "hÉlÈne"])
def test_it_finds_helene_however_it_is_typed(client_psy, psychologist, query):
    PatientFactory(psychologist=psychologist, last_name="Garnier", first_name="Hélène")
    PatientFactory(psychologist=psychologist, last_name="Roux", first_name="Paul")
    page = found(client_psy, query)
    assert "GARNIER" in page and "ROUX" not in page


def test_an_accented_query_finds_a_name_typed_without_accents(client_psy, psychologist):
    PatientFactory(psychologist=psychologist, last_name="Lefevre", first_name="Helene")
    assert "LEFEVRE" in found(client_psy, "Lefèvre Hélène")


def test_ligatures_are_searched_as_their_letters(client_psy, psychologist):
    PatientFactory(psychologist=psychologist, last_name="Lœuillet", first_name="Lætitia")
    assert "LŒUILLET" in found(client_psy, "loeuillet laetitia")


def test_every_word_must_match(client_psy, psychologist):
    PatientFactory(psychologist=psychologist, last_name="Martin", first_name="Zoé")
    PatientFactory(psychologist=psychologist, last_name="Martin", first_name="Léa")
    page = found(client_psy, "martin zoe")
    assert "Zoé" in page and "Léa" not in page


def test_a_nir_prefix_searches_the_nir(client_psy, psychologist):
    PatientFactory(psychologist=psychologist, last_name="Numéro", nir="283052A00412345")
    PatientFactory(psychologist=psychologist, last_name="Autre", nir="190017512345678")
    page = found(client_psy, "2830")
    assert "NUMÉRO" in page and "AUTRE" not in page


@pytest.mark.parametrize("query", ["%", "_", "\\", "2%", "2_"])
def test_like_wildcards_typed_in_the_search_are_plain_characters(client_psy, psychologist, query):
    PatientFactory(psychologist=psychologist, last_name="Garnier", first_name="Hélène", nir="283052A00412345")
    assert "GARNIER" not in found(client_psy, query)


def test_it_never_finds_another_psychologists_patient(client_psy, other_psychologist):
    PatientFactory(psychologist=other_psychologist, last_name="Étranger", first_name="Hélène")
    assert "ÉTRANGER" not in found(client_psy, "helene")


def test_the_search_name_follows_a_renaming(psychologist):
    patient = PatientFactory(psychologist=psychologist, last_name="Dupont", first_name="Chloé")
    assert patient.search_name == "dupont chloe"
    patient.last_name = "Bézier"
    patient.save(update_fields=["last_name"])
    assert Patient.objects.get(pk=patient.pk).search_name == "bezier chloe"


def test_search_key_lowercases_and_strips_accents():
    assert search_key("Hélène ÉLOÏSE Müller Œdipe") == "helene eloise muller oedipe"


def plan(queryset=None, sql=None, params=None):
    if queryset is not None:
        sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_postgresql_can_answer_the_search_from_the_trigram_index(psychologist):
    """The plan, not a timing: with a few hundred rows a sequential scan is the cheapest plan, so
    sequential scans are switched off for this transaction to show which index the search can use.
    At a million rows the benchmark prints the plan PostgreSQL chooses by itself (for a large
    caseload and a common name, the caseload's own index; for a rarer name, the trigram index)."""
    Patient.objects.bulk_create(
        Patient(psychologist=psychologist, last_name=f"Nom{index:03d}", first_name="Paul", birth_date="1980-01-01",
                sex="M", search_name=f"nom{index:03d} paul") for index in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pathway_patient")
        cursor.execute("SET LOCAL enable_seqscan = off")
    searched = Patient.objects.filter(selectors.word_filter("Hélène"))
    assert "pathway_patient_search_trgm" in plan(searched)
    sql, params = selectors.patient_page_sql(psychologist, "Hélène", 0, 25)
    scoped = plan(sql=sql, params=params)
    assert "Index Scan" in scoped and "Seq Scan" not in scoped

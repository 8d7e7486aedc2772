"""The psychologist's journal: the traces of their own patients only, filtered, paginated, as CSV."""

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from privacy.models import AccessLogEntry, Action
from tests.auth import LOGIN_READ, log_in
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

JOURNAL = reverse("privacy:journal")
CSV = reverse("privacy:journal_csv")


def at(day, month, year=2026, hour=10, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


def trace(patient, when=None, actor_name="Hélène Durand", action=Action.READ, **fields):
    return AccessLogEntry.objects.create(
        at=when or at(2, 11), actor_id=patient.psychologist_id, actor_name=actor_name,
        owner_id=patient.psychologist_id, patient_id=patient.pk, action=action, object_type="patient",
        object_id=str(patient.pk), url_name="pathway:patient_detail", ip="192.0.2.1", **fields)


def rows(response):
    return list(response.context["page"]) if response.context["page"] else []


@pytest.fixture
def mine(psychologist):
    return PatientFactory(psychologist=psychologist, last_name="Lefèvre", first_name="Zoé")


@pytest.fixture
def theirs(other_psychologist):
    return PatientFactory(psychologist=other_psychologist, last_name="Secret", first_name="Paul")


def test_a_psychologist_sees_the_traces_of_their_own_patients_only(client, psychologist, mine, theirs):
    own = trace(mine)
    trace(theirs, actor_name="Marc Petit")
    response = log_in(client, psychologist).get(JOURNAL)
    assert rows(response) == [own]
    html = response.content.decode()
    assert "LEFÈVRE Zoé" in html and "Secret" not in html and "Marc Petit" not in html


def test_the_filter_lists_no_patients_so_the_page_does_not_grow_with_the_caseload(client, psychologist, mine):
    others = [PatientFactory(psychologist=psychologist) for _index in range(5)]
    html = log_in(client, psychologist).get(JOURNAL).content.decode()
    assert "<option" not in html
    assert not any(other.last_name.upper() in html for other in others)


def test_a_name_typed_without_accents_finds_that_patients_traces_only(client, psychologist, mine):
    own = trace(mine)
    trace(PatientFactory(psychologist=psychologist, last_name="Martin", first_name="Paul"))
    response = log_in(client, psychologist).get(JOURNAL, {"name": "lefevre"})
    assert rows(response) == [own]
    assert 'value="lefevre"' in response.content.decode()


def test_a_name_of_another_psychologists_patient_finds_nothing(client, psychologist, mine, theirs):
    trace(theirs)
    assert rows(log_in(client, psychologist).get(JOURNAL, {"name": "secret"})) == []


def test_the_link_from_a_patients_page_shows_their_traces_and_a_way_back(client, psychologist, mine):
    own = trace(mine)
    trace(PatientFactory(psychologist=psychologist))
    response = log_in(client, psychologist).get(JOURNAL, {"patient": str(mine.pk)})
    assert rows(response) == [own]
    html = response.content.decode()
    assert "Traces de <strong>LEFÈVRE Zoé</strong> uniquement." in html
    assert f'name="patient" value="{mine.pk}"' in html
    assert "Afficher tous mes patients" in html


@pytest.mark.parametrize("value", ["not-a-uuid", "theirs"])
def test_asking_for_another_psychologists_patient_shows_an_error_and_no_trace(client, psychologist, mine, theirs,
                                                                            value):
    trace(theirs)
    response = log_in(client, psychologist).get(JOURNAL, {"patient": str(theirs.pk) if value == "theirs" else value})
    assert response.status_code == 200
    assert rows(response) == []
    assert response.context["form"].errors["patient"] == ["Ce patient n'est pas dans votre patientèle."]
    assert "Ce patient n&#x27;est pas dans votre patientèle." in response.content.decode()
    assert "Secret" not in response.content.decode()


def test_a_doctor_and_a_visitor_have_no_journal(client, gp):
    assert client.get(JOURNAL).status_code == 302
    log_in(client, gp)
    assert client.get(JOURNAL).status_code == 404
    assert client.get(CSV).status_code == 404


def test_it_filters_by_patient_and_by_dates_with_the_end_day_included(client, psychologist, mine):
    other = PatientFactory(psychologist=psychologist)
    early, inside, last_day, late = (trace(mine, at(31, 10)), trace(mine, at(1, 11)), trace(mine, at(5, 11, hour=23)),
                                     trace(mine, at(6, 11)))
    trace(other, at(2, 11))
    response = log_in(client, psychologist).get(JOURNAL, {"patient": str(mine.pk), "start": "01/11/2026",
                                                          "end": "05/11/2026"})
    assert rows(response) == [last_day, inside]
    assert {early, late}.isdisjoint(rows(response))


@pytest.mark.parametrize("field, value, message", [
    ("start", "2026-11-01", "Saisissez une date au format jj/mm/aaaa."),
    ("start", "01/11/26", "Saisissez une date au format jj/mm/aaaa."),
    ("end", "31/02/2026", "Saisissez une date au format jj/mm/aaaa."),
    ("start", "\x00", "Saisissez une date au format jj/mm/aaaa."),
])
def test_a_bad_date_is_told_in_french_next_to_its_field_and_kept(client, psychologist, mine, field, value, message):
    trace(mine)
    response = log_in(client, psychologist).get(JOURNAL, {field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert rows(response) == []
    assert f'value="{value}"' in response.content.decode() or field == "start" and value == "\x00"


def test_an_end_before_the_start_is_refused(client, psychologist, mine):
    response = log_in(client, psychologist).get(JOURNAL, {"start": "05/11/2026", "end": "01/11/2026"})
    assert response.context["form"].errors["end"] == ["La date de fin est antérieure à la date de début."]


def test_it_pages_by_fifty_and_keeps_the_filters_in_the_page_links(client, psychologist, mine):
    for minute in range(60):
        trace(mine, at(2, 11, minute=minute))
    log_in(client, psychologist)
    first = client.get(JOURNAL, {"patient": str(mine.pk)})
    assert len(rows(first)) == 50
    assert f"?patient={mine.pk}&amp;page=2" in first.content.decode()
    assert len(rows(client.get(JOURNAL, {"patient": str(mine.pk), "page": 2}))) == 10


@pytest.mark.parametrize("size", [1, 60])
def test_the_journal_runs_a_fixed_number_of_queries(client, psychologist, size, django_assert_num_queries):
    patients = [PatientFactory(psychologist=psychologist) for _ in range(min(size, 20))]
    for index in range(size):
        trace(patients[index % len(patients)])
    log_in(client, psychologist)
    # After the login's read: the chosen patient, the count, the page.
    with django_assert_num_queries(LOGIN_READ + 3):
        response = client.get(JOURNAL, {"patient": str(patients[0].pk), "start": "01/01/2026"})
    assert response.status_code == 200
    # After the login's read: the count, the page, the names of the page's patients.
    with django_assert_num_queries(LOGIN_READ + 3):
        response = client.get(JOURNAL, {"name": patients[0].last_name, "start": "01/01/2026"})
    assert len(response.context["page"]) >= 1


def test_an_erased_patients_traces_stay_and_say_so(client, psychologist, mine):
    gone = trace(mine)
    mine.delete()
    response = log_in(client, psychologist).get(JOURNAL)
    assert rows(response) == [gone]
    assert "effacé" in response.content.decode()


def read_csv(response):
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=";"))


def test_the_csv_export_is_for_excel_in_french(client, psychologist, mine):
    trace(mine, at(2, 11, hour=9, minute=5))
    response = log_in(client, psychologist).get(CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="journal-acces-')
    header, row = read_csv(response)
    assert header == ["Date", "Utilisateur", "Action", "Objet", "Identifiant de l'objet", "Patient", "Page",
                      "Adresse IP"]
    assert row == ["02/11/2026 09:05", "Hélène Durand", "Lecture", "Patient", str(mine.pk), "LEFÈVRE Zoé",
                   "pathway:patient_detail", "192.0.2.1"]


def test_the_csv_export_neutralises_formulas(client, psychologist):
    patient = PatientFactory(psychologist=psychologist, last_name="=HYPERLINK(\"http://x\")", first_name="a")
    for name in ("=1+1", "+33", "-2", "@SUM(A1)", "Plain"):
        trace(patient, actor_name=name)
    data = read_csv(log_in(client, psychologist).get(CSV))[1:]
    assert sorted(row[1] for row in data) == ["'+33", "'-2", "'=1+1", "'@SUM(A1)", "Plain"]
    assert all(row[5] == '=HYPERLINK("HTTP://X") a'.replace("=", "'=", 1) for row in data)


def test_the_csv_export_follows_the_filters_and_the_owner(client, psychologist, mine, theirs):
    other = PatientFactory(psychologist=psychologist)
    trace(mine, at(2, 11))
    trace(mine, at(2, 10))
    trace(other, at(2, 11))
    trace(theirs, at(2, 11))
    data = read_csv(log_in(client, psychologist).get(CSV, {"patient": str(mine.pk), "start": "01/11/2026"}))[1:]
    assert [row[0] for row in data] == ["02/11/2026 10:00"]


def test_the_csv_export_with_a_bad_filter_shows_the_page_with_the_error(client, psychologist):
    response = log_in(client, psychologist).get(CSV, {"start": "demain"})
    assert response.status_code == 200
    assert response.context["form"].errors["start"] == ["Saisissez une date au format jj/mm/aaaa."]


def test_the_menu_offers_the_journal_to_psychologists_only(client, psychologist, gp):
    html = log_in(client, psychologist).get(reverse("pathway:dashboard")).content.decode()
    assert f'href="{JOURNAL}">Journal d\'accès</a>' in html
    assert f'href="{JOURNAL}"' not in log_in(client, gp).get(reverse("accounts:profile")).content.decode()


def test_an_empty_journal_says_so(client, psychologist, mine):
    html = log_in(client, psychologist).get(JOURNAL).content.decode()
    assert "Aucune trace pour ces critères." in html
    assert "conservées 365 jours" in html

"""403, 404 and 500 in French, in the site's style, with DEBUG off: they tell nothing of what failed."""

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.template import loader
from django.test import Client
from django.urls import reverse

from tests.auth import log_in
from tests.factories import PatientFactory

from .error_urls import SECRET

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ops.error_urls")]


def assert_says_nothing_of(response, *secrets):
    page = response.content.decode()
    for secret in (SECRET, "Traceback", "RuntimeError", "PermissionDenied", "settings", *secrets):
        assert secret not in page


def test_the_error_pages_are_tested_as_served():
    assert settings.DEBUG is False


def test_a_crash_shows_the_french_500_page_and_nothing_of_the_error():
    response = Client(raise_request_exception=False).get("/test-crash/")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()
    assert_says_nothing_of(response, "test-crash")


def test_the_500_page_needs_no_database(django_assert_num_queries):
    def failing(execute, sql, params, many, context):
        raise OperationalError("the database is down")

    with connection.execute_wrapper(failing), django_assert_num_queries(0):
        page = loader.get_template("500.html").render()
        response = Client(raise_request_exception=False).get("/test-crash/")
    assert "Erreur du serveur" in page
    assert response.status_code == 500


def test_the_500_page_has_the_site_style_and_no_inline_style():
    page = loader.get_template("500.html").render()
    assert 'href="/static/css/app.css"' in page
    assert "bootstrap.min.css" in page
    assert "style=" not in page and "<style" not in page


def test_a_refused_action_shows_the_french_403_page_without_its_reason(client_psy):
    response = client_psy.get("/test-refuse/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    assert_says_nothing_of(response)


def test_a_form_without_its_csrf_token_gets_the_french_403_page_without_the_reason():
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"),
                                                      {"username": "x", "password": "y"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "Accès refusé" in page
    assert "rechargez la page" in page
    assert "CSRF" not in page and "cookie not set" not in page.lower()


def test_a_stranger_patient_gets_the_french_404_page_without_the_path_or_the_patient(client, other_psychologist):
    patient = PatientFactory(last_name="Confidentiel", first_name="Aurore")
    log_in(client, other_psychologist)
    response = client.get(reverse("pathway:patient_detail", kwargs={"patient_id": patient.pk}))
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert_says_nothing_of(response, str(patient.pk), "Confidentiel", "Aurore")


def test_an_unknown_address_gets_the_french_404_page_without_the_address(client):
    response = client.get("/nowhere-SECRET-path/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert_says_nothing_of(response, "nowhere", "SECRET-path")

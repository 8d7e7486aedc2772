"""/healthz: one SELECT 1, 200 or 503, nothing stored, never cached."""

import pytest
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper

from config import health

from .deployment import free_port

pytestmark = pytest.mark.django_db


def test_it_answers_ok_with_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert queries.captured_queries[0]["sql"] == "SELECT 1"


def test_it_is_never_cached_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Type"] == "application/json"
    assert not response.cookies


def test_it_needs_no_login(client):
    assert client.get("/healthz").status_code == 200
    assert client.head("/healthz").status_code == 200


def test_it_answers_503_when_the_database_fails(client):
    def failing(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(failing):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert response["Cache-Control"] == "no-store"


def test_it_answers_503_when_nothing_listens_at_the_database_address(client, monkeypatch):
    unreachable = DatabaseWrapper({**connection.settings_dict, "PORT": str(free_port())}, alias="unreachable")
    monkeypatch.setattr(health, "connection", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}


def test_it_only_reads(client):
    assert client.post("/healthz").status_code == 405

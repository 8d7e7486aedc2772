"""The persistent connection's health check (config/postgresql/base.py): no round trip while the
connection has nothing to read, Django's `SELECT 1` otherwise, and a connection the server closed is
not usable."""

import time

import pytest
from django.db import connections
from django.db.backends.postgresql import base as django_postgresql

from config.postgresql.base import DatabaseWrapper

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_connections():
    """Two connections of their own (autocommit, outside the test's transaction): one waits between
    requests, the other acts on the server."""
    made = [connections.create_connection("default") for _ in range(2)]
    for wrapper in made:
        wrapper.ensure_connection()
    yield made
    for wrapper in made:
        wrapper.close()


def test_the_settings_use_this_backend():
    assert isinstance(connections["default"], DatabaseWrapper)


def test_an_idle_connection_is_usable_without_a_round_trip(two_connections, monkeypatch):
    waiting, _other = two_connections
    asked = []
    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", lambda self: asked.append(self) or True)
    assert waiting.is_usable() and asked == []


def test_a_connection_the_server_ended_is_not_usable(two_connections):
    waiting, other = two_connections
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [waiting.connection.info.backend_pid])
    time.sleep(0.3)  # the server's message and the socket's end reach the waiting connection
    assert waiting.is_usable() is False


def test_something_to_read_lets_djangos_select_1_decide(two_connections, monkeypatch):
    waiting, other = two_connections
    with waiting.cursor() as cursor:
        cursor.execute("LISTEN health_check_test")
    with other.cursor() as cursor:
        cursor.execute("NOTIFY health_check_test")
    time.sleep(0.3)  # the notification reaches the waiting connection's socket, unread
    asked = []
    original = django_postgresql.DatabaseWrapper.is_usable
    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable",
                        lambda self: asked.append(self) or original(self))
    assert waiting.is_usable() is True and asked == [waiting]

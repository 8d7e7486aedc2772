"""The app served as `make serve` serves it: gunicorn, production settings, WhiteNoise, the test database.

Started once for the module on a free loopback port; `collectstatic` first, into a tmp STATIC_ROOT.
The TLS proxy is played by the test: it sends X-Forwarded-Proto: https, or not.
"""

import http.client
import json
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from .deployment import database_url, environment, free_port, manage

# The marker makes pytest-django create the test database, which gunicorn then serves from.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def served(django_db_setup, tmp_path_factory):
    static_root = tmp_path_factory.mktemp("staticfiles")
    env = {"DATABASE_URL": database_url(connection.settings_dict), "STATIC_ROOT": str(static_root)}
    # The admin's files aside: the same storage, a third of the time.
    collected = manage("collectstatic", "--no-input", "--ignore", "admin/*", **env)
    assert collected.returncode == 0, collected.stderr
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "errors.log"
    with log.open("w") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", "1", "--log-level", "warning", "--no-control-socket"],
            env=environment(**env), cwd=settings.BASE_DIR, stderr=errors)
    try:
        wait_for_health(port, server, log)
        yield {"port": port, "manifest": json.loads((static_root / "staticfiles.json").read_text())["paths"]}
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for_health(port, server, log, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped: {log.read_text()}")
        try:
            if get(port, "/healthz")[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /healthz within {timeout} s: {log.read_text()}")


def get(port, path, behind_tls=False, **headers):
    if behind_tls:
        headers["X-Forwarded-Proto"] = "https"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_the_health_check_answers_over_plain_http(served):
    status, headers, body = get(served["port"], "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    assert headers["Cache-Control"] == "no-store"


def test_plain_http_is_redirected_to_https(served):
    status, headers, _ = get(served["port"], "/")
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{served['port']}/"


def test_the_login_page_is_served_with_hsts_and_hashed_static_files(served):
    status, headers, body = get(served["port"], "/", behind_tls=True)
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert f'/static/{served["manifest"]["css/app.css"]}' in body.decode()


def test_a_hashed_static_file_is_served_by_whitenoise_cached_for_a_year(served):
    path = f'/static/{served["manifest"]["css/app.css"]}'
    status, headers, body = get(served["port"], path, behind_tls=True)
    assert status == 200
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert b".cap-meter" in body


def test_static_files_are_sent_compressed_to_browsers_that_accept_it(served):
    path = f'/static/{served["manifest"]["vendor/bootstrap/css/bootstrap.min.css"]}'
    status, headers, _ = get(served["port"], path, behind_tls=True, **{"Accept-Encoding": "gzip"})
    assert (status, headers["Content-Encoding"]) == (200, "gzip")

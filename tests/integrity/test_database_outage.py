"""PostgreSQL stops while the app runs, then starts again: a French 503 meanwhile, then the app carries on.

The test makes its own PostgreSQL cluster (cluster.py), migrates a database there and serves the app
on it with gunicorn, DEBUG off and persistent connections, as deployed (served.py). It logs in over
HTTP (password, then the two-factor code computed from the test device's key), records a session,
stops the cluster, records again, starts the cluster, and reads what the database holds.
"""

import html
import json

import pytest
from django.utils import timezone
from django_otp.oath import totp

from .cluster import ThrowawayCluster, server_binaries
from .served import TOKEN, Browser, Gunicorn, app_environment, manage

UNAVAILABLE = "Service momentanément indisponible"
TECHNICAL = ("Traceback", "OperationalError", "InterfaceError", "psycopg", "connection", "SQL", "5432",
             "Connection refused", "server closed")
DATABASE = "msp_outage"

pytestmark = pytest.mark.skipif(
    server_binaries() is None,
    reason="The PostgreSQL server binaries (initdb, pg_ctl under /usr/lib/postgresql/*/bin) are not installed: "
           "the outage test needs a PostgreSQL cluster of its own to stop and start.",
)


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    """The cluster, its database migrated and seeded, and two gunicorn servers on it: with health checks
    (the deployment's default) and without (the control). They start while the database is being made."""
    folder = tmp_path_factory.mktemp("outage")
    cluster = ThrowawayCluster(server_binaries())
    environment = app_environment(cluster.url(DATABASE), folder / "media")
    servers = {"checked": Gunicorn(environment, folder / "checked.log"),
               "unchecked": Gunicorn({**environment, "CONN_HEALTH_CHECKS": "false"}, folder / "unchecked.log")}
    try:
        cluster.create()
        cluster.create_database(DATABASE)
        output = manage(environment, "shell", "-c", "from tests.integrity.outage_seed import prepare; prepare()")
        cluster.seed = json.loads(output.strip().splitlines()[-1])
        cluster.servers = {name: server.wait_until_up() for name, server in servers.items()}
        yield cluster
    finally:
        for server in servers.values():
            server.stop()
        cluster.remove()


def log_in(browser, seed):
    """Password, then the two-factor code, through the login pages as a person goes."""
    answer = browser.post("/", {"csrfmiddlewaretoken": browser.form_token("/"), "username": seed["username"],
                                "password": seed["password"]})
    assert answer.status == 302, answer.status
    page, path = browser.follow(answer)
    if 'name="code"' in page.text:  # the two-factor step, once it is required
        code = f"{totp(bytes.fromhex(seed['totp_key'])):06d}"
        answer = browser.post(path, {"csrfmiddlewaretoken": TOKEN.search(page.text).group(1), "code": code})
        assert answer.status == 302, answer.status
    return browser


def count(cluster, sql):
    with cluster.connect(DATABASE) as connection:
        return connection.execute(sql).fetchone()[0]


def assert_unavailable(response):
    assert response.status == 503
    page = html.unescape(response.text)
    assert UNAVAILABLE in page
    assert not [word for word in TECHNICAL if word in page]


def test_while_postgresql_is_down_the_app_answers_503_then_carries_on_when_it_is_back(outage):
    cluster = outage
    browser = log_in(Browser(cluster.servers["checked"].port), cluster.seed)
    form = f"/parcours/{cluster.seed['pathway']}/seances/nouvelle/"
    session = {"kind": "followup", "date": timezone.localdate().strftime("%d/%m/%Y"), "mode": "in_person",
               "duration_minutes": "45", "status": "held", "billing": "reimbursed"}
    confirmed = 0
    recorded = browser.post(form, {"csrfmiddlewaretoken": browser.form_token(form), **session})
    assert recorded.status == 302
    confirmed += 1
    token = browser.form_token(form)  # the form shown again, before the fault

    cluster.stop()  # the fault: the server ends every connection, the app's persistent one included
    assert_unavailable(browser.post(form, {"csrfmiddlewaretoken": token, **session}))
    assert_unavailable(browser.get("/tableau-de-bord/"))
    cluster.start()

    assert browser.get("/tableau-de-bord/").status == 200  # the same gunicorn, not restarted
    resent = browser.post(form, {"csrfmiddlewaretoken": token, **session})  # the form refused during the fault
    assert resent.status == 302
    confirmed += 1
    followups = "SELECT count(*) FROM pathway_caresession WHERE kind = 'followup'"
    events = "SELECT count(*) FROM pathway_pathwayevent WHERE action = 'session_recorded'"
    assert count(cluster, followups) == count(cluster, events) == confirmed
    assert count(cluster, "SELECT count(*) FROM integrity_submission WHERE state = 'processing'") == 0


def test_a_connection_dropped_by_a_restart_is_replaced_at_the_next_request_with_health_checks(outage):
    # Two idle servers, each holding a persistent connection when PostgreSQL restarts: with health checks
    # the first request after the restart works; without them (the control) it fails, then the next works.
    cluster = outage
    page = f"/adresser/{cluster.seed['link']}/"
    browsers = [Browser(cluster.servers[name].port) for name in ("checked", "unchecked")]
    assert [browser.get(page).status for browser in browsers] == [200, 200]

    cluster.stop()
    cluster.start()

    assert browsers[0].get(page).status == 200
    assert_unavailable(browsers[1].get(page))
    assert browsers[1].get(page).status == 200

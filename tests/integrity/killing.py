"""The database goes away mid-request: the app's own backend is killed just before a chosen statement.

The kill comes from another connection (pg_terminate_backend), as a crash, a restart or a failover
would end it; the app's statement then fails on a dead connection (PITFALLS.md).
"""

import time
from contextlib import contextmanager

import psycopg
from django.db import connection

GONE_WITHIN_SECONDS = 5.0


def terminate(pid):
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                         password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + GONE_WITHIN_SECONDS
        while killer.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, f"backend {pid} still alive"
            time.sleep(0.02)


@contextmanager
def backend_killed_before(statement_start):
    """Kill the app's backend before the first statement that starts with `statement_start`; yield the kills."""
    kills = []

    def hook(execute, sql, params, many, context):
        if not kills and sql.lstrip().startswith(statement_start):
            pid = context["connection"].connection.info.backend_pid
            terminate(pid)
            kills.append(pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(hook):
        yield kills
    # What the server does at the end of every request (request_finished), which the test client skips.
    connection.close_if_unusable_or_obsolete()

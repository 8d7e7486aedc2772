"""The dashboard's statements as PostgreSQL runs them once prepared: with a generic plan, made without
the parameters' values (psycopg prepares a statement from its 5th run on a connection)."""

import re

import pytest
from django.db import connection
from django.utils import timezone
from psycopg import sql as psycopg_sql

from pathway import selectors
from pathway.models import Pathway, PathwayStatus
from tests.factories import PathwayFactory, PatientFactory

pytestmark = pytest.mark.django_db
PARAMETER = re.compile(r"%\((\w+)\)s")
# The partial indexes whose predicate is "the pathway is open": a plan may use one only when it can
# prove the statement's conditions imply it (with a few rows, the planner may take either).
OPEN_PATHWAY_INDEX = re.compile(r"\b(pathway_open_idx|one_active_pathway_per_patient)\b")


def generic_plan(sql, params):
    """EXPLAIN of `sql` prepared under a name and planned generically, as it runs from its 6th time."""
    names = list(dict.fromkeys(PARAMETER.findall(sql)))
    numbered = PARAMETER.sub(lambda match: f"${names.index(match.group(1)) + 1}", sql)
    with connection.cursor() as cursor:
        raw = cursor.connection
        arguments = psycopg_sql.SQL(", ").join(psycopg_sql.Literal(params[name]) for name in names).as_string(raw)
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: the cheapest plan is otherwise a scan
        cursor.execute(f"PREPARE generic_plan_under_test AS {numbered}")
        try:
            cursor.execute(f"EXPLAIN EXECUTE generic_plan_under_test({arguments})")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE generic_plan_under_test")


@pytest.fixture
def open_caseload(psychologist, other_psychologist):
    """A few open pathways among many closed ones (of one patient of another psychologist): reading the
    open ones through a partial index is then much cheaper than any other way, whatever the statistics."""
    for status in (PathwayStatus.AWAITING_EVALUATION, PathwayStatus.IN_CARE, PathwayStatus.CLOSED):
        PathwayFactory.create_batch(3, patient__psychologist=psychologist, psychologist=psychologist, status=status)
    Pathway.objects.bulk_create(PathwayFactory.build_batch(
        400, patient=PatientFactory(psychologist=other_psychologist), status=PathwayStatus.CLOSED))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pathway_pathway")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_the_dashboard_lists_read_open_pathways_from_their_partial_index_in_a_generic_plan(psychologist, open_caseload):
    """Could the plan use a partial index of open pathways? With a few rows the planner may as well take
    the table's other indexes (by psychologist, by patient), so they are dropped for this test's
    transaction (rolled back): what remains is a partial index, usable only when the statuses are
    known, or a scan of every pathway."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'pathway_pathway' "
                       "AND indexdef NOT LIKE %s AND indexdef NOT LIKE %s", ["% WHERE %", "%UNIQUE%"])
        for (index,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{index}"')
    read = selectors.pathway_lists_read(psychologist, timezone.localdate(), "1")
    plan = generic_plan(read.sql, read.params)
    assert OPEN_PATHWAY_INDEX.search(plan), plan

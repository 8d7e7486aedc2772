"""The dashboard's statements as PostgreSQL runs them once prepared: with a generic plan, made without
the parameters' values (psycopg prepares a statement from its 5th run on a connection)."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from psycopg import sql as psycopg_sql

from pathway import rules, selectors
from pathway.models import PathwayStatus
from tests.factories import PathwayFactory

pytestmark = pytest.mark.django_db
PARAMETER = re.compile(r"%\((\w+)\)s")
# The partial indexes whose predicate is "the pathway is open": a plan may use one only when it can
# prove the statement's conditions imply it (with a few rows, the planner may take either).
OPEN_PATHWAY_INDEX = re.compile(r"using (pathway_open_idx|one_active_pathway_per_patient) on pathway_pathway")


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
def open_caseload(psychologist):
    for status in (PathwayStatus.AWAITING_EVALUATION, PathwayStatus.IN_CARE, PathwayStatus.CLOSED):
        PathwayFactory.create_batch(3, patient__psychologist=psychologist, psychologist=psychologist, status=status)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE pathway_pathway")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize("statement", ["lists", "year figures"])
def test_the_dashboard_reads_open_pathways_from_their_partial_index_in_a_generic_plan(
        psychologist, open_caseload, statement):
    today = timezone.localdate()
    params = selectors.common_params(psychologist, today)
    if statement == "lists":
        sql = selectors.PATHWAY_LISTS_SQL
        params.update(silent_since=today - timedelta(weeks=rules.SILENT_PATHWAY_WEEKS), page_start=0, page_end=25)
    else:
        sql = selectors.YEAR_FIGURES_SQL
        params.update(warning_from=rules.CAP_WARNING_FROM)
    assert OPEN_PATHWAY_INDEX.search(generic_plan(sql, params))


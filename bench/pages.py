"""The benchmark's in-process half, run against one database: `python bench/pages.py targets|inspect`.

targets  the bench psychologists' page URLs, and pathways where a session can be recorded today
         within the scheme's rules (reimbursed while the patient is under the cap, else out of scheme)
inspect  each page's SQL query count (CaptureQueriesContext, as the tests count them) and the scans
         of every query's plan (EXPLAIN ANALYZE) for the largest psychologist
cleanup  remove the sessions the benchmark recorded (before and after a run)

Prints JSON on stdout. DATABASE_URL names the database; run.py sets the rest of the environment.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from pathway import national_data, rules, selectors
from pathway.models import (
    Billing,
    CareSession,
    DeclaredSessions,
    Pathway,
    PathwayStatus,
    SessionKind,
    SessionStatus,
)

SEARCH = "helene"  # unaccented lowercase: finds the Hélène
RECORDING_POOL = 40
OUT_OF_SCHEME_FEE = "60.00"
NOTE = "benchmark"  # the private note of every session the benchmark records (run.py adds "#n")
BENCH_USERS = (national_data.LARGE_USERNAME, national_data.AVERAGE_USERNAME)
BIG_TABLE_ROWS = 10_000  # a sequential scan of a table larger than this is reported as a scan


def recordable_pathways(psychologist, today):
    """In-care pathways whose patient had this year's evaluation: a follow-up can be recorded today."""
    evaluated = CareSession.objects.filter(
        patient=OuterRef("patient_id"), date__year=today.year, kind=SessionKind.EVALUATION,
        billing=Billing.REIMBURSED, status=SessionStatus.HELD,
    )
    declared = DeclaredSessions.objects.filter(patient=OuterRef("patient_id"), year=today.year,
                                               included_evaluation=True)
    return Pathway.objects.filter(
        psychologist=psychologist, status=PathwayStatus.IN_CARE, opened_on__lte=today,
    ).filter(Q(Exists(evaluated)) | Q(Exists(declared))).annotate(
        used=selectors.used_in_year(today.year, "patient_id"),
    ).order_by("id")


def record_slots(psychologist, today):
    cap = rules.rules_on(today).annual_cap
    return [{"pathway": str(p.pk), "reimbursed_left": max(cap - p.used, 0),
             "url": reverse("pathway:session_record", kwargs={"pathway_id": p.pk})}
            for p in recordable_pathways(psychologist, today)[:RECORDING_POOL + 1]]


def targets():
    today = timezone.localdate()
    found = {}
    for username in BENCH_USERS:
        psychologist = User.objects.get(username=username)
        slots = record_slots(psychologist, today)
        found[username] = {
            "pages": page_urls(slots[-1]["pathway"]),
            "record_slots": slots[:-1],  # the last one is the pathway page, kept free of new sessions
            "patients": psychologist.patients.count(),
        }
    return {"targets": found, "today": today.strftime("%d/%m/%Y"), "sizes": database_sizes(),
            "form": record_form(Billing.REIMBURSED, today), "out_of_scheme_fee": OUT_OF_SCHEME_FEE}


def page_urls(pathway_id):
    return {
        "dashboard": reverse("pathway:dashboard"),
        "patient list": reverse("pathway:patient_list"),
        "patient search": reverse("pathway:patient_list") + f"?q={SEARCH}",
        "pathway page": reverse("pathway:detail", kwargs={"pathway_id": pathway_id}),
    }


def database_sizes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    return {"psychologists": User.objects.count(), "patients": national_count("pathway_patient"),
            "sessions": national_count("pathway_caresession"), "database": size}


def national_count(table):
    """The planner's row estimate: exact enough for a heading, and instant at a million rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


def record_form(billing, today):
    form = {"kind": SessionKind.FOLLOWUP, "date": today.strftime("%d/%m/%Y"), "mode": "in_person",
            "duration_minutes": "45", "status": SessionStatus.HELD, "billing": billing,
            "private_note": NOTE, "emergency_orientation": ""}
    if billing == Billing.OUT_OF_SCHEME:
        form["out_of_scheme_fee"] = OUT_OF_SCHEME_FEE
    return form


def inspect():
    today = timezone.localdate()
    counts, plans = {}, {}
    for username in BENCH_USERS:
        psychologist = User.objects.get(username=username)
        client = verified_client(psychologist)
        slot = record_slots(psychologist, today)[0]
        billing = Billing.REIMBURSED if slot["reimbursed_left"] else Billing.OUT_OF_SCHEME
        requests = {name: ("get", url, None) for name, url in page_urls(slot["pathway"]).items()}
        requests["record a session"] = (
            "post", reverse("pathway:session_record", kwargs={"pathway_id": slot["pathway"]}),
            record_form(billing, today),
        )
        counts[username] = {}
        for name, (method, url, data) in requests.items():
            with CaptureQueriesContext(connection) as queries:
                response = getattr(client, method)(url, data)
            assert response.status_code in (200, 302), (name, response.status_code)
            counts[username][name] = len(queries)
            if username == national_data.LARGE_USERNAME:
                selects = [query["sql"].strip() for query in queries.captured_queries if reads(query["sql"])]
                plans[name] = [explain(sql) for sql in selects]
                if name == "patient search":
                    search_plan = text_plan(next(sql for sql in selects if "LIKE" in sql and "LIMIT" in sql))
    return {"counts": counts, "plans": plans, "search_plan": search_plan, "big_tables": big_tables()}


def verified_client(psychologist):
    """Logged in with both factors, as the HTTP login leaves a session (the device's id under django-otp's key)."""
    client = Client()
    client.force_login(psychologist)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=psychologist, confirmed=True).persistent_id
    session.save()
    return client


def reads(sql):
    """A read, as the ORM writes it or as the dashboard's plain SQL does (a WITH, a UNION in parentheses)."""
    return sql.lstrip().lstrip("(").startswith(("SELECT", "WITH"))


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0][0]
    return {"sql": sql[:110], "ms": round(plan["Execution Time"], 3), "scans": scans(plan["Plan"])}


def scans(node):
    found = []
    if "Relation Name" in node:
        found.append({"type": node["Node Type"], "table": node["Relation Name"], "index": node.get("Index Name", ""),
                      "rows": node.get("Actual Rows", 0) * node.get("Actual Loops", 1)})
    for child in node.get("Plans", ()):
        found += scans(child)
    return found


def text_plan(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
        return [row[0] for row in cursor.fetchall()]


def cleanup():
    """Remove the sessions the benchmark recorded, and their events, so that runs do not pile up
    this week's sessions. Raw SQL on purpose: the history is append-only for the app, and these
    rows are the benchmark's own (its note, its two psychologists)."""
    users = list(User.objects.filter(username__in=BENCH_USERS).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("""
            DELETE FROM pathway_pathwayevent WHERE session_id IN (
                SELECT id FROM pathway_caresession WHERE psychologist_id = ANY(%s)
                    AND (private_note = %s OR private_note LIKE %s))""", [users, NOTE, f"{NOTE} #%"])
        cursor.execute("""DELETE FROM pathway_caresession WHERE psychologist_id = ANY(%s)
                              AND (private_note = %s OR private_note LIKE %s)""", [users, NOTE, f"{NOTE} #%"])
        removed = cursor.rowcount
        for table in ("pathway_caresession", "pathway_pathwayevent"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return {"removed": removed}


def big_tables():
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [BIG_TABLE_ROWS])
        return sorted(row[0] for row in cursor.fetchall())


if __name__ == "__main__":
    print(json.dumps({"targets": targets, "inspect": inspect, "cleanup": cleanup}[sys.argv[1]]()))

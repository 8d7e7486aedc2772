"""Counts the database keeps in step with the session rows, by triggers, for the dashboard.

Summing a caseload's year on every dashboard costs as much as the caseload is large (2,000 patients:
15 ms of SQL). These counts are kept by the database itself, in the transaction that writes a session
or a declaration, whoever writes it (the services, the admin, a test's factory); the dashboard reads
a few rows of them:

- `PatientYearCount`: a patient's reimbursed sessions held in a calendar year, plus those declared
  done elsewhere that year (the count the annual cap is about);
- `CaseloadMonthCount`: a psychologist's reimbursed sessions held per month, and those by video;
- `Pathway.last_held_on` and `Pathway.reimbursed_followups_held`: recomputed from the pathway's
  sessions whenever one of them changes;
- `PatientLatestStatus`: the status of each patient's latest pathway, and `CaseloadStatusCount`, a
  psychologist's patients by that status (the dashboard's chart), moved whenever a patient's changes.

The annual cap itself is still counted from the session rows under the patient's lock
(services/cap.py): these counts serve reading, never a refusal.

Counters move by +1/-1 (a row's old values taken out, its new ones put in): two transactions that
write at once both land, each UPDATE waiting for the other's row. A pathway's figures are recomputed
after locking its row, so that the recount sees a concurrent writer's committed session.

The statements are the same on PostgreSQL and SQLite but for the year and month of a date and the
trigger's wrapping. A change to them needs a migration that calls install() again.
"""

import sqlite3

from .models import CAP_COUNTED, Billing, SessionKind, SessionMode, SessionStatus

COUNTED = " AND ".join(f"{{row}}.{field} = '{value}'" for field, value in CAP_COUNTED.items())
PART_OF_DATE = {
    "postgresql": {"year": "CAST(EXTRACT(YEAR FROM {date}) AS integer)",
                   "month": "CAST(EXTRACT(MONTH FROM {date}) AS integer)"},
    "sqlite": {"year": "CAST(strftime('%Y', {date}) AS integer)", "month": "CAST(strftime('%m', {date}) AS integer)"},
}

SESSION_IN = """
INSERT INTO pathway_patientyearcount (patient_id, psychologist_id, "year", used)
SELECT {row}.patient_id, {row}.psychologist_id, {year}, 1 WHERE {counted}
ON CONFLICT (patient_id, "year") DO UPDATE SET used = pathway_patientyearcount.used + 1;
INSERT INTO pathway_caseloadmonthcount (psychologist_id, "year", "month", sessions, video)
SELECT {row}.psychologist_id, {year}, {month}, 1, CASE WHEN {row}.mode = '{video}' THEN 1 ELSE 0 END WHERE {counted}
ON CONFLICT (psychologist_id, "year", "month") DO UPDATE
    SET sessions = pathway_caseloadmonthcount.sessions + 1,
        video = pathway_caseloadmonthcount.video + excluded.video;
"""
SESSION_OUT = """
UPDATE pathway_patientyearcount SET used = used - 1
WHERE patient_id = {row}.patient_id AND "year" = {year} AND {counted};
UPDATE pathway_caseloadmonthcount
SET sessions = sessions - 1, video = video - CASE WHEN {row}.mode = '{video}' THEN 1 ELSE 0 END
WHERE psychologist_id = {row}.psychologist_id AND "year" = {year} AND "month" = {month} AND {counted};
"""
DECLARED_IN = """
INSERT INTO pathway_patientyearcount (patient_id, psychologist_id, "year", used)
SELECT NEW.patient_id, NEW.psychologist_id, NEW."year", NEW."count" WHERE 1 = 1
ON CONFLICT (patient_id, "year") DO UPDATE SET used = pathway_patientyearcount.used + excluded.used;
"""
DECLARED_OUT = """
UPDATE pathway_patientyearcount SET used = used - OLD."count" WHERE patient_id = OLD.patient_id AND "year" = OLD."year";
"""
# A pathway's last held session (any billing) and reimbursed follow-ups held: the dashboard's lists.
PATHWAY_FIGURES = """
UPDATE pathway_pathway SET
    last_held_on = (SELECT MAX(s."date") FROM pathway_caresession AS s
                    WHERE s.pathway_id = {pathway} AND s.status = '{held}'),
    reimbursed_followups_held = (SELECT COUNT(*) FROM pathway_caresession AS s
                                 WHERE s.pathway_id = {pathway} AND s.status = '{held}' AND s.kind = '{followup}'
                                     AND s.billing = '{reimbursed}')
WHERE id = {pathway};
"""
# A new session only moves them forward: no recount (recording a session is the busiest write).
PATHWAY_SESSION_ADDED = """
UPDATE pathway_pathway SET
    last_held_on = CASE WHEN last_held_on IS NULL OR last_held_on < NEW."date" THEN NEW."date" ELSE last_held_on END,
    reimbursed_followups_held = reimbursed_followups_held
        + CASE WHEN NEW.kind = '{followup}' AND NEW.billing = '{reimbursed}' THEN 1 ELSE 0 END
WHERE id = NEW.pathway_id AND NEW.status = '{held}';
"""

# The status of the patient's latest pathway (Pathway's ordering: opened last, then created last).
# A pathway's insertion makes the patient's row; a change or a deletion updates it if it is there
# (a patient being erased may have lost it already).
LATEST_STATUS_ROW = """
INSERT INTO pathway_patientlateststatus (patient_id, psychologist_id, status)
SELECT NEW.patient_id, NEW.psychologist_id, '' WHERE 1 = 1
ON CONFLICT (patient_id) DO UPDATE SET status = pathway_patientlateststatus.status;
"""
LATEST_STATUS = """
UPDATE pathway_patientlateststatus SET status = COALESCE((
    SELECT pw.status FROM pathway_pathway AS pw WHERE pw.patient_id = {patient}
    ORDER BY pw.opened_on DESC, pw.created_at DESC LIMIT 1
), '')
WHERE patient_id = {patient};
"""

# A psychologist's patients by the status of their latest pathway: the patient's old status out, the
# new one in. PostgreSQL moves both rows in one statement, in the order of their keys: two transactions
# moving two patients in opposite directions (one closed, another's new pathway awaiting its
# evaluation) take the two rows in the same order, and one waits for the other instead of a deadlock.
STATUS_MOVED_POSTGRESQL = """
INSERT INTO pathway_caseloadstatuscount AS counted (psychologist_id, status, patients)
SELECT psychologist_id, status, SUM(patients) FROM (
    SELECT OLD.psychologist_id, OLD.status, -1 WHERE TG_OP <> 'INSERT'
    UNION ALL
    SELECT NEW.psychologist_id, NEW.status, 1 WHERE TG_OP <> 'DELETE'
) AS moves (psychologist_id, status, patients)
WHERE status <> ''
GROUP BY psychologist_id, status
ORDER BY psychologist_id, status
ON CONFLICT (psychologist_id, status) DO UPDATE SET patients = counted.patients + excluded.patients;
"""
STATUS_IN = """
INSERT INTO pathway_caseloadstatuscount (psychologist_id, status, patients)
SELECT {row}.psychologist_id, {row}.status, 1 WHERE {row}.status <> ''
ON CONFLICT (psychologist_id, status) DO UPDATE SET patients = pathway_caseloadstatuscount.patients + 1;
"""
STATUS_OUT = """
UPDATE pathway_caseloadstatuscount SET patients = patients - 1
WHERE psychologist_id = {row}.psychologist_id AND status = {row}.status;
"""

# PostgreSQL: one function per table and event. Before a recount, the pathway's row is locked: FOR
# NO KEY UPDATE, as the UPDATE itself would, so that it never waits on a foreign key's share lock.
# The pathway's row is always taken first, before the counter rows: the services lock a pathway
# before writing its sessions, and two transactions taking the same rows in two orders would deadlock.
POSTGRESQL = """
CREATE OR REPLACE FUNCTION pathway_refresh_figures(target uuid) RETURNS void LANGUAGE plpgsql AS $body$
BEGIN
    PERFORM 1 FROM pathway_pathway WHERE id = target FOR NO KEY UPDATE;
    {pathway_figures}
END $body$;

CREATE OR REPLACE FUNCTION pathway_session_inserted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    {pathway_session_added}
    {session_in_new}
    RETURN NULL;
END $body$;

CREATE OR REPLACE FUNCTION pathway_session_updated() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    PERFORM pathway_refresh_figures(OLD.pathway_id);
    IF NEW.pathway_id <> OLD.pathway_id THEN
        PERFORM pathway_refresh_figures(NEW.pathway_id);
    END IF;
    {session_out_old}
    {session_in_new}
    RETURN NULL;
END $body$;

CREATE OR REPLACE FUNCTION pathway_session_deleted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    PERFORM pathway_refresh_figures(OLD.pathway_id);
    {session_out_old}
    RETURN NULL;
END $body$;

-- The patient's row is written (made, or locked) first: two transactions changing one patient's
-- pathways then recount one after the other, the second seeing the first's change.
CREATE OR REPLACE FUNCTION pathway_latest_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {latest_status_row}
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM 1 FROM pathway_patientlateststatus WHERE patient_id = NEW.patient_id FOR NO KEY UPDATE;
        {latest_status_new}
    END IF;
    IF TG_OP = 'DELETE' OR NEW.patient_id <> OLD.patient_id THEN
        PERFORM 1 FROM pathway_patientlateststatus WHERE patient_id = OLD.patient_id FOR NO KEY UPDATE;
        {latest_status_old}
    END IF;
    RETURN NULL;
END $body$;

CREATE OR REPLACE FUNCTION pathway_declared_changed() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        {declared_out}
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {declared_in}
    END IF;
    RETURN NULL;
END $body$;

DROP TRIGGER IF EXISTS pathway_session_inserted ON pathway_caresession;
CREATE TRIGGER pathway_session_inserted AFTER INSERT ON pathway_caresession
    FOR EACH ROW EXECUTE FUNCTION pathway_session_inserted();
DROP TRIGGER IF EXISTS pathway_session_updated ON pathway_caresession;
CREATE TRIGGER pathway_session_updated AFTER UPDATE ON pathway_caresession
    FOR EACH ROW WHEN ({session_changed}) EXECUTE FUNCTION pathway_session_updated();
DROP TRIGGER IF EXISTS pathway_session_deleted ON pathway_caresession;
CREATE TRIGGER pathway_session_deleted AFTER DELETE ON pathway_caresession
    FOR EACH ROW EXECUTE FUNCTION pathway_session_deleted();
DROP TRIGGER IF EXISTS pathway_latest_inserted ON pathway_pathway;
CREATE TRIGGER pathway_latest_inserted AFTER INSERT ON pathway_pathway
    FOR EACH ROW EXECUTE FUNCTION pathway_latest_changed();
DROP TRIGGER IF EXISTS pathway_latest_deleted ON pathway_pathway;
CREATE TRIGGER pathway_latest_deleted AFTER DELETE ON pathway_pathway
    FOR EACH ROW EXECUTE FUNCTION pathway_latest_changed();
DROP TRIGGER IF EXISTS pathway_latest_updated ON pathway_pathway;
CREATE TRIGGER pathway_latest_updated AFTER UPDATE ON pathway_pathway
    FOR EACH ROW WHEN ({pathway_changed}) EXECUTE FUNCTION pathway_latest_changed();
DROP TRIGGER IF EXISTS pathway_declared_changed ON pathway_declaredsessions;
CREATE TRIGGER pathway_declared_changed AFTER INSERT OR UPDATE OR DELETE ON pathway_declaredsessions
    FOR EACH ROW EXECUTE FUNCTION pathway_declared_changed();
"""

SQLITE = """
DROP TRIGGER IF EXISTS pathway_session_inserted;
CREATE TRIGGER pathway_session_inserted AFTER INSERT ON pathway_caresession BEGIN
    {pathway_session_added}
    {session_in_new}
END;
DROP TRIGGER IF EXISTS pathway_session_updated;
CREATE TRIGGER pathway_session_updated AFTER UPDATE ON pathway_caresession WHEN {session_changed} BEGIN
    {session_out_old}
    {session_in_new}
    {pathway_figures_old}
    {pathway_figures_new}
END;
DROP TRIGGER IF EXISTS pathway_session_deleted;
CREATE TRIGGER pathway_session_deleted AFTER DELETE ON pathway_caresession BEGIN
    {session_out_old}
    {pathway_figures_old}
END;
DROP TRIGGER IF EXISTS pathway_latest_inserted;
CREATE TRIGGER pathway_latest_inserted AFTER INSERT ON pathway_pathway BEGIN
    {latest_status_row}
    {latest_status_new}
END;
DROP TRIGGER IF EXISTS pathway_latest_updated;
CREATE TRIGGER pathway_latest_updated AFTER UPDATE ON pathway_pathway WHEN {pathway_changed} BEGIN
    {latest_status_old}
    {latest_status_new}
END;
DROP TRIGGER IF EXISTS pathway_latest_deleted;
CREATE TRIGGER pathway_latest_deleted AFTER DELETE ON pathway_pathway BEGIN
    {latest_status_old}
END;
DROP TRIGGER IF EXISTS pathway_declared_inserted;
CREATE TRIGGER pathway_declared_inserted AFTER INSERT ON pathway_declaredsessions BEGIN
    {declared_in}
END;
DROP TRIGGER IF EXISTS pathway_declared_updated;
CREATE TRIGGER pathway_declared_updated AFTER UPDATE ON pathway_declaredsessions BEGIN
    {declared_out}
    {declared_in}
END;
DROP TRIGGER IF EXISTS pathway_declared_deleted;
CREATE TRIGGER pathway_declared_deleted AFTER DELETE ON pathway_declaredsessions BEGIN
    {declared_out}
END;
"""

# The caseload's patients by status (migration 0010 added them to the counts of 0007).
STATUS_TRIGGERS = {
    "postgresql": """
CREATE OR REPLACE FUNCTION pathway_status_counted() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    {status_moved}
    RETURN NULL;
END $body$;

DROP TRIGGER IF EXISTS pathway_status_counted ON pathway_patientlateststatus;
CREATE TRIGGER pathway_status_counted AFTER INSERT OR DELETE ON pathway_patientlateststatus
    FOR EACH ROW EXECUTE FUNCTION pathway_status_counted();
DROP TRIGGER IF EXISTS pathway_status_moved ON pathway_patientlateststatus;
CREATE TRIGGER pathway_status_moved AFTER UPDATE ON pathway_patientlateststatus
    FOR EACH ROW WHEN ({latest_changed}) EXECUTE FUNCTION pathway_status_counted();
""",
    "sqlite": """
DROP TRIGGER IF EXISTS pathway_status_counted;
CREATE TRIGGER pathway_status_counted AFTER INSERT ON pathway_patientlateststatus BEGIN
    {status_in_new}
END;
DROP TRIGGER IF EXISTS pathway_status_moved;
CREATE TRIGGER pathway_status_moved AFTER UPDATE ON pathway_patientlateststatus WHEN {latest_changed} BEGIN
    {status_out_old}
    {status_in_new}
END;
DROP TRIGGER IF EXISTS pathway_status_uncounted;
CREATE TRIGGER pathway_status_uncounted AFTER DELETE ON pathway_patientlateststatus BEGIN
    {status_out_old}
END;
""",
}

# Only a change to what is counted moves the counts (a note or a duration does not).
SESSION_COLUMNS = ("pathway_id", "patient_id", "psychologist_id", "kind", "billing", "date", "mode", "status")
PATHWAY_COLUMNS = ("patient_id", "status", "opened_on", "created_at")
LATEST_COLUMNS = ("psychologist_id", "status")
IS_DISTINCT = {"postgresql": "OLD.{c} IS DISTINCT FROM NEW.{c}", "sqlite": "OLD.{c} IS NOT NEW.{c}"}

# What the stored counts should be, from the rows: rebuilt from after a bulk load that ran without
# the triggers, and compared with them by check().
EXPECTED_PATIENT_YEARS = """
SELECT patient_id, MIN(psychologist_id) AS psychologist_id, "year", SUM(n) AS used FROM (
    SELECT s.patient_id, s.psychologist_id, {session_year} AS "year", COUNT(*) AS n FROM pathway_caresession AS s
    WHERE {counted_s} GROUP BY s.patient_id, s.psychologist_id, {session_year}
    UNION ALL
    SELECT patient_id, psychologist_id, "year", "count" FROM pathway_declaredsessions
) AS parts
GROUP BY patient_id, "year"
"""
EXPECTED_MONTHS = """
SELECT s.psychologist_id, {session_year} AS "year", {session_month} AS "month", COUNT(*) AS sessions,
    SUM(CASE WHEN s.mode = '{video}' THEN 1 ELSE 0 END) AS video
FROM pathway_caresession AS s WHERE {counted_s}
GROUP BY s.psychologist_id, {session_year}, {session_month}
"""
EXPECTED_PATHWAYS = """
SELECT s.pathway_id, MAX(CASE WHEN s.status = '{held}' THEN s."date" END) AS last_held_on,
    SUM(CASE WHEN s.status = '{held}' AND s.kind = '{followup}' AND s.billing = '{reimbursed}' THEN 1 ELSE 0 END)
        AS followups
FROM pathway_caresession AS s GROUP BY s.pathway_id
"""
EXPECTED_LATEST = """
SELECT pw.patient_id, pw.psychologist_id, pw.status FROM pathway_pathway AS pw
WHERE NOT EXISTS (
    SELECT 1 FROM pathway_pathway AS later WHERE later.patient_id = pw.patient_id
        AND (later.opened_on > pw.opened_on OR (later.opened_on = pw.opened_on AND later.created_at > pw.created_at))
)
"""
EXPECTED_STATUSES = """
SELECT psychologist_id, status, COUNT(*) AS patients FROM ({latest}) AS latest
WHERE status <> '' GROUP BY psychologist_id, status
"""
# The counter tables first; then the pathways' figures (a bulk load may write those with its rows).
REBUILD_COUNTS = """
DELETE FROM pathway_patientyearcount;
INSERT INTO pathway_patientyearcount (patient_id, psychologist_id, "year", used)
SELECT patient_id, psychologist_id, "year", used FROM ({patient_years}) AS expected;
DELETE FROM pathway_caseloadmonthcount;
INSERT INTO pathway_caseloadmonthcount (psychologist_id, "year", "month", sessions, video)
SELECT psychologist_id, "year", "month", sessions, video FROM ({months}) AS expected;
DELETE FROM pathway_patientlateststatus;
INSERT INTO pathway_patientlateststatus (patient_id, psychologist_id, status)
SELECT patient_id, psychologist_id, status FROM ({latest}) AS expected;
"""
REBUILD_STATUSES = """
DELETE FROM pathway_caseloadstatuscount;
INSERT INTO pathway_caseloadstatuscount (psychologist_id, status, patients)
SELECT psychologist_id, status, patients FROM ({statuses}) AS expected;
"""
REBUILD_PATHWAY_FIGURES = """
UPDATE pathway_pathway SET last_held_on = NULL, reimbursed_followups_held = 0
WHERE last_held_on IS NOT NULL OR reimbursed_followups_held <> 0;
UPDATE pathway_pathway SET last_held_on = figures.last_held_on, reimbursed_followups_held = figures.followups
FROM ({pathways}) AS figures
WHERE pathway_pathway.id = figures.pathway_id;
"""
# Rows that differ, each way (a stored row counting nothing is the same as no row).
CHECK = """
SELECT (
    SELECT COUNT(*) FROM (
        SELECT patient_id, "year", used FROM pathway_patientyearcount WHERE used <> 0
        EXCEPT SELECT patient_id, "year", used FROM ({patient_years}) AS expected
    ) AS stored_only
) + (
    SELECT COUNT(*) FROM (
        SELECT patient_id, "year", used FROM ({patient_years}) AS expected
        EXCEPT SELECT patient_id, "year", used FROM pathway_patientyearcount WHERE used <> 0
    ) AS expected_only
), (
    SELECT COUNT(*) FROM (
        SELECT psychologist_id, "year", "month", sessions, video FROM pathway_caseloadmonthcount
        WHERE sessions <> 0 OR video <> 0
        EXCEPT SELECT psychologist_id, "year", "month", sessions, video FROM ({months}) AS expected
    ) AS stored_only
) + (
    SELECT COUNT(*) FROM (
        SELECT psychologist_id, "year", "month", sessions, video FROM ({months}) AS expected
        EXCEPT SELECT psychologist_id, "year", "month", sessions, video FROM pathway_caseloadmonthcount
        WHERE sessions <> 0 OR video <> 0
    ) AS expected_only
), (
    SELECT COUNT(*) FROM (
        SELECT patient_id, status FROM pathway_patientlateststatus WHERE status <> ''
        EXCEPT SELECT patient_id, status FROM ({latest}) AS expected
    ) AS stored_only
) + (
    SELECT COUNT(*) FROM (
        SELECT patient_id, status FROM ({latest}) AS expected
        EXCEPT SELECT patient_id, status FROM pathway_patientlateststatus WHERE status <> ''
    ) AS expected_only
), (
    SELECT COUNT(*) FROM (
        SELECT psychologist_id, status, patients FROM pathway_caseloadstatuscount WHERE patients <> 0
        EXCEPT SELECT psychologist_id, status, patients FROM ({statuses}) AS expected
    ) AS stored_only
) + (
    SELECT COUNT(*) FROM (
        SELECT psychologist_id, status, patients FROM ({statuses}) AS expected
        EXCEPT SELECT psychologist_id, status, patients FROM pathway_caseloadstatuscount WHERE patients <> 0
    ) AS expected_only
), (
    SELECT COUNT(*) FROM pathway_pathway AS pw LEFT JOIN ({pathways}) AS expected ON expected.pathway_id = pw.id
    WHERE pw.reimbursed_followups_held <> COALESCE(expected.followups, 0)
        OR CASE WHEN pw.last_held_on = expected.last_held_on THEN 0
                WHEN pw.last_held_on IS NULL AND expected.last_held_on IS NULL THEN 0 ELSE 1 END = 1
)
"""


def values():
    return {"reimbursed": Billing.REIMBURSED, "held": SessionStatus.HELD, "video": SessionMode.VIDEO,
            "followup": SessionKind.FOLLOWUP}


def statements_for(vendor, row):
    parts = PART_OF_DATE[vendor]
    date = f'{row}."date"'
    found = {**values(), "row": row, "year": parts["year"].format(date=date),
             "month": parts["month"].format(date=date)}
    found["counted"] = COUNTED.format(**found)
    return found


def fill(template, vendor, row):
    return template.format(**statements_for(vendor, row))


def pathway_figures(pathway):
    return PATHWAY_FIGURES.format(**values(), pathway=pathway)


def trigger_sql(vendor, statuses=True):
    """The triggers' statements; without the caseload's statuses as migration 0007 installed them."""
    if vendor not in PART_OF_DATE:
        raise NotImplementedError(f"Stored counts are written for PostgreSQL and SQLite, not {vendor}.")
    template = (POSTGRESQL if vendor == "postgresql" else SQLITE) + (STATUS_TRIGGERS[vendor] if statuses else "")
    return template.format(
        session_in_new=fill(SESSION_IN, vendor, "NEW"), session_out_old=fill(SESSION_OUT, vendor, "OLD"),
        declared_in=DECLARED_IN, declared_out=DECLARED_OUT, pathway_figures=pathway_figures("target"),
        pathway_figures_new=pathway_figures("NEW.pathway_id"), pathway_figures_old=pathway_figures("OLD.pathway_id"),
        pathway_session_added=PATHWAY_SESSION_ADDED.format(**values()),
        latest_status_row=LATEST_STATUS_ROW, latest_status_new=LATEST_STATUS.format(patient="NEW.patient_id"),
        latest_status_old=LATEST_STATUS.format(patient="OLD.patient_id"),
        pathway_changed=" OR ".join(IS_DISTINCT[vendor].format(c=column) for column in PATHWAY_COLUMNS),
        session_changed=" OR ".join(IS_DISTINCT[vendor].format(c=column) for column in SESSION_COLUMNS),
        latest_changed=" OR ".join(IS_DISTINCT[vendor].format(c=column) for column in LATEST_COLUMNS),
        status_moved=STATUS_MOVED_POSTGRESQL, status_in_new=STATUS_IN.format(row="NEW"),
        status_out_old=STATUS_OUT.format(row="OLD"),
    )


def expected_sql(vendor):
    found = statements_for(vendor, "s")
    parts = {**values(), "session_year": found["year"], "session_month": found["month"],
             "counted_s": found["counted"]}
    return {"patient_years": EXPECTED_PATIENT_YEARS.format(**parts), "months": EXPECTED_MONTHS.format(**parts),
            "pathways": EXPECTED_PATHWAYS.format(**parts), "latest": EXPECTED_LATEST,
            "statuses": EXPECTED_STATUSES.format(latest=EXPECTED_LATEST)}


def rebuild_sql(vendor, pathways=True, statuses=True):
    expected = expected_sql(vendor)
    return (REBUILD_COUNTS.format(**expected) + (REBUILD_STATUSES.format(**expected) if statuses else "")
            + (REBUILD_PATHWAY_FIGURES.format(**expected) if pathways else ""))


def run_script(connection, script):
    """Each statement of `script` on `connection`, without parameters (the text holds % signs), in the
    current transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(script)  # many statements at once, $-quoted bodies included
            return
        statement = ""
        for line in script.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):  # a trigger's body ends at its END;
                cursor.execute(statement)
                statement = ""


def install(connection, statuses=True):
    """Create or replace the triggers (statuses=False: those of migration 0007, before the caseload's
    counts by status)."""
    run_script(connection, trigger_sql(connection.vendor, statuses))


def rebuild(connection, pathways=True, statuses=True):
    """Every stored count again from the rows (but the pathways' figures, with pathways=False; the
    caseload's counts by status, with statuses=False)."""
    run_script(connection, rebuild_sql(connection.vendor, pathways, statuses))


def count_statuses(connection):
    """The caseload's counts by status again, from the latest statuses (migration 0010's first count)."""
    run_script(connection, REBUILD_STATUSES.format(**expected_sql(connection.vendor)))


def uninstall_statuses(connection):
    """Drop the triggers of the caseload's counts by status (migration 0010 taken back)."""
    names = TRIGGERS["pathway_patientlateststatus"]
    if connection.vendor == "postgresql":
        script = "".join(f"DROP TRIGGER IF EXISTS {name} ON pathway_patientlateststatus;\n" for name in names)
        script += "DROP FUNCTION IF EXISTS pathway_status_counted();\n"
    else:
        script = "".join(f"DROP TRIGGER IF EXISTS {name};\n" for name in names)
    run_script(connection, script)


def check(connection):
    """How many stored rows differ from the rows they count: {"patient years": n, "months": n, "pathways": n}."""
    with connection.cursor() as cursor:
        cursor.execute(CHECK.format(**expected_sql(connection.vendor)))
        patient_years, months, latest, statuses, pathways = cursor.fetchone()
    return {"patient years": int(patient_years), "months": int(months), "latest statuses": int(latest),
            "caseload statuses": int(statuses), "pathways": int(pathways)}


# The tables the triggers keep (a bulk load vacuums and analyzes them with the rest).
COUNT_TABLES = ("pathway_patientyearcount", "pathway_caseloadmonthcount", "pathway_patientlateststatus",
                "pathway_caseloadstatuscount")
TRIGGERS = {"pathway_caresession": ("pathway_session_inserted", "pathway_session_updated", "pathway_session_deleted"),
            "pathway_pathway": ("pathway_latest_inserted", "pathway_latest_updated", "pathway_latest_deleted"),
            "pathway_patientlateststatus": ("pathway_status_counted", "pathway_status_moved",
                                            "pathway_status_uncounted"),
            "pathway_declaredsessions": ("pathway_declared_changed", "pathway_declared_inserted",
                                         "pathway_declared_updated", "pathway_declared_deleted")}
FUNCTIONS = ("pathway_session_inserted()", "pathway_session_updated()", "pathway_session_deleted()",
             "pathway_declared_changed()", "pathway_refresh_figures(uuid)", "pathway_latest_changed()",
             "pathway_status_counted()")


def uninstall(connection):
    """Drop the triggers (a migration taken back): the counts then stand still."""
    if connection.vendor == "postgresql":
        script = "".join(f"DROP TRIGGER IF EXISTS {name} ON {table};\n"
                         for table, names in TRIGGERS.items() for name in names)
        script += "".join(f"DROP FUNCTION IF EXISTS {function};\n" for function in FUNCTIONS)
    else:
        script = "".join(f"DROP TRIGGER IF EXISTS {name};\n" for names in TRIGGERS.values() for name in names)
    run_script(connection, script)

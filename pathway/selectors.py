"""Owner-scoped reads, annotated so each page runs a fixed number of queries.

No view looks up patient data without going through the psychologist's own rows: a stranger's
object is simply not found (404).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from config.model_rows import Read, cache_relation, column_set, db_key, read_together
from documents.models import Consent, Document

from . import charts, rules
from .models import (
    Billing,
    CareSession,
    DeclaredSessions,
    Pathway,
    PathwayEvent,
    PathwayStatus,
    Patient,
    SessionKind,
    SessionStatus,
    search_key,
)
from .services.cap import used_in_year_clause

# What the lists show of a pathway or a patient: the other columns (the evaluation's answers,
# addresses...) are neither sent by PostgreSQL nor decoded by Python.
PATIENT_ROW = ("id", "last_name", "first_name")


@lru_cache(maxsize=16)
def used_in_year(year, patient_ref="pk"):
    """SQL expression: reimbursed sessions held in `year` plus those declared done elsewhere.

    Built once per (year, reference): building its two subqueries costs about a millisecond, and
    Django copies an expression before resolving it into a query, so the cached one never changes.
    """
    held = (
        CareSession.objects.filter(
            patient=OuterRef(patient_ref), date__year=year, billing=Billing.REIMBURSED,
            status=SessionStatus.HELD,
        ).order_by().values("patient").annotate(n=Count("*")).values("n")
    )
    declared = (
        DeclaredSessions.objects.filter(patient=OuterRef(patient_ref), year=year)
        .order_by().values("patient").annotate(n=Sum("count")).values("n")
    )
    return (Coalesce(Subquery(held, output_field=IntegerField()), Value(0))
            + Coalesce(Subquery(declared, output_field=IntegerField()), Value(0)))


def current_cap():
    return rules.rules_on(timezone.localdate()).annual_cap


def patients_of(psychologist):
    return Patient.objects.filter(psychologist=psychologist)


# --- The patient list: one statement per page -------------------------------------------------------
#
# Plain SQL for the same reason as the dashboard below: the ORM's queryset with its two correlated
# counts cost about 4 ms to build and compile, for under 1 ms of SQL. The rows come back as dicts.

PATIENT_PAGE_SQL = """
SELECT p.id, p.last_name, p.first_name, p.birth_date, {used} AS used_this_year,
    (SELECT COUNT(*) FROM pathway_patient AS p WHERE {where}) AS total
FROM pathway_patient AS p
WHERE {where}
ORDER BY p.last_name, p.first_name, p.id
LIMIT %s OFFSET %s
"""
PATIENT_COUNT_SQL = "SELECT COUNT(*) FROM pathway_patient AS p WHERE {where}"


def patient_conditions(psychologist, query):
    """The WHERE clause of a psychologist's patients matching every word of `query` (as word_search
    reads each word), and its parameters. PostgreSQL's LIKE escapes with a backslash by default,
    SQLite's with none unless told."""
    escape = " ESCAPE '\\'" if connection.vendor == "sqlite" else ""
    conditions, params = ["p.psychologist_id = %s"], [psychologist.pk]
    for word in query.split():
        column, lookup, value = word_search(word)
        literal = connection.ops.prep_for_like_query(value)
        conditions.append(f"p.{column} LIKE %s{escape}")
        params.append(f"{literal}%" if lookup == "startswith" else f"%{literal}%")
    return " AND ".join(conditions), params


def patient_page_sql(psychologist, query, offset, limit):
    where, params = patient_conditions(psychologist, query)
    used, used_params = used_in_year_clause("p.id", timezone.localdate().year)
    return PATIENT_PAGE_SQL.format(used=used, where=where), [*used_params, *params, *params, limit, offset]


def patient_page(psychologist, query, number, per_page):
    """Django's Page of the psychologist's patients matching `query`, with each one's count this year,
    in one statement (the total rides on each row). A page number that is not a page is served as the
    Paginator serves it (page 1 for a word, the last page past the end), at the cost of a COUNT."""
    index = 1 if not number else int(number) if PAGE_NUMBER.fullmatch(str(number)) else None
    rows = fetch(*patient_page_sql(psychologist, query, (index - 1) * per_page, per_page)) if index else []
    paginator = Paginator((), per_page)
    if rows or index == 1:
        paginator.count = rows[0][-1] if rows else 0  # a cached_property: set, it is not queried
    else:
        where, params = patient_conditions(psychologist, query)
        paginator.count = fetch(PATIENT_COUNT_SQL.format(where=where), params)[0][0]
        index = page_number(paginator, number)
        rows = fetch(*patient_page_sql(psychologist, query, (index - 1) * per_page, per_page))
    return Page([{"pk": as_uuid(pk), "name": patient_name(last_name, first_name), "birth_date": as_date(birth_date),
                  "used_this_year": used} for pk, last_name, first_name, birth_date, used, _total in rows],
                index, paginator)


PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")  # a plain page number; anything else goes to the Paginator


def word_search(word):
    """The column, lookup and value one typed word searches: a NIR starts with a digit, a name never
    does, so each word searches one column, through its index. `search_name` is already unaccented
    lowercase, so a plain LIKE is accent- and case-insensitive and can use the trigram index (an OR
    across columns could not)."""
    if word[0].isdigit():
        return "nir", "startswith", word.upper()
    return "search_name", "contains", search_key(word)


def word_filter(word):
    """word_search() as an ORM condition."""
    column, lookup, value = word_search(word)
    return Q(**{f"{column}__{lookup}": value})


def patient_get(psychologist, patient_id):
    year = timezone.localdate().year
    patients = patients_of(psychologist).annotate(used_this_year=used_in_year(year))
    return get_object_or_404(patients, pk=patient_id)


def patient_detail(psychologist, patient_id):
    patient = get_object_or_404(
        patients_of(psychologist)
        .annotate(used_this_year=used_in_year(timezone.localdate().year))
        .prefetch_related(
            Prefetch("pathways", queryset=Pathway.objects.annotate(
                sessions_held=Count("sessions", filter=Q(sessions__status=SessionStatus.HELD)),
                last_session_on=Max("sessions__date"),
            )),
            "declared_sessions",
        ),
        pk=patient_id,
    )
    return patient


# A pathway of the psychologist with its patient, and what a page reads along (`more`, `join`).
OWNED_PATHWAY_SQL = """
SELECT {pathway}, {patient}{more} FROM pathway_pathway AS pw JOIN pathway_patient AS p ON p.id = pw.patient_id{join}
WHERE pw.psychologist_id = %s AND pw.id = %s
"""


def pathway_key(pathway_id):
    """The pathway's key as the database takes it; a value that is no key is a 404."""
    try:
        return db_key(Pathway, pathway_id)
    except ValidationError:
        raise Http404 from None


def owned_pathway_read(psychologist, pathway_id, more="", join="", more_params=()):
    pathway_columns, patient_columns = column_set(Pathway, "pw"), column_set(Patient, "p")
    sql = OWNED_PATHWAY_SQL.format(pathway=pathway_columns.select, patient=patient_columns.select, more=more,
                                   join=join)
    return Read(sql, [*more_params, psychologist.pk, pathway_key(pathway_id)])


def owned_pathway(psychologist, pathway_id, more="", join="", more_params=()):
    """The psychologist's pathway with its patient, by one fixed statement (another's, or none, is a 404);
    its row, and where the columns after the patient's start."""
    read = owned_pathway_read(psychologist, pathway_id, more, join, more_params)
    return owned_pathway_of(read_together(read)[0], psychologist)


def owned_pathway_of(rows, psychologist):
    if not rows:
        raise Http404
    pathway_columns, patient_columns = column_set(Pathway, "pw"), column_set(Patient, "p")
    pathway, start = pathway_columns.take(rows[0], 0)
    patient, start = patient_columns.take(rows[0], start)
    cache_relation(pathway, "patient", patient)
    pathway.psychologist = psychologist  # its owner, loaded with the login: no join, no second instance
    return pathway, rows[0], start


def pathway_get(psychologist, pathway_id):
    return owned_pathway(psychologist, pathway_id)[0]


# --- The pathway page: four fixed statements, one round trip --------------------------------------
#
# The pathway with its patient, its referral and the patient's count this year; then its sessions,
# history and documents. Plain SQL read into model instances (config/model_rows.py): the querysets
# cost about 7 ms to build and compile on every showing, for under 0.5 ms of SQL. The four go to the
# server together (read_together), so each of the last three also checks the pathway is the
# psychologist's: none reads a row of another's pathway, even one the first statement turns into a 404.

PATHWAY_SESSIONS_SQL = """
SELECT {session} FROM pathway_caresession AS s
WHERE s.pathway_id = %s AND s.psychologist_id = %s ORDER BY s."date", s.created_at, s.id
"""
PATHWAY_EVENTS_SQL = """
SELECT {event}, {actor} FROM pathway_pathwayevent AS e
JOIN pathway_pathway AS pw ON pw.id = e.pathway_id AND pw.psychologist_id = %s
JOIN accounts_user AS u ON u.id = e.actor_id
WHERE e.pathway_id = %s ORDER BY e.created_at, e.id
"""
PATHWAY_DOCUMENTS_SQL = """
SELECT {document}, {consent}, {released_to}
FROM documents_document AS d
JOIN pathway_pathway AS pw ON pw.id = d.pathway_id AND pw.psychologist_id = %s
LEFT JOIN documents_consent AS c ON c.document_id = d.id
LEFT JOIN accounts_user AS u ON u.id = d.released_to_id
WHERE d.pathway_id = %s ORDER BY d.created_at, d.id
"""
EVENT_COLUMNS = ("id", "pathway_id", "actor_id", "created_at", "action", "from_status", "to_status", "details")
ACTOR_COLUMNS = ("id", "username", "first_name", "last_name")
# What the page lists of a document: not its texts.
DOCUMENT_TEXTS = ("recipient_address", "reason_for_care", "evolution", "orientation_details", "body", "issued_html",
                  "issued_content")


def document_columns():
    return tuple(field.attname for field in Document._meta.concrete_fields if field.attname not in DOCUMENT_TEXTS)


def referral_columns():
    from referrals.models import Referral  # referrals builds on pathway: imported when first used

    return column_set(Referral, "r")


def pathway_detail_reads(psychologist, pathway_id):
    """The pathway with its patient, referral and the patient's count this year; its sessions."""
    used, used_params = used_in_year_clause("pw.patient_id", timezone.localdate().year)
    pathway = owned_pathway_read(
        psychologist, pathway_id, more=f", {referral_columns().select}, {used} AS used_this_year",
        join=" LEFT JOIN referrals_referral AS r ON r.pathway_id = pw.id", more_params=used_params)
    sessions = Read(PATHWAY_SESSIONS_SQL.format(session=column_set(CareSession, "s").select),
                    [pathway_key(pathway_id), psychologist.pk])
    return pathway, sessions


def pathway_detail(psychologist, pathway_id):
    """The pathway page's pathway: its patient, referral (or None) and the patient's count this year
    (`patient_used_this_year`), and its sessions in order, as `pathway.sessions.all()` (no query).
    Another psychologist's pathway, or no pathway, is a 404."""
    return pathway_detail_of(psychologist, *read_together(*pathway_detail_reads(psychologist, pathway_id)))


def pathway_page(psychologist, pathway_id):
    """The pathway page's pathway (as pathway_detail), its history and its documents: one round trip."""
    pathway_rows, session_rows, event_rows, document_rows = read_together(
        *pathway_detail_reads(psychologist, pathway_id), pathway_history_read(psychologist, pathway_id),
        pathway_documents_read(psychologist, pathway_id))
    pathway = pathway_detail_of(psychologist, pathway_rows, session_rows)
    return pathway, pathway_history_of(event_rows), pathway_documents_of(document_rows)


def pathway_detail_of(psychologist, pathway_rows, session_rows):
    pathway, row, start = owned_pathway_of(pathway_rows, psychologist)
    cache_relation(pathway, "referral", referral_columns().take(row, start, outer=True)[0])
    pathway.patient_used_this_year = row[-1]
    sessions = [column_set(CareSession).instance(values) for values in session_rows]
    for session in sessions:
        cache_relation(session, "pathway", pathway)
        cache_relation(session, "patient", pathway.patient)  # denormalised from the pathway: the same row
    prefetched(pathway, "sessions", sessions)
    return pathway


def prefetched(instance, name, objects):
    """`objects` as prefetch_related() leaves a reverse relation: `instance.<name>.all()` reads no row."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = list(objects), True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def event_columns():
    return column_set(PathwayEvent, "e", EVENT_COLUMNS), column_set(User, "u", ACTOR_COLUMNS)


def pathway_history_read(psychologist, pathway_id):
    event, actor = event_columns()
    return Read(PATHWAY_EVENTS_SQL.format(event=event.select, actor=actor.select),
                [psychologist.pk, pathway_key(pathway_id)])


def pathway_history(pathway):
    return pathway_history_of(read_together(pathway_history_read(pathway.psychologist, pathway.pk))[0])


def pathway_history_of(rows):
    events_read, actors_read = event_columns()
    events = []
    for row in rows:
        event, start = events_read.take(row, 0)
        cache_relation(event, "actor", actors_read.take(row, start)[0])
        events.append(event)
    return events


def documents_columns():
    return column_set(Document, "d", document_columns()), column_set(Consent, "c"), column_set(User, "u")


def pathway_documents_read(psychologist, pathway_id):
    document, consent, released_to = documents_columns()
    return Read(PATHWAY_DOCUMENTS_SQL.format(document=document.select, consent=consent.select,
                                             released_to=released_to.select),
                [psychologist.pk, pathway_key(pathway_id)])


def pathway_documents(pathway):
    return pathway_documents_of(read_together(pathway_documents_read(pathway.psychologist, pathway.pk))[0])


def pathway_documents_of(rows):
    columns = documents_columns()
    documents = []
    for row in rows:
        document, start = columns[0].take(row, 0)
        consent, start = columns[1].take(row, start, outer=True)
        released_to = columns[2].take(row, start, outer=True)[0]
        if consent is not None:
            cache_relation(consent, "document", document)
        cache_relation(document, "consent", consent)
        cache_relation(document, "released_to", released_to)
        documents.append(document)
    return documents


def session_get(psychologist, session_id):
    return get_object_or_404(
        CareSession.objects.filter(pathway__psychologist=psychologist).select_related(
            "pathway__patient", "pathway__psychologist", "patient"
        ),
        pk=session_id,
    )


# --- The dashboard: three statements, each through index ranges of the psychologist -----------------
#
# Plain SQL (standard enough for SQLite too), not the ORM: building and compiling these querysets cost
# several times their own run (2 to 5 ms each for about 0.5 ms of SQL), on the app's busiest page.
# Rows come back as dicts, which templates read fastest.

DASHBOARD_LIST_LENGTH = 10
OPEN_PATHWAYS_PER_PAGE = 25


@dataclass(frozen=True)
class Bounded:
    """The first rows of a dashboard list, and how many rows it has in all."""

    rows: list
    total: int

    @property
    def more(self):
        return self.total - len(self.rows)


def fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def common_params(psychologist, today):
    return {"psychologist": psychologist.pk, "year": today.year, "length": DASHBOARD_LIST_LENGTH}


SQL_CONSTANT = re.compile(r"[a-z_]+")


def with_statuses(sql):
    """`sql` with the open statuses written in as literals, not bound as parameters. A prepared
    statement soon runs a generic plan, made without its parameters' values: with the statuses as
    parameters that plan cannot prove `status IN (...)` matches the partial index of open pathways,
    and reads every pathway the psychologist ever had (3 ms instead of 1 ms for the largest caseload)."""
    statuses = {"awaiting": PathwayStatus.AWAITING_EVALUATION.value, "in_care": PathwayStatus.IN_CARE.value}
    for name, value in statuses.items():
        if not SQL_CONSTANT.fullmatch(value):
            raise ValueError(f"{value!r} cannot be written into SQL as it is")
        sql = sql.replace(f"%({name})s", f"'{value}'")
    return sql


def as_uuid(value):
    return Patient._meta.pk.to_python(value)  # PostgreSQL returns UUIDs, SQLite their hex


def as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value  # SQLite returns text


def patient_name(last_name, first_name):
    """As Patient.__str__ writes it, for a row read without a model instance."""
    return Patient.__str__(SimpleNamespace(last_name=last_name, first_name=first_name))


# The year's figures: the patients at or near the cap (the first rows and their number), the reimbursed
# sessions and video follow-ups held this year. The counts are the
# ones the database keeps (pathway/stored_counts.py): a patient's year is one row of
# PatientYearCount, the caseload's year twelve rows of CaseloadMonthCount, however large the caseload.
YEAR_FIGURES_SQL = """
SELECT totals.sessions, totals.video, near.id, near.last_name, near.first_name, near.used, near.total
FROM (
    SELECT COALESCE(SUM(sessions), 0) AS sessions, COALESCE(SUM(video), 0) AS video
    FROM pathway_caseloadmonthcount WHERE psychologist_id = %(psychologist)s AND "year" = %(year)s
) AS totals
LEFT JOIN (
    SELECT p.id, p.last_name, p.first_name, y.used, COUNT(*) OVER () AS total
    FROM pathway_patientyearcount AS y
    JOIN pathway_patient AS p ON p.id = y.patient_id AND p.psychologist_id = y.psychologist_id
    WHERE y.psychologist_id = %(psychologist)s AND y."year" = %(year)s AND y.used >= %(warning_from)s
    ORDER BY y.used DESC, p.last_name, p.first_name, p.id
    LIMIT %(length)s
) AS near ON 1 = 1
ORDER BY near.used DESC, near.last_name, near.first_name, near.id
"""


@dataclass(frozen=True)
class YearFigures:
    near_cap: Bounded
    sessions: int  # reimbursed sessions held this year
    video: int  # of which by video


def year_figures_read(psychologist, today):
    return Read(YEAR_FIGURES_SQL, {**common_params(psychologist, today), "warning_from": rules.CAP_WARNING_FROM},
                year_figures_of)


def year_figures_of(rows):
    sessions, video = rows[0][:2]
    near = [{"id": as_uuid(row[2]), "patient": patient_name(row[3], row[4]), "used_this_year": int(row[5])}
            for row in rows if row[2] is not None]
    return YearFigures(near_cap=Bounded(near, rows[0][6] if near else 0), sessions=int(sessions), video=int(video))


def year_figures(psychologist, today):
    return read_together(year_figures_read(psychologist, today))[0]


def video_share(figures):
    """Share of video follow-ups among the psychologist's reimbursed sessions held this year."""
    if not figures.sessions:
        return None
    share = figures.video / figures.sessions
    return {"percent": round(100 * share), "over": share > rules.VIDEO_SHARE_WARNING,
            "threshold_percent": round(100 * rules.VIDEO_SHARE_WARNING)}


# The lists of open pathways, from one pass over them (the partial covering index of open pathways,
# which holds each one's last held session and reimbursed follow-ups, kept by the database) and one
# read of their patients' names: the first rows of each list (silent for weeks, awaiting follow-ups,
# awaiting the evaluation) and a page of the table of open pathways by name, each list with its
# number of rows; only the table's rows get their patient's count this year (one PatientYearCount
# row). Each list is its first rows (ORDER BY ... LIMIT: a partial sort), not a ranking of them all.
# The table's page is the one asked for, or its last page when asked for one past it, as
# Paginator.get_page serves it: the statement knows how many rows there are, the request does not yet.
LIST_COLUMNS = "id, status, opened_on, planned_followups, last_session_on, followups_held, last_name, first_name"
PATHWAY_LISTS_SQL = f"""
WITH active AS (
    SELECT pw.id, pw.status, pw.opened_on, pw.planned_followups, pw.patient_id, p.last_name, p.first_name,
        CASE WHEN pw.status = %(in_care)s THEN pw.last_held_on END AS last_session_on,
        pw.reimbursed_followups_held AS followups_held
    FROM pathway_pathway AS pw
    JOIN pathway_patient AS p ON p.id = pw.patient_id AND p.psychologist_id = pw.psychologist_id
    WHERE pw.psychologist_id = %(psychologist)s AND pw.status IN (%(awaiting)s, %(in_care)s)
), silent AS (
    SELECT * FROM active WHERE status = %(in_care)s
        AND (last_session_on < %(silent_since)s OR (last_session_on IS NULL AND opened_on < %(silent_since)s))
), awaiting_followups AS (
    SELECT * FROM active WHERE status = %(in_care)s AND followups_held = 0
), awaiting_evaluation AS (
    SELECT * FROM active WHERE status = %(awaiting)s
), table_pages AS (
    SELECT CASE WHEN COUNT(*) = 0 THEN 1 ELSE (COUNT(*) + %(per_page)s - 1) / %(per_page)s END AS last_page
    FROM active
)
SELECT 'silent' AS list, (SELECT COUNT(*) FROM silent) AS total,
    ROW_NUMBER() OVER (ORDER BY last_session_on NULLS FIRST, opened_on, id) AS position, {LIST_COLUMNS},
    CAST(NULL AS INTEGER) AS used_this_year
FROM (SELECT * FROM silent ORDER BY last_session_on NULLS FIRST, opened_on, id LIMIT %(length)s) AS first_rows
UNION ALL
SELECT 'awaiting_followups', (SELECT COUNT(*) FROM awaiting_followups), ROW_NUMBER() OVER (ORDER BY opened_on, id),
    {LIST_COLUMNS}, NULL
FROM (SELECT * FROM awaiting_followups ORDER BY opened_on, id LIMIT %(length)s) AS first_rows
UNION ALL
SELECT 'awaiting_evaluation', (SELECT COUNT(*) FROM awaiting_evaluation), ROW_NUMBER() OVER (ORDER BY opened_on, id),
    {LIST_COLUMNS}, NULL
FROM (SELECT * FROM awaiting_evaluation ORDER BY opened_on, id LIMIT %(length)s) AS first_rows
UNION ALL
SELECT 'open', (SELECT COUNT(*) FROM active), ROW_NUMBER() OVER (ORDER BY last_name, first_name, id), {LIST_COLUMNS},
    COALESCE((SELECT y.used FROM pathway_patientyearcount AS y
              WHERE y.patient_id = table_page.patient_id AND y."year" = %(year)s), 0)
FROM (
    SELECT * FROM active ORDER BY last_name, first_name, id LIMIT %(per_page)s
    OFFSET %(per_page)s * (
        (SELECT CASE WHEN %(page)s > last_page THEN last_page ELSE %(page)s END FROM table_pages) - 1)
) AS table_page
ORDER BY list, position
"""
PATHWAY_LISTS_SQL = with_statuses(PATHWAY_LISTS_SQL)


def choice_labels(choices):
    """Each value's label, translated once for a whole list (not once per row)."""
    return {value: str(label) for value, label in choices.choices}


LAST_PAGE = 10**6  # stands for "the last page", whatever its number


def requested_page(value):
    """The page asked for, read as Paginator.get_page reads it: not a whole number, the first page;
    below 1 or past the end, the last (LAST_PAGE, brought back to it by the statement)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number < LAST_PAGE else LAST_PAGE


def pathway_lists_read(psychologist, today, page):
    """The three bounded lists of pathways and a page of the open pathways' table, in one statement."""
    silent_since = connection.ops.adapt_datefield_value(today - timedelta(weeks=rules.SILENT_PATHWAY_WEEKS))
    return Read(PATHWAY_LISTS_SQL, {**common_params(psychologist, today), "silent_since": silent_since,
                                    "page": requested_page(page), "per_page": OPEN_PATHWAYS_PER_PAGE},
                pathway_lists_of)


def pathway_lists_of(rows):
    """The lists as Bounded rows, and the open table's rows with their number in all."""
    lists, totals = {"silent": [], "awaiting_followups": [], "awaiting_evaluation": [], "open": []}, {}
    status_labels = choice_labels(PathwayStatus)
    for name, total, _position, *row in rows:
        pathway_id, status, opened_on, planned, last_session_on, followups_held, last_name, first_name, used = row
        totals[name] = total
        lists[name].append({
            "id": as_uuid(pathway_id), "patient": patient_name(last_name, first_name), "status": status,
            "status_label": status_labels[status], "opened_on": as_date(opened_on),
            "planned_followups": planned, "last_session_on": as_date(last_session_on),
            "followups_held": followups_held, "patient_used_this_year": used,
        })
    return {name: Bounded(rows, totals.get(name, 0)) for name, rows in lists.items()}


WEEK_SESSIONS_SQL = """
SELECT s.pathway_id, s."date", s.kind, s.status, p.last_name, p.first_name, COUNT(*) OVER () AS total
FROM pathway_caresession AS s JOIN pathway_patient AS p ON p.id = s.patient_id
WHERE s.psychologist_id = %(psychologist)s AND s."date" BETWEEN %(week_start)s AND %(week_end)s
ORDER BY s."date" DESC, s.created_at DESC
LIMIT %(length)s
"""


def week_sessions_read(psychologist, today):
    adapt, monday = connection.ops.adapt_datefield_value, today - timedelta(days=today.weekday())
    return Read(WEEK_SESSIONS_SQL, {"psychologist": psychologist.pk, "week_start": adapt(monday),
                                    "week_end": adapt(monday + timedelta(days=6)), "length": DASHBOARD_LIST_LENGTH},
                week_sessions_of)


def week_sessions_of(rows):
    kind_labels, status_labels = choice_labels(SessionKind), choice_labels(SessionStatus)
    return Bounded([{
        "pathway_id": as_uuid(pathway_id), "date": as_date(day), "kind_label": kind_labels[kind],
        "status_label": status_labels[status], "patient": patient_name(last_name, first_name),
    } for pathway_id, day, kind, status, last_name, first_name, _total in rows], rows[0][-1] if rows else 0)


def page_number(paginator, number):
    """The page Paginator.get_page serves for `number`, by its rules, without reading the rows."""
    try:
        return paginator.validate_number(number)
    except PageNotAnInteger:
        return 1
    except EmptyPage:
        return paginator.num_pages


def dashboard(psychologist, page=None):
    """Everything the dashboard shows, read in one round trip (four statements in one pipeline)."""
    today = timezone.localdate()
    figures, lists, week, counts = read_together(
        year_figures_read(psychologist, today), pathway_lists_read(psychologist, today, page),
        week_sessions_read(psychologist, today), charts.dashboard_counts_read(psychologist, today.year),
    )
    paginator = Paginator((), OPEN_PATHWAYS_PER_PAGE)
    paginator.count = lists["open"].total  # a cached_property: set, it is not counted again
    return {
        "week_sessions": week,
        "near_cap": figures.near_cap,
        "silent_pathways": lists["silent"],
        "awaiting_followups": lists["awaiting_followups"],
        "awaiting_evaluation": lists["awaiting_evaluation"],
        "open_pathways": Page(lists["open"].rows, page_number(paginator, page), paginator),
        "cap": current_cap(),
        "cap_warning_from": rules.CAP_WARNING_FROM,
        "silent_weeks": rules.SILENT_PATHWAY_WEEKS,
        "video_share": video_share(figures),
        "charts": charts.dashboard_charts_of(counts, today),
    }

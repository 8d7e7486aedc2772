"""Owner-scoped reads, annotated so each page runs a fixed number of queries.

No view looks up patient data without going through the psychologist's own rows: a stranger's
object is simply not found (404).
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, Prefetch, Q, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from documents.models import Document

from . import rules
from .models import (
    ACTIVE_STATUSES,
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

# What the lists show of a pathway or a patient: the other columns (the evaluation's answers,
# addresses...) are neither sent by PostgreSQL nor decoded by Python.
PATHWAY_ROW = ("id", "status", "opened_on", "planned_followups", "patient__id", "patient__last_name",
               "patient__first_name")
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


def patient_list(psychologist, query=""):
    patients = patients_of(psychologist).only(*PATIENT_ROW, "birth_date").annotate(
        used_this_year=used_in_year(timezone.localdate().year))
    for word in query.split():
        patients = patients.filter(word_filter(word))
    return patients.order_by("last_name", "first_name", "id")


def word_filter(word):
    """A NIR starts with a digit, a name never does: each word searches one column, through its index.

    `search_name` is already unaccented lowercase, so a plain LIKE is accent- and case-insensitive
    and can use the trigram index (an OR across columns could not).
    """
    if word[0].isdigit():
        return Q(nir__startswith=word.upper())
    return Q(search_name__contains=search_key(word))


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


def pathway_get(psychologist, pathway_id):
    return get_object_or_404(
        Pathway.objects.filter(psychologist=psychologist).select_related("patient", "psychologist"),
        pk=pathway_id,
    )


def pathway_detail(psychologist, pathway_id):
    year = timezone.localdate().year
    pathway = get_object_or_404(
        Pathway.objects.filter(psychologist=psychologist)
        .select_related("patient", "psychologist", "referral")
        .annotate(patient_used_this_year=used_in_year(year, "patient_id"))
        .prefetch_related(
            Prefetch("sessions", queryset=CareSession.objects.select_related("patient").order_by("date", "created_at")),
            Prefetch("events", queryset=PathwayEvent.objects.select_related("actor", "session")),
            Prefetch("documents", queryset=Document.objects.select_related("consent", "released_to")),
        ),
        pk=pathway_id,
    )
    return pathway


def session_get(psychologist, session_id):
    return get_object_or_404(
        CareSession.objects.filter(pathway__psychologist=psychologist).select_related(
            "pathway__patient", "pathway__psychologist", "patient"
        ),
        pk=session_id,
    )


# --- The dashboard: every list bounded, every read through one index range of the psychologist ----

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


def bounded(queryset, length=DASHBOARD_LIST_LENGTH):
    """One query: the first `length` rows, each carrying the list's total (a window count)."""
    rows = list(queryset.annotate(list_total=Window(Count("*")))[:length])
    return Bounded(rows, rows[0].list_total if rows else 0)


def counted(queryset, group_field):
    """SQL expression: the number of rows of `queryset` (correlated through OuterRef), 0 if none."""
    rows = queryset.order_by().values(group_field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def active_pathways(psychologist):
    return Pathway.objects.filter(psychologist=psychologist, status__in=ACTIVE_STATUSES).select_related(
        "patient").only(*PATHWAY_ROW)


def held_sessions(pathway_ref="pk"):
    return CareSession.objects.filter(pathway=OuterRef(pathway_ref), status=SessionStatus.HELD)


def reimbursed_followups(pathway_ref="pk"):
    return held_sessions(pathway_ref).filter(kind=SessionKind.FOLLOWUP, billing=Billing.REIMBURSED)


def last_session_on():
    return Subquery(held_sessions().order_by("-date").values("date")[:1])


def open_pathways(psychologist, year):
    """The open pathways' table: correlated subqueries, which PostgreSQL computes only for the
    page's rows (after ORDER BY ... LIMIT), where a join and GROUP BY would aggregate them all."""
    return active_pathways(psychologist).annotate(
        followups_held=counted(reimbursed_followups(), "pathway"),
        patient_used_this_year=used_in_year(year, "patient_id"),
    ).order_by("patient__last_name", "patient__first_name", "id")


def near_cap(psychologist, year):
    """The psychologist's patients at or near the cap, from two index ranges of the psychologist.

    A patient with enough counted sessions here is near the cap whatever else; one who declared
    sessions done elsewhere is counted exactly first. No per-patient count runs over the caseload:
    only over these candidates (a filter on the count would let the planner run it for every patient).
    """
    counted_here = CareSession.objects.filter(
        psychologist=psychologist, date__year=year, billing=Billing.REIMBURSED, status=SessionStatus.HELD,
    ).order_by().values("patient").annotate(n=Count("*")).filter(n__gte=rules.CAP_WARNING_FROM).values("patient")
    declaring = DeclaredSessions.objects.filter(psychologist=psychologist, year=year).annotate(
        used=used_in_year(year, "patient_id")
    ).filter(used__gte=rules.CAP_WARNING_FROM).order_by().values("patient")
    return patients_of(psychologist).filter(pk__in=counted_here.union(declaring)).only(*PATIENT_ROW).annotate(
        used_this_year=used_in_year(year)
    ).order_by("-used_this_year", "last_name", "first_name", "id")


def dashboard(psychologist, page=None):
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    silent_since = today - timedelta(weeks=rules.SILENT_PATHWAY_WEEKS)
    in_care = active_pathways(psychologist).filter(status=PathwayStatus.IN_CARE)
    return {
        "week_sessions": bounded(CareSession.objects.filter(
            psychologist=psychologist, date__gte=week_start, date__lte=week_start + timedelta(days=6)
        ).select_related("patient").only("id", "pathway_id", "date", "kind", "status", "created_at", *(
            f"patient__{name}" for name in PATIENT_ROW)).order_by("-date", "-created_at")),
        "near_cap": bounded(near_cap(psychologist, today.year)),
        "silent_pathways": bounded(in_care.annotate(last_session_on=last_session_on()).filter(
            Q(last_session_on__lt=silent_since) | Q(last_session_on__isnull=True, opened_on__lt=silent_since)
        ).order_by(F("last_session_on").asc(nulls_first=True), "opened_on", "id")),
        "awaiting_followups": bounded(in_care.filter(~Exists(reimbursed_followups())).order_by("opened_on", "id")),
        "awaiting_evaluation": bounded(active_pathways(psychologist).filter(
            status=PathwayStatus.AWAITING_EVALUATION).order_by("opened_on", "id")),
        "open_pathways": Paginator(open_pathways(psychologist, today.year), OPEN_PATHWAYS_PER_PAGE).get_page(page),
        "cap": current_cap(),
        "cap_warning_from": rules.CAP_WARNING_FROM,
        "silent_weeks": rules.SILENT_PATHWAY_WEEKS,
        "video_share": video_share(psychologist, today.year),
    }


def video_share(psychologist, year):
    """Share of video follow-ups among the psychologist's reimbursed sessions held this year."""
    counts = CareSession.objects.filter(
        psychologist=psychologist, date__year=year, billing=Billing.REIMBURSED, status=SessionStatus.HELD,
    ).aggregate(total=Count("*"), video=Count("mode", filter=Q(mode="video")))
    if not counts["total"]:
        return None
    share = counts["video"] / counts["total"]
    return {"percent": round(100 * share), "over": share > rules.VIDEO_SHARE_WARNING,
            "threshold_percent": round(100 * rules.VIDEO_SHARE_WARNING)}


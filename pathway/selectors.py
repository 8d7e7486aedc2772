"""Owner-scoped reads, annotated so each page runs a fixed number of queries.

No view looks up patient data without going through the psychologist's own rows: a stranger's
object is simply not found (404).
"""

from datetime import timedelta

from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, Subquery, Sum, Value
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
)


def used_in_year(year, patient_ref="pk"):
    """SQL expression: reimbursed sessions held in `year` plus those declared done elsewhere."""
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
    patients = patients_of(psychologist).annotate(used_this_year=used_in_year(timezone.localdate().year))
    for word in query.split():
        patients = patients.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(nir__startswith=word)
        )
    return patients.order_by("last_name", "first_name", "id")


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


def dashboard(psychologist):
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday())
    silent_since = today - timedelta(weeks=rules.SILENT_PATHWAY_WEEKS)
    pathways = Pathway.objects.filter(psychologist=psychologist).select_related("patient")
    active = pathways.filter(status__in=ACTIVE_STATUSES).annotate(
        last_session_on=Max("sessions__date", filter=Q(sessions__status=SessionStatus.HELD)),
        followups_held=Count("sessions", filter=Q(sessions__kind=SessionKind.FOLLOWUP,
                                                   sessions__status=SessionStatus.HELD,
                                                   sessions__billing=Billing.REIMBURSED)),
        patient_used_this_year=used_in_year(today.year, "patient_id"),
    ).order_by("patient__last_name", "patient__first_name")
    return {
        "week_sessions": CareSession.objects.filter(
            pathway__psychologist=psychologist, date__gte=week_start, date__lte=week_start + timedelta(days=6)
        ).select_related("patient", "pathway").order_by("date", "created_at"),
        "active_pathways": active,
        "near_cap": patients_of(psychologist).annotate(used_this_year=used_in_year(today.year))
        .filter(used_this_year__gte=rules.CAP_WARNING_FROM).order_by("-used_this_year", "last_name"),
        "silent_pathways": active.filter(status=PathwayStatus.IN_CARE).filter(
            Q(last_session_on__lt=silent_since) | Q(last_session_on__isnull=True, opened_on__lt=silent_since)
        ),
        "awaiting_followups": active.filter(status=PathwayStatus.IN_CARE, followups_held=0),
        "awaiting_evaluation": active.filter(status=PathwayStatus.AWAITING_EVALUATION),
        "cap": current_cap(),
        "cap_warning_from": rules.CAP_WARNING_FROM,
        "silent_weeks": rules.SILENT_PATHWAY_WEEKS,
        "video_share": video_share(psychologist, today.year),
    }


def video_share(psychologist, year):
    """Share of video follow-ups among the psychologist's reimbursed sessions held this year."""
    counts = CareSession.objects.filter(
        pathway__psychologist=psychologist, date__year=year, billing=Billing.REIMBURSED,
        status=SessionStatus.HELD,
    ).aggregate(total=Count("id"), video=Count("id", filter=Q(mode="video")))
    if not counts["total"]:
        return None
    share = counts["video"] / counts["total"]
    return {"percent": round(100 * share), "over": share > rules.VIDEO_SHARE_WARNING,
            "threshold_percent": round(100 * rules.VIDEO_SHARE_WARNING)}


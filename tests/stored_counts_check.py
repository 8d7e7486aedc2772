"""The counts the database keeps (pathway/stored_counts.py), against the same counts made from the rows.

Used by the PostgreSQL tests and, in a subprocess, on a SQLite database (tests/pathway/test_stored_counts.py).
"""

from collections import Counter, defaultdict

from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractMonth, ExtractYear

from pathway.models import (
    Billing,
    CareSession,
    CaseloadMonthCount,
    CaseloadStatusCount,
    DeclaredSessions,
    Pathway,
    PatientLatestStatus,
    PatientYearCount,
    SessionKind,
    SessionMode,
    SessionStatus,
)


def counts_from_rows():
    counted = CareSession.objects.filter(billing=Billing.REIMBURSED, status=SessionStatus.HELD)
    years = defaultdict(int)
    for row in counted.values("patient_id", year=ExtractYear("date")).annotate(n=Count("id")):
        years[(row["patient_id"], row["year"])] += row["n"]
    for declared in DeclaredSessions.objects.all():
        years[(declared.patient_id, declared.year)] += declared.count
    months = {
        (row["psychologist_id"], row["year"], row["month"]): (row["n"], row["video"])
        for row in counted.values("psychologist_id", year=ExtractYear("date"), month=ExtractMonth("date")).annotate(
            n=Count("id"), video=Count("id", filter=Q(mode=SessionMode.VIDEO)))
    }
    held = Q(sessions__status=SessionStatus.HELD)
    pathways = {
        pathway.id: (pathway.last_held, pathway.followups)
        for pathway in Pathway.objects.annotate(
            last_held=Max("sessions__date", filter=held),
            followups=Count("sessions", filter=held & Q(sessions__kind=SessionKind.FOLLOWUP,
                                                        sessions__billing=Billing.REIMBURSED)),
        )
    }
    latest, latest_pathways = {}, {}
    for pathway in Pathway.objects.order_by("patient_id", "-opened_on", "-created_at"):
        latest.setdefault(pathway.patient_id, pathway.status)
        latest_pathways.setdefault(pathway.patient_id, pathway)
    statuses = Counter((pathway.psychologist_id, pathway.status) for pathway in latest_pathways.values())
    return {"years": dict(years), "months": months, "pathways": pathways, "latest": latest,
            "statuses": dict(statuses)}


def counts_stored():
    """The stored counts; a row counting nothing (all its sessions gone) is the same as no row."""
    return {
        "years": {(row.patient_id, row.year): row.used for row in PatientYearCount.objects.all() if row.used},
        "months": {(row.psychologist_id, row.year, row.month): (row.sessions, row.video)
                   for row in CaseloadMonthCount.objects.all() if row.sessions or row.video},
        "pathways": {row["id"]: (row["last_held_on"], row["reimbursed_followups_held"])
                     for row in Pathway.objects.values("id", "last_held_on", "reimbursed_followups_held")},
        "latest": {row.patient_id: row.status for row in PatientLatestStatus.objects.all() if row.status},
        "statuses": {(row.psychologist_id, row.status): row.patients for row in CaseloadStatusCount.objects.all()
                     if row.patients},
    }


def assert_counts_match():
    stored, expected = counts_stored(), counts_from_rows()
    assert stored == expected
    assert not PatientYearCount.objects.filter(used__lt=0).exists()
    assert not CaseloadMonthCount.objects.filter(Q(sessions__lt=0) | Q(video__lt=0)).exists()
    assert not CaseloadStatusCount.objects.filter(patients__lt=0).exists()
    return expected

"""Owner-scoped reads of the privacy pages, each in a fixed number of queries."""

from datetime import datetime, time, timedelta

from django.db.models import Max, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from documents.models import Document
from pathway.models import CareSession, Pathway, PathwayEvent, Patient, SessionStatus
from pathway.selectors import word_filter
from referrals.models import Referral

from .models import AccessLogEntry


def patient_names(psychologist, patient_ids=None):
    """{id: name} of the psychologist's patients, of those ids only when given (a page's rows)."""
    patients = Patient.objects.filter(psychologist=psychologist).only("id", "last_name", "first_name")
    if patient_ids is not None:
        patients = patients.filter(pk__in=patient_ids)
    return {patient.pk: str(patient) for patient in patients}


def journal_entries(psychologist, patient_id=None, name="", start=None, end=None):
    """The traces of the psychologist's patients' data, latest first; `end` is included."""
    entries = AccessLogEntry.objects.visible_to(psychologist)
    if patient_id:
        entries = entries.filter(patient_id=patient_id)
    if name:
        matching = Patient.objects.filter(psychologist=psychologist)
        for word in name.split():
            matching = matching.filter(word_filter(word))
        entries = entries.filter(patient_id__in=matching.values("pk"))
    # Local days turned into bounds on the column itself: the (owner, at) index serves the range.
    if start:
        entries = entries.filter(at__gte=day_start(start))
    if end:
        entries = entries.filter(at__lt=day_start(end + timedelta(days=1)))
    return entries.order_by("-at", "-id")


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def patient_file(psychologist, patient_id):
    """The patient with everything the export shows: one query per kind of row, whatever their number."""
    documents = Document.objects.select_related("consent", "released_to").order_by("kind", "version", "created_at")
    pathways = Pathway.objects.prefetch_related(
        Prefetch("sessions", queryset=CareSession.objects.order_by("date", "created_at")),
        Prefetch("events", queryset=PathwayEvent.objects.select_related("actor")),
        Prefetch("documents", queryset=documents),
    ).order_by("opened_on", "created_at")
    return get_object_or_404(
        Patient.objects.filter(psychologist=psychologist).select_related("psychologist").prefetch_related(
            Prefetch("pathways", queryset=pathways),
            "declared_sessions",
            Prefetch("referrals", queryset=Referral.objects.order_by("received_at")),
        ),
        pk=patient_id,
    )


def with_last_care(patients):
    """Annotate the last held session's date and the last issued document's time: the erasure rule's inputs."""
    held = CareSession.objects.filter(patient=OuterRef("pk"), status=SessionStatus.HELD).order_by()
    issued = Document.objects.filter(pathway__patient=OuterRef("pk"), issued_at__isnull=False).order_by()
    return patients.annotate(
        last_session_on=Subquery(held.values("patient").annotate(last=Max("date")).values("last")),
        last_issued_at=Subquery(issued.values("pathway__patient").annotate(last=Max("issued_at")).values("last")),
    )


def patient_for_erasure(psychologist, patient_id, lock=False):
    patients = with_last_care(Patient.objects.filter(psychologist=psychologist))
    # Locked as session_record locks it: no session or document slips in between the check and the erasure.
    return get_object_or_404(patients.select_for_update() if lock else patients, pk=patient_id)

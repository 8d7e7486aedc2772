"""Owner-scoped reads of documents and statements, each in a fixed number of queries."""

from datetime import date

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pathway import rules
from pathway.models import Billing, CareSession, DeclaredSessions, Patient, SessionStatus

from .models import Document

# Everything the document page and the print page show, in the one query of the lookup.
DOCUMENT_RELATIONS = (
    "pathway__patient", "pathway__referral__sent_by", "psychologist", "consent", "released_to",
    "replaces", "replaced_by",
)


def document_get(psychologist, document_id):
    documents = Document.objects.filter(psychologist=psychologist).select_related(*DOCUMENT_RELATIONS)
    return get_object_or_404(documents, pk=document_id)


def document_for_reader(user, document_id):
    """The owner, or the doctor's account it was released to in the app; anyone else: 404."""
    readable = Document.objects.filter(
        Q(psychologist=user) | Q(released_to=user, released_at__isnull=False)
    ).select_related(*DOCUMENT_RELATIONS)
    return get_object_or_404(readable, pk=document_id)


def document_versions(document):
    """The versions chain this document belongs to, oldest first (one query for any length)."""
    siblings = {d.pk: d for d in Document.objects.filter(pathway_id=document.pathway_id, kind=document.kind)}
    successor = {d.replaces_id: d for d in siblings.values() if d.replaces_id}
    first = siblings[document.pk]
    while first.replaces_id in siblings:
        first = siblings[first.replaces_id]
    chain = [first]
    while chain[-1].pk in successor:
        chain.append(successor[chain[-1].pk])
    return chain


def statement_year_or_404(year):
    if not rules.SCHEME_START.year <= year <= timezone.localdate().year:
        raise Http404
    return year


def statement(psychologist, patient_id, year):
    """The patient's reimbursed sessions held in `year` with this psychologist, for the next one."""
    statement_year_or_404(year)
    patient = get_object_or_404(Patient.objects.filter(psychologist=psychologist), pk=patient_id)
    sessions = list(CareSession.objects.filter(
        patient=patient, pathway__psychologist=psychologist, date__year=year, billing=Billing.REIMBURSED,
        status=SessionStatus.HELD,
    ).order_by("date", "created_at"))
    declared = list(DeclaredSessions.objects.filter(patient=patient, year=year).order_by("declared_on"))
    declared_count = sum(d.count for d in declared)
    return {
        "patient": patient, "psychologist": psychologist, "year": year, "sessions": sessions,
        "declared": declared, "declared_count": declared_count, "total": len(sessions) + declared_count,
        "cap": rules.rules_on_or_first(date(year, 12, 31)).annual_cap, "issued_on": timezone.localdate(),
    }

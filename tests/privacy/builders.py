"""A patient's whole file, with one row of every kind the export shows and the erasure removes."""

from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents.models import Consent, Document, DocumentKind
from pathway.models import (
    CareSession,
    DeclaredSessions,
    Pathway,
    PathwayEvent,
    PathwayStatus,
    Patient,
    SessionKind,
    SessionStatus,
)
from referrals.models import Referral, ReferralLink, ReferralStatus
from tests.factories import (
    CareSessionFactory,
    ConsentFactory,
    DeclaredSessionsFactory,
    DocumentFactory,
    PathwayFactory,
    PatientFactory,
    ReferralFactory,
    ReferralLinkFactory,
)

PDF_BYTES = b"%PDF-1.4 a scanned letter"


def aware(day):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def full_file(psychologist, cared_on=date(2004, 3, 1), cared=True, **patient_fields):
    """A patient with two pathways (one with a scanned letter and its referral), sessions, history,
    declared sessions and an issued report in two versions with a consent.

    With `cared=False` no care was ever given: the sessions were cancelled, the documents are drafts.
    """
    fields = {"last_name": "Lefèvre", "first_name": "Zoé", "birth_date": date(1980, 5, 17),
              "nir": "180057512345678", "phone": "06 11 22 33 44", "email": "zoe@example.org"}
    patient = PatientFactory(psychologist=psychologist, **(fields | patient_fields))
    first = PathwayFactory(patient=patient, opened_on=cared_on, status=PathwayStatus.CLOSED, closed_on=cared_on,
                           close_reason="completed")
    status = SessionStatus.HELD if cared else SessionStatus.CANCELLED
    evaluation = CareSessionFactory(pathway=first, kind=SessionKind.EVALUATION, date=cared_on, status=status,
                                    private_note="Note privée : anxiété au travail")
    CareSessionFactory(pathway=first, date=cared_on + timedelta(days=7), status=status)
    PathwayEvent.objects.create(pathway=first, actor=psychologist, action=PathwayEvent.Action.SESSION_RECORDED,
                                session=evaluation, details="Évaluation tenue")
    issued = {"issued_at": aware(cared_on + timedelta(days=30)), "issued_html": "<p>Compte rendu : amélioration.</p>"}
    report = DocumentFactory(pathway=first, **(issued if cared else {}))
    ConsentFactory(document=report, given_on=cared_on + timedelta(days=31))
    DocumentFactory(pathway=first, version=2, replaces=report, kind=DocumentKind.END_OF_CARE,
                    **({"issued_at": aware(cared_on + timedelta(days=40)),
                        "issued_html": "<p>Compte rendu corrigé, version 2.</p>"} if cared else {}))
    second = PathwayFactory(patient=patient, opened_on=cared_on + timedelta(days=60), with_letter=True,
                            status=PathwayStatus.AWAITING_EVALUATION,
                            referral_scan=SimpleUploadedFile("lettre.pdf", PDF_BYTES, content_type="application/pdf"))
    link = ReferralLink.objects.filter(psychologist=psychologist, revoked_at__isnull=True).first()
    ReferralFactory(link=link or ReferralLinkFactory(psychologist=psychologist), status=ReferralStatus.ACCEPTED,
                    patient=patient, pathway=second, decided_at=aware(cared_on + timedelta(days=59)),
                    patient_last_name=patient.last_name, reason="Anxiété depuis un déménagement.")
    DeclaredSessionsFactory(patient=patient, year=cared_on.year, count=2, source="relevé ameli")
    return patient


def stored_counts(patient_id=None):
    """Rows of each kind (of one patient, or in all)."""
    def of(queryset, **by):
        return queryset.filter(**by).count() if patient_id else queryset.count()
    return {
        "patients": of(Patient.objects, pk=patient_id),
        "pathways": of(Pathway.objects, patient_id=patient_id),
        "sessions": of(CareSession.objects, patient_id=patient_id),
        "declared": of(DeclaredSessions.objects, patient_id=patient_id),
        "events": of(PathwayEvent.objects, pathway__patient_id=patient_id),
        "documents": of(Document.objects, pathway__patient_id=patient_id),
        "consents": of(Consent.objects, document__pathway__patient_id=patient_id),
        "referrals": of(Referral.objects, patient_id=patient_id),
    }

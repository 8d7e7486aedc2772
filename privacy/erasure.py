"""Erasing a patient's data "when the law allows" (RGPD art. 17 §3 c: a health file must be kept).

The rule (figures in privacy.retention): the file may be erased
- when no care was given: no session held and no document issued (a patient created by mistake,
  or who never came), or
- once its retention has run out: 20 years after the last care (a held session or an issued
  document, whichever is later), and never before the patient's 28th birthday.
Otherwise the page says why not and until when.

The erasure removes every row of the patient in one transaction and writes one trace (counts,
ground, who, when; no name). The pathway history is append-only for the app: only this service
deletes it, through the base QuerySet.delete (the one deliberate bypass of AppendOnlyQuerySet).
The scans leave the disk after the commit: a rollback never leaves a row pointing to a lost file.
"""

from dataclasses import dataclass
from datetime import date
from functools import partial

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Consent, Document
from pathway.models import CareSession, DeclaredSessions, Pathway, PathwayEvent, Patient, private_storage
from pathway.services import DomainError
from pathway.services.errors import fmt
from referrals.models import Referral

from . import retention, selectors
from .models import AccessLogEntry, Action, ObjectType
from .trail import display_name

NEVER_CARED = "never_cared"
RETENTION_ELAPSED = "retention_elapsed"


@dataclass(frozen=True)
class ErasureVerdict:
    allowed: bool
    ground: str = ""
    last_care_on: date | None = None
    kept_until: date | None = None


def last_care_on(patient):
    """The later of the last held session and the last issued document (annotated by the selector)."""
    days = [patient.last_session_on]
    if patient.last_issued_at:
        days.append(timezone.localdate(patient.last_issued_at))
    days = [day for day in days if day]
    return max(days) if days else None


def erasure_verdict(patient, today=None):
    today = today or timezone.localdate()
    last = last_care_on(patient)
    if last is None:
        return ErasureVerdict(True, NEVER_CARED)
    kept_until = retention.patient_file_kept_until(last, patient.birth_date)
    if today > kept_until:
        return ErasureVerdict(True, RETENTION_ELAPSED, last, kept_until)
    return ErasureVerdict(False, "", last, kept_until)


def refusal_message(verdict):
    return _("This file must be kept until %(day)s (last care on %(last)s): it cannot be erased before.") % {
        "day": fmt(verdict.kept_until), "last": fmt(verdict.last_care_on)}


def erase_rows(patient):
    """Delete the patient's rows, children first (every link between them is PROTECT); the counts."""
    documents = Document.objects.filter(pathway__patient=patient)
    counts = {
        "referrals": Referral.objects.filter(Q(patient=patient) | Q(pathway__patient=patient)).delete()[0],
        # PathwayEvent's queryset refuses delete(): the erasure is the one path allowed past it.
        "events": models.QuerySet.delete(PathwayEvent.objects.filter(pathway__patient=patient))[0],
        "consents": Consent.objects.filter(document__pathway__patient=patient).delete()[0],
    }
    documents.filter(replaces__isnull=False).update(replaces=None)  # versions point to each other
    counts["documents"] = documents.delete()[0]
    counts["sessions"] = CareSession.objects.filter(patient=patient).delete()[0]
    counts["declared_sessions"] = DeclaredSessions.objects.filter(patient=patient).delete()[0]
    counts["pathways"] = Pathway.objects.filter(patient=patient).delete()[0]
    Patient.objects.filter(pk=patient.pk).delete()
    return counts


def remove_files(names):
    storage = private_storage()
    for name in names:
        storage.delete(name)  # a file already gone is no error


def patient_erase(psychologist, patient_id, ip=None, path="", today=None):
    """Erase the patient if the rule allows it; raise DomainError (nothing changed) otherwise."""
    with transaction.atomic():
        patient = selectors.patient_for_erasure(psychologist, patient_id, lock=True)
        verdict = erasure_verdict(patient, today)
        if not verdict.allowed:
            raise DomainError(refusal_message(verdict), code="retention")
        scans = list(Pathway.objects.filter(patient=patient).exclude(referral_scan="")
                     .values_list("referral_scan", flat=True))
        counts = erase_rows(patient) | {"scans": len(scans)}
        entry = AccessLogEntry.objects.create(
            actor_id=psychologist.pk, actor_name=display_name(psychologist), owner_id=psychologist.pk,
            patient_id=patient.pk, action=Action.ERASE, object_type=ObjectType.PATIENT, object_id=str(patient.pk),
            url_name="privacy:erase", path=path[:300], ip=ip, details={"ground": verdict.ground, "counts": counts},
        )
        transaction.on_commit(partial(remove_files, scans))
    return entry

"""The patient's whole file, for the right of access (RGPD art. 15): a JSON document and a PDF.

The JSON keys are stable (a change adds keys and raises FORMAT_VERSION); dates are ISO 8601
(`2025-01-13`), times ISO 8601 with the offset (`2025-01-13T09:30:00+01:00`), amounts strings in
euros (`"60.00"`), codes in English with their French label beside them (`status`, `status_label`).

    format, format_version, exported_at
    psychologist: name, professional_number
    patient: id, last_name, first_name, birth_date, sex, nir, phone, email, address,
             treating_doctor_name, treating_doctor_address, has_css, has_ame, has_ald,
             maternity_from_sixth_month, has_at_mp, guardian_1_name, guardian_1_consent_on,
             guardian_2_name, guardian_2_consent_on, sole_holder_declared, created_at, updated_at
    declared_sessions[]: year, count, included_evaluation, source, declared_on
    referrals[]: id, reference, status, received_at, referrer_name, referrer_profession,
                 referrer_number, referrer_address, reason, clinical_context,
                 psychotropic_treatment, psychotropic_started_on, pathway_id
    pathways[]: id, status, entry_mode, referrer_kind, referrer_name, referral_date, has_referral_scan,
                opened_on, care_reason, planned_followups, eligibility_answers, exclusion_reasons,
                orientation, closed_on, close_reason, created_at,
        sessions[]: id, date, kind, mode, duration_minutes, status, billing, out_of_scheme_fee, private_note
        events[]: at, action, from_status, to_status, session_id, details, actor
        documents[]: id, kind, version, replaces_id, issued_at, issued_text, issued_html, released_at,
                     released_to, draft (the editable fields, for a document not issued),
                     consent: given_on, given_by, given_by_names, channel, recorded_at (or null)
"""

import json

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify

FORMAT = "mon-soutien-psy/dossier-patient"
FORMAT_VERSION = 1

PATIENT_FIELDS = (
    "last_name", "first_name", "birth_date", "sex", "nir", "phone", "email", "address", "treating_doctor_name",
    "treating_doctor_address", "has_css", "has_ame", "has_ald", "maternity_from_sixth_month", "has_at_mp",
    "guardian_1_name", "guardian_1_consent_on", "guardian_2_name", "guardian_2_consent_on", "sole_holder_declared",
    "created_at", "updated_at",
)
PATHWAY_FIELDS = (
    "status", "entry_mode", "referrer_kind", "referrer_name", "referral_date", "opened_on", "care_reason",
    "planned_followups", "eligibility_answers", "exclusion_reasons", "orientation", "closed_on", "close_reason",
    "created_at",
)
SESSION_FIELDS = ("date", "kind", "mode", "duration_minutes", "status", "billing", "out_of_scheme_fee", "private_note")
DRAFT_FIELDS = (
    "recipient_name", "recipient_address", "reason_for_care", "evolution", "outcome", "follow_up_needed",
    "orientation", "orientation_details", "body",
)
REFERRAL_FIELDS = (
    "reference", "status", "received_at", "referrer_profession", "referrer_number", "referrer_address", "reason",
    "clinical_context", "psychotropic_treatment", "psychotropic_started_on",
)


def plain(value):
    """A JSON value: ISO dates and times (local time, with the offset), decimals and UUIDs as strings."""
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)


def fields_of(instance, names):
    """Each field's value; a field with choices also gets its French label (`<name>_label`)."""
    row = {}
    for name in names:
        row[name] = plain(getattr(instance, name))
        display = getattr(instance, f"get_{name}_display", None)
        if display and row[name]:
            row[f"{name}_label"] = str(display())
    return row


def person(user):
    return (user.get_full_name() or user.get_username()) if user else None


def document_row(document):
    row = {"id": str(document.pk), **fields_of(document, ("kind", "version")),
           "replaces_id": plain(document.replaces_id), "issued_at": plain(document.issued_at),
           "issued_text": " ".join(strip_tags(document.issued_html).split()) if document.is_issued else None,
           "issued_html": document.issued_html if document.is_issued else None,
           "released_at": plain(document.released_at), "released_to": person(document.released_to),
           "draft": None if document.is_issued else fields_of(document, DRAFT_FIELDS), "consent": None}
    consent = getattr(document, "consent", None)
    if consent:
        row["consent"] = fields_of(consent, ("given_on", "given_by", "given_by_names", "channel", "recorded_at"))
    return row


def pathway_row(pathway):
    return {
        "id": str(pathway.pk), **fields_of(pathway, PATHWAY_FIELDS), "has_referral_scan": bool(pathway.referral_scan),
        "sessions": [{"id": str(s.pk), **fields_of(s, SESSION_FIELDS)} for s in pathway.sessions.all()],
        "events": [{"at": plain(e.created_at), **fields_of(e, ("action", "from_status", "to_status")),
                    "session_id": plain(e.session_id), "details": e.details, "actor": person(e.actor)}
                   for e in pathway.events.all()],
        "documents": [document_row(d) for d in pathway.documents.all()],
    }


def referral_row(referral):
    return {"id": str(referral.pk), **fields_of(referral, REFERRAL_FIELDS),
            "referrer_name": referral.referrer_display_name, "pathway_id": plain(referral.pathway_id)}


def patient_file_data(patient, now=None):
    psychologist = patient.psychologist
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "exported_at": plain(now or timezone.now()),
        "psychologist": {"name": person(psychologist), "professional_number": psychologist.professional_number},
        "patient": {"id": str(patient.pk), **fields_of(patient, PATIENT_FIELDS)},
        "declared_sessions": [fields_of(d, ("year", "count", "included_evaluation", "source", "declared_on"))
                              for d in patient.declared_sessions.all()],
        "referrals": [referral_row(r) for r in patient.referrals.all()],
        "pathways": [pathway_row(p) for p in patient.pathways.all()],
    }


def patient_file_json(patient):
    return json.dumps(patient_file_data(patient), ensure_ascii=False, indent=2)


def file_name(patient, extension):
    name = slugify(f"{patient.last_name} {patient.first_name}")
    return f"dossier-{name}-{timezone.localdate():%Y-%m-%d}.{extension}"

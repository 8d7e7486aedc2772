"""What a document says: the facts drawn from the pathway, the patient and the profile, on a day.

A draft's preview computes them afresh; issuing freezes them (`Document.issued_content`), so a
reprint never depends on today's profile, patient file or sessions.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from pathway import eligibility
from pathway.forms import CARE_REASON_CHOICES
from pathway.models import EntryMode, SessionKind, SessionMode, SessionStatus

from .models import Orientation, Outcome

INCLUDED = "included"


def care_reason_label(code):
    return str(dict(CARE_REASON_CHOICES).get(code, ""))


def session_figures(pathway):
    """The held sessions of the pathway, in one query whatever their number."""
    return pathway.sessions.filter(status=SessionStatus.HELD).aggregate(
        evaluation_on=Min("date", filter=Q(kind=SessionKind.EVALUATION)),
        first_on=Min("date"),
        last_on=Max("date"),
        in_person=Count("id", filter=Q(mode=SessionMode.IN_PERSON)),
        video=Count("id", filter=Q(mode=SessionMode.VIDEO)),
    )


def evaluation_outcome(pathway):
    """The evaluation's result, read from the stored assessment (later transitions do not change it)."""
    codes = {reason.get("code") for reason in pathway.exclusion_reasons}
    if codes & set(eligibility.EMERGENCY_ANSWERS):
        return eligibility.REORIENTED
    return eligibility.EXCLUDED if codes else INCLUDED


def default_recipient(pathway):
    """The referrer for a referral pathway, else the patient's treating doctor."""
    if pathway.entry_mode == EntryMode.REFERRAL and pathway.referrer_name:
        referral = getattr(pathway, "referral", None)
        return pathway.referrer_name, referral.referrer_address if referral else ""
    patient = pathway.patient
    return patient.treating_doctor_name, patient.treating_doctor_address


def psychologist_identity(user):
    # From the profile, never typed in the document: the number is the one the ARS registered.
    return {
        "name": user.get_full_name() or user.username,
        "number": user.professional_number,
        "address": user.practice_address,
        "phone": user.phone,
    }


def label_of(choices, value):
    return str(choices(value).label) if value else ""


def replaced_version(replaces):
    if replaces is None:
        return None
    return {"version": replaces.version, "issued_on": timezone.localdate(replaces.issued_at)}


def document_content(document, issued_on):
    pathway = document.pathway
    patient = pathway.patient
    figures = session_figures(pathway)
    return {
        "kind": document.kind,
        "kind_label": str(document.get_kind_display()),
        "version": document.version,
        "issued_on": issued_on,
        "replaces": replaced_version(document.replaces),
        "patient": {"name": f"{patient.first_name} {patient.last_name.upper()}", "first_name": patient.first_name,
                    "last_name": patient.last_name, "birth_date": patient.birth_date},
        "psychologist": psychologist_identity(document.psychologist),
        "recipient": {"name": document.recipient_name, "address": document.recipient_address},
        "pathway": {
            "opened_on": pathway.opened_on,
            "evaluation_on": figures["evaluation_on"] or figures["first_on"],
            "last_session_on": figures["last_on"],
            "sessions_in_person": figures["in_person"],
            "sessions_video": figures["video"],
            "sessions_held": figures["in_person"] + figures["video"],
            "evaluation_outcome": evaluation_outcome(pathway),
            "planned_followups": pathway.planned_followups,
            "exclusion_reasons": [reason.get("message", "") for reason in pathway.exclusion_reasons],
            "orientation": pathway.orientation,
        },
        "reason_for_care": document.reason_for_care,
        "evolution": document.evolution,
        "outcome": label_of(Outcome, document.outcome),
        "follow_up_needed": document.follow_up_needed,
        "orientation": label_of(Orientation, document.orientation),
        "orientation_details": document.orientation_details,
        "body": document.body,
    }


def as_json(content):
    """Dates as ISO strings, translated labels as plain text: what `issued_content` stores."""
    return json.loads(json.dumps(content, cls=DjangoJSONEncoder))

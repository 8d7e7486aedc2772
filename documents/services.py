"""Drafting, issuing, correcting and releasing documents to the doctor (DOMAIN.md §6).

Each action is atomic: lock the document row, check, write, record a PathwayEvent. A document is
released to the doctor only once issued and with a recorded consent; printing it for the patient
needs neither.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pathway.models import Pathway, PathwayEvent, SessionStatus
from pathway.models import PathwayStatus as S
from pathway.services.errors import DomainError, fmt

from . import printing
from .content import as_json, care_reason_label, default_recipient, document_content
from .models import Consent, ConsentChannel, ConsentGiver, Document, DocumentKind, Orientation, Outcome

K = DocumentKind

# Which kinds a pathway may start in each status: the letter once the evaluation is held, the
# report once care has ended (not after an exclusion: the letter already says it), an alert anytime.
KINDS_BY_STATUS = {
    S.AWAITING_EVALUATION: (K.ALERT,),
    S.IN_CARE: (K.POST_EVALUATION, K.ALERT),
    S.EXCLUDED: (K.POST_EVALUATION, K.ALERT),
    S.REORIENTED: (K.POST_EVALUATION, K.ALERT, K.END_OF_CARE),
    S.CLOSED: (K.POST_EVALUATION, K.ALERT, K.END_OF_CARE),
}
# One letter and one report per pathway (corrections are versions of it); alerts as often as needed.
SINGLE_KINDS = (K.POST_EVALUATION, K.END_OF_CARE)

FIELDS_BY_KIND = {
    K.POST_EVALUATION: ("recipient_name", "recipient_address", "reason_for_care", "body"),
    K.ALERT: ("recipient_name", "recipient_address", "body", "orientation", "orientation_details"),
    K.END_OF_CARE: ("recipient_name", "recipient_address", "reason_for_care", "evolution", "outcome",
                    "follow_up_needed", "orientation", "orientation_details"),
}
REQUIRED_TO_ISSUE = {
    K.POST_EVALUATION: (),
    K.ALERT: ("body", "orientation"),
    K.END_OF_CARE: ("evolution", "outcome", "follow_up_needed", "orientation"),
}
COPIED_ON_CORRECTION = ("recipient_name", "recipient_address", "reason_for_care", "evolution", "outcome",
                        "follow_up_needed", "orientation", "orientation_details", "body")


def kinds_to_start(pathway, documents):
    """The kinds the pathway's status allows and that it does not have yet (no query)."""
    present = {document.kind for document in documents}
    return [kind for kind in KINDS_BY_STATUS[pathway.status] if kind not in SINGLE_KINDS or kind not in present]


def describe(document):
    return _("%(kind)s, version %(version)s") % {"kind": document.get_kind_display(), "version": document.version}


def lock_document(document):
    # Every state change of a document queues here: two clicks on "issue" issue once.
    return Document.objects.select_for_update().get(pk=document.pk)


def check_may_start(pathway, kind):
    if kind not in KINDS_BY_STATUS[pathway.status]:
        raise DomainError(_("A “%(kind)s” cannot be written on a pathway whose status is “%(status)s”.")
                          % {"kind": K(kind).label, "status": S(pathway.status).label}, code="kind_not_allowed")
    if kind in SINGLE_KINDS and pathway.documents.filter(kind=kind).exists():
        raise DomainError(_("This pathway already has a “%(kind)s”: open it, and correct it if it was issued.")
                          % {"kind": K(kind).label}, code="already_drafted")
    if kind != K.ALERT and not pathway.sessions.filter(status=SessionStatus.HELD).exists():
        raise DomainError(_("No session was held on this pathway: there is no evaluation to report on."),
                          code="no_session_held")


@transaction.atomic
def document_draft(pathway, actor, kind):
    """A draft prefilled from the pathway; the pathway row is locked so two clicks make one letter."""
    pathway = Pathway.objects.select_for_update(of=("self",)).select_related("patient").get(pk=pathway.pk)
    if kind not in K.values:
        raise DomainError(_("Unknown kind of document."), code="unknown_kind")
    check_may_start(pathway, kind)
    recipient_name, recipient_address = default_recipient(pathway)
    return Document.objects.create(
        pathway=pathway, psychologist=pathway.psychologist, kind=kind,
        recipient_name=recipient_name, recipient_address=recipient_address,
        reason_for_care=care_reason_label(pathway.care_reason) if kind != K.ALERT else "",
        orientation_details=pathway.orientation,
    )


def check_choice(fields, name, choices):
    value = fields.get(name)
    if value and value not in choices.values:
        raise DomainError(_("Choose one of the proposed values."), field=name, code="unknown_choice")


@transaction.atomic
def document_update(document, actor, **fields):
    document = lock_document(document)
    if document.is_issued:
        raise DomainError(_("This document has been issued: it can no longer be changed. Correct it to write "
                            "a new version."), code="already_issued")
    unknown = set(fields) - set(FIELDS_BY_KIND[document.kind])
    if unknown:
        raise ValueError(f"Not editable on a {document.kind}: {sorted(unknown)}")
    check_choice(fields, "outcome", Outcome)
    check_choice(fields, "orientation", Orientation)
    for name, value in fields.items():
        setattr(document, name, value)
    document.save(update_fields=[*fields, "updated_at"])
    return document


def check_complete(document):
    for name in REQUIRED_TO_ISSUE[document.kind]:
        if getattr(document, name) in ("", None):
            raise DomainError(_("Fill in “%(field)s” before issuing the document.")
                              % {"field": Document._meta.get_field(name).verbose_name}, field=name,
                              code="incomplete")


@transaction.atomic
def document_issue(document, actor):
    """Freeze the text: every later print shows exactly what was issued, whatever changes after."""
    document = lock_document(document)
    if document.is_issued:
        raise DomainError(_("This document has already been issued."), code="already_issued")
    check_complete(document)
    content = document_content(document, timezone.localdate())
    document.issued_html = printing.frozen_body(document, content)
    document.issued_content = as_json(content)
    document.issued_at = timezone.now()
    document.save(update_fields=["issued_html", "issued_content", "issued_at", "updated_at"])
    details = describe(document)
    if document.replaces_id:
        details += " — " + _("replaces version %(version)s") % {"version": document.replaces.version}
    PathwayEvent.objects.create(pathway_id=document.pathway_id, actor=actor,
                                action=PathwayEvent.Action.DOCUMENT_ISSUED, details=details)
    return document


def check_not_corrected(document):
    # One correction per version: the OneToOne would refuse a second one, but as an IntegrityError.
    correction = Document.objects.filter(replaces=document).first()
    if correction:
        raise DomainError(_("This version has already been corrected: see version %(version)s.")
                          % {"version": correction.version}, code="already_corrected")


@transaction.atomic
def document_correct(document, actor):
    """A new draft version that replaces this issued one; the issued one stays as it was."""
    document = lock_document(document)
    if not document.is_issued:
        raise DomainError(_("This document is still a draft: change it directly."), code="not_issued")
    check_not_corrected(document)
    return Document.objects.create(
        pathway_id=document.pathway_id, psychologist_id=document.psychologist_id, kind=document.kind,
        version=document.version + 1, replaces=document,
        **{name: getattr(document, name) for name in COPIED_ON_CORRECTION},
    )


def recorded_guardians(patient):
    names = [name for name in (patient.guardian_1_name, patient.guardian_2_name) if name]
    if len(names) == 2:
        return _("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}
    return names[0] if names else ""


def consent_givers(patient, given_on, given_by, given_by_names):
    """Who may consent on that day: the holders of parental authority for a minor, else the patient."""
    if patient.is_minor_on(given_on):
        if given_by != ConsentGiver.PARENTAL_AUTHORITY:
            raise DomainError(_("The patient is a minor on this date: the holders of parental authority "
                                "consent."), field="given_by", code="minor_needs_parents")
        names = given_by_names.strip() or recorded_guardians(patient)
        if not names:
            raise DomainError(_("Name the holders of parental authority who consented (none is recorded on "
                                "the patient's file)."), field="given_by_names", code="names_needed")
        return names
    if given_by != ConsentGiver.PATIENT:
        raise DomainError(_("The patient is an adult on this date: the patient is the one who consents."),
                          field="given_by", code="adult_consents")
    return given_by_names.strip() or f"{patient.first_name} {patient.last_name.upper()}"


def check_consent_date(pathway, given_on):
    if given_on > timezone.localdate():
        raise DomainError(_("The consent date cannot be in the future."), field="given_on", code="future")
    if given_on < pathway.opened_on:
        raise DomainError(_("The consent cannot be dated before the pathway opened (%(day)s).")
                          % {"day": fmt(pathway.opened_on)}, field="given_on", code="before_pathway")


def gp_account(pathway):
    """The doctor's account that sent this pathway's referral through the app, if any."""
    referral = getattr(pathway, "referral", None)
    return referral.sent_by if referral else None


def check_gp_account(pathway):
    if gp_account(pathway) is None:
        raise DomainError(_("The doctor has no account linked to this pathway (the patient was not referred "
                            "through the app): choose another channel."), field="channel", code="no_gp_account")


@transaction.atomic
def consent_record(document, actor, *, given_on, given_by, given_by_names="", channel):
    document = lock_document(document)
    if Consent.objects.filter(document=document).exists():
        raise DomainError(_("The consent to send this document is already recorded."), code="already_recorded")
    if channel not in ConsentChannel.values:
        raise DomainError(_("Choose one of the proposed values."), field="channel", code="unknown_choice")
    pathway = document.pathway
    check_consent_date(pathway, given_on)
    names = consent_givers(pathway.patient, given_on, given_by, given_by_names)
    if channel == ConsentChannel.IN_APP:
        check_gp_account(pathway)
    consent = Consent.objects.create(document=document, given_on=given_on, given_by=given_by,
                                     given_by_names=names, channel=channel, recorded_by=actor)
    PathwayEvent.objects.create(
        pathway=pathway, actor=actor, action=PathwayEvent.Action.CONSENT_RECORDED,
        details=f"{describe(document)} — {fmt(given_on)}, {names}, {ConsentChannel(channel).label}",
    )
    return consent


def check_releasable(document):
    if not document.is_issued:
        raise DomainError(_("This document is still a draft: issue it before sending it to the doctor."),
                          code="not_issued")
    if document.is_released:
        raise DomainError(_("This document was already sent to the doctor on %(day)s.")
                          % {"day": fmt(timezone.localdate(document.released_at))}, code="already_released")
    correction = Document.objects.filter(replaces=document, issued_at__isnull=False).first()
    if correction:
        raise DomainError(_("This version was replaced by version %(version)s: send that one.")
                          % {"version": correction.version}, code="replaced")
    consent = Consent.objects.filter(document=document).first()
    if consent is None:
        raise DomainError(_("Without a recorded consent of the patient, this document cannot be sent to the "
                            "doctor; you may print it for the patient."), code="no_consent")
    if consent.given_on > timezone.localdate():
        raise DomainError(_("The consent is dated %(day)s, after today: the document cannot be sent yet.")
                          % {"day": fmt(consent.given_on)}, code="consent_in_future")
    return consent


@transaction.atomic
def document_release(document, actor):
    document = lock_document(document)
    consent = check_releasable(document)
    recipient = None
    if consent.channel == ConsentChannel.IN_APP:
        check_gp_account(document.pathway)
        recipient = gp_account(document.pathway)
    document.released_at = timezone.now()
    document.released_to = recipient
    document.save(update_fields=["released_at", "released_to", "updated_at"])
    to_whom = recipient.get_full_name() if recipient else document.recipient_name
    PathwayEvent.objects.create(
        pathway_id=document.pathway_id, actor=actor, action=PathwayEvent.Action.DOCUMENT_RELEASED,
        details=f"{describe(document)} — {ConsentChannel(consent.channel).label}{', ' + to_whom if to_whom else ''}",
    )
    return document

"""A first psychologist's whole world, with strings found nowhere else, for the security tests.

Built through the services where the app has one (documents, consent, release, upload), through
the factories elsewhere, in dates of last year so that it holds whatever today's date is. Every
free text carries a made-up word: a page showing one of them to someone else is a leak.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from stdnum.fr import nir as stdnum_nir

from documents import services as documents
from documents.models import ConsentChannel, ConsentGiver, DocumentKind, Orientation, Outcome
from pathway import services
from pathway.models import CloseReason, EntryMode, PathwayStatus, SessionKind, SessionMode
from referrals.models import DeclineReason, ReferralStatus
from referrals.services import referral_link_replace
from tests.factories import (
    CareSessionFactory,
    DeclaredSessionsFactory,
    GPFactory,
    PathwayFactory,
    PatientFactory,
    PsychologistFactory,
    ReferralFactory,
    ReferralLinkFactory,
)

TODAY = timezone.localdate()
YEAR = TODAY.year - 1  # a whole past year: every date below is in the past, under the 12-session cap
PDF_BYTES = b"%PDF-1.4\n% lettre d'adressage Escoffrail\n%%EOF\n"


def nir(first_thirteen):
    return first_thirteen + stdnum_nir.calc_check_digits(first_thirteen)


def on(month, day):
    return date(YEAR, month, day)


@dataclass
class World:
    owner: object
    other: object
    gp: object  # a doctor's account with nothing to do with the owner
    gp_sender: object  # sent the pending referral; nothing was released to them
    gp_released: object  # sent the accepted referral and received its end-of-care report
    objects: dict = field(default_factory=dict)  # name -> model instance
    secrets: dict = field(default_factory=dict)  # label -> a string only the owner's pages may show
    allowed: dict = field(default_factory=dict)  # viewer username -> labels that viewer may see

    def values(self, kwarg):
        """Every id of the owner's world that a URL keyword may take."""
        return KWARG_SOURCES[kwarg](self)

    def secrets_hidden_from(self, user):
        allowed = self.allowed.get(user.username if user else None, set())
        return {label: text for label, text in self.secrets.items() if label not in allowed}


def ids(world, *names):
    return [world.objects[name].pk for name in names]


# One id of each kind of object a view may treat apart: an adult and a minor, a pathway with a scanned
# letter and one without, a draft and a released document, a pending and an accepted referral...
KWARG_SOURCES = {
    "patient_id": lambda w: ids(w, "adult", "minor", "closed_patient"),
    "pathway_id": lambda w: ids(w, "in_care", "awaiting_minor", "scan_pathway"),
    "session_id": lambda w: ids(w, "followup", "closed_evaluation"),
    "document_id": lambda w: ids(w, "alert", "report"),
    "referral_id": lambda w: ids(w, "pending_referral", "accepted_referral"),
    "token": lambda w: [w.objects["link"].token, w.objects["revoked_link"].token],
    "reference": lambda w: [w.objects[name].reference for name in ("pending_referral", "accepted_referral")],
    "kind": lambda w: list(DocumentKind.values),
    "year": lambda w: [YEAR],
}


def secret(world, label, text):
    world.secrets[label] = text
    return text


def doctor(name):
    return GPFactory(username=f"gp-{name}", email=f"gp.{name}@exemple.fr", first_name="Jean",
                     last_name=name.capitalize())


def build_world(owner, other):
    """The owner's caseload, referrals and documents, and the doctors around it."""
    owner.practice_address = "4 rue de la Charité, 69002 Lyon"
    owner.save(update_fields=["practice_address"])
    world = World(owner=owner, other=other, gp=doctor("stranger"), gp_sender=doctor("sender"),
                  gp_released=doctor("released"))
    add_patients(world)
    add_referrals(world)
    add_documents(world)
    for name, instance in world.objects.items():
        if hasattr(instance, "pk") and hasattr(instance.pk, "hex"):
            secret(world, f"id:{name}", str(instance.pk))
    world.allowed = {
        world.gp_sender.username: {"pending_referral_patient", "pending_referral_first_name",
                                   "pending_referral_reason", "pending_referral_context",
                                   "pending_referral_reference", "pending_referral_address"},
        world.gp_released.username: {"closed_patient", "closed_patient_first_name", "report_evolution",
                                     "report_orientation_details", "accepted_referral_reference",
                                     "id:report", "accepted_referral_address"},
    }
    return world


def add_patients(world):
    owner, s = world.owner, lambda label, text: secret(world, label, text)
    adult = PatientFactory(
        psychologist=owner, last_name=s("adult", "Quenardel"), first_name=s("adult_first_name", "Ombeline"),
        birth_date=date(1985, 3, 9), nir=s("adult_nir", nir("2850369123456")),
        phone=s("adult_phone", "06 91 82 73 64"), email=s("adult_email", "o.quenardel@exemple.fr"),
        address=s("adult_address", "9 impasse Gribouillard, 69004 Lyon"),
        treating_doctor_name=s("adult_doctor", "Dr Ermengarde Pluvinel"),
        treating_doctor_address=s("adult_doctor_address", "2 place Fourvièrement, Lyon"),
    )
    in_care = PathwayFactory(patient=adult, opened_on=on(1, 6), care_reason="anxiety_depression",
                             planned_followups=8)
    evaluation = CareSessionFactory(pathway=in_care, kind=SessionKind.EVALUATION, date=on(1, 13))
    followup = CareSessionFactory(pathway=in_care, date=on(1, 20), mode=SessionMode.VIDEO,
                                  private_note=s("session_note", "Note-Ombrelune-7731 : cauchemars récurrents"))
    DeclaredSessionsFactory(patient=adult, year=YEAR, count=2, included_evaluation=False,
                            source=s("declared_source", "Relevé-Chantefable"), declared_on=on(2, 1))

    minor = PatientFactory(
        psychologist=owner, last_name=s("minor", "Vautrinier"), first_name=s("minor_first_name", "Clothilde"),
        birth_date=TODAY.replace(year=TODAY.year - 12, day=1),
        guardian_1_name=s("guardian_1", "Aldegonde Vautrinier"), guardian_1_consent_on=on(1, 3),
        guardian_2_name=s("guardian_2", "Tancrède Vautrinier"), guardian_2_consent_on=on(1, 3),
    )
    awaiting_minor = PathwayFactory(patient=minor, opened_on=on(1, 3), status=PathwayStatus.AWAITING_EVALUATION,
                                    planned_followups=None)

    closed_patient = PatientFactory(psychologist=owner, last_name=s("closed_patient", "Brisemarre"),
                                    first_name=s("closed_patient_first_name", "Octavie"), birth_date=date(1979, 7, 2))
    closed = PathwayFactory(
        patient=closed_patient, opened_on=on(2, 2), status=PathwayStatus.CLOSED, closed_on=on(6, 30),
        close_reason=CloseReason.COMPLETED, care_reason="anxiety_depression", planned_followups=3,
        entry_mode=EntryMode.REFERRAL, referrer_kind="doctor", referrer_name="Dr Gaspard Released",
        referral_date=on(2, 1),
    )
    closed_evaluation = CareSessionFactory(pathway=closed, kind=SessionKind.EVALUATION, date=on(2, 9))
    for week in range(1, 4):
        CareSessionFactory(pathway=closed, date=on(2, 9) + timedelta(weeks=week))

    excluded_patient = PatientFactory(psychologist=owner, last_name=s("excluded_patient", "Pelissonne"),
                                      birth_date=date(1990, 1, 1))
    excluded = PathwayFactory(patient=excluded_patient, opened_on=on(3, 1), status=PathwayStatus.EXCLUDED,
                              closed_on=on(3, 8), planned_followups=None,
                              orientation=s("excluded_orientation", "CMP-Roquebrisson"))
    CareSessionFactory(pathway=excluded, kind=SessionKind.EVALUATION, date=on(3, 8))

    scan_patient = PatientFactory(psychologist=owner, last_name=s("scan_patient", "Pivolard"),
                                  birth_date=date(2001, 11, 30))
    # Uploaded as the pathway form does: the service stores the file under the private storage.
    scan_pathway = services.pathway_open(
        scan_patient, owner, entry_mode=EntryMode.REFERRAL, opened_on=TODAY - timedelta(days=1),
        referrer_kind="doctor", referrer_name=s("scan_referrer", "Dr Barnabé Escoffrail"),
        referral_date=TODAY - timedelta(days=2),
        referral_scan=SimpleUploadedFile("courrier.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    world.objects.update(
        adult=adult, in_care=in_care, evaluation=evaluation, followup=followup, minor=minor,
        awaiting_minor=awaiting_minor, closed_patient=closed_patient, closed=closed,
        closed_evaluation=closed_evaluation, excluded_patient=excluded_patient, excluded=excluded,
        scan_patient=scan_patient, scan_pathway=scan_pathway,
    )


def add_referrals(world):
    owner, s = world.owner, lambda label, text: secret(world, label, text)
    revoked_link = ReferralLinkFactory(psychologist=owner)
    link = referral_link_replace(owner)
    pending = ReferralFactory(
        link=link, sent_by=world.gp_sender, referrer_last_name="Sender", referrer_first_name="Gilles",
        referrer_address=s("pending_referral_address", "7 allée des Mésanges-Sender"),
        patient_last_name=s("pending_referral_patient", "Traquenel"),
        patient_first_name=s("pending_referral_first_name", "Isaure"),
        reason=s("pending_referral_reason", "Motif-Piqueboeuf"),
        clinical_context=s("pending_referral_context", "Contexte-Hulotte"),
    )
    declined = ReferralFactory(
        link=revoked_link, patient_last_name=s("declined_referral_patient", "Moustarin"),
        status=ReferralStatus.DECLINED, decline_reason=DeclineReason.OTHER, decided_at=timezone.now(),
        decline_note=s("decline_note", "Refus-Chardonneret"), reason="Motif-Ortolan",
    )
    secret(world, "declined_referral_reason", "Motif-Ortolan")
    accepted = ReferralFactory(
        link=revoked_link, sent_by=world.gp_released, status=ReferralStatus.ACCEPTED, decided_at=timezone.now(),
        referrer_last_name="Released", referrer_first_name="Gaspard",
        referrer_address=s("accepted_referral_address", "1 cours Released, Lyon"),
        patient=world.objects["closed_patient"], pathway=world.objects["closed"],
        patient_last_name=world.objects["closed_patient"].last_name,
        patient_first_name=world.objects["closed_patient"].first_name,
    )
    for name, referral in (("pending_referral", pending), ("declined_referral", declined),
                           ("accepted_referral", accepted)):
        secret(world, f"{name}_reference", referral.reference)
    secret(world, "link_token", link.token)
    secret(world, "revoked_link_token", revoked_link.token)
    world.objects.update(link=link, revoked_link=revoked_link, pending_referral=pending,
                         declined_referral=declined, accepted_referral=accepted)


def add_documents(world):
    owner, s = world.owner, lambda label, text: secret(world, label, text)
    letter = documents.document_draft(world.objects["in_care"], owner, DocumentKind.POST_EVALUATION)
    letter = documents.document_update(letter, owner, body=s("letter_body", "Courrier-Passereau"))
    letter = documents.document_issue(letter, owner)
    documents.consent_record(letter, owner, given_on=on(1, 20), given_by=ConsentGiver.PATIENT,
                             given_by_names=s("consent_names", "Consentement-Fourmilier"),
                             channel=ConsentChannel.POST)
    alert = documents.document_draft(world.objects["in_care"], owner, DocumentKind.ALERT)
    alert = documents.document_update(alert, owner, body=s("alert_body", "Alerte-Corbeaugris"),
                                      orientation=Orientation.CMP)
    report = documents.document_draft(world.objects["closed"], owner, DocumentKind.END_OF_CARE)
    report = documents.document_update(
        report, owner, evolution=s("report_evolution", "Évolution-Mirabeaulin"), outcome=Outcome.IMPROVED,
        follow_up_needed=False, orientation=Orientation.OTHER,
        orientation_details=s("report_orientation_details", "Détail-Sansonnet"),
    )
    report = documents.document_issue(report, owner)
    documents.consent_record(report, owner, given_on=on(6, 30), given_by=ConsentGiver.PATIENT,
                             channel=ConsentChannel.IN_APP)
    report = documents.document_release(report, owner)
    world.objects.update(letter=letter, alert=alert, report=report)


def build_stranger_world(psychologist):
    """A small caseload of the second psychologist's own, so that their pages have rows and links."""
    patient = PatientFactory(psychologist=psychologist, last_name="Autrui", first_name="Paul",
                             birth_date=date(1970, 2, 2))
    pathway = PathwayFactory(patient=patient, opened_on=on(4, 1), care_reason="anxiety_depression")
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=on(4, 8))
    CareSessionFactory(pathway=pathway, date=on(4, 15))
    documents.document_draft(pathway, psychologist, DocumentKind.ALERT)
    return patient


def staff_without_permissions():
    return PsychologistFactory(username="staff-no-perms", is_staff=True)

"""Load a demo caseload for the psychologist `demo`, and the GP side around it, through the services.

Every pathway, session, referral and document goes through the services, so the demo obeys the
scheme's rules (caps, ages, evaluation first, parental consent, consent before a document reaches
a doctor). Dates count back from `timezone.localdate()`; none is in the future. Running it twice
changes nothing: a demo user with patients stops it.
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from stdnum.fr import nir as stdnum_nir

from accounts import two_factor
from accounts.models import User
from documents import services as documents
from documents.models import ConsentChannel, ConsentGiver, DocumentKind
from pathway import eligibility, rules, services
from pathway.demo_caseload import (
    ADULT_REASONS,
    BIRTHPLACES,
    DECLINED_REFERRAL,
    DOCTOR,
    DOCTOR_AS_REFERRER,
    DOCTOR_PASSWORD,
    DOCTORS,
    DURATIONS,
    END_OF_CARE,
    ORIENTATIONS,
    OUT_OF_SCHEME_FEE,
    PAEDIATRICIAN,
    PARENT_NAMES,
    PASSWORD,
    PATIENTS,
    PENDING_REFERRALS,
    PSYCHOLOGIST,
    REFERRAL_REASONS,
    STREETS,
    TOTP_SECRET,
    USERNAME,
    VIDEO_SHARE,
)
from pathway.models import (
    Billing,
    CareSession,
    CloseReason,
    EntryMode,
    Pathway,
    PathwayStatus,
    Patient,
    SessionKind,
    SessionMode,
    SessionStatus,
)
from pathway.services import SessionInput
from referrals import services as referrals
from referrals.models import DeclineReason, Referral


@dataclass
class Demo:
    psychologist: User
    doctor: User
    today: date
    rng: random.Random

    def days_ago(self, days):
        return self.today - timedelta(days=days)

    def past(self, dates):
        return [day for day in dates if day <= self.today]


class Command(BaseCommand):
    help = "Load a demo psychologist (demo / demo-soutien-psy) with ~40 patients, through the services."

    def handle(self, *args, **options):
        with transaction.atomic():
            psychologist = psychologist_get_or_create()
            if psychologist.patients.exists():
                count = psychologist.patients.count()
                self.stdout.write(f"The demo data is already there ({count} patients for '{USERNAME}').")
                return
            doctor = referrals.doctor_account_create(password=DOCTOR_PASSWORD, **DOCTOR)
            demo = Demo(psychologist, doctor, timezone.localdate(), random.Random(2026))
            for spec in PATIENTS:
                STORIES[spec.story](demo, patient_create(demo, spec), spec)
            documents_write(demo)
            referrals_waiting(demo)
        self.stdout.write(summary(psychologist))


def psychologist_get_or_create():
    user, created = User.objects.get_or_create(username=USERNAME, defaults=PSYCHOLOGIST)
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    # Also for a demo loaded before two-step login existed: its known key lets `make run` users in.
    two_factor.device_with_key(user, TOTP_SECRET, name="démo")
    return user


def summary(psychologist):
    patients = psychologist.patients.count()
    pathways = Pathway.objects.filter(psychologist=psychologist).count()
    sessions = CareSession.objects.filter(pathway__psychologist=psychologist).count()
    referrals_count = Referral.objects.filter(psychologist=psychologist).count()
    documents_count = psychologist.documents.count()
    return (f"{patients} patients, {pathways} pathways, {sessions} sessions, {referrals_count} referrals, "
            f"{documents_count} documents")


# --- Patients -----------------------------------------------------------------------------------


def patient_create(demo, spec):
    rng = demo.rng
    birth_date = birth_date_for(demo, spec.age)
    doctor, doctor_address = PAEDIATRICIAN if spec.age < 12 else rng.choice(DOCTORS)
    patient = Patient(
        psychologist=demo.psychologist, first_name=spec.first_name, last_name=spec.last_name,
        sex=spec.sex, birth_date=birth_date, phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)} {rng.randint(10, 99)}", address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
        email="" if spec.age < 18 else f"{ascii_name(spec.first_name)}.{ascii_name(spec.last_name)}@exemple.fr",
        treating_doctor_name=doctor, treating_doctor_address=doctor_address,
        nir=nir_for(demo, spec, birth_date) if "nir" in spec.flags else "",
        has_css="css" in spec.flags, has_ame="ame" in spec.flags, has_ald="ald" in spec.flags,
        maternity_from_sixth_month="maternity" in spec.flags, **guardians(demo, spec),
    )
    patient.full_clean()
    patient.save()
    return patient


def birth_date_for(demo, age):
    """A birth date making the patient `age` today, with the last birthday 4 to 11 months ago."""
    last_birthday = demo.days_ago(demo.rng.randint(120, 340))
    year = last_birthday.year - age
    if (last_birthday.month, last_birthday.day) == (2, 29):
        return date(year, 2, 28)
    return last_birthday.replace(year=year)


def ascii_name(name):
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace(" ", "")


def nir_for(demo, spec, birth_date):
    """A NIR with its key; a Corsican birthplace (2A, Ajaccio) for the `corsica` flag."""
    department, commune = ("2A", "004") if "corsica" in spec.flags else demo.rng.choice(BIRTHPLACES)
    sex = "1" if spec.sex == "M" else "2"
    first13 = f"{sex}{birth_date:%y%m}{department}{commune}{demo.rng.randint(1, 999):03d}"
    return stdnum_nir.validate(first13 + stdnum_nir.calc_check_digits(first13))


def guardians(demo, spec):
    """Minors: both holders of parental authority, or one sole holder; consent comes at opening."""
    if spec.age >= 18:
        return {}
    mother, father = demo.rng.choice(PARENT_NAMES)
    if "sole" in spec.flags:
        return {"guardian_1_name": f"{mother} {spec.last_name}", "sole_holder_declared": True}
    return {"guardian_1_name": f"{mother} {spec.last_name}", "guardian_2_name": f"{father} {spec.last_name}"}


def consent_record(patient, day):
    """The holders sign the consent form at the first appointment, before any session."""
    if not patient.guardian_1_name or patient.guardian_1_consent_on:
        return
    patient.guardian_1_consent_on = day
    if patient.guardian_2_name:
        patient.guardian_2_consent_on = day
    patient.save(update_fields=["guardian_1_consent_on", "guardian_2_consent_on", "updated_at"])


# --- Pathways and sessions, through the services -------------------------------------------------


def pathway_open(demo, patient, spec, opened_on):
    consent_record(patient, opened_on)
    if "referred" in spec.flags:
        return referral_accepted(demo, patient, opened_on).pathway
    if "letter" not in spec.flags:
        return services.pathway_open(patient, demo.psychologist, entry_mode=EntryMode.DIRECT, opened_on=opened_on)
    return services.pathway_open(
        patient, demo.psychologist, entry_mode=EntryMode.REFERRAL, opened_on=opened_on,
        referrer_kind=rules.DOCTOR, referrer_name=patient.treating_doctor_name,
        referral_date=opened_on - timedelta(days=demo.rng.randint(3, 40)),
    )


def answers(**overrides):
    """The evaluation form's answers (EvaluationForm.answers()): nothing that excludes, by default."""
    values = {name: False for name in (
        "suicide_risk", "acute_decompensation", "severe_anxiety_depression", "substance_dependence",
        "severe_eating_disorder", "neurodevelopmental_disorder", "major_withdrawal",
        "severe_behaviour_disorder", "psychiatrist_opinion",
    )}
    values.update(affiliated=True, treatment=eligibility.NO_TREATMENT, treatment_started_on=None,
                  psychiatrist_opinion_on=None)
    for name in ("ald_psy", "invalidity", "long_sick_leave", "psychiatric_follow_up"):
        values.update({f"{name}_status": eligibility.NO, f"{name}_ended_on": None})
    values.update(overrides)
    return values


def treatment_answers(spec, day):
    if "antidepressant" in spec.flags:
        return {"treatment": eligibility.ANTIDEPRESSANT, "treatment_started_on": day - timedelta(days=75)}
    if "opinion" in spec.flags:
        return {"treatment": eligibility.OTHER_PSYCHOTROPIC, "treatment_started_on": day - timedelta(days=900),
                "psychiatrist_opinion": True, "psychiatrist_opinion_on": day - timedelta(days=20)}
    return {}


def session_input(demo, day, kind, spec=None, **fields):
    video_share = 0.5 if spec and "video" in spec.flags else VIDEO_SHARE
    is_video = kind == SessionKind.FOLLOWUP and demo.rng.random() < video_share
    return SessionInput(date=day, mode=SessionMode.VIDEO if is_video else SessionMode.IN_PERSON,
                        duration_minutes=demo.rng.choice(DURATIONS), **fields)


def pathway_start(demo, patient, spec, day, planned=None, **evaluation):
    """Open the pathway a few days before `day`, then hold the evaluation on `day`."""
    pathway = pathway_open(demo, patient, spec, day - timedelta(days=demo.rng.randint(3, 21)))
    is_minor = patient.is_minor_on(day)
    care_reason = "child_distress" if is_minor else demo.rng.choice(ADULT_REASONS)
    planned = planned or min(rules.rules_on(day).max_followups, max(spec.n, 1) + demo.rng.randint(1, 4))
    data = evaluation.pop("session", None) or session_input(demo, day, SessionKind.EVALUATION)
    pathway, _assessment = services.pathway_evaluate(
        pathway, demo.psychologist, session=data, care_reason=care_reason, planned_followups=planned,
        answers=evaluation.pop("answers", None) or answers(**treatment_answers(spec, day)), **evaluation,
    )
    return pathway


def session_record_next(demo, pathway, spec, day, emergency=""):
    """Record the session due on `day`, asking the services' own questions to choose its kind.

    At the cap it is recorded out of scheme; the first reimbursed session of a year is an evaluation.
    """
    patient_id = pathway.patient_id
    if services.cap_usage(patient_id, day).is_reached:
        kind = SessionKind.FOLLOWUP
        data = session_input(demo, day, kind, spec, billing=Billing.OUT_OF_SCHEME,
                             out_of_scheme_fee=OUT_OF_SCHEME_FEE,
                             private_note="Plafond annuel atteint : séance hors dispositif, tarif annoncé avant.")
    else:
        held = services.evaluation_held_in_year(patient_id, day.year)
        kind = SessionKind.FOLLOWUP if held else SessionKind.EVALUATION
        data = session_input(demo, day, kind, spec)
    return services.session_record(pathway, demo.psychologist, kind=kind, data=data,
                                   emergency_orientation=emergency)


def session_missed(demo, pathway, spec, day, status=None):
    """A cancelled session or a no-show: recorded, never counted towards the cap."""
    status = status or demo.rng.choice((SessionStatus.CANCELLED, SessionStatus.NO_SHOW))
    data = session_input(demo, day, SessionKind.FOLLOWUP, spec, status=status)
    services.session_record(pathway, demo.psychologist, kind=SessionKind.FOLLOWUP, data=data)


def follow(demo, pathway, spec, dates):
    for day in demo.past(dates):
        if demo.rng.random() < 0.12:
            session_missed(demo, pathway, spec, day - timedelta(days=2))
        session_record_next(demo, pathway, spec, day)


def cadence(last_day, count, every):
    """`count` dates `every` days apart, the last one on `last_day`."""
    return [last_day - timedelta(days=every * (count - 1 - i)) for i in range(count)]


def pathway_close(demo, pathway, reason, after):
    closed_on = min(after + timedelta(days=demo.rng.randint(0, 7)), demo.today)
    services.pathway_close(pathway, demo.psychologist, reason=reason, closed_on=closed_on)


# --- Stories: what happens to each patient ------------------------------------------------------


def story_awaiting(demo, patient, spec):
    pathway_open(demo, patient, spec, demo.days_ago(spec.n))


def story_in_care(demo, patient, spec, last_day=None):
    """An evaluation, then `n` follow-ups every week or fortnight, the last one on `last_day`."""
    last_day = last_day or demo.days_ago(demo.rng.randint(2, 13))
    dates = cadence(last_day, spec.n + 1, demo.rng.choice((7, 14)))
    pathway = pathway_start(demo, patient, spec, dates[0])
    follow(demo, pathway, spec, dates[1:])
    return pathway


def story_this_week(demo, patient, spec):
    week_start = demo.today - timedelta(days=demo.today.weekday())
    story_in_care(demo, patient, spec, last_day=week_start + timedelta(days=demo.rng.randint(0, demo.today.weekday())))


def story_silent(demo, patient, spec):
    """In care, but no session for more than the dashboard's silent-pathway weeks."""
    story_in_care(demo, patient, spec, last_day=demo.days_ago(7 * rules.SILENT_PATHWAY_WEEKS + demo.rng.randint(8, 20)))


def story_cap(demo, patient, spec):
    """`n` weekly sessions this year: past the annual cap, the last ones are recorded out of scheme."""
    dates = cadence(demo.days_ago(demo.rng.randint(0, 4)), spec.n, 7)
    pathway = pathway_start(demo, patient, spec, dates[0], planned=rules.rules_on(dates[0]).max_followups)
    follow(demo, pathway, spec, dates[1:])


def story_declared(demo, patient, spec):
    """Three sessions, evaluation included, held this year with a previous psychologist.

    The cap continues from there: the intake here is billed as a follow-up, not a 2nd evaluation.
    """
    dates = cadence(demo.days_ago(demo.rng.randint(3, 10)), spec.n + 1, 14)
    services.declared_sessions_add(
        patient, demo.psychologist, year=dates[0].year, count=3, included_evaluation=True,
        source="Relevé ameli (psychologue précédente, Villeurbanne)", declared_on=dates[0] - timedelta(days=7),
    )
    pathway = pathway_start(demo, patient, spec, dates[0])
    follow(demo, pathway, spec, dates[1:])


def story_new_year(demo, patient, spec):
    """Started in October last year, fortnightly: January opens with a new evaluation."""
    dates = demo.past([date(demo.today.year - 1, 10, 6) + timedelta(days=14 * i) for i in range(spec.n)])
    pathway = pathway_start(demo, patient, spec, dates[0], planned=rules.rules_on(dates[0]).max_followups)
    follow(demo, pathway, spec, dates[1:])
    pathway_close(demo, pathway, CloseReason.COMPLETED, after=dates[-1])


def story_returning(demo, patient, spec):
    """A pathway completed last spring, and a new one this year."""
    dates = cadence(date(demo.today.year - 1, 6, 2), 7, 14)
    pathway = pathway_start(demo, patient, spec, dates[0], planned=6)
    follow(demo, pathway, spec, dates[1:])
    pathway_close(demo, pathway, CloseReason.COMPLETED, after=dates[-1])
    story_in_care(demo, patient, spec)


def story_closed(reason, planned_extra):
    def story(demo, patient, spec):
        dates = cadence(demo.days_ago(demo.rng.randint(20, 110)), spec.n + 1, demo.rng.choice((7, 14)))
        pathway = pathway_start(demo, patient, spec, dates[0], planned=spec.n + planned_extra)
        follow(demo, pathway, spec, dates[1:])
        if reason == CloseReason.PATIENT_STOPPED:
            session_missed(demo, pathway, spec, dates[-1] + timedelta(days=7), SessionStatus.NO_SHOW)
        pathway_close(demo, pathway, reason, after=dates[-1] + timedelta(days=10))

    return story


def story_excluded(demo, patient, spec):
    """Adults: a psychiatric ALD ended 14 months ago; minors: followed in paedopsychiatry."""
    day = demo.days_ago(demo.rng.randint(15, 90))
    if spec.age < 18:
        found = answers(psychiatric_follow_up_status=eligibility.ONGOING)
    else:
        found = answers(ald_psy_status=eligibility.ENDED, ald_psy_ended_on=day - timedelta(days=420))
    pathway_start(demo, patient, spec, day, answers=found)


def story_reoriented(demo, patient, spec):
    day = demo.days_ago(demo.rng.randint(20, 60))
    orientation = ORIENTATIONS["minor" if spec.age < 18 else "adult"]
    pathway_start(demo, patient, spec, day, answers=answers(suicide_risk=True), orientation=orientation)


def story_emergency(demo, patient, spec):
    """In care, until suicidal ideas found at the n-th follow-up end the pathway as reoriented."""
    dates = cadence(demo.days_ago(demo.rng.randint(5, 25)), spec.n + 1, 14)
    pathway = pathway_start(demo, patient, spec, dates[0])
    follow(demo, pathway, spec, dates[1:-1])
    session_record_next(demo, pathway, spec, dates[-1], emergency=ORIENTATIONS["follow_up"])


STORIES = {
    "awaiting": story_awaiting,
    "in_care": story_in_care,
    "this_week": story_this_week,
    "silent": story_silent,
    "cap": story_cap,
    "declared": story_declared,
    "new_year": story_new_year,
    "returning": story_returning,
    "completed": story_closed(CloseReason.COMPLETED, planned_extra=0),
    "improved": story_closed(CloseReason.IMPROVED_EARLY, planned_extra=3),
    "stopped": story_closed(CloseReason.PATIENT_STOPPED, planned_extra=4),
    "excluded": story_excluded,
    "reoriented": story_reoriented,
    "emergency": story_emergency,
}


# --- The GP side: referrals and documents, through their services -------------------------------


def referral_submitted(demo, fields, from_account, days_ago=0):
    link = referrals.referral_link_get_or_create(demo.psychologist)
    referral = referrals.referral_submit(link, fields, fingerprint="demo",
                                         sent_by=demo.doctor if from_account else None)
    if days_ago:
        # The demo's only write outside a service: the referral arrived before the story starts.
        Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - timedelta(days=days_ago))
        referral.refresh_from_db()
    return referral


def referral_accepted(demo, patient, opened_on):
    """Dr Leroy referred this patient through the psychologist's link, from her account."""
    reason, context = REFERRAL_REASONS[f"{patient.first_name} {patient.last_name}"]
    fields = {**DOCTOR_AS_REFERRER, "patient_last_name": patient.last_name,
              "patient_first_name": patient.first_name, "patient_birth_date": patient.birth_date,
              "patient_phone": patient.phone, "reason": reason, "clinical_context": context}
    days_ago = (demo.today - opened_on).days + demo.rng.randint(2, 9)
    referral = referral_submitted(demo, fields, from_account=True, days_ago=days_ago)
    return referrals.referral_accept(referral, demo.psychologist, opened_on=opened_on, patient=patient)


def referrals_waiting(demo):
    for from_account, fields in PENDING_REFERRALS:
        referral_submitted(demo, fields, from_account)
    declined = referral_submitted(demo, DECLINED_REFERRAL, from_account=True, days_ago=12)
    referrals.referral_decline(declined, demo.psychologist, reason=DeclineReason.NO_AVAILABILITY,
                               note="Pas de créneau en soirée avant février ; je vous suggère le CMP du secteur.")


def document_issued(demo, pathway, kind, **fields):
    document = documents.document_draft(pathway, demo.psychologist, kind)
    if fields:
        documents.document_update(document, demo.psychologist, **fields)
    return documents.document_issue(document, demo.psychologist)


def document_sent(demo, document, channel, given_on):
    documents.consent_record(document, demo.psychologist, given_on=given_on, given_by=ConsentGiver.PATIENT,
                             channel=channel)
    documents.document_release(document, demo.psychologist)


def documents_write(demo):
    """The referred patient's letter and report reach Dr Leroy in the app; another report goes by post;
    a third waits for the patient's consent; an in-care patient's letter is issued, not yet sent."""
    closed = Pathway.objects.filter(psychologist=demo.psychologist, status=PathwayStatus.CLOSED,
                                    close_reason=CloseReason.COMPLETED).select_related("patient")
    for pathway in closed.order_by("closed_on"):
        if hasattr(pathway, "referral"):
            letter = document_issued(demo, pathway, DocumentKind.POST_EVALUATION)
            document_sent(demo, letter, ConsentChannel.IN_APP, pathway.opened_on)
            report = document_issued(demo, pathway, DocumentKind.END_OF_CARE, **END_OF_CARE)
            document_sent(demo, report, ConsentChannel.IN_APP, pathway.closed_on)
        elif pathway.patient.last_name == "Dubois":
            report = document_issued(demo, pathway, DocumentKind.END_OF_CARE, **END_OF_CARE)
            document_sent(demo, report, ConsentChannel.POST, pathway.closed_on)
        elif pathway.patient.last_name == "Muller":
            document_issued(demo, pathway, DocumentKind.END_OF_CARE, **END_OF_CARE)
    in_care = Pathway.objects.filter(psychologist=demo.psychologist, status=PathwayStatus.IN_CARE,
                                     patient__last_name="Martin").first()
    if in_care:
        document_issued(demo, in_care, DocumentKind.POST_EVALUATION)

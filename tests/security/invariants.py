"""What every stored row must satisfy, whatever was posted: each check returns the rows that break it.

Field-level validation is `full_clean()` without the database's own checks (PostgreSQL enforces the
constraints and keys itself, and asking again costs a query per row); the scheme's rules are
queries over the whole database, cheap enough to run after every fuzzed request.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from documents.models import Consent, ConsentChannel, ConsentGiver, Document
from pathway import rules
from pathway.models import (
    ACTIVE_STATUSES,
    Billing,
    CareSession,
    DeclaredSessions,
    EntryMode,
    Pathway,
    PathwayStatus,
    Patient,
    SessionKind,
    SessionStatus,
)
from referrals.models import Referral, ReferralStatus, ReferrerProfile

OLDEST_BIRTH_DATE = date(1900, 1, 1)


def problems():
    """Every broken rule, as readable lines (empty when the database is sound)."""
    found = []
    for check in (invalid_fields, over_the_cap, followups_without_evaluation, sessions_out_of_place,
                  reimbursed_sessions_breaking_the_rules, pathways_out_of_shape, bad_declarations,
                  bad_referrals, bad_documents, bad_patients):
        found += check()
    return found


def models_checked():
    return (get_user_model(), Patient, Pathway, CareSession, DeclaredSessions, Referral, ReferrerProfile,
            Document, Consent)


def invalid_fields():
    found = []
    for model in models_checked():
        relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
        for row in model.objects.all():
            try:
                row.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                found.append(f"{model.__name__} {row.pk}: {error.message_dict}")
    return found


def counted():
    return CareSession.objects.filter(billing=Billing.REIMBURSED, status=SessionStatus.HELD)


def over_the_cap():
    held = {(row["patient"], row["year"]): row["n"] for row in
            counted().annotate(year=ExtractYear("date")).values("patient", "year").annotate(n=Count("id"))}
    declared = {(row["patient"], row["year"]): row["n"] for row in
                DeclaredSessions.objects.values("patient", "year").annotate(n=Sum("count"))}
    found = []
    for key in held.keys() | declared.keys():
        total = held.get(key, 0) + declared.get(key, 0)
        cap = rules.rules_on_or_first(date(key[1], 12, 31)).annual_cap
        if total > cap:
            found.append(f"patient {key[0]}: {total} reimbursed sessions in {key[1]}, cap {cap}")
    return found


def followups_without_evaluation():
    """The first reimbursed session of a year is an evaluation (here, or declared elsewhere)."""
    evaluation = counted().filter(patient=OuterRef("patient"), date__year=OuterRef("year"),
                                  kind=SessionKind.EVALUATION)
    declared = DeclaredSessions.objects.filter(patient=OuterRef("patient"), year=OuterRef("year"),
                                               included_evaluation=True)
    orphans = counted().filter(kind=SessionKind.FOLLOWUP).annotate(year=ExtractYear("date")).filter(
        ~Exists(evaluation), ~Exists(declared)).values_list("patient", "year").distinct()
    return [f"patient {patient}: reimbursed follow-ups in {year} without an evaluation" for patient, year in orphans]


def sessions_out_of_place():
    today = timezone.localdate()
    found = [f"session {pk}: {problem}" for pk, problem in (
        *((pk, "in the future") for pk in CareSession.objects.filter(date__gt=today).values_list("pk", flat=True)),
        *((pk, "before its pathway opened") for pk in
          CareSession.objects.filter(date__lt=F("pathway__opened_on")).values_list("pk", flat=True)),
        *((pk, "not its pathway's patient or psychologist") for pk in CareSession.objects.filter(
            ~Q(patient=F("pathway__patient")) | ~Q(psychologist=F("pathway__psychologist"))).values_list(
            "pk", flat=True)),
    )]
    first_evaluation = {row["pathway"]: row["first"] for row in CareSession.objects.filter(
        kind=SessionKind.EVALUATION).values("pathway").annotate(first=Min("date"))}
    for pk, pathway, day in CareSession.objects.filter(kind=SessionKind.FOLLOWUP).values_list("pk", "pathway", "date"):
        if pathway in first_evaluation and day < first_evaluation[pathway]:
            found.append(f"session {pk}: a follow-up before its pathway's evaluation")
    return found


def reimbursed_sessions_breaking_the_rules():
    found = []
    for session in counted().select_related("patient", "pathway"):
        day, patient = session.date, session.patient
        if day < rules.SCHEME_START:
            found.append(f"session {session.pk}: reimbursed before the scheme existed")
            continue
        if patient.age_on(day) < rules.rules_on(day).min_age:
            found.append(f"session {session.pk}: reimbursed for a patient under the minimum age")
        if patient.is_minor_on(day) and not patient.has_parental_consent_on(day):
            found.append(f"session {session.pk}: a minor's session without parental consent on {day}")
        if session.kind == SessionKind.EVALUATION and session.mode != "in_person":
            found.append(f"session {session.pk}: an evaluation by video")
    return found


def pathways_out_of_shape():
    today = timezone.localdate()
    found = []
    for pathway in Pathway.objects.select_related("patient").annotate(sessions_count=Count("sessions"),
                                                                      last_session_on=Max("sessions__date")):
        name = f"pathway {pathway.pk} ({pathway.status})"
        if not rules.SCHEME_START <= pathway.opened_on <= today:
            found.append(f"{name}: opened on {pathway.opened_on}, outside the scheme's days")
        if pathway.patient.age_on(pathway.opened_on) < rules.rules_on_or_first(pathway.opened_on).min_age:
            found.append(f"{name}: opened for a patient under the minimum age")
        if pathway.is_active == (pathway.closed_on is not None):
            found.append(f"{name}: closed_on {pathway.closed_on} does not match the status")
        if pathway.closed_on and not (pathway.opened_on <= pathway.closed_on <= today):
            found.append(f"{name}: closed on {pathway.closed_on}, opened on {pathway.opened_on}")
        if pathway.status == PathwayStatus.IN_CARE and not (
                pathway.planned_followups and 1 <= pathway.planned_followups <= rules.CURRENT.max_followups):
            found.append(f"{name}: {pathway.planned_followups} planned follow-ups")
        if pathway.status in (PathwayStatus.IN_CARE, PathwayStatus.EXCLUDED) and not pathway.sessions_count:
            found.append(f"{name}: evaluated without any session")
        if pathway.closed_on and pathway.last_session_on and pathway.closed_on < pathway.last_session_on:
            found.append(f"{name}: closed on {pathway.closed_on}, before its last session {pathway.last_session_on}")
    return found


def bad_declarations():
    today = timezone.localdate()
    return [f"declared {row.pk}: {row.year}, {row.count}, {row.declared_on}" for row in DeclaredSessions.objects.all()
            if not (rules.SCHEME_START.year <= row.year <= today.year and row.count >= 1 and row.declared_on <= today)]


def bad_referrals():
    found = []
    for referral in Referral.objects.select_related("pathway", "sent_by"):
        name = f"referral {referral.reference}"
        received_on = timezone.localdate(referral.received_at)
        if referral.patient_birth_date < OLDEST_BIRTH_DATE or rules.age_on(
                referral.patient_birth_date, received_on) < rules.rules_on_or_first(received_on).min_age:
            found.append(f"{name}: patient born {referral.patient_birth_date}")
        if (referral.status == ReferralStatus.PENDING) != (referral.decided_at is None):
            found.append(f"{name}: {referral.status} decided at {referral.decided_at}")
        if referral.pathway and referral.pathway.entry_mode != EntryMode.REFERRAL:
            found.append(f"{name}: its pathway was not opened by referral")
        if referral.sent_by_id and referral.sent_by.is_psychologist:
            found.append(f"{name}: followed by a psychologist's account")
    return found


def bad_documents():
    today = timezone.localdate()
    found = []
    for document in Document.objects.select_related("pathway__patient", "consent", "pathway__referral"):
        name = f"document {document.pk}"
        consent = getattr(document, "consent", None)
        if document.is_released and consent is None:
            found.append(f"{name}: released without a consent")
        if document.released_to_id:
            referral = getattr(document.pathway, "referral", None)
            if consent is None or consent.channel != ConsentChannel.IN_APP or referral is None \
                    or referral.sent_by_id != document.released_to_id:
                found.append(f"{name}: released in the app to someone else than the referring doctor")
        if consent:
            found += consent_problems(name, document, consent, today)
    return found


def consent_problems(name, document, consent, today):
    found = []
    if not (document.pathway.opened_on <= consent.given_on <= today):
        found.append(f"{name}: consent given on {consent.given_on}")
    minor = document.pathway.patient.is_minor_on(consent.given_on)
    expected = ConsentGiver.PARENTAL_AUTHORITY if minor else ConsentGiver.PATIENT
    if consent.given_by != expected:
        found.append(f"{name}: consent given by {consent.given_by}, the patient a minor: {minor}")
    if not consent.given_by_names.strip():
        found.append(f"{name}: consent without names")
    return found


def bad_patients():
    today = timezone.localdate()
    found = [f"patient {pk}: born {born}" for pk, born in Patient.objects.values_list("pk", "birth_date")
             if not OLDEST_BIRTH_DATE <= born <= today]
    doubles = Pathway.objects.filter(status__in=ACTIVE_STATUSES).values("patient").annotate(n=Count("id")).filter(
        n__gt=1)
    return found + [f"patient {row['patient']}: {row['n']} pathways running" for row in doubles]


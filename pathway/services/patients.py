"""Changing a patient's file once care has been recorded on it.

A birth date or a parental consent is what the recorded pathways, sessions and consents were judged
on: a change that would leave one of them breaking the scheme's rules (a reimbursed session for a
two-year-old, a minor's session without the parents' consent) is refused, with the date to check.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from documents.models import Consent, ConsentGiver

from .. import rules
from ..models import Billing, CareSession, Pathway, SessionStatus
from .cap import lock_patient
from .errors import DomainError, fmt


def care_days(patient):
    """The days the patient's care was judged on: pathway openings and reimbursed sessions held."""
    opened = Pathway.objects.filter(patient=patient).values_list("opened_on", flat=True)
    held = CareSession.objects.filter(patient=patient, billing=Billing.REIMBURSED,
                                      status=SessionStatus.HELD).values_list("date", flat=True)
    return sorted(set(opened)), sorted(set(held))


def check_ages(patient, opened, held):
    for day in [*opened, *held]:
        min_age = rules.rules_on_or_first(day).min_age
        if patient.age_on(day) < min_age:
            raise DomainError(
                _("With this birth date the patient was under %(age)s on %(day)s, when care was recorded "
                  "(a pathway opened or a reimbursed session): check the date.") % {"age": min_age, "day": fmt(day)},
                field="birth_date", code="records_too_young")


def check_parental_consent(patient, held, field):
    for day in held:
        if patient.is_minor_on(day) and not patient.has_parental_consent_on(day):
            raise DomainError(
                _("The reimbursed session of %(day)s rests on the consent of the holders of parental authority, "
                  "given on or before it: it cannot be removed or dated later.") % {"day": fmt(day)},
                field=field, code="records_need_consent")


def check_consents_to_send(patient):
    for given_on, given_by in Consent.objects.filter(document__pathway__patient=patient).values_list(
            "given_on", "given_by"):
        expected = ConsentGiver.PARENTAL_AUTHORITY if patient.is_minor_on(given_on) else ConsentGiver.PATIENT
        if given_by != expected:
            raise DomainError(
                _("With this birth date, the consent of %(day)s to send a document would not have been given by "
                  "the right people (the patient, or the holders of parental authority): check the date.")
                % {"day": fmt(given_on)}, field="birth_date", code="records_consent_giver")


@transaction.atomic
def patient_update(patient, actor):
    """Save the changed file (`patient`, not yet saved) unless it contradicts the care recorded on it."""
    stored = lock_patient(patient.pk)
    opened, held = care_days(patient)
    check_ages(patient, opened, held)
    field = "birth_date" if patient.birth_date != stored.birth_date else "guardian_1_consent_on"
    check_parental_consent(patient, held, field)
    check_consents_to_send(patient)
    patient.save()
    return patient

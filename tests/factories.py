from datetime import date

import factory
from django.utils import timezone

from accounts.models import User
from documents.models import Consent, ConsentChannel, ConsentGiver, Document, DocumentKind
from pathway.models import (
    Billing,
    CareSession,
    DeclaredSessions,
    EntryMode,
    Pathway,
    PathwayStatus,
    Patient,
    SessionKind,
    SessionMode,
    SessionStatus,
)
from referrals.models import Referral, ReferralLink, ReferrerProfession


class PsychologistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"psy{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = User.Role.PSYCHOLOGIST
    rpps = "10003456786"
    is_conventioned = True
    convention_date = date(2022, 1, 1)
    password = factory.django.Password("a-long-test-password")


class GPFactory(PsychologistFactory):
    username = factory.Sequence(lambda n: f"gp{n}")
    role = User.Role.GP
    is_conventioned = False


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    psychologist = factory.SubFactory(PsychologistFactory)
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_name = factory.Faker("first_name", locale="fr_FR")
    birth_date = date(1990, 5, 17)
    sex = "F"

    class Params:
        minor_with_consent = factory.Trait(
            birth_date=factory.LazyFunction(lambda: date(timezone.localdate().year - 12, 3, 1)),
            guardian_1_name="Claire Martin", guardian_1_consent_on=date(2024, 1, 10),
            guardian_2_name="Paul Martin", guardian_2_consent_on=date(2024, 1, 10),
        )


class PathwayFactory(factory.django.DjangoModelFactory):
    """A pathway in care by default; use status=... for others (no session is created)."""

    class Meta:
        model = Pathway

    patient = factory.SubFactory(PatientFactory)
    psychologist = factory.LazyAttribute(lambda o: o.patient.psychologist)
    entry_mode = EntryMode.DIRECT
    opened_on = date(2022, 4, 5)
    status = PathwayStatus.IN_CARE
    planned_followups = 11

    class Params:
        with_letter = factory.Trait(
            entry_mode=EntryMode.REFERRAL, referrer_kind="doctor", referrer_name="Dr Anne Leroy",
            referral_date=factory.LazyAttribute(lambda o: o.opened_on),
        )


class CareSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareSession

    pathway = factory.SubFactory(PathwayFactory)
    patient = factory.LazyAttribute(lambda o: o.pathway.patient)
    kind = SessionKind.FOLLOWUP
    billing = Billing.REIMBURSED
    date = factory.LazyFunction(timezone.localdate)
    mode = SessionMode.IN_PERSON
    duration_minutes = 45
    status = SessionStatus.HELD


class DeclaredSessionsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeclaredSessions

    patient = factory.SubFactory(PatientFactory)
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    count = 3
    included_evaluation = True
    source = "relevé ameli"
    declared_on = factory.LazyFunction(timezone.localdate)


class ReferralLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralLink

    psychologist = factory.SubFactory(PsychologistFactory)


class ReferralFactory(factory.django.DjangoModelFactory):
    """A pending referral, as the public form leaves it."""

    class Meta:
        model = Referral

    link = factory.SubFactory(ReferralLinkFactory)
    psychologist = factory.LazyAttribute(lambda o: o.link.psychologist)
    referrer_last_name = "Leroy"
    referrer_first_name = "Anne"
    referrer_profession = ReferrerProfession.GP
    referrer_number = "10003456786"
    referrer_address = "3 rue des Lilas, 69003 Lyon"
    referrer_phone = "04 78 00 00 00"
    patient_last_name = factory.Faker("last_name", locale="fr_FR")
    patient_first_name = factory.Faker("first_name", locale="fr_FR")
    patient_birth_date = date(1990, 5, 17)
    patient_phone = "06 12 34 56 78"
    reason = "Anxiété persistante depuis un changement de poste."


class DocumentFactory(factory.django.DjangoModelFactory):
    """A draft document on a pathway (use the services to issue and release it)."""

    class Meta:
        model = Document

    pathway = factory.SubFactory(PathwayFactory)
    psychologist = factory.LazyAttribute(lambda o: o.pathway.psychologist)
    kind = DocumentKind.END_OF_CARE
    recipient_name = "Dr Anne Leroy"
    reason_for_care = "Anxiété"


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    document = factory.SubFactory(DocumentFactory)
    given_on = factory.LazyFunction(timezone.localdate)
    given_by = ConsentGiver.PATIENT
    given_by_names = factory.LazyAttribute(lambda o: str(o.document.pathway.patient))
    channel = ConsentChannel.POST
    recorded_by = factory.LazyAttribute(lambda o: o.document.psychologist)

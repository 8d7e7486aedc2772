from base64 import b32decode
from collections import defaultdict
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from accounts.models import User
from documents.models import Document
from pathway import demo_caseload, rules
from pathway.models import (
    Billing,
    CareSession,
    DeclaredSessions,
    Pathway,
    PathwayEvent,
    PathwayStatus,
    Patient,
    SessionKind,
    SessionStatus,
)
from referrals.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())
    return User.objects.get(username="demo")


def counts():
    models = (User, Patient, Pathway, CareSession, DeclaredSessions, PathwayEvent, Referral, Document)
    return {model.__name__: model.objects.count() for model in models}


def reimbursed_held():
    return CareSession.objects.filter(billing=Billing.REIMBURSED, status=SessionStatus.HELD)


def test_it_leaves_the_same_counts_when_run_twice(demo):
    before = counts()
    call_command("load_demo", stdout=StringIO())
    assert counts() == before
    assert before["Patient"] >= 40


def test_it_puts_a_pathway_in_every_status(demo):
    statuses = set(Pathway.objects.values_list("status", flat=True))
    assert statuses == set(PathwayStatus.values)


def test_it_keeps_every_patient_within_the_annual_cap_in_every_year(demo):
    used = defaultdict(int)
    for session in reimbursed_held():
        used[session.patient_id, session.date.year] += 1
    for declared in DeclaredSessions.objects.all():
        used[declared.patient_id, declared.year] += declared.count
    over = {key: n for key, n in used.items() if n > rules.rules_on(date(key[1], 12, 31)).annual_cap}
    assert used
    assert over == {}


def test_it_holds_an_evaluation_before_the_first_reimbursed_follow_up_of_each_year(demo):
    first_followup, first_evaluation = {}, {}
    for session in reimbursed_held().order_by("-date"):
        seen = first_evaluation if session.kind == SessionKind.EVALUATION else first_followup
        seen[session.patient_id, session.date.year] = session.date
    declared = set(DeclaredSessions.objects.filter(included_evaluation=True).values_list("patient_id", "year"))
    missing = [key for key, day in first_followup.items()
               if key not in declared and not (key in first_evaluation and first_evaluation[key] <= day)]
    assert first_followup
    assert missing == []


def test_it_dates_no_session_in_the_future(demo):
    assert not CareSession.objects.filter(date__gt=timezone.localdate()).exists()


def test_it_records_parental_consent_for_every_minor(demo):
    today = timezone.localdate()
    minors = [patient for patient in Patient.objects.all() if patient.is_minor_on(today)]
    assert minors
    assert all(patient.has_parental_consent for patient in minors)


def test_it_lets_the_demo_psychologist_log_in_with_the_readme_password_and_key(demo, client):
    client.post(reverse("accounts:login"), {"username": "demo", "password": "demo-soutien-psy"})
    code = f"{totp(b32decode(demo_caseload.TOTP_SECRET)):06d}"
    client.post(reverse("accounts:two_factor_verify"), {"code": code})
    assert client.get(reverse("pathway:dashboard")).status_code == 200
    assert demo.is_psychologist and demo.may_bill_reimbursed_on(timezone.localdate())
    assert demo_caseload.TOTP_SECRET in (settings.BASE_DIR / "README.md").read_text()



def test_it_fills_the_gp_side_inbox_and_the_doctors_portal(demo):
    doctor = User.objects.get(username="anne.leroy@exemple.fr")
    assert doctor.check_password("demo-medecin-psy") and not doctor.is_psychologist
    statuses = sorted(Referral.objects.filter(psychologist=demo).values_list("status", flat=True))
    assert statuses == sorted([ReferralStatus.PENDING] * 3 + [ReferralStatus.ACCEPTED, ReferralStatus.DECLINED])
    accepted = Referral.objects.get(status=ReferralStatus.ACCEPTED)
    assert (accepted.sent_by, accepted.pathway.entry_mode) == (doctor, "referral")
    assert accepted.received_at.date() <= accepted.pathway.opened_on


def test_only_documents_with_a_recorded_consent_reach_a_doctor(demo):
    released = Document.objects.filter(released_at__isnull=False)
    assert released.filter(released_to__isnull=False).count() == 2  # the referred patient's, in the app
    assert all(document.consent and document.is_issued for document in released)
    assert Document.objects.filter(released_at__isnull=True, issued_at__isnull=False).exists()

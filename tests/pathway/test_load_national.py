"""The national-size loader, at a tiny scale in the test database: the data obeys the scheme."""

from base64 import b32decode
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.fr import nir as stdnum_nir

from accounts.models import User
from pathway import national_data, rules
from pathway.models import (
    Billing,
    CareSession,
    DeclaredSessions,
    Pathway,
    PathwayEvent,
    PathwayStatus,
    Patient,
    SessionKind,
    SessionMode,
    SessionStatus,
    search_key,
)
from pathway.services.checks import check_min_age, check_patient_may_attend, check_referral_letter

from ..stored_counts_check import assert_counts_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    stderr = StringIO()
    call_command("load_national", psychologists=3, patients=300, stdout=StringIO(), stderr=stderr)
    return stderr.getvalue()


def counted_in_order():
    return (CareSession.objects.filter(billing=Billing.REIMBURSED, status=SessionStatus.HELD)
            .select_related("patient").order_by("patient_id", "date", "created_at"))


def declared_by_year():
    declared = defaultdict(lambda: [0, False])
    for row in DeclaredSessions.objects.all():
        declared[row.patient_id, row.year][0] += row.count
        declared[row.patient_id, row.year][1] |= row.included_evaluation
    return declared


def test_it_loads_the_asked_scale_and_shows_its_progress(loaded):
    assert User.objects.count() == 3
    assert Patient.objects.count() == 300
    assert CareSession.objects.count() > 1000
    assert "rows/s" in loaded and "keys and indexes" in loaded


def test_the_stored_counts_are_made_from_the_loaded_rows_and_kept_after(loaded):
    """The load runs without the triggers and counts everything once at the end; then they run again."""
    expected = assert_counts_match()
    assert len(expected["years"]) > 100 and len(expected["months"]) > 10
    session = CareSession.objects.filter(billing=Billing.REIMBURSED, status=SessionStatus.HELD).first()
    session.status = SessionStatus.CANCELLED
    session.save()
    assert_counts_match()


def test_the_bench_psychologists_log_in_with_the_known_password_and_key(loaded):
    key = b32decode(national_data.BENCH_TOTP_SECRET)
    for username in (national_data.LARGE_USERNAME, national_data.AVERAGE_USERNAME):
        user = User.objects.get(username=username)
        assert user.check_password(national_data.BENCH_PASSWORD)
        assert TOTPDevice.objects.get(user=user, confirmed=True).verify_token(f"{totp(key):06d}")


def test_reusing_the_data_gives_the_bench_psychologists_their_device_back(loaded):
    TOTPDevice.objects.all().delete()  # a database loaded before two-step login existed
    call_command("load_national", psychologists=3, patients=300, stdout=StringIO(), stderr=StringIO())
    assert TOTPDevice.objects.filter(user__username__startswith="bench-", confirmed=True).count() == 2


def test_no_patient_goes_over_the_cap_of_the_rule_set_in_force_in_any_year(loaded):
    declared = declared_by_year()
    used = defaultdict(int)
    for session in counted_in_order():
        key = session.patient_id, session.date.year
        used[key] += 1
        assert used[key] + declared[key][0] <= rules.rules_on(session.date).annual_cap, key


def test_the_first_counted_session_of_each_year_is_an_evaluation_unless_one_was_declared(loaded):
    seen = set()
    declared = declared_by_year()
    for session in counted_in_order():
        key = session.patient_id, session.date.year
        if key not in seen:
            seen.add(key)
            assert session.kind == SessionKind.EVALUATION or declared[key][1], key


def test_every_session_obeys_age_consent_referral_and_convention(loaded):
    for session in CareSession.objects.select_related("patient", "pathway__psychologist"):
        check_min_age(session.patient, session.date, field="date")
        check_patient_may_attend(session.patient, session.date)
        assert session.psychologist_id == session.pathway.psychologist_id == session.patient.psychologist_id
        if session.kind == SessionKind.EVALUATION:
            assert session.mode == SessionMode.IN_PERSON
        if session.is_reimbursed:
            assert session.pathway.psychologist.may_bill_reimbursed_on(session.date)
        if session.is_reimbursed and session.kind == SessionKind.EVALUATION and rules.rules_on(
                session.date).referral_required:
            check_referral_letter(session.pathway, session.date, rules.rules_on(session.date))


def test_minors_have_their_holders_consent_and_everyone_is_three_or_more(loaded):
    minors = [p for p in Patient.objects.all() if p.sessions.exists() and p.is_minor_on(p.created_at.date())]
    assert minors
    for patient in minors:
        assert patient.guardian_1_name and patient.guardian_1_consent_on
    assert all(p.age_on(p.created_at.date()) >= 3 for p in Patient.objects.all())


def test_it_puts_pathways_in_every_status_and_sessions_across_two_years(loaded):
    assert set(Pathway.objects.values_list("status", flat=True)) == set(PathwayStatus.values)
    years = defaultdict(set)
    for patient_id, day in CareSession.objects.values_list("patient_id", "date"):
        years[patient_id].add(day.year)
    assert any(len(patient_years) > 1 for patient_years in years.values())


def test_names_nirs_and_search_names_are_consistent(loaded):
    patients = list(Patient.objects.all())
    assert any(p.last_name != search_key(p.last_name) for p in patients)  # accents are there
    for patient in patients:
        assert patient.search_name == search_key(f"{patient.last_name} {patient.first_name}")
        if patient.nir:
            assert stdnum_nir.is_valid(patient.nir), patient.nir


def test_every_session_has_its_event(loaded):
    assert PathwayEvent.objects.filter(session__isnull=False).count() == CareSession.objects.count()


def test_a_second_run_reuses_the_data(loaded):
    out = StringIO()
    call_command("load_national", psychologists=3, patients=300, stdout=out, stderr=StringIO())
    assert "already there" in out.getvalue()
    assert Patient.objects.count() == 300


def test_it_refuses_sqlite_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("load_national", small=True, stdout=StringIO(), stderr=StringIO())


def test_it_refuses_a_database_not_made_for_it(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "msp")
    with pytest.raises(CommandError, match="not a benchmark database"):
        call_command("load_national", small=True, stdout=StringIO(), stderr=StringIO())

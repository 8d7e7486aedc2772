"""The scheme's dated figures (DOMAIN.md §1): which rule set is in force on a date, and its sums."""

from datetime import date
from decimal import Decimal

import pytest

from pathway import rules


def test_it_has_no_rule_set_the_day_before_the_scheme_started():
    with pytest.raises(rules.SchemeNotInForce):
        rules.rules_on(date(2022, 4, 4))


def test_it_applies_the_2022_rule_set_from_5_april_2022():
    rule_set = rules.rules_on(date(2022, 4, 5))

    assert rule_set is rules.MONPSY_2022
    assert rule_set.annual_cap == 8
    assert rule_set.max_followups == 7
    assert (rule_set.tariff_evaluation, rule_set.tariff_followup) == (Decimal("40.00"), Decimal("30.00"))
    assert rule_set.referral_required is True
    assert rule_set.antidepressant_max_months == 3


def test_only_a_doctor_may_refer_on_24_december_2023():
    assert rules.rules_on(date(2023, 12, 24)).referrer_kinds == (rules.DOCTOR,)


def test_a_midwife_or_a_school_health_professional_may_refer_from_25_december_2023():
    rule_set = rules.rules_on(date(2023, 12, 25))

    assert rules.MIDWIFE in rule_set.referrer_kinds
    assert rules.SCHOOL_HEALTH in rule_set.referrer_kinds
    assert rule_set.annual_cap == 8
    assert rule_set.referral_required is True


def test_the_cap_is_still_8_on_14_june_2024():
    rule_set = rules.rules_on(date(2024, 6, 14))

    assert rule_set.annual_cap == 8
    assert rule_set.tariff_followup == Decimal("30.00")


def test_the_reform_applies_from_15_june_2024():
    rule_set = rules.rules_on(date(2024, 6, 15))

    assert rule_set is rules.MON_SOUTIEN_PSY_2024
    assert rule_set.annual_cap == 12
    assert rule_set.max_followups == 11
    assert (rule_set.tariff_evaluation, rule_set.tariff_followup) == (Decimal("50.00"), Decimal("50.00"))
    assert rule_set.referral_required is False
    assert rule_set.antidepressant_max_months == 6


def test_the_reform_is_still_in_force_in_2026():
    assert rules.rules_on(date(2026, 1, 1)) is rules.MON_SOUTIEN_PSY_2024


def test_the_assurance_maladie_pays_30_euros_of_a_50_euro_session_today():
    split = rules.fee_split(date(2025, 3, 10), is_evaluation=False, is_video=False, tiers_payant=False)

    assert split.tariff == Decimal("50.00")
    assert split.amo == Decimal("30.00")
    assert split.complementary == Decimal("20.00")


def test_the_2022_evaluation_splits_into_24_and_16_euros():
    split = rules.fee_split(date(2023, 3, 10), is_evaluation=True, is_video=False, tiers_payant=True)

    assert (split.tariff, split.amo, split.complementary) == (Decimal("40.00"), Decimal("24.00"), Decimal("16.00"))
    assert split.tiers_payant is True


def test_the_2022_follow_up_splits_into_18_and_12_euros():
    split = rules.fee_split(date(2023, 3, 10), is_evaluation=False, is_video=False, tiers_payant=False)

    assert (split.tariff, split.amo, split.complementary) == (Decimal("30.00"), Decimal("18.00"), Decimal("12.00"))


@pytest.mark.parametrize(
    ("is_evaluation", "is_video", "code"),
    [(True, False, "EEP"), (False, False, "APS"), (False, True, "PSS")],
)
def test_it_bills_each_kind_of_session_with_its_code(is_evaluation, is_video, code):
    split = rules.fee_split(date(2025, 3, 10), is_evaluation=is_evaluation, is_video=is_video, tiers_payant=False)

    assert split.billing_code == code


def test_fee_split_refuses_a_date_before_the_scheme():
    with pytest.raises(rules.SchemeNotInForce):
        rules.fee_split(date(2022, 1, 10), is_evaluation=True, is_video=False, tiers_payant=False)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2023, 8, 31), 6, date(2023, 2, 28)),
        (date(2024, 8, 31), 6, date(2024, 2, 29)),
        (date(2025, 10, 31), 6, date(2025, 4, 30)),
        (date(2025, 3, 15), 6, date(2024, 9, 15)),
        (date(2025, 1, 31), 1, date(2024, 12, 31)),
        (date(2026, 2, 28), 24, date(2024, 2, 28)),
        (date(2024, 2, 29), 24, date(2022, 2, 28)),
    ],
)
def test_months_before_clamps_to_the_end_of_a_shorter_month(day, months, expected):
    assert rules.months_before(day, months) == expected


def test_a_patient_is_a_year_older_on_the_birthday_itself():
    assert rules.age_on(date(2010, 6, 15), date(2028, 6, 14)) == 17
    assert rules.age_on(date(2010, 6, 15), date(2028, 6, 15)) == 18


def test_a_child_is_3_on_the_third_birthday():
    assert rules.age_on(date(2022, 5, 1), date(2025, 4, 30)) == 2
    assert rules.age_on(date(2022, 5, 1), date(2025, 5, 1)) == 3


def test_a_29_february_birthday_counts_from_1_march_in_a_common_year():
    born = date(2008, 2, 29)

    assert rules.age_on(born, date(2026, 2, 28)) == 17
    assert rules.age_on(born, date(2026, 3, 1)) == 18


def test_a_29_february_birthday_counts_on_29_february_in_a_leap_year():
    born = date(2004, 2, 29)

    assert rules.age_on(born, date(2024, 2, 28)) == 19
    assert rules.age_on(born, date(2024, 2, 29)) == 20

"""Who is eligible (DOMAIN.md §2): answers in, outcome and reasons out. No database."""

from datetime import date, timedelta

import pytest

from pathway import eligibility
from pathway.eligibility import ELIGIBLE, EXCLUDED, REORIENTED, assess

ADULT = date(1990, 5, 17)
DAY = date(2025, 3, 10)  # under the 2024 rule set
DAY_2022_RULES = date(2023, 3, 10)  # under the 2022 rule set
TWELVE_YEAR_OLD = date(2012, 9, 1)  # 12 on DAY


def answers(**overrides):
    """What EvaluationForm.answers() gives for a patient who ticks nothing."""
    values = {
        "affiliated": True,
        "suicide_risk": False,
        "acute_decompensation": False,
        "severe_anxiety_depression": False,
        "substance_dependence": False,
        "severe_eating_disorder": False,
        "neurodevelopmental_disorder": False,
        "major_withdrawal": False,
        "severe_behaviour_disorder": False,
        "treatment": eligibility.NO_TREATMENT,
        "treatment_started_on": None,
        "psychiatrist_opinion": False,
        "psychiatrist_opinion_on": None,
    }
    for name in ("ald_psy", "invalidity", "long_sick_leave", "psychiatric_follow_up"):
        values[f"{name}_status"] = eligibility.NO
        values[f"{name}_ended_on"] = None
    values.update(overrides)
    return values


def codes(assessment):
    return [reason.code for reason in assessment.reasons]


def test_an_adult_with_nothing_ticked_is_eligible():
    assessment = assess(answers(), ADULT, DAY)

    assert assessment.outcome == ELIGIBLE
    assert assessment.is_eligible
    assert assessment.reasons == []


@pytest.mark.parametrize(
    ("answer", "french"),
    [
        ("severe_anxiety_depression", "Anxiété ou dépression sévère"),
        ("substance_dependence", "CSAPA"),
        ("severe_eating_disorder", "Trouble du comportement alimentaire"),
    ],
)
def test_it_excludes_a_severe_or_dependent_patient(answer, french):
    assessment = assess(answers(**{answer: True}), ADULT, DAY)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == [answer]
    assert french in assessment.reasons[0].message


@pytest.mark.parametrize("window", ["ald_psy", "invalidity", "long_sick_leave"])
def test_it_excludes_an_adult_whose_situation_is_ongoing(window):
    assessment = assess(answers(**{f"{window}_status": "ongoing"}), ADULT, DAY)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == [window]


@pytest.mark.parametrize("window", ["ald_psy", "invalidity", "long_sick_leave"])
def test_it_excludes_an_adult_whose_situation_ended_a_year_ago(window):
    given = answers(**{f"{window}_status": "ended", f"{window}_ended_on": date(2024, 3, 10)})

    assessment = assess(given, ADULT, DAY)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == [window]


@pytest.mark.parametrize("window", ["ald_psy", "invalidity", "long_sick_leave"])
def test_an_adult_whose_situation_ended_three_years_ago_is_eligible(window):
    given = answers(**{f"{window}_status": "ended", f"{window}_ended_on": date(2022, 3, 10)})

    assert assess(given, ADULT, DAY).outcome == ELIGIBLE


def test_an_ald_ended_on_the_2_year_boundary_day_still_excludes():
    # The reason reads "now or at any time since 10/03/2023": an ALD still running on that day counts.
    given = answers(ald_psy_status="ended", ald_psy_ended_on=date(2023, 3, 10))

    assessment = assess(given, ADULT, DAY)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == ["ald_psy"]
    assert "Affection de longue durée psychiatrique (ALD), actuellement ou à un moment depuis le 10/03/2023" in (
        assessment.reasons[0].message)


def test_an_ald_ended_the_day_before_the_2_year_boundary_no_longer_excludes():
    given = answers(ald_psy_status="ended", ald_psy_ended_on=date(2023, 3, 9))

    assert assess(given, ADULT, DAY).outcome == ELIGIBLE


def test_the_long_sick_leave_reason_reads_in_french():
    assessment = assess(answers(long_sick_leave_status="ongoing"), ADULT, DAY)

    assert "Arrêt de travail de plus de 6 mois pour motif psychiatrique" in assessment.reasons[0].message


@pytest.mark.parametrize(
    ("answer", "french"),
    [
        ("neurodevelopmental_disorder", "Trouble du neurodéveloppement"),
        ("major_withdrawal", "Repli ou inhibition majeurs"),
        ("severe_behaviour_disorder", "Trouble grave du comportement"),
    ],
)
def test_it_excludes_a_child_on_the_minors_list(answer, french):
    assessment = assess(answers(**{answer: True}), TWELVE_YEAR_OLD, DAY)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == [answer]
    assert french in assessment.reasons[0].message


@pytest.mark.parametrize(
    "answer", ["neurodevelopmental_disorder", "major_withdrawal", "severe_behaviour_disorder"]
)
def test_an_adult_who_ticks_a_minors_only_item_is_unaffected(answer):
    assert assess(answers(**{answer: True}), ADULT, DAY).outcome == ELIGIBLE


def test_it_excludes_a_child_followed_in_psychiatry_within_2_years():
    given = answers(psychiatric_follow_up_status="ended", psychiatric_follow_up_ended_on=date(2024, 1, 5))

    assessment = assess(given, TWELVE_YEAR_OLD, DAY)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == ["psychiatric_follow_up"]
    assert "Suivi en (pédo)psychiatrie" in assessment.reasons[0].message


def test_a_child_followed_in_psychiatry_more_than_2_years_ago_is_eligible():
    given = answers(psychiatric_follow_up_status="ended", psychiatric_follow_up_ended_on=date(2022, 12, 1))

    assert assess(given, TWELVE_YEAR_OLD, DAY).outcome == ELIGIBLE


def test_an_adult_once_followed_in_psychiatry_is_not_judged_by_the_minors_list():
    given = answers(psychiatric_follow_up_status="ongoing")

    assert assess(given, ADULT, DAY).outcome == ELIGIBLE


def test_a_child_in_a_psychiatric_ald_is_excluded():
    assert assess(answers(ald_psy_status="ongoing"), TWELVE_YEAR_OLD, DAY).outcome == EXCLUDED


def test_the_adult_list_applies_from_the_18th_birthday():
    born = date(2007, 3, 10)  # 18 on DAY
    given = answers(neurodevelopmental_disorder=True)

    assert assess(given, born, DAY - timedelta(days=1)).outcome == EXCLUDED
    assert assess(given, born, DAY).outcome == ELIGIBLE


def test_a_suicide_risk_reorients_the_patient():
    assessment = assess(answers(suicide_risk=True), ADULT, DAY)

    assert assessment.outcome == REORIENTED
    assert "suicide_risk" in codes(assessment)
    assert "Risque suicidaire" in assessment.reasons[0].message


def test_an_acute_decompensation_reorients_the_patient():
    assessment = assess(answers(acute_decompensation=True), ADULT, DAY)

    assert assessment.outcome == REORIENTED
    assert codes(assessment) == ["acute_decompensation"]
    assert "Signes de décompensation psychiatrique aiguë" in assessment.reasons[0].message


def test_a_suicide_risk_wins_over_an_exclusion():
    assessment = assess(answers(suicide_risk=True, severe_anxiety_depression=True), ADULT, DAY)

    assert assessment.outcome == REORIENTED


def test_an_antidepressant_started_5_months_ago_is_compatible_under_the_2024_rules():
    given = answers(treatment="antidepressant", treatment_started_on=date(2024, 10, 10))

    assert assess(given, ADULT, DAY).outcome == ELIGIBLE


def test_an_antidepressant_started_5_months_ago_needs_an_opinion_under_the_2022_rules():
    given = answers(treatment="antidepressant", treatment_started_on=date(2022, 10, 10))

    assessment = assess(given, ADULT, DAY_2022_RULES)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == ["treatment"]
    assert "avis formel d'un psychiatre" in assessment.reasons[0].message
    assert "3 mois" in assessment.reasons[0].message


def test_an_antidepressant_started_2_months_ago_is_compatible_under_the_2022_rules():
    given = answers(treatment="antidepressant", treatment_started_on=date(2023, 1, 10))

    assert assess(given, ADULT, DAY_2022_RULES).outcome == ELIGIBLE


def test_an_antidepressant_started_7_months_ago_needs_an_opinion_under_the_2024_rules():
    given = answers(treatment="antidepressant", treatment_started_on=date(2024, 8, 10))

    assert assess(given, ADULT, DAY).outcome == EXCLUDED


def test_an_old_antidepressant_is_compatible_with_a_psychiatrists_opinion():
    given = answers(treatment="antidepressant", treatment_started_on=date(2022, 10, 10),
                    psychiatrist_opinion=True, psychiatrist_opinion_on=date(2023, 3, 1))

    assert assess(given, ADULT, DAY_2022_RULES).outcome == ELIGIBLE


def test_a_hypnotic_started_20_days_ago_is_compatible():
    given = answers(treatment="hypnotic", treatment_started_on=DAY - timedelta(days=20))

    assert assess(given, ADULT, DAY).outcome == ELIGIBLE


def test_a_hypnotic_started_40_days_ago_needs_an_opinion():
    given = answers(treatment="hypnotic", treatment_started_on=DAY - timedelta(days=40))

    assessment = assess(given, ADULT, DAY)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == ["treatment"]


def test_a_hypnotic_started_40_days_ago_is_compatible_with_a_psychiatrists_opinion():
    given = answers(treatment="hypnotic", treatment_started_on=DAY - timedelta(days=40),
                    psychiatrist_opinion=True, psychiatrist_opinion_on=DAY)

    assert assess(given, ADULT, DAY).outcome == ELIGIBLE


@pytest.mark.parametrize("treatment", ["other", "antiepileptic_mood"])
def test_another_psychotropic_treatment_needs_an_opinion(treatment):
    given = answers(treatment=treatment, treatment_started_on=DAY - timedelta(days=10))

    assessment = assess(given, ADULT, DAY)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == ["treatment"]


@pytest.mark.parametrize("treatment", ["other", "antiepileptic_mood"])
def test_another_psychotropic_treatment_is_compatible_with_a_psychiatrists_opinion(treatment):
    given = answers(treatment=treatment, psychiatrist_opinion=True, psychiatrist_opinion_on=DAY)

    assert assess(given, ADULT, DAY).outcome == ELIGIBLE


def test_it_excludes_a_patient_not_affiliated_to_social_security():
    assessment = assess(answers(affiliated=False), ADULT, DAY)

    assert assessment.outcome == EXCLUDED
    assert codes(assessment) == ["affiliated"]
    assert "Ni affilié à un régime de sécurité sociale" in assessment.reasons[0].message


def test_it_gives_every_reason_at_once():
    given = answers(affiliated=False, invalidity_status="ongoing", treatment="other")

    assert codes(assess(given, ADULT, DAY)) == ["affiliated", "invalidity", "treatment"]

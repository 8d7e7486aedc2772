"""Who is eligible (DOMAIN.md §2): answers in, reasons out. Pure functions, no database.

`answers` is the evaluation form's cleaned data; dates are `datetime.date`.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import rules

ELIGIBLE = "eligible"
EXCLUDED = "excluded"
REORIENTED = "reoriented"

NO = "no"
ONGOING = "ongoing"
ENDED = "ended"

# Treatments (DOMAIN.md §2, last bullet).
NO_TREATMENT = "none"
ANTIDEPRESSANT = "antidepressant"
HYPNOTIC = "hypnotic"
OTHER_PSYCHOTROPIC = "other"
ANTIEPILEPTIC_MOOD = "antiepileptic_mood"

# Answers that exclude at once: (form field, French reason). Emergency answers reorient instead.
EMERGENCY_ANSWERS = {
    "suicide_risk": lambda: _("Suicide risk."),
    "acute_decompensation": lambda: _("Signs of acute psychiatric decompensation."),
}
COMMON_EXCLUSIONS = {
    "severe_anxiety_depression": lambda: _("Severe anxiety or depression."),
    "substance_dependence": lambda: _("Dependence on a psychoactive substance (orientation: CSAPA)."),
    "severe_eating_disorder": lambda: _("Eating disorder with severity signs."),
}
MINOR_EXCLUSIONS = {
    "neurodevelopmental_disorder": lambda: _("Neurodevelopmental disorder."),
    "major_withdrawal": lambda: _("Major withdrawal or inhibition."),
    "severe_behaviour_disorder": lambda: _("Severe behaviour disorder."),
}
# Situations excluded "now or within the last 2 years": (status field, end-date field, reason).
ADULT_WINDOWS = {
    "ald_psy": lambda rule_set: _("Psychiatric long-term illness (ALD)"),
    "invalidity": lambda rule_set: _("Invalidity"),
    "long_sick_leave": lambda rule_set: _("Sick leave of more than %(months)s months for a psychiatric reason")
    % {"months": rule_set.long_sick_leave_months},
}
MINOR_WINDOWS = {
    "psychiatric_follow_up": lambda rule_set: _("Followed in (paedo)psychiatry"),
    "ald_psy": lambda rule_set: _("Psychiatric long-term illness (ALD)"),
}


@dataclass(frozen=True)
class Reason:
    code: str
    message: str


@dataclass
class Assessment:
    outcome: str
    reasons: list[Reason] = field(default_factory=list)

    @property
    def is_eligible(self):
        return self.outcome == ELIGIBLE


def window_applies(answers, name, day, rule_set):
    """True when the situation is ongoing or ended within the look-back window before `day`."""
    status = answers.get(f"{name}_status") or NO
    if status == ONGOING:
        return True
    if status == ENDED:
        ended_on = answers.get(f"{name}_ended_on")
        window_start = rules.months_before(day, 12 * rule_set.exclusion_lookback_years)
        return ended_on is not None and ended_on >= window_start  # the boundary day is still "within"
    return False


def treatment_reason(answers, day, rule_set):
    """A reason when the psychotropic treatment needs a psychiatrist's opinion that is missing."""
    treatment = answers.get("treatment") or NO_TREATMENT
    if treatment == NO_TREATMENT:
        return None
    started_on = answers.get("treatment_started_on")
    if treatment == ANTIDEPRESSANT and started_on and started_on > rules.months_before(
        day, rule_set.antidepressant_max_months
    ):
        return None
    if treatment == HYPNOTIC and started_on and started_on > rules.months_before(
        day, rule_set.hypnotic_max_months
    ):
        return None
    if answers.get("psychiatrist_opinion"):
        return None
    return Reason(
        "treatment",
        _(
            "Psychotropic treatment that needs a formal psychiatrist's opinion before inclusion "
            "(antidepressant started less than %(ad)s months ago or hypnotic less than %(hy)s month "
            "ago are compatible)."
        ) % {"ad": rule_set.antidepressant_max_months, "hy": rule_set.hypnotic_max_months},
    )


def assess(answers: dict, birth_date: date, day: date) -> Assessment:
    rule_set = rules.rules_on(day)
    is_minor = rules.age_on(birth_date, day) < rule_set.adult_age
    emergencies = [Reason(k, m()) for k, m in EMERGENCY_ANSWERS.items() if answers.get(k)]
    reasons = list(emergencies)
    if not answers.get("affiliated", True):
        reasons.append(Reason("affiliated", _("Not affiliated to a social security scheme nor AME.")))
    reasons += [Reason(k, m()) for k, m in COMMON_EXCLUSIONS.items() if answers.get(k)]
    if is_minor:
        reasons += [Reason(k, m()) for k, m in MINOR_EXCLUSIONS.items() if answers.get(k)]
    windows = MINOR_WINDOWS if is_minor else ADULT_WINDOWS
    since = date_format(rules.months_before(day, 12 * rule_set.exclusion_lookback_years), "SHORT_DATE_FORMAT")
    for name, label in windows.items():
        if window_applies(answers, name, day, rule_set):
            reasons.append(Reason(name, _("%(situation)s, now or at any time since %(since)s.") % {
                "situation": label(rule_set), "since": since}))
    treatment = treatment_reason(answers, day, rule_set)
    if treatment:
        reasons.append(treatment)
    if emergencies:
        return Assessment(REORIENTED, reasons)
    return Assessment(EXCLUDED if reasons else ELIGIBLE, reasons)

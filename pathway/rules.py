"""Every figure of Mon soutien psy, as dated rule sets (DOMAIN.md §1).

A session is judged by the rule set in force on the session's date (a local date, Europe/Paris).
Views, forms, templates and services ask `rules_on(day)`; no figure of the scheme lives elsewhere.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


class SchemeNotInForce(Exception):
    """A date before the scheme existed: no rule set applies."""


@dataclass(frozen=True)
class RuleSet:
    name: str
    effective_from: date
    source: str
    annual_cap: int  # reimbursed sessions per patient per calendar year, evaluation included
    tariff_evaluation: Decimal
    tariff_followup: Decimal
    amo_rate: Decimal  # Assurance Maladie share; the complementary pays the rest
    referral_required: bool
    referral_max_age_months: int
    referrer_kinds: tuple[str, ...]  # who may sign the referral letter
    antidepressant_max_months: int  # an antidepressant started less than this long ago is compatible
    hypnotic_max_months: int  # same for a hypnotic or a benzodiazepine
    exclusion_lookback_years: int  # ALD, invalidity, sick leave, psychiatric follow-up "now or within"
    min_age: int
    adult_age: int
    long_sick_leave_months: int
    billing_codes: dict = dataclasses.field(default_factory=dict)

    @property
    def max_followups(self):
        return self.annual_cap - 1

    def tariff(self, is_evaluation):
        return self.tariff_evaluation if is_evaluation else self.tariff_followup


DOCTOR = "doctor"
MIDWIFE = "midwife"
SCHOOL_HEALTH = "school_health"

REFERRER_KIND_CHOICES = [
    (DOCTOR, _("Doctor (GP, paediatrician, psychiatrist, hospital, PMI, school or university doctor)")),
    (MIDWIFE, _("Midwife")),
    (SCHOOL_HEALTH, _("School-health professional")),
]

BILLING_CODES = {"evaluation": "EEP", "followup_in_person": "APS", "followup_video": "PSS"}

MONPSY_2022 = RuleSet(
    name="MonPsy 2022",
    effective_from=date(2022, 4, 5),
    source="Décret 2022-195 du 17/02/2022 ; arrêté du 08/03/2022 (CSS art. R.162-60 s.)",
    annual_cap=8,
    tariff_evaluation=Decimal("40.00"),
    tariff_followup=Decimal("30.00"),
    amo_rate=Decimal("0.60"),
    referral_required=True,
    referral_max_age_months=6,
    referrer_kinds=(DOCTOR,),
    antidepressant_max_months=3,
    hypnotic_max_months=1,
    exclusion_lookback_years=2,
    min_age=3,
    adult_age=18,
    long_sick_leave_months=6,
    billing_codes=BILLING_CODES,
)

# Midwives and school-health professionals may refer from 25/12/2023 (LFSS 2024, art. 42 ; arrêté
# du 22/12/2023). Every other figure is unchanged.
MONPSY_2023_REFERRERS = dataclasses.replace(
    MONPSY_2022,
    name="MonPsy 2023 (adresseurs élargis)",
    effective_from=date(2023, 12, 25),
    source="LFSS 2024 art. 42 ; arrêté du 22/12/2023",
    referrer_kinds=(DOCTOR, MIDWIFE, SCHOOL_HEALTH),
)

MON_SOUTIEN_PSY_2024 = RuleSet(
    name="Mon soutien psy 2024",
    effective_from=date(2024, 6, 15),
    source="Arrêté du 24/06/2024 ; ameli.fr (réforme du 15/06/2024) ; décret 2025-424",
    annual_cap=12,
    tariff_evaluation=Decimal("50.00"),
    tariff_followup=Decimal("50.00"),
    amo_rate=Decimal("0.60"),
    referral_required=False,
    referral_max_age_months=6,
    referrer_kinds=(DOCTOR, MIDWIFE, SCHOOL_HEALTH),
    antidepressant_max_months=6,
    hypnotic_max_months=1,
    exclusion_lookback_years=2,
    min_age=3,
    adult_age=18,
    long_sick_leave_months=6,
    billing_codes=BILLING_CODES,
)

RULE_SETS = (MONPSY_2022, MONPSY_2023_REFERRERS, MON_SOUTIEN_PSY_2024)
SCHEME_START = RULE_SETS[0].effective_from
CURRENT = RULE_SETS[-1]

# Policies (DOMAIN.md §3–§5): not set by the texts; the psychologist reads them on the rules page.
CAP_WARNING_FROM = 10  # the cap meter turns to a warning from this many sessions used
VIDEO_SHARE_WARNING = Decimal("0.20")  # 2022 rule of unconfirmed current force: warn, never block
SILENT_PATHWAY_WEEKS = 6  # a pathway without a session for this long is shown as possibly lost

POLICIES = (
    _("Minors: both holders of parental authority consent, or one holder who declares being the sole "
      "holder, before the first session."),
    _("The first reimbursed session of a patient in a calendar year is an evaluation, unless one was "
      "already held (here or declared elsewhere) that year."),
    _("Each session is judged by the rule set in force on its date: before the reform, the cap of that "
      "rule set applies, counting every session of the calendar year."),
    _("Sessions the patient declares done elsewhere this year count towards the cap."),
)


def rules_on(day: date) -> RuleSet:
    if day < SCHEME_START:
        raise SchemeNotInForce(day)
    in_force = RULE_SETS[0]
    for rule_set in RULE_SETS:
        if rule_set.effective_from <= day:
            in_force = rule_set
    return in_force


def rules_on_or_first(day: date) -> RuleSet:
    """For display only: the first rule set stands in for dates before the scheme."""
    return rules_on(max(day, SCHEME_START))


@dataclass(frozen=True)
class FeeSplit:
    tariff: Decimal
    amo: Decimal
    complementary: Decimal
    tiers_payant: bool
    billing_code: str


def fee_split(day: date, is_evaluation: bool, is_video: bool, tiers_payant: bool) -> FeeSplit:
    """Who pays what for a reimbursed session: no fee overrun, no forfait, no franchise (§1)."""
    rule_set = rules_on(day)
    tariff = rule_set.tariff(is_evaluation)
    amo = (tariff * rule_set.amo_rate).quantize(Decimal("0.01"))
    if is_evaluation:
        code = rule_set.billing_codes["evaluation"]
    else:
        code = rule_set.billing_codes["followup_video" if is_video else "followup_in_person"]
    return FeeSplit(tariff, amo, tariff - amo, tiers_payant, code)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier, clamped to the month's end (31/08 - 6 months = 28/02)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def age_on(birth_date: date, day: date) -> int:
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)

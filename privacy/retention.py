"""How long health data and the access trail are kept: dated figures, each with its source.

The app's erasure rule (privacy.erasure) and the purge of the access log read their figures here
and nowhere else; a new text adds a record with the day it takes effect.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RetentionRules:
    effective_from: date
    # The patient file: 20 years from the last care (5 in the active base, then 15 archived).
    patient_file_years: int
    active_base_years: int
    # A patient cared for as a child: kept at least until this birthday (the file of a child seen
    # before 8 would otherwise be destroyed before the child is 28).
    minor_kept_until_age: int
    # The access trail: 6 months to 1 year by default, up to 3 years with a documented reason.
    access_log_min_days: int
    access_log_default_days: int
    access_log_max_days: int
    source: str


CNIL_2020 = RetentionRules(
    effective_from=date(2020, 6, 18),
    patient_file_years=20,
    active_base_years=5,
    minor_kept_until_age=28,
    access_log_min_days=183,
    access_log_default_days=365,
    access_log_max_days=3 * 365 + 1,
    source=(
        "CNIL, délibération n° 2020-081 du 18 juin 2020, référentiel relatif aux traitements de données "
        "destinés à la gestion des cabinets médicaux et paramédicaux (dossier patient : 20 ans après la "
        "dernière prise en charge, jusqu'aux 28 ans d'un patient mineur) ; CNIL, délibération n° 2021-122 "
        "du 14 octobre 2021, recommandation relative à la journalisation (traces : 6 mois à 1 an, "
        "jusqu'à 3 ans si justifié)."
    ),
)

RULE_SETS = (CNIL_2020,)

# The database trigger (migration 0002) never lets a trace younger than this go, whatever the
# setting says: a floor just under the CNIL's 6 months, so a purge at 183 days is never refused.
TRIGGER_FLOOR_DAYS = 180


def rules_on(day):
    in_force = [rules for rules in RULE_SETS if rules.effective_from <= day]
    return in_force[-1] if in_force else RULE_SETS[0]


def add_years(day, years):
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def patient_file_kept_until(last_care_on, birth_date):
    """The last day the file must still be kept: 20 years after the last care, or the 28th birthday."""
    rules = rules_on(last_care_on)
    return max(add_years(last_care_on, rules.patient_file_years),
               add_years(birth_date, rules.minor_kept_until_age))

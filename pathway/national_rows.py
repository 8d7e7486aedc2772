"""The national data set's rows: COPY text format, the tables' columns, per-day lookups, draws.

What `pathway.national_caseload` writes its stories with, and `load_national` streams to PostgreSQL.
"""

import json
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from . import national_data as data
from . import rules
from .models import search_key

COLUMNS = {
    "pathway_patient": (
        "id", "psychologist_id", "last_name", "first_name", "birth_date", "sex", "nir", "phone", "email", "address",
        "treating_doctor_name", "treating_doctor_address", "has_css", "has_ame", "has_ald",
        "maternity_from_sixth_month", "has_at_mp", "guardian_1_name", "guardian_1_consent_on", "guardian_2_name",
        "guardian_2_consent_on", "sole_holder_declared", "search_name", "created_at", "updated_at",
    ),
    "pathway_pathway": (
        "id", "psychologist_id", "patient_id", "status", "entry_mode", "referrer_kind", "referrer_name",
        "referral_date", "referral_scan", "opened_on", "care_reason", "planned_followups", "eligibility_answers",
        "exclusion_reasons", "orientation", "closed_on", "close_reason", "created_at", "updated_at",
        "last_held_on", "reimbursed_followups_held",
    ),
    "pathway_caresession": (
        "id", "pathway_id", "patient_id", "psychologist_id", "kind", "billing", "date", "mode", "duration_minutes",
        "status", "out_of_scheme_fee", "private_note", "created_at", "updated_at",
    ),
    "pathway_declaredsessions": (
        "patient_id", "psychologist_id", "year", "count", "included_evaluation", "source", "declared_on",
        "created_at",
    ),
    "pathway_pathwayevent": (
        "pathway_id", "actor_id", "created_at", "action", "from_status", "to_status", "session_id", "details",
    ),
}
NULL = "\\N"
UUID_VERSION_4 = (4 << 76) | (2 << 62)
UUID_FREE_BITS = ((1 << 128) - 1) ^ ((0xF << 76) | (0x3 << 62))


def weighted(pairs):
    """(values, cumulative weights) for `pick`."""
    values, weights = zip(*pairs, strict=True)
    return values, list(accumulate(weights))


def pick(rng, table):
    values, cumulative = table
    return values[bisect_right(cumulative, rng.random() * cumulative[-1])]


def zipf(names):
    """Common names first: the n-th name of the list is drawn in proportion to 1 / (n + 5)."""
    return weighted((name, 1 / (rank + 5)) for rank, name in enumerate(names))


STORIES = weighted(data.STORY_SHARES)
START_YEARS = weighted(data.START_YEAR_WEIGHTS.items())
AGE_BANDS = weighted(((low, high), share) for low, high, share in data.AGE_BANDS)
PLANNED = weighted(data.PLANNED_FOLLOWUPS_WEIGHTS.items())
CLOSINGS_DONE = weighted(data.CLOSINGS_DONE)
CLOSINGS_EARLY = weighted(data.CLOSINGS_EARLY)
WOMEN_NAMES = zipf(data.WOMEN_FIRST_NAMES)
MEN_NAMES = zipf(data.MEN_FIRST_NAMES)
LAST_NAMES = zipf(data.LAST_NAMES)
ALL_NAMES = data.WOMEN_FIRST_NAMES + data.MEN_FIRST_NAMES + data.LAST_NAMES
SEARCH_KEYS = {name: search_key(name) for name in ALL_NAMES}
EMAIL_NAMES = {name: "".join(c for c in key if c.isalnum()) for name, key in SEARCH_KEYS.items()}
ANSWERS_ELIGIBLE_JSON = json.dumps(data.ANSWERS_ELIGIBLE)


def copy_text(value):
    """COPY text format: a backslash, a tab or a newline in a value is escaped."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def doctors_pool(seed=2026, size=3000):
    """Treating doctors and referrers: (name, address as COPY text)."""
    rng = random.Random(seed)
    pool = []
    for _index in range(size):
        first = rng.choice(data.WOMEN_FIRST_NAMES + data.MEN_FIRST_NAMES)
        postcode, town, _department, _commune = rng.choice(data.PLACES)
        pool.append((f"Dr {first} {rng.choice(data.LAST_NAMES)}",
                     f"{rng.randint(1, 90)} {rng.choice(data.STREETS)}\\n{postcode} {town}"))
    return pool


@dataclass
class Rows:
    """COPY lines per table, flushed to the database by the command in chunks."""

    tables: dict = field(default_factory=lambda: {table: [] for table in COLUMNS})

    def count(self):
        return sum(len(lines) for lines in self.tables.values())

    def clear(self):
        for lines in self.tables.values():
            lines.clear()


class Calendar:
    """Per-day lookups, computed once: ISO and French dates, year, the rule set in force."""

    def __init__(self, today):
        self.today = today.toordinal()
        self.scheme_start = rules.SCHEME_START.toordinal()
        self.first = self.scheme_start - 400  # referral letters may predate the scheme
        days = [date.fromordinal(o) for o in range(self.first, self.today + 1)]
        self.iso = [d.isoformat() for d in days]
        self.french = [f"{d:%d/%m/%Y}" for d in days]
        self.year = [d.year for d in days]
        self.rule_set = [rules.rules_on_or_first(d) for d in days]
        self.cap = [r.annual_cap for r in self.rule_set]

    def rules(self, ordinal):
        return self.rule_set[ordinal - self.first]



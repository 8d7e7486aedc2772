"""The stories of a national-size data set: one psychologist's caseload, as COPY lines.

No database here: one psychologist's caseload is a pure function of a seed, so the benchmark's two
psychologists get the same caseload in the small and the full data set. Every row obeys the scheme
by construction, asking the questions the services ask while the story is written: the cap of the
rule set in force on the session's date (`rules`), the year's evaluation first (or one declared
elsewhere), the evaluation in person, the minimum age at the opening, the parents' consent before a
minor's first session, a referral letter of the right age when the rule set requires one.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import eligibility, rules
from . import national_data as data
from .models import SEARCH_NAME_LENGTH, Billing, CloseReason, EntryMode, SessionKind, SessionMode, SessionStatus
from .models import PathwayStatus as S
from .national_rows import (
    AGE_BANDS,
    ANSWERS_ELIGIBLE_JSON,
    CLOSINGS_DONE,
    CLOSINGS_EARLY,
    EMAIL_NAMES,
    LAST_NAMES,
    MEN_NAMES,
    NULL,
    PLANNED,
    SEARCH_KEYS,
    START_YEARS,
    STORIES,
    UUID_FREE_BITS,
    UUID_VERSION_4,
    WOMEN_NAMES,
    copy_text,
    pick,
)


@dataclass
class Case:
    """What the pathways need to know of their patient while the story is written."""

    id: str
    birth: date
    is_minor_at_opening: bool
    # year -> [reimbursed sessions held or declared, evaluation held or declared]: the annual cap.
    years: dict = field(default_factory=dict)


@dataclass
class Path:
    id: str
    opened: int
    status: str = S.AWAITING_EVALUATION
    entry_mode: str = EntryMode.DIRECT
    referrer_kind: str = ""
    referrer_name: str = ""
    referral_date: str = NULL
    care_reason: str = ""
    planned: object = NULL
    answers: str = "{}"
    reasons: str = "[]"
    orientation: str = ""
    closed: int = None
    close_reason: str = ""
    last_stamp: str = ""
    # What the database keeps of the pathway's sessions (pathway/stored_counts.py), written with it.
    last_held: int = None
    reimbursed_followups_held: int = 0


class Caseload:
    """One psychologist's patients, pathways, sessions and events, appended to `rows`."""

    def __init__(self, calendar, labels, doctors, psychologist_id, seed, rows):
        self.cal = calendar
        self.labels = labels
        self.doctors = doctors
        self.psy = str(psychologist_id)
        self.rng = random.Random(seed)
        self.out = rows.tables

    def iso(self, ordinal):
        return self.cal.iso[ordinal - self.cal.first]

    def year_of(self, ordinal):
        return self.cal.year[ordinal - self.cal.first]

    def new_id(self):
        return "%032x" % ((self.rng.getrandbits(128) & UUID_FREE_BITS) | UUID_VERSION_4)

    def stamp(self, ordinal, second=0):
        bits = self.rng.getrandbits(10)
        return f"{self.iso(ordinal)} {7 + bits % 11:02d}:{(bits >> 4) % 60:02d}:{second:02d}+00"

    def event(self, path, created_at, action, from_status="", to_status="", session_id=NULL, details=""):
        self.out["pathway_pathwayevent"].append(
            f"{path.id}\t{self.psy}\t{created_at}\t{action}\t{from_status}\t{to_status}\t{session_id}\t{details}\n"
        )

    # --- patients --------------------------------------------------------------------------

    def add_patients(self, count):
        for _index in range(count):
            self.add_patient()

    def add_patient(self):
        rng, cal = self.rng, self.cal
        story = pick(rng, STORIES)
        opened = cal.today - rng.randint(0, 30) if story == "awaiting" else self.start_ordinal()
        opened_day = date.fromordinal(opened)
        sex = "F" if rng.random() < data.WOMEN_SHARE else "M"
        low, high = pick(rng, AGE_BANDS)
        age = rng.randint(low, high)
        birth = opened_day - timedelta(days=int((age + rng.random()) * 365.2425))
        rule_set = cal.rules(opened)
        while rules.age_on(birth, opened_day) < rule_set.min_age:
            birth -= timedelta(days=365)
        case = Case(self.new_id(), birth, rules.age_on(birth, opened_day) < rule_set.adult_age)
        self.out["pathway_patient"].append(self.patient_line(case, sex, age, opened, story))
        closed = self.add_pathway(case, story, opened)
        if closed and rng.random() < data.RETURNING_SHARE:
            self.add_returning_pathway(case, closed)

    def start_ordinal(self):
        """A first opening, spread over the years of the scheme, early enough to be evaluated by today."""
        cal, rng = self.cal, self.rng
        year = pick(rng, START_YEARS)
        first = max(date(year, 1, 1).toordinal(), cal.scheme_start)
        last = min(date(year, 12, 31).toordinal(), cal.today - data.LATEST_START_DAYS - 21)
        return rng.randint(first, max(first, last))

    def patient_line(self, case, sex, age, opened, story):
        rng = self.rng
        first_name = pick(rng, WOMEN_NAMES if sex == "F" else MEN_NAMES)
        last_name = pick(rng, LAST_NAMES)
        postcode, town, department, commune = rng.choice(data.PLACES)
        adult = not case.is_minor_at_opening
        css = rng.random() < data.CSS_SHARE
        digits = f"{rng.randrange(100_000_000):08d}"
        doctor = rng.choice(self.doctors) if rng.random() < data.DOCTOR_SHARE else ("", "")
        email = ""
        if adult and rng.random() < data.EMAIL_SHARE:
            email = f"{EMAIL_NAMES[first_name]}.{EMAIL_NAMES[last_name]}@exemple.fr"
        flags = (
            css, not css and rng.random() < data.AME_SHARE, rng.random() < data.ALD_SHARE,
            sex == "F" and 18 <= age <= 44 and rng.random() < data.MATERNITY_SHARE,
            adult and rng.random() < data.AT_MP_SHARE,
        )
        created = self.stamp(opened)
        search_name = f"{SEARCH_KEYS[last_name]} {SEARCH_KEYS[first_name]}"[:SEARCH_NAME_LENGTH]
        return "\t".join((
            case.id, self.psy, last_name, first_name, case.birth.isoformat(), sex,
            self.nir(case.birth, sex, department, commune) if rng.random() < data.NIR_SHARE else "",
            f"0{rng.choice('67')} {digits[:2]} {digits[2:4]} {digits[4:6]} {digits[6:]}", email,
            f"{rng.randint(1, 140)} {rng.choice(data.STREETS)}\\n{postcode} {town}", *doctor,
            *("t" if flag else "f" for flag in flags), *self.guardians(case, last_name, opened, story),
            search_name, created, created,
        )) + "\n"

    def guardians(self, case, last_name, opened, story):
        """A minor's holders of parental authority consent at the opening, before any session."""
        rng = self.rng
        if not case.is_minor_at_opening:
            return ("", NULL, "", NULL, "f")
        mother, father = rng.choice(data.PARENT_FIRST_NAMES)
        consented = NULL if story == "awaiting" and rng.random() < 0.5 else self.iso(opened)
        if rng.random() < data.SOLE_HOLDER_SHARE:
            return (f"{mother} {last_name}", consented, "", NULL, "t")
        return (f"{mother} {last_name}", consented, f"{father} {last_name}", consented, "f")

    def nir(self, birth, sex, department, commune):
        first13 = f"{1 if sex == 'M' else 2}{birth:%y%m}{department}{commune}{self.rng.randint(1, 999):03d}"
        key = 97 - int(first13.replace("2A", "19").replace("2B", "18")) % 97
        return f"{first13}{key:02d}"

    # --- pathways --------------------------------------------------------------------------

    def add_returning_pathway(self, case, closed):
        """A new pathway, in a later calendar year than the last one's sessions."""
        opened = max(date(self.year_of(closed) + 1, 1, 2).toordinal(), closed + 30) + self.rng.randint(0, 300)
        if opened <= self.cal.today - data.LATEST_START_DAYS:
            self.add_pathway(case, "care", opened)

    def add_pathway(self, case, story, opened):
        """Write one pathway and its story; return its closing day if it ended as closed, else None."""
        rng, cal = self.rng, self.cal
        path = Path(self.new_id(), opened)
        evaluated = opened + rng.randint(0, 21)
        if story == "awaiting" or evaluated > cal.today:
            story, evaluated = "awaiting", opened
        self.event(path, self.stamp(opened), "opened", to_status=S.AWAITING_EVALUATION,
                   details=self.labels["entry"][self.entry(path, evaluated)])
        if story == "never_came":
            self.close(path, min(opened + rng.randint(20, 60), cal.today), CloseReason.PATIENT_STOPPED,
                       S.AWAITING_EVALUATION)
        elif story != "awaiting":
            self.evaluate(case, path, story, evaluated)
        self.out["pathway_pathway"].append(self.pathway_line(case, path))
        return path.closed if path.status == S.CLOSED else None

    def entry(self, path, day):
        """Direct access, or a letter dated within the months the rule set in force on `day` allows."""
        rng, rule_set = self.rng, self.cal.rules(day)
        if not rule_set.referral_required and rng.random() >= data.REFERRAL_AFTER_REFORM_SHARE:
            return EntryMode.DIRECT
        kind = rules.DOCTOR
        if len(rule_set.referrer_kinds) > 1 and rng.random() < data.WIDER_REFERRERS_SHARE:
            kind = rng.choice(rule_set.referrer_kinds[1:])
        oldest = rules.months_before(date.fromordinal(day), rule_set.referral_max_age_months).toordinal()
        path.entry_mode, path.referrer_kind = EntryMode.REFERRAL, kind
        path.referrer_name = rng.choice(self.doctors)[0]
        path.referral_date = self.iso(max(oldest, path.opened - rng.randint(0, 60)))
        return EntryMode.REFERRAL

    def pathway_line(self, case, path):
        created = self.stamp(path.opened)
        return "\t".join((
            path.id, self.psy, case.id, path.status, path.entry_mode, path.referrer_kind, path.referrer_name,
            path.referral_date, "", self.iso(path.opened), path.care_reason, str(path.planned), path.answers,
            path.reasons, path.orientation, NULL if path.closed is None else self.iso(path.closed),
            path.close_reason, created, created, NULL if path.last_held is None else self.iso(path.last_held),
            str(path.reimbursed_followups_held),
        )) + "\n"

    def evaluate(self, case, path, story, day):
        """The evaluation session, then inclusion and follow-ups, exclusion or reorientation."""
        rng, cal = self.rng, self.cal
        adult = rules.age_on(case.birth, date.fromordinal(day)) >= cal.rules(day).adult_age
        path.care_reason = rng.choice(data.ADULT_REASONS) if adult else "child_distress"
        if story == "care" and rng.random() < data.DECLARED_ELSEWHERE_SHARE and date.fromordinal(day).month > 2:
            self.declare_elsewhere(case, day)
        year = case.years.setdefault(self.year_of(day), [0, False])
        # The year's evaluation is billed once: after one declared elsewhere, the intake is a follow-up.
        kind = SessionKind.FOLLOWUP if year[1] else SessionKind.EVALUATION
        session_id, stamp = self.session(case, path, day, kind, SessionMode.IN_PERSON, recorded=False)
        year[0] += 1
        year[1] = True
        self.event(path, stamp, "evaluated", session_id=session_id, details=self.cal.french[day - cal.first])
        if story == "care":
            path.answers = ANSWERS_ELIGIBLE_JSON
            self.transition(path, S.IN_CARE, stamp[:-5] + "01+00")
            self.follow(case, path, day)
        else:
            self.exclude(case, path, story, day, stamp[:-5] + "01+00")

    def exclude(self, case, path, story, day, stamp):
        rng = self.rng
        answers = dict(data.ANSWERS_ELIGIBLE)
        if story == "reoriented":
            answers["suicide_risk"] = True
            path.orientation, path.close_reason = rng.choice(data.ORIENTATIONS), CloseReason.REORIENTED
        else:
            minor = path.care_reason == "child_distress"
            exclusion = rng.choice(data.EXCLUSIONS_MINOR if minor else data.EXCLUSIONS_ADULT)
            if exclusion in ("ald_psy", "psychiatric_follow_up"):
                answers[f"{exclusion}_status"] = eligibility.ENDED
                answers[f"{exclusion}_ended_on"] = date.fromordinal(day - rng.randint(30, 600))
            else:
                answers[exclusion] = True
        assessment = eligibility.assess(answers, case.birth, date.fromordinal(day))
        path.answers = copy_text(json.dumps(
            {k: v.isoformat() if isinstance(v, date) else v for k, v in answers.items()}, ensure_ascii=False))
        path.reasons = copy_text(json.dumps(
            [{"code": r.code, "message": r.message} for r in assessment.reasons], ensure_ascii=False))
        path.closed = day
        to_status = S.REORIENTED if assessment.outcome == eligibility.REORIENTED else S.EXCLUDED
        self.transition(path, to_status, stamp, details=copy_text("; ".join(r.message for r in assessment.reasons)))

    def declare_elsewhere(self, case, day):
        count = self.rng.randint(1, 3)
        case.years[self.year_of(day)] = [count, True]
        declared_on = day - self.rng.randint(0, 10)
        self.out["pathway_declaredsessions"].append(
            f"{case.id}\t{self.psy}\t{self.year_of(day)}\t{count}\tt\t{data.DECLARED_SOURCE}\t{self.iso(declared_on)}\t"
            f"{self.stamp(declared_on)}\n"
        )

    def follow(self, case, path, evaluated):
        """Follow-ups at the pathway's cadence until the plan, the cap or today stops them."""
        rng, cal = self.rng, self.cal
        cap_reacher = rng.random() < data.CAP_REACHER_SHARE
        max_followups = cal.rules(evaluated).max_followups
        path.planned = max_followups if cap_reacher else min(max_followups, pick(rng, PLANNED))
        early = not cap_reacher and rng.random() < data.EARLY_STOP_SHARE
        target = rng.randint(0, path.planned - 1) if early else path.planned
        cadence = 7 if rng.random() < data.WEEKLY_SHARE else 14
        out_of_scheme = rng.randint(1, 2) if rng.random() < data.OUT_OF_SCHEME_AFTER_CAP_SHARE else 0
        held, last = 0, evaluated
        while cap_reacher or held < target:
            day = last + cadence + rng.randint(-1, 2)
            if day > cal.today:
                return  # still in care today
            if rng.random() < data.MISSED_SHARE:
                missed = rng.choice((SessionStatus.CANCELLED, SessionStatus.NO_SHOW))
                self.session(case, path, day - 1, SessionKind.FOLLOWUP, SessionMode.IN_PERSON, missed)
            year = case.years.setdefault(self.year_of(day), [0, False])
            if year[0] >= cal.cap[day - cal.first]:
                if not out_of_scheme:
                    return self.end(case, path, last, CloseReason.CAP_REACHED, cadence)
                out_of_scheme -= 1
                self.session(case, path, day, SessionKind.FOLLOWUP, SessionMode.IN_PERSON,
                             billing=Billing.OUT_OF_SCHEME)
                last = day
                continue
            # A pathway that runs past 31 December opens the new year with an evaluation, in person.
            kind = SessionKind.FOLLOWUP if year[1] else SessionKind.EVALUATION
            video = kind == SessionKind.FOLLOWUP and rng.random() < data.VIDEO_SHARE
            self.session(case, path, day, kind, SessionMode.VIDEO if video else SessionMode.IN_PERSON)
            year[0] += 1
            year[1] = True
            held += kind == SessionKind.FOLLOWUP
            last = day
        self.end(case, path, last, pick(rng, CLOSINGS_EARLY if early else CLOSINGS_DONE), cadence)

    def end(self, case, path, last, reason, cadence):
        rng, cal = self.rng, self.cal
        if rng.random() < data.NEVER_CLOSED_SHARE:
            return  # left in care: one of the dashboard's silent pathways
        if reason != CloseReason.CAP_REACHED and rng.random() < data.EMERGENCY_SHARE:
            # Suicide risk found at the last session: recorded with it, the pathway ends reoriented.
            path.orientation, path.close_reason, path.closed = (
                rng.choice(data.ORIENTATIONS), CloseReason.REORIENTED, last)
            self.transition(path, S.REORIENTED, path.last_stamp[:-5] + "01+00", S.IN_CARE, copy_text(path.orientation))
            return
        if reason == CloseReason.PATIENT_STOPPED and last + cadence <= cal.today:
            last += cadence
            self.session(case, path, last, SessionKind.FOLLOWUP, SessionMode.IN_PERSON, SessionStatus.NO_SHOW)
        self.close(path, min(last + rng.randint(0, 14), cal.today), reason, S.IN_CARE)

    def close(self, path, day, reason, from_status):
        path.closed, path.close_reason = day, reason
        stamp = f"{self.iso(day)} 18:{self.rng.randrange(60):02d}:00+00"  # after the day's sessions
        self.event(path, stamp, "closed", details=self.labels["close"][reason])
        self.transition(path, S.CLOSED, stamp[:-5] + "01+00", from_status)

    def transition(self, path, to_status, stamp, from_status=S.AWAITING_EVALUATION, details=""):
        path.status = to_status
        self.event(path, stamp, "transition", from_status, to_status, details=details)

    def session(self, case, path, day, kind, mode, status=SessionStatus.HELD, billing=Billing.REIMBURSED,
                recorded=True):
        rng, labels = self.rng, self.labels
        session_id, stamp = self.new_id(), self.stamp(day)
        fee = rng.choice(data.OUT_OF_SCHEME_FEES) if billing == Billing.OUT_OF_SCHEME else NULL
        self.out["pathway_caresession"].append(
            f"{session_id}\t{path.id}\t{case.id}\t{self.psy}\t{kind}\t{billing}\t{self.iso(day)}\t{mode}\t"
            f"{rng.choice(data.DURATIONS)}\t{status}\t{fee}\t\t{stamp}\t{stamp}\n"
        )
        if recorded:
            self.event(path, stamp, "session_recorded", session_id=session_id, details=(
                f"{labels['kind'][kind]}, {self.cal.french[day - self.cal.first]}, {labels['mode'][mode]}, "
                f"{labels['status'][status]}, {labels['billing'][billing]}"
            ))
        path.last_stamp = stamp
        if status == SessionStatus.HELD:
            path.last_held = day if path.last_held is None else max(path.last_held, day)
            path.reimbursed_followups_held += kind == SessionKind.FOLLOWUP and billing == Billing.REIMBURSED
        return session_id, stamp

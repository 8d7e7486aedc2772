"""Charts as server-rendered SVG: figures in, coordinates out.

The geometry functions are pure (plain numbers, dates and unsaved sessions in, frozen dataclasses
out) so they are tested without a database; the tags that draw them (pathway/templatetags/caseload.py
and page_sections.py) only place what is computed here. `dashboard_counts` is the one read: a single
SQL query per page.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from config.model_rows import Read, read_together

from . import rules
from .models import Billing, PathwayStatus, SessionKind, SessionStatus

MONTHS = range(1, 13)

# --- Reimbursed sessions per month (dashboard) ---------------------------------------------------

# SVG user units. 12 slots of 28 fit the French abbreviations ("sept.", "juil.") at font size 11,
# which stays about 11 px on a 390 px phone (the viewBox is scaled to the column's width).
MONTH_SLOT = 28
MONTH_BAR_WIDTH = 18
MONTH_CHART_TOP = 18  # room for the count above the tallest bar
MONTH_BAR_MAX_HEIGHT = 110
MONTH_BASELINE = MONTH_CHART_TOP + MONTH_BAR_MAX_HEIGHT
MONTH_CHART_HEIGHT = MONTH_BASELINE + 30  # the month names, and the current month's underline


@dataclass(frozen=True)
class MonthBar:
    month: date  # the month's first day: the template writes its French name
    count: int
    x: float
    y: float
    height: float
    is_current: bool
    width: int = MONTH_BAR_WIDTH

    @property
    def center(self):
        return round(self.x + self.width / 2, 1)

    @property
    def count_y(self):
        return round(self.y - 4, 1)


@dataclass(frozen=True)
class MonthChart:
    year: int
    bars: tuple
    total: int
    width: int = MONTH_SLOT * 12
    height: int = MONTH_CHART_HEIGHT
    baseline: int = MONTH_BASELINE
    label_y: int = MONTH_BASELINE + 15
    current_mark_y: int = MONTH_BASELINE + 20


def month_bars(counts, year, today):
    """Twelve bars, January to December, each as tall as its count against the year's busiest month."""
    peak = max(counts.values(), default=0)
    bars = []
    for month in MONTHS:
        count = counts.get(month, 0)
        height = round(MONTH_BAR_MAX_HEIGHT * count / peak, 1) if peak else 0
        bars.append(MonthBar(
            month=date(year, month, 1), count=count, height=height,
            x=(month - 1) * MONTH_SLOT + (MONTH_SLOT - MONTH_BAR_WIDTH) / 2, y=round(MONTH_BASELINE - height, 1),
            is_current=(year, month) == (today.year, today.month),
        ))
    return MonthChart(year=year, bars=tuple(bars), total=sum(bar.count for bar in bars))


# --- Patients by the status of their latest pathway (dashboard) -----------------------------------

STATUS_BAR_WIDTH = 336
STATUS_BAR_HEIGHT = 28


@dataclass(frozen=True)
class StatusShare:
    status: str
    label: str
    count: int
    percent: int
    x: float
    width: float


@dataclass(frozen=True)
class StatusChart:
    shares: tuple  # every status, in the workflow's order, zeros included (the legend lists them all)
    total: int
    width: int = STATUS_BAR_WIDTH
    height: int = STATUS_BAR_HEIGHT

    @property
    def segments(self):
        return tuple(share for share in self.shares if share.count)


def status_shares(counts):
    """One horizontal bar split by status, each part as wide as its share of the patients."""
    total = sum(counts.get(status, 0) for status in PathwayStatus.values)
    shares, x = [], 0.0
    for status in PathwayStatus:
        count = counts.get(status.value, 0)
        width = STATUS_BAR_WIDTH * count / total if total else 0
        shares.append(StatusShare(status=status.value, label=status.label, count=count,
                                  percent=round(100 * count / total) if total else 0,
                                  x=round(x, 1), width=round(width, 1)))
        x += width
    return StatusChart(shares=tuple(shares), total=total)


# --- The one read --------------------------------------------------------------------------------

# Reimbursed sessions held per month of the year, then patients by the status of their latest
# pathway: rows the database keeps (pathway/stored_counts.py), twelve and five at most, however large
# the caseload, read from their unique indexes. Plain SQL, like the dashboard's other statements.
DASHBOARD_COUNTS_SQL = """
SELECT "month", NULL AS status, sessions FROM pathway_caseloadmonthcount
WHERE psychologist_id = %(psychologist)s AND "year" = %(year)s
UNION ALL
SELECT NULL, status, patients FROM pathway_caseloadstatuscount
WHERE psychologist_id = %(psychologist)s AND patients <> 0
"""


def dashboard_counts_read(psychologist, year):
    """One query: reimbursed sessions held per month of `year`, and patients by their latest pathway."""
    return Read(DASHBOARD_COUNTS_SQL, {"psychologist": psychologist.pk, "year": year}, dashboard_counts_of)


def dashboard_counts(psychologist, year):
    return read_together(dashboard_counts_read(psychologist, year))[0]


def dashboard_counts_of(rows):
    month_counts, status_counts = {}, {}
    for month, status, count in rows:
        if status is None:
            if count:
                month_counts[month] = count
        else:
            status_counts[status] = count
    return month_counts, status_counts


def dashboard_charts(psychologist, today=None):
    today = today or timezone.localdate()
    return dashboard_charts_of(dashboard_counts(psychologist, today.year), today)


def dashboard_charts_of(counts, today):
    month_counts, status_counts = counts
    return {"months": month_bars(month_counts, today.year, today), "statuses": status_shares(status_counts)}


# --- A pathway's sessions against the calendar year (pathway page) --------------------------------

TIMELINE_WIDTH = 360
AXIS_START = 16  # x of 1 January
AXIS_END = 344  # x of 31 December: the cap resets the next day
ROW_HEIGHT = 84
MARK_SIZE = 4  # weekly sessions sit 6.3 units apart: their white outlines keep them apart


@dataclass(frozen=True)
class TimelineMark:
    session: object
    shape: str  # "evaluation" (diamond), "followup" (circle) or "out_of_scheme" (triangle)
    held: bool
    x: float
    y: float
    rank: int | None  # its place among the patient's counted sessions of the year, None if not counted
    cap: int  # the cap in force on the session's date
    size: int = MARK_SIZE

    @property
    def reaches_cap(self):
        return self.rank == self.cap

    @property
    def points(self):
        """The polygon of a diamond or a triangle around (x, y)."""
        x, y, s = self.x, self.y, self.size + 1
        corners = ((x, y - s), (x + s, y), (x, y + s), (x - s, y)) if self.shape == "evaluation" else (
            (x, y - s), (x + s, y + s - 1), (x - s, y + s - 1))
        return " ".join(f"{round(cx, 1)},{round(cy, 1)}" for cx, cy in corners)

    @property
    def ring_radius(self):
        return self.size + 4

    @property
    def label_anchor(self):
        return "start" if self.x < TIMELINE_WIDTH / 2 else "end"


@dataclass(frozen=True)
class Tick:
    month: date
    x: float  # the month's first day
    label_x: float  # the middle of the month


@dataclass(frozen=True)
class TimelineRow:
    year: int
    top: int
    marks: tuple
    ticks: tuple
    counted_here: int  # this pathway's reimbursed sessions held in the year
    counted_elsewhere: int  # declared done elsewhere or held in another pathway (the current year only)
    cap: int  # the cap in force at the end of the year
    is_current_year: bool

    @property
    def used(self):
        return self.counted_here + self.counted_elsewhere

    @property
    def remaining(self):
        return max(self.cap - self.used, 0)

    @property
    def axis_y(self):
        return self.top + 46

    @property
    def year_y(self):
        return self.top + 14

    @property
    def cap_label_y(self):
        return self.top + 30

    @property
    def month_label_y(self):
        return self.axis_y + 19

    @property
    def tick_bottom(self):
        return self.axis_y + 5

    @property
    def end_line_top(self):
        return self.year_y + 4

    @property
    def end_line_bottom(self):
        return self.axis_y + 8

    @property
    def cap_marks(self):
        return tuple(mark for mark in self.marks if mark.reaches_cap)


@dataclass(frozen=True)
class Timeline:
    rows: tuple
    width: int = TIMELINE_WIDTH
    axis_start: int = AXIS_START
    axis_end: int = AXIS_END

    @property
    def height(self):
        return len(self.rows) * ROW_HEIGHT

    @property
    def years(self):
        return [row.year for row in self.rows]


def day_x(day):
    """Where a day falls on its year's axis: 1 January at AXIS_START, 31 December at AXIS_END."""
    days_in_year = 366 if calendar.isleap(day.year) else 365
    return round(AXIS_START + (AXIS_END - AXIS_START) * (day.timetuple().tm_yday - 1) / (days_in_year - 1), 1)


def session_shape(session):
    if session.billing == Billing.OUT_OF_SCHEME:
        return "out_of_scheme"
    return "evaluation" if session.kind == SessionKind.EVALUATION else "followup"


def timeline_row(year, top, sessions, counted_elsewhere, is_current_year):
    """One year's row. Sessions counted elsewhere (declared, or another pathway's) are ranked first:
    a patient's earlier pathway closed before this one opened, and declarations cover past sessions."""
    marks, rank = [], counted_elsewhere
    for session in sessions:
        rank += int(session.counts_towards_cap)
        marks.append(TimelineMark(
            session=session, shape=session_shape(session), held=session.status == SessionStatus.HELD,
            x=day_x(session.date), y=top + 46, rank=rank if session.counts_towards_cap else None,
            cap=rules.rules_on_or_first(session.date).annual_cap,
        ))
    ticks = tuple(Tick(month=date(year, month, 1), x=day_x(date(year, month, 1)), label_x=day_x(date(year, month, 15)))
                  for month in MONTHS)
    return TimelineRow(
        year=year, top=top, marks=tuple(marks), ticks=ticks, counted_here=rank - counted_elsewhere,
        counted_elsewhere=counted_elsewhere, cap=rules.rules_on_or_first(date(year, 12, 31)).annual_cap,
        is_current_year=is_current_year,
    )


def pathway_timeline(sessions, today, used_this_year, is_active):
    """One row per calendar year with a session (and the current year while the pathway is open).

    `used_this_year` is the patient's count for today's year (held anywhere plus declared): the part
    not held in this pathway is counted elsewhere. Earlier years show this pathway's sessions only.
    """
    sessions = sorted(sessions, key=lambda session: session.date)  # stable: same-day order kept
    years = sorted({session.date.year for session in sessions} | ({today.year} if is_active else set()))
    rows = []
    for index, year in enumerate(years):
        of_year = [session for session in sessions if session.date.year == year]
        elsewhere = 0
        if year == today.year:
            elsewhere = max(used_this_year - sum(session.counts_towards_cap for session in of_year), 0)
        rows.append(timeline_row(year, index * ROW_HEIGHT, of_year, elsewhere, year == today.year))
    return Timeline(rows=tuple(rows))


def timeline_for(pathway, today=None):
    """The pathway page's timeline, from the sessions and the count it already loaded (no query)."""
    return pathway_timeline(pathway.sessions.all(), today or timezone.localdate(),
                            pathway.patient_used_this_year, pathway.is_active)

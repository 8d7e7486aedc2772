"""The caseload's small widgets and formats, as Python: they are drawn once per row of the longest pages.

An `{% include %}` per row costs a template lookup, a context push and its own nodes (the cap meter
about 0.2 ms a row), `{% url %}` a full reverse (about 0.1 ms) and the `date` filter a format parser
(about 0.05 ms); the same output built here costs a few microseconds. `includes/cap_meter.html` and
`includes/status_badge.html` call these tags too, so each widget's markup lives in one place.

What is the same for every row is computed once: translated words in the render context, which
lives for one rendering only (nothing carries over to another request or language); a reversed URL
once per process, keyed by what a reversal depends on (reversed_url).
"""

from decimal import Decimal
from html import escape as html_escape
from uuid import UUID

from django import template
from django.template.base import template_localtime
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.dates import MONTHS, MONTHS_AP, WEEKDAYS
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString
from django.utils.translation import get_language, gettext, ngettext

register = template.Library()

STATUS_CLASSES = {
    "in_care": "text-bg-success",
    "awaiting_evaluation": "text-bg-info",
    "reoriented": "text-bg-danger",
    "excluded": "text-bg-warning",
}
# A UUID no row has: reversed once per page, then replaced by each row's own key.
URL_MARKER = "00000000-0000-4000-8000-00000000c0de"


# The tags below mark their text safe with SafeString(text), not mark_safe(text): they only ever build
# str, and mark_safe's lazy-text wrapper (keep_lazy) cost a fifth of the dashboard's rendering.


def escape(text):
    """django.utils.html.escape()'s text (lazy text made str, then escaped), without its lazy-text wrapper
    and SafeString: these tags build plain text, marked safe once, whole."""
    return html_escape(str(text))


def once_per_render(context, key, make):
    known = context.render_context.get(key)
    if known is None:
        known = context.render_context[key] = make()
    return known


def meter_words():
    return {
        "name": escape(gettext("Reimbursed sessions used this calendar year (held here + declared elsewhere)")),
        "count": gettext("%(used)s / %(cap)s this year"),
        "reached": gettext("cap reached"),
        "near": gettext("near the cap"),
    }


@register.simple_tag(takes_context=True)
def cap_meter(context, used, cap, warn):
    """Reimbursed sessions used this calendar year against the cap: a meter for assistive technologies,
    with the same words on screen, so that the colour is never the only sign."""
    words = once_per_render(context, "cap_meter", meter_words)
    text = words["count"] % {"used": used, "cap": cap}
    if at_least(used, cap):
        colour, text = "text-bg-danger", f"{text} — {words['reached']}"
    elif at_least(used, warn):
        colour, text = "text-bg-warning", f"{text} — {words['near']}"
    else:
        colour = "text-bg-light border"
    text, used, cap, name = escape(text), number(used), number(cap), words["name"]
    return SafeString(  # every value above is escaped or a number
        f'<span class="badge cap-meter {colour}" role="meter" aria-valuemin="0" aria-valuemax="{cap}" '
        f'aria-valuenow="{used}" aria-valuetext="{text}" aria-label="{name}" title="{name}">{text}</span>')


def number(value):
    return value if isinstance(value, int) else escape(value)


def at_least(value, bound):
    """`value >= bound` as the template language compares: False when a value is missing ("")."""
    try:
        return value >= bound
    except TypeError:
        return False


@register.simple_tag
def status_badge(status, label):
    """As format_html('<span class="badge {}">{}</span>', ...) writes it (a safe label as it is)."""
    colour = escape(STATUS_CLASSES.get(status, "text-bg-secondary"))
    return SafeString(f'<span class="badge {colour}">{label if isinstance(label, SafeData) else escape(label)}</span>')


# Reversed URLs, escaped: for a URL with one argument, the parts around it. A URL pattern does not
# change while the process runs; what a reversal depends on besides (the script prefix, the URLconf,
# the language of translated patterns) is part of the key.
_reversed = {}


def reversed_url(url_name, with_argument):
    key = (url_name, with_argument, get_script_prefix(), get_urlconf(), get_language())
    known = _reversed.get(key)
    if known is None:
        url = escape(reverse(url_name, args=[URL_MARKER] if with_argument else None))
        known = _reversed[key] = tuple(url.split(URL_MARKER)) if with_argument else url
    return known


@register.simple_tag(takes_context=True)
def row_url(context, url_name, key):
    """reverse(url_name, args=[key]) for a URL whose one argument is a UUID (or a UUID's text), the URL
    itself reversed once per process (and looked up once per rendering)."""
    prefix, suffix = once_per_render(context, ("row_url", url_name), lambda: reversed_url(url_name, True))
    return SafeString(f"{prefix}{key if isinstance(key, UUID) else escape(key)}{suffix}")  # escaped


@register.simple_tag
def page_url(url_name):
    """reverse(url_name) for a URL without arguments (the menu's), reversed once per process."""
    return SafeString(reversed_url(url_name, with_argument=False))  # escaped


@register.filter(expects_localtime=True, is_safe=True)
def dmy(value):
    """A date as dd/mm/yyyy (the project's one date format; `date:"d/m/Y"` does the same), a date and
    time as dd/mm/yyyy hh:mm in the current time zone, "" for no date."""
    if not value:
        return ""
    day = f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return SafeString(f"{day} {value.hour:02d}:{value.minute:02d}" if hasattr(value, "hour") else day)  # digits


@register.filter
def month_year(value):
    """The month and year, as `date:"F Y"` writes them ("novembre 2026")."""
    return f"{MONTHS[value.month]} {value.year}" if value else ""


@register.simple_tag
def chart_mark(mark):
    """A session on the pathway's timeline (pathway/charts.py places it): a circle for a follow-up,
    a diamond or a triangle for the others; hollow when the session was not held."""
    css = f"chart-mark chart-mark-{mark.shape}" + ("" if mark.held else " chart-mark-not-held")
    if mark.shape == "followup":
        return format_html('<circle class="{}" cx="{}" cy="{}" r="{}"/>', css, mark.x, mark.y, mark.size)
    return format_html('<polygon class="{}" points="{}"/>', css, mark.points)


LEGEND_SHAPES = {
    "evaluation": '<polygon class="chart-mark chart-mark-evaluation" points="7,1 13,7 7,13 1,7"/>',
    "out_of_scheme": '<polygon class="chart-mark chart-mark-out_of_scheme" points="7,1 13,12 1,12"/>',
    "followup": '<circle class="chart-mark chart-mark-followup" cx="7" cy="7" r="5"/>',
    "not_held": '<circle class="chart-mark chart-mark-followup chart-mark-not-held" cx="7" cy="7" r="5"/>',
}


@register.simple_tag
def legend_swatch(shape):
    """The timeline legend's sample of a mark, drawn as chart_mark draws it."""
    return SafeString(  # constant markup
        '<svg class="chart-swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false">'
        f"{LEGEND_SHAPES[shape]}</svg>")


@register.filter
def weekday(value):
    """The day's name, as `date:"l"` writes it (Django's own translated names)."""
    return WEEKDAYS[value.weekday()] if value else ""


@register.simple_tag
def form_widget(field):
    """A form field's widget with Bootstrap's classes, as crispy-forms draws it, without its layers of
    templates: the field's errors are named by aria-describedby (Django adds aria-invalid)."""
    kind = getattr(field.field.widget, "input_type", "")
    css = {"select": "form-select", "checkbox": "form-check-input"}.get(kind, "form-control")
    attrs = {"class": f"{css} is-invalid" if field.errors else css}
    if field.errors:
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    return field.as_widget(attrs=attrs)


@register.filter
def has_required_fields(form):
    """True for a form with a visible required field: its page explains the asterisk (RGAA 11.10)."""
    fields = getattr(form, "visible_fields", None)
    return bool(fields) and any(field.field.required for field in fields())


@register.simple_tag
def timeline_ticks(row):
    """A timeline row's twelve month ticks and their short names, as `date:"N"` writes them ("nov.")."""
    return SafeString("".join(  # numbers, and escaped month names
        f'<line class="chart-tick" x1="{tick.x}" y1="{row.axis_y}" x2="{tick.x}" y2="{row.tick_bottom}"/>'
        f'<text class="chart-label" x="{tick.label_x}" y="{row.month_label_y}" text-anchor="middle">'
        f"{escape(MONTHS_AP[tick.month.month])}</text>"
        for tick in row.ticks))


def cap_reached_words(rank):
    return gettext("Session %(n)s: cap reached") % {"n": rank}


@register.simple_tag
def timeline_row_svg(row, timeline):
    """A calendar year of the pathway's timeline: its label (the year's count, and what remains of the
    current one), the 31/12 end, the axis and its month ticks, the sessions' marks and the cap's ring.
    Inside the chart's {% localize off %}: numbers are written as they are."""
    # As the template tags wrote them: {% translate %}'s words escaped, {% blocktranslate %}'s not.
    if row.is_current_year:
        left = (ngettext("%(n)s remaining", "%(n)s remaining", row.remaining) % {"n": row.remaining}
                if row.remaining else escape(gettext("cap reached")))
        label = f"{row.year} — {row.used}/{row.cap} — {left}"
    else:
        label = f"{row.year} — {row.used}/{row.cap} ({escape(gettext('this pathway'))})"
    start, end = timeline.axis_start, timeline.axis_end
    parts = [
        f'<g class="chart-timeline-row"><text class="chart-year" x="{start}" y="{row.year_y}">{label}</text>',
        f'<text class="chart-end-label" x="{end}" y="{row.year_y}" text-anchor="end">31/12</text>',
        f'<line class="chart-end-line" x1="{end}" y1="{row.end_line_top}" x2="{end}" y2="{row.end_line_bottom}"/>',
        f'<line class="chart-axis" x1="{start}" y1="{row.axis_y}" x2="{end}" y2="{row.axis_y}"/>',
        timeline_ticks(row), *(chart_mark(mark) for mark in row.marks),
    ]
    for mark in row.cap_marks:
        parts.append(
            f'<circle class="chart-cap-ring" cx="{mark.x}" cy="{mark.y}" r="{mark.ring_radius}"/>'
            f'<text class="chart-cap-label" x="{mark.x}" y="{row.cap_label_y}" text-anchor="{mark.label_anchor}">'
            f"{cap_reached_words(mark.rank)}</text>")
    parts.append("</g>")
    return SafeString("".join(parts))  # numbers, the translator's words, and the marks' own markup


@register.simple_tag
def timeline_row_caption(row):
    """A calendar year of the timeline in words: the count used out of the cap (and how much of it was
    counted elsewhere), then what remains until 31/12; for a past year, this pathway's count."""
    values = {"year": shown(row.year), "cap": shown(row.cap)}
    if not row.is_current_year:
        return SafeString(ngettext(  # the translator's words around numbers
            "%(year)s: %(used)s reimbursed session in this pathway (cap %(cap)s).",
            "%(year)s: %(used)s reimbursed sessions in this pathway (cap %(cap)s).", row.counted_here,
        ) % {**values, "used": shown(row.counted_here)})
    text = ngettext("%(year)s: %(used)s reimbursed session used out of %(cap)s",
                    "%(year)s: %(used)s reimbursed sessions used out of %(cap)s", row.used) % {
        **values, "used": shown(row.used)}
    if row.counted_elsewhere:
        text += " (" + ngettext("including %(n)s declared elsewhere or held in another pathway",
                                "including %(n)s declared elsewhere or held in other pathways",
                                row.counted_elsewhere) % {"n": shown(row.counted_elsewhere)} + ")"
    if row.remaining:
        text += ". " + ngettext("%(n)s session left until 31/12.", "%(n)s sessions left until 31/12.",
                                row.remaining) % {"n": shown(row.remaining)}
    else:
        text += ". " + escape(gettext("Cap reached."))
    return SafeString(text)  # the translator's words around numbers


@register.simple_tag
def timeline_mark_cells(mark):
    """A session of the timeline's hidden table: its date, kind, status and rank under the cap."""
    session = mark.session
    kind = shown(session.get_kind_display())
    if mark.shape == "out_of_scheme":
        kind = f"{escape(gettext('Out of scheme'))} ({kind})"
    if mark.rank:
        rank = f"{shown(mark.rank)} / {shown(mark.cap)}"
        if mark.reaches_cap:
            rank += f" — {cap_reached_words(shown(mark.rank))}"
    else:
        rank = escape(gettext("not counted"))
    return SafeString(  # escaped, digits, the translator's words
        f"<tr><td>{dmy(session.date)}</td><td>{kind}</td><td>{shown(session.get_status_display())}</td>"
        f"<td>{rank}</td></tr>")


@register.simple_tag
def month_bar(bar, chart):
    """One month of the dashboard's bar chart: its bar (if any session), count, short name, and the
    current month's underline."""
    current = " chart-month-current" if bar.is_current else ""
    parts = [f'<g class="chart-month{current}">']
    if bar.count:
        parts.append(f'<rect class="chart-bar" x="{bar.x}" y="{bar.y}" width="{bar.width}" height="{bar.height}"/>')
    parts.append(f'<text class="chart-count" x="{bar.center}" y="{bar.count_y}" text-anchor="middle">'
                 f"{bar.count}</text>")
    parts.append(f'<text class="chart-label" x="{bar.center}" y="{chart.label_y}" text-anchor="middle">'
                 f"{escape(MONTHS_AP[bar.month.month])}</text>")
    if bar.is_current:
        parts.append(f'<rect class="chart-current-mark" x="{bar.x}" y="{chart.current_mark_y}" width="{bar.width}" '
                     f'height="3"/>')
    parts.append("</g>")
    return SafeString("".join(parts))  # numbers, and an escaped month name


def shown(value):
    """A value as `{{ value }}` writes it: localised (numbers with a decimal comma), then escaped.

    The commonest types take a short way to the same text (localize() looks its formats up anew at
    each call): an int's digits, a plain str escaped, a Decimal's digits with the language's decimal
    separator (no thousand separators: USE_THOUSAND_SEPARATOR is off)."""
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return html_escape(value)
    if kind is Decimal:
        return f"{value:f}".replace(".", decimal_separator())
    return conditional_escape(localize(value))


_decimal_separators = {}


def decimal_separator():
    language = get_language()
    known = _decimal_separators.get(language)
    if known is None:
        known = _decimal_separators[language] = get_format("DECIMAL_SEPARATOR")
    return known


def session_words():
    return {name: escape(gettext(word)) for name, word in (
        ("amo", "AMO"), ("complementary", "complementary"), ("tiers_payant", "tiers payant"),
        ("not_counted", "(out of scheme, not counted)"), ("edit", "Edit"))}


@register.simple_tag(takes_context=True)
def session_row(context, session, editable):
    """A row of the pathway's session table: date, kind, mode and duration, status, billing, then the
    tariff and who pays it (or the out-of-scheme fee), and the link to change the session."""
    words = once_per_render(context, "session_row", session_words)
    split = session.fee_split()
    if split:
        pays = (f"{shown(split.tariff)} € ({shown(split.billing_code)}) — {words['amo']} {shown(split.amo)} €, "
                f"{words['complementary']} {shown(split.complementary)} €"
                + (f" · <strong>{words['tiers_payant']}</strong>" if split.tiers_payant else ""))
    else:
        pays = f"{shown(session.out_of_scheme_fee)} € {words['not_counted']}"
    edit = f'<td><a href="{row_url(context, "pathway:session_edit", session.pk)}">{words["edit"]}</a></td>' if (
        editable) else ""
    return SafeString(  # every value shown() or escaped
        f"<tr><td>{dmy(session.date)}</td><td>{shown(session.get_kind_display())}</td>"
        f"<td>{shown(session.get_mode_display())} · {shown(session.duration_minutes)} min</td>"
        f"<td>{shown(session.get_status_display())}</td><td>{shown(session.get_billing_display())}</td>"
        f"<td>{pays}</td>{edit}</tr>")


@register.simple_tag
def history_item(event):
    """An entry of the pathway's history: when, who, what (and the change of status), the details."""
    at = template_localtime(event.created_at)
    actor = event.actor.get_full_name() or event.actor.username
    change = ""
    if event.to_status:
        before = f"{shown(event.get_from_status_display())} → " if event.from_status else ""
        change = f" : {before}{shown(event.get_to_status_display())}"
    details = f'<br><span class="text-muted">{shown(event.details)}</span>' if event.details else ""
    return SafeString(  # every value shown() or escaped
        f'<li class="border-start ps-2 mb-2"><time datetime="{escape(at.isoformat())}">{dmy(at)}</time> — '
        f"{shown(actor)} — <strong>{shown(event.get_action_display())}</strong>{change}{details}</li>")


@register.simple_tag(takes_context=True)
def month_table_row(context, bar):
    """The month chart's hidden table: a month (the current one said so) and its count."""
    current = once_per_render(context, "current_month", lambda: escape(gettext("current month")))
    name = f"{escape(month_year(bar.month))}" + (f" ({current})" if bar.is_current else "")
    return SafeString(f'<tr><th scope="row">{name}</th><td>{shown(bar.count)}</td></tr>')  # escaped


@register.simple_tag
def status_segment(share, chart):
    """A status's part of the patients' bar, named by its label, count and share."""
    return SafeString(  # numbers, a status value of the model's choices, an escaped label
        f'<rect class="chart-segment" x="{share.x}" y="0" width="{share.width}" height="{chart.height}" '
        f'fill="url(#chart-pattern-{escape(share.status)})"><title>{escape(share.label)} : {share.count} '
        f"({share.percent}&nbsp;%)</title></rect>")


@register.simple_tag
def status_legend_item(share):
    """A status in the legend: its pattern, label, count of patients and share."""
    words = ngettext("%(label)s: %(n)s patient", "%(label)s: %(n)s patients", share.count) % {
        "label": escape(share.label), "n": shown(share.count)}
    return SafeString(  # the translator's words around an escaped label and numbers
        f'<li><svg class="chart-swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" '
        f'focusable="false"><rect width="14" height="14" fill="url(#chart-pattern-{escape(share.status)})"/></svg> '
        f"{words} ({shown(share.percent)}&nbsp;%)</li>")


# --- The dashboard's lists: one tag per row ---------------------------------------------------------


def patient_link(context, url_name, key, name):
    return f'<a href="{row_url(context, url_name, key)}">{escape(name)}</a>'


@register.simple_tag(takes_context=True)
def week_session_item(context, session):
    """This week's session: the patient (to the pathway), the day, the kind and the status."""
    link = patient_link(context, "pathway:detail", session["pathway_id"], session["patient"])
    return SafeString(  # escaped or digits
        f'<li class="list-group-item">{link} — {escape(weekday(session["date"]))} {dmy(session["date"])} · '
        f'{escape(session["kind_label"])} · {escape(session["status_label"])}</li>')


@register.simple_tag(takes_context=True)
def near_cap_item(context, row, cap, warn):
    """A patient at or near the cap: the name (to the patient's page) and the cap meter."""
    return SafeString(  # escaped, or the meter's own escaped markup
        f'<li class="list-group-item d-flex justify-content-between">'
        f'{patient_link(context, "pathway:patient_detail", row["id"], row["patient"])} '
        f'{cap_meter(context, row["used_this_year"], cap, warn)}</li>')


def note_words():
    return {"last_session": gettext("last session on %(day)s"), "no_session": gettext("no session"),
            "opened": gettext("opened on %(day)s")}


def pathway_note(context, list_name, pathway):
    """What a list says of a pathway: the translator's words (not escaped, as {% blocktranslate %} leaves
    them, and translated once per rendering) around digits."""
    words = once_per_render(context, "pathway_note", note_words)
    if list_name == "silent":
        day = pathway["last_session_on"]
        return words["last_session"] % {"day": dmy(day)} if day else words["no_session"]
    if list_name == "awaiting_followups":
        count = pathway["planned_followups"]
        return ngettext("%(n)s follow-up planned", "%(n)s follow-ups planned", count) % {"n": localize(count)}
    return words["opened"] % {"day": dmy(pathway["opened_on"])}


@register.simple_tag(takes_context=True)
def pathway_item(context, list_name, pathway):
    """A pathway of the dashboard's lists ("silent", "awaiting_followups" or "awaiting_evaluation"): the
    patient (to the pathway) and what the list says of it."""
    return SafeString(  # escaped, or the translator's words around digits
        f'<li class="list-group-item">{patient_link(context, "pathway:detail", pathway["id"], pathway["patient"])}'
        f" — {pathway_note(context, list_name, pathway)}</li>")


@register.simple_tag(takes_context=True)
def open_pathway_row(context, pathway, cap, warn):
    """A row of the open pathways' table: patient, status, follow-ups held (of planned), this year's count."""
    planned = f" / {shown(pathway['planned_followups'])}" if pathway["planned_followups"] else ""
    return SafeString(  # escaped, digits, or the widgets' own escaped markup
        f'<tr><td>{patient_link(context, "pathway:detail", pathway["id"], pathway["patient"])}</td>'
        f'<td>{status_badge(pathway["status"], pathway["status_label"])}</td>'
        f'<td>{shown(pathway["followups_held"])}{planned}</td>'
        f'<td>{cap_meter(context, pathway["patient_used_this_year"], cap, warn)}</td></tr>')


# --- Whole lists: one tag per list ------------------------------------------------------------------
#
# `{% for %}` around a row tag costs its loop and the tag's argument lookups on every row (about 15
# microseconds, the dashboard's 75 rows 1 ms); these tags draw the same rows in one call.


def each(context, draw, rows, *args):
    return SafeString("".join(draw(context, row, *args) for row in rows))  # each row is drawn escaped


@register.simple_tag(takes_context=True)
def week_session_items(context, sessions):
    return each(context, week_session_item, sessions)


@register.simple_tag(takes_context=True)
def near_cap_items(context, rows, cap, warn):
    return each(context, near_cap_item, rows, cap, warn)


@register.simple_tag(takes_context=True)
def pathway_items(context, list_name, pathways):
    return SafeString("".join(pathway_item(context, list_name, pathway) for pathway in pathways))  # escaped rows


@register.simple_tag(takes_context=True)
def open_pathway_rows(context, pathways, cap, warn):
    return each(context, open_pathway_row, pathways, cap, warn)


@register.simple_tag(takes_context=True)
def session_rows(context, sessions, editable):
    return each(context, session_row, sessions, editable)


@register.simple_tag
def history_items(events):
    return SafeString("".join(history_item(event) for event in events))  # escaped rows


@register.simple_tag
def month_bars(chart):
    return SafeString("".join(month_bar(bar, chart) for bar in chart.bars))  # numbers and escaped names


@register.simple_tag(takes_context=True)
def month_table_rows(context, chart):
    return each(context, month_table_row, chart.bars)


@register.simple_tag
def status_segments(chart):
    return SafeString("".join(status_segment(share, chart) for share in chart.segments))  # numbers, escaped


@register.simple_tag
def status_legend_items(chart):
    return SafeString("".join(status_legend_item(share) for share in chart.shares))  # escaped items


@register.simple_tag
def more_rows(bounded):
    """"and n more" under a list cut short (a `Bounded`), as a list item; nothing when it is whole."""
    more = bounded.more
    if not more:
        return ""
    words = ngettext("and %(n)s more", "and %(n)s more", more) % {"n": shown(more)}
    return SafeString(f'<li class="list-group-item text-muted">{words}</li>')  # the translator's words, a number


@register.simple_tag
def timeline_mark_rows(timeline):
    """The timeline's hidden table: every session of every year, in order."""
    return SafeString("".join(timeline_mark_cells(mark) for row in timeline.rows for mark in row.marks))  # escaped

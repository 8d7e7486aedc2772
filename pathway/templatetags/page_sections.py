"""Whole sections of the busiest pages, drawn in Python: the main menu, the pagination, the dashboard's
two charts, the pathway page's timeline, sessions and history.

Their template markup cost about a millisecond a page in `{% blocktranslate %}`, `{% with %}` and
`{% localize %}` nodes, the dashboard's charts alone more than its five lists. Each tag writes the
markup it replaces (tests/pathway/test_page_sections.py renders both and compares them), its words from
the same catalogue entries, written as `{% translate "..." %}` and `{% blocktranslate %}` write them: the
translator's words as they are (a literal's translation is safe text), the values they hold escaped.
"""

from django import template
from django.template.defaulttags import querystring
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_noop, ngettext

from .caseload import (
    escape,
    history_items,
    legend_swatch,
    month_bars,
    month_table_rows,
    reversed_url,
    session_rows,
    shown,
    status_legend_items,
    status_segments,
    timeline_mark_rows,
    timeline_row_caption,
    timeline_row_svg,
)

register = template.Library()


# --- The main menu (base.html) ---------------------------------------------------------------------

PSYCHOLOGIST_MENU = (
    ("pathway:dashboard", gettext_noop("Dashboard")),
    ("pathway:patient_list", gettext_noop("Patients")),
    ("referrals:inbox", gettext_noop("Referrals")),
    ("pathway:rules", gettext_noop("Scheme rules")),
    ("privacy:journal", gettext_noop("Access log")),
)
DOCTOR_MENU = (("referrals:gp_portal", gettext_noop("My referrals")),)
PROFILE = ("accounts:profile", gettext_noop("Profile"))


@register.simple_tag
def main_menu(user):
    """The signed-in user's menu items: a psychologist's caseload pages, or a doctor's referrals; then
    the profile."""
    items = (*(PSYCHOLOGIST_MENU if user.is_psychologist else DOCTOR_MENU), PROFILE)
    return SafeString("".join(  # escaped URLs, the translator's words
        f'<li class="nav-item"><a class="nav-link" href="{reversed_url(url_name, False)}">{gettext(label)}</a></li>'
        for url_name, label in items))


# --- Previous / "Page n of m" / next ------------------------------------------------------------------


@register.simple_tag(takes_context=True)
def pagination(context, page, anchor=""):
    """The links keep the page's other parameters (search, filters); `anchor` brings the reader back to
    the list. Nothing for a single page."""
    if not page.has_other_pages():
        return ""
    fragment = f"#{escape(anchor)}" if anchor else ""

    def link(number, words):
        href = escape(querystring(context, page=number))
        return f'<li class="page-item"><a class="page-link" href="{href}{fragment}">{words}</a></li>'

    where = gettext("Page %(n)s of %(total)s") % {"n": shown(page.number), "total": shown(page.paginator.num_pages)}
    name = gettext("Pages")
    return SafeString(  # escaped, digits, the translator's words around digits
        f'<nav aria-label="{name}"><ul class="pagination">'
        + (link(page.previous_page_number(), gettext("Previous")) if page.has_previous() else "")
        + f'<li class="page-item active" aria-current="page"><span class="page-link">{where}</span></li>'
        + (link(page.next_page_number(), gettext("Next")) if page.has_next() else "")
        + "</ul></nav>")


# --- The dashboard's charts (pathway/charts.py computes every coordinate) -----------------------------


@register.simple_tag(takes_context=True)
def dashboard_charts(context, charts):
    return SafeString(month_chart(context, charts["months"]) + status_chart(charts["statuses"]))  # escaped parts


def month_chart(context, months):
    """Reimbursed sessions per month: the bars, their words, and the same figures as a hidden table.
    The SVG's numbers are written as they are (not localised): the template had them in
    `{% localize off %}`."""
    year, total = shown(months.year), shown(months.total)
    title = ngettext("%(total)s reimbursed session held in %(year)s, by month",
                     "%(total)s reimbursed sessions held in %(year)s, by month", months.total) % {
        "total": total, "year": year}
    caption = ngettext("%(total)s reimbursed session held this year.",
                       "%(total)s reimbursed sessions held this year.", months.total) % {"total": total}
    heading = gettext("Reimbursed sessions per month in %(year)s") % {"year": year}
    underlined = gettext("The current month is underlined.")
    table_caption = gettext("Reimbursed sessions held per month in %(year)s") % {"year": year}
    month_header, count_header = gettext("Month"), gettext("Reimbursed sessions")
    # The table is hidden through a wrapper: a table does not shrink to the 1 px of .visually-hidden and
    # would widen a phone's page.
    return (
        '<section class="col-lg-6" aria-labelledby="chart-months-heading">'
        f'<h2 id="chart-months-heading" class="h5">{heading}</h2>'
        '<figure class="chart">'
        f'<svg class="chart-svg" viewBox="0 0 {months.width} {months.height}" role="img" '
        'aria-labelledby="chart-months-title" focusable="false">'
        f'<title id="chart-months-title">{title}</title>'
        f'<line class="chart-axis" x1="0" y1="{months.baseline}" x2="{months.width}" y2="{months.baseline}"/>'
        f"{month_bars(months)}</svg>"
        f'<figcaption class="small text-body-secondary">{caption} {underlined}</figcaption>'
        "</figure>"
        '<div class="visually-hidden"><table>'
        f"<caption>{table_caption}</caption>"
        f'<thead><tr><th scope="col">{month_header}</th><th scope="col">{count_header}</th></tr></thead>'
        f"<tbody>{month_table_rows(context, months)}</tbody>"
        "</table></div>"
        "</section>")


# Each status has its own pattern, so that the parts differ without colour too.
STATUS_PATTERNS = (
    '<pattern id="chart-pattern-awaiting_evaluation" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect class="chart-status-awaiting_evaluation" width="6" height="6"/>'
    '<line class="chart-hatch" x1="0" y1="0" x2="0" y2="6"/></pattern>'
    '<pattern id="chart-pattern-in_care" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect class="chart-status-in_care" width="6" height="6"/></pattern>'
    '<pattern id="chart-pattern-excluded" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect class="chart-status-excluded" width="6" height="6"/><circle class="chart-dot" cx="3" cy="3" r="1.3"/>'
    "</pattern>"
    '<pattern id="chart-pattern-reoriented" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect class="chart-status-reoriented" width="6" height="6"/>'
    '<line class="chart-hatch" x1="0" y1="0" x2="0" y2="6"/><line class="chart-hatch" x1="0" y1="0" x2="6" y2="0"/>'
    "</pattern>"
    '<pattern id="chart-pattern-closed" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect class="chart-status-closed" width="6" height="6"/><line class="chart-hatch" x1="0" y1="3" x2="6" y2="3"/>'
    "</pattern>"
)


def status_chart(statuses):
    """Patients by the status of their latest pathway: one bar in parts, and its legend."""
    heading = gettext("Patients by pathway status")
    if not statuses.total:
        nothing = gettext("No pathway yet.")
        body = f'<p class="text-muted">{nothing}</p>'
    else:
        title = ngettext("Share of %(total)s patient by the status of the latest pathway",
                         "Share of %(total)s patients by the status of their latest pathway", statuses.total) % {
            "total": shown(statuses.total)}
        once = gettext("Each patient counts once, under the status of their latest pathway.")
        body = (
            '<figure class="chart">'
            f'<svg class="chart-svg" viewBox="0 0 {statuses.width} {statuses.height}" role="img" '
            'aria-labelledby="chart-statuses-title" focusable="false">'
            f'<title id="chart-statuses-title">{title}</title>'
            f"<defs>{STATUS_PATTERNS}</defs>{status_segments(statuses)}</svg>"
            f'<figcaption><ul class="chart-legend list-unstyled mb-1">{status_legend_items(statuses)}</ul>'
            f'<span class="small text-body-secondary">{once}</span>'
            "</figcaption></figure>")
    return (f'<section class="col-lg-6" aria-labelledby="chart-statuses-heading">'
            f'<h2 id="chart-statuses-heading" class="h5">{heading}</h2>{body}</section>')


# --- The pathway page: its timeline, its sessions, its history ----------------------------------------

LEGEND = (
    ("evaluation", gettext_noop("Evaluation")),
    ("followup", gettext_noop("Follow-up")),
    ("out_of_scheme", gettext_noop("Out of scheme (not counted)")),
    ("not_held", gettext_noop("Not held (cancelled or no-show, not counted)")),
)


@register.simple_tag
def pathway_timeline(timeline):
    """The pathway's sessions against the calendar year: one row per year with the cap's marks, the
    legend and each year in words, and the sessions as a hidden table. Nothing without a year to show.
    The SVG's numbers are written as they are (the template had them in `{% localize off %}`)."""
    if not timeline.rows:
        return ""
    heading = gettext("Sessions across the calendar year")
    title = gettext("This pathway's sessions placed on the calendar year (%(years)s); the annual cap resets on "
                    "1 January") % {"years": ", ".join(str(year) for year in timeline.years)}
    legend = "".join(f"<li>{legend_swatch(shape)} {gettext(label)}</li>" for shape, label in LEGEND)
    captions = "".join(f'<p class="small mb-1">{timeline_row_caption(row)}</p>' for row in timeline.rows)
    resets = gettext("The annual cap counts the calendar year: it resets on 1 January.")
    table_caption = gettext("This pathway's sessions and their place under the annual cap")
    headers = "".join(f'<th scope="col">{words}</th>' for words in (
        gettext("Date"), gettext("Session"), gettext("Status"), gettext("Counted in the year")))
    rows = "".join(timeline_row_svg(row, timeline) for row in timeline.rows)
    return SafeString(  # numbers, the translator's words, the other tags' escaped markup
        '<section class="mb-4" aria-labelledby="chart-timeline-heading">'
        f'<h2 id="chart-timeline-heading" class="h5">{heading}</h2>'
        '<figure class="chart">'
        f'<svg class="chart-svg chart-timeline" viewBox="0 0 {timeline.width} {timeline.height}" role="img" '
        'aria-labelledby="chart-timeline-title" focusable="false">'
        f'<title id="chart-timeline-title">{title}</title>{rows}</svg>'
        f'<figcaption><ul class="chart-legend list-unstyled mb-1">{legend}</ul>{captions}'
        f'<p class="small text-body-secondary mb-0">{resets}</p></figcaption>'
        "</figure>"
        f'<div class="visually-hidden"><table><caption>{table_caption}</caption>'
        f"<thead><tr>{headers}</tr></thead><tbody>{timeline_mark_rows(timeline)}</tbody></table></div>"
        "</section>")


@register.simple_tag(takes_context=True)
def session_table(context, sessions, editable):
    """The pathway's sessions, with the link to change each one when `editable`. The region is focusable
    and named: on a phone the table scrolls sideways, and the keyboard must reach it."""
    name = gettext("Sessions")
    headers = "".join(f'<th scope="col">{words}</th>' for words in (
        gettext("Date"), gettext("Kind"), gettext("Mode"), gettext("Status"), gettext("Billing"),
        gettext("Tariff and who pays")))
    if editable:
        actions = gettext("Actions")
        headers += f'<th scope="col"><span class="visually-hidden">{actions}</span></th>'
    if sessions:
        rows = session_rows(context, sessions, editable)
    else:
        none = gettext("No session yet.")
        rows = f'<tr><td colspan="7" class="text-muted">{none}</td></tr>'
    return SafeString(  # the translator's words, the rows' escaped markup
        f'<div class="table-responsive" tabindex="0" role="region" aria-label="{name}">'
        f'<table class="table table-sm align-middle"><caption class="visually-hidden">{name}</caption>'
        f"<thead><tr>{headers}</tr></thead><tbody>{rows}</tbody></table></div>")


@register.simple_tag
def event_log(events):
    """The pathway's history, oldest first."""
    if events:
        items = history_items(events)
    else:
        none = gettext("No event.")
        items = f'<li class="text-muted">{none}</li>'
    return SafeString(f'<ol class="list-unstyled event-log">{items}</ol>')  # escaped items, or the words

"""The caseload pages' widgets drawn in Python: the same output as the template markup they replace."""

import re
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.urls import reverse, set_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from pathway import charts
from pathway.forms import SessionForm
from pathway.models import Billing, PathwayEvent, PathwayStatus, SessionKind, SessionMode, SessionStatus
from tests.auth import log_in
from tests.factories import CareSessionFactory, PatientFactory, PsychologistFactory


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def render(text, **context):
    return engines["django"].from_string("{% load caseload %}" + text).render(context)


def test_the_cap_meter_says_in_words_what_its_colour_shows():
    meter = render("{% cap_meter used 12 10 %}", used=3)
    assert 'class="badge cap-meter text-bg-light border" role="meter"' in meter
    assert 'aria-valuemax="12" aria-valuenow="3" aria-valuetext="3 / 12 cette année"' in meter
    assert 'title="Séances remboursées utilisées cette année civile (faites ici + déclarées ailleurs)"' in meter
    assert "text-bg-warning" in render("{% cap_meter 10 12 10 %}") and "10 / 12 cette année — proche du plafond" in (
        render("{% cap_meter 10 12 10 %}"))
    assert "text-bg-danger" in render("{% cap_meter 12 12 10 %}") and ">12 / 12 cette année — plafond atteint<" in (
        render("{% cap_meter 12 12 10 %}"))


def test_the_cap_meter_include_draws_the_same_meter():
    included = render('{% include "includes/cap_meter.html" with used=11 cap=12 warn=10 %}')
    assert included.strip() == render("{% cap_meter 11 12 10 %}")


def test_a_missing_warning_level_shows_no_warning_as_the_template_language_compared():
    assert "text-bg-light border" in render("{% cap_meter 11 12 missing %}")


def test_a_row_url_is_the_reversed_url_of_that_row():
    pathway_id, session_id = uuid.uuid4(), uuid.uuid4()
    assert render('{% row_url "pathway:detail" key %}', key=pathway_id) == reverse(
        "pathway:detail", kwargs={"pathway_id": pathway_id})
    assert render('{% row_url "pathway:session_edit" key %}', key=str(session_id)) == reverse(
        "pathway:session_edit", kwargs={"session_id": session_id})


def test_a_row_url_reverses_each_url_once_per_page():
    keys = [uuid.uuid4() for _index in range(3)]
    page = render('{% for key in keys %}{% row_url "pathway:patient_detail" key %} {% endfor %}', keys=keys)
    assert page.split() == [reverse("pathway:patient_detail", args=[key]) for key in keys]


def test_a_url_kept_once_reversed_follows_the_script_prefix():
    """Reversed once per process, a URL is still the one of the prefix the site is served under."""
    key = uuid.uuid4()
    assert render('{% page_url "pathway:dashboard" %}') == reverse("pathway:dashboard") == "/tableau-de-bord/"
    try:
        set_script_prefix("/cabinet/")
        assert render('{% page_url "pathway:dashboard" %}') == "/cabinet/tableau-de-bord/"
        assert render('{% row_url "pathway:detail" key %}', key=key) == reverse("pathway:detail", args=[key])
        assert render('{% row_url "pathway:detail" key %}', key=key).startswith("/cabinet/parcours/")
    finally:
        set_script_prefix("/")
    assert render('{% page_url "pathway:dashboard" %}') == "/tableau-de-bord/"


def test_dmy_writes_dates_and_times_as_the_date_filter_does():
    moment = datetime(2026, 3, 5, 8, 7, tzinfo=ZoneInfo("UTC"))
    assert render("{{ day|dmy }}", day=date(2026, 3, 5)) == "05/03/2026"
    assert render("{{ moment|dmy }}", moment=moment) == render('{{ moment|date:"d/m/Y H:i" }}', moment=moment)
    assert render("{{ moment|dmy }}", moment=moment) == "05/03/2026 09:07"  # Paris time
    assert render("{{ nothing|dmy }}", nothing=None) == ""


def test_weekday_names_the_day_as_the_date_filter_does():
    for day in range(2, 9):
        monday_to_sunday = date(2026, 3, day)
        assert render("{{ day|weekday }}", day=monday_to_sunday) == render('{{ day|date:"l" }}', day=monday_to_sunday)
    assert render("{{ day|weekday }}", day=date(2026, 3, 2)) == "lundi"


def test_a_status_badge_has_its_status_colour():
    assert render("{% status_badge 'in_care' 'En soins' %}") == '<span class="badge text-bg-success">En soins</span>'
    assert "text-bg-secondary" in render("{% status_badge 'closed' 'Clos' %}")


@pytest.mark.parametrize("label", ["En cours de suivi", "<b>Réorienté</b> & co", SafeString("<i>safe</i>"),
                                   gettext_lazy("in care"), 12])
@pytest.mark.parametrize("status", [PathwayStatus.IN_CARE, "unknown", '"><script>'])
def test_a_status_badge_is_what_format_html_made_of_it(status, label):
    from django.utils.html import format_html

    from pathway.templatetags.caseload import STATUS_CLASSES, status_badge

    expected = format_html('<span class="badge {}">{}</span>', STATUS_CLASSES.get(status, "text-bg-secondary"), label)
    assert status_badge(status, label) == expected and isinstance(status_badge(status, label), SafeString)


def test_the_form_partial_puts_each_error_next_to_its_field_and_names_it():
    form = SessionForm({"kind": "followup", "date": "31/02/2026", "mode": "in_person", "duration_minutes": "45",
                        "status": "held", "billing": "reimbursed"})
    assert not form.is_valid()
    page = render('{% include "includes/form_fields.html" %}', form=form)
    field = page[page.index('id="div_id_date"'):]
    field = field[:field.index('id="div_id_mode"')]
    assert 'class="form-control is-invalid" aria-describedby="id_date_error"' in field
    assert 'aria-invalid="true"' in field
    assert '<div id="id_date_error" class="invalid-feedback">' in field and "Saisissez une date valide." in field
    assert 'value="31/02/2026"' in field  # the input is kept
    assert '<select name="mode" class="form-select"' in page
    assert 'aria-describedby="id_kind_helptext"' in page and 'id="id_kind_helptext"' in page


@pytest.mark.django_db
def test_a_form_page_explains_the_asterisk_and_a_page_without_required_field_does_not(client, psychologist):
    log_in(client, psychologist)
    legend = "Les champs marqués d'un astérisque (*) sont obligatoires."
    assert legend in client.get(reverse("pathway:patient_create")).content.decode()
    assert legend not in client.get(reverse("pathway:patient_list")).content.decode()
    assert legend not in client.get(reverse("privacy:journal")).content.decode()  # its filters are optional


# The charts' repeated parts: the same markup as the template nodes they replace.

OLD_TICKS = ('{% load l10n %}{% localize off %}{% for tick in row.ticks %}<line class="chart-tick" x1="{{ tick.x }}" '
             'y1="{{ row.axis_y }}" x2="{{ tick.x }}" y2="{{ row.tick_bottom }}"/><text class="chart-label" '
             'x="{{ tick.label_x }}" y="{{ row.month_label_y }}" text-anchor="middle">{{ tick.month|date:"N" }}</text>'
             "{% endfor %}{% endlocalize %}")
OLD_BAR = ('{% load l10n %}{% localize off %}'
           '<g class="chart-month{% if bar.is_current %} chart-month-current{% endif %}">'
           '{% if bar.count %}<rect class="chart-bar" x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.width }}" '
           'height="{{ bar.height }}"/>{% endif %}<text class="chart-count" x="{{ bar.center }}" y="{{ bar.count_y }}" '
           'text-anchor="middle">{{ bar.count }}</text><text class="chart-label" x="{{ bar.center }}" '
           'y="{{ months.label_y }}" text-anchor="middle">{{ bar.month|date:"N" }}</text>{% if bar.is_current %}'
           '<rect class="chart-current-mark" x="{{ bar.x }}" y="{{ months.current_mark_y }}" width="{{ bar.width }}" '
           'height="3"/>{% endif %}</g>{% endlocalize %}')


def test_timeline_ticks_draw_what_the_template_drew_each_month():
    sessions = [CareSessionFactory.build(date=date(2025, 2, 3)), CareSessionFactory.build(date=date(2026, 9, 14))]
    timeline = charts.pathway_timeline(sessions, date(2026, 11, 23), used_this_year=1, is_active=True)
    assert len(timeline.rows) == 2
    for row in timeline.rows:
        drawn = render("{% timeline_ticks row %}", row=row)
        assert drawn == render(OLD_TICKS, row=row)
        assert drawn.count('class="chart-tick"') == 12 and ">sept.</text>" in drawn


def test_a_month_bar_draws_what_the_template_drew_for_each_month():
    months = charts.month_bars({1: 7, 2: 0, 11: 3}, 2026, date(2026, 11, 23))
    for bar in months.bars:
        assert render("{% month_bar bar months %}", bar=bar, months=months) == render(OLD_BAR, bar=bar, months=months)
    current = render("{% month_bar bar months %}", bar=months.bars[10], months=months)
    assert 'class="chart-month chart-month-current"' in current and 'class="chart-current-mark"' in current
    assert 'class="chart-bar"' not in render("{% month_bar bar months %}", bar=months.bars[1], months=months)


OLD_SESSION_ROW = """{% load i18n caseload %}{% translate "AMO" as amo %}{% translate "complementary" as complementary %}
{% translate "tiers payant" as tiers_payant %}{% translate "(out of scheme, not counted)" as not_counted %}
{% translate "Edit" as edit %}<tr>
  <td>{{ session.date|dmy }}</td>
  <td>{{ session.get_kind_display }}</td>
  <td>{{ session.get_mode_display }} · {{ session.duration_minutes }} min</td>
  <td>{{ session.get_status_display }}</td>
  <td>{{ session.get_billing_display }}</td>
  <td>{% with split=session.fee_split %}{% if split %}
    {{ split.tariff }} € ({{ split.billing_code }}) — {{ amo }} {{ split.amo }} €, {{ complementary }} {{ split.complementary }} €{% if split.tiers_payant %} · <strong>{{ tiers_payant }}</strong>{% endif %}
  {% else %}{{ session.out_of_scheme_fee }} € {{ not_counted }}{% endif %}{% endwith %}</td>
  {% if editable %}<td><a href="{% row_url "pathway:session_edit" session.pk %}">{{ edit }}</a></td>{% endif %}
</tr>"""  # noqa: E501 (the template markup the tag replaces, as it was)
OLD_HISTORY_ITEM = """<li class="border-start ps-2 mb-2"><time datetime="{{ event.created_at|date:'c' }}">{{ event.created_at|dmy }}</time> — {{ event.actor.get_full_name|default:event.actor.username }} — <strong>{{ event.get_action_display }}</strong>{% if event.to_status %} : {% if event.from_status %}{{ event.get_from_status_display }} → {% endif %}{{ event.get_to_status_display }}{% endif %}{% if event.details %}<br><span class="text-muted">{{ event.details }}</span>{% endif %}</li>"""  # noqa: E501


def squeezed(html):
    """Markup without the template's line breaks and indentation (they show nothing in a table row)."""
    return re.sub(r"\s*\n\s*", "", html)


def test_a_session_row_draws_what_the_table_s_template_drew():
    patient = PatientFactory.build(has_css=True)  # complementary health cover: tiers payant
    rows = [
        CareSessionFactory.build(patient=patient, kind=SessionKind.EVALUATION, date=date(2026, 3, 2)),
        CareSessionFactory.build(patient=patient, mode=SessionMode.VIDEO, date=date(2026, 3, 9),
                                 status=SessionStatus.NO_SHOW),
        CareSessionFactory.build(patient=PatientFactory.build(), billing=Billing.OUT_OF_SCHEME,
                                 out_of_scheme_fee=Decimal("62.50"), date=date(2026, 11, 2)),
    ]
    for editable in (True, False):
        for session in rows:
            drawn = render("{% session_row session editable %}", session=session, editable=editable)
            assert drawn == squeezed(render(OLD_SESSION_ROW, session=session, editable=editable))
    assert "62,50 € (hors dispositif, non comptée)" in render("{% session_row session 0 %}", session=rows[2])
    assert "<strong>tiers payant</strong>" in render("{% session_row session 0 %}", session=rows[0])


def test_a_history_item_draws_what_the_history_s_template_drew():
    actor = PsychologistFactory.build(first_name="Hélène", last_name="Dupré")
    unnamed = PsychologistFactory.build(first_name="", last_name="", username="cabinet-3")
    at = datetime(2026, 3, 2, 23, 30, tzinfo=ZoneInfo("UTC"))  # 3 March in Paris
    events = [
        PathwayEvent(actor=actor, created_at=at, action=PathwayEvent.Action.TRANSITION,
                     from_status=PathwayStatus.IN_CARE, to_status=PathwayStatus.CLOSED, details="<b>fin</b> & suite"),
        PathwayEvent(actor=unnamed, created_at=at, action=PathwayEvent.Action.OPENED,
                     to_status=PathwayStatus.AWAITING_EVALUATION),
        PathwayEvent(actor=actor, created_at=at, action=PathwayEvent.Action.SESSION_RECORDED),
    ]
    for event in events:
        assert render("{% history_item event %}", event=event) == render(OLD_HISTORY_ITEM, event=event)
    first = render("{% history_item event %}", event=events[0])
    assert "03/03/2026 00:30</time>" in first and "&lt;b&gt;fin&lt;/b&gt; &amp; suite" in first
    assert "— cabinet-3 —" in render("{% history_item event %}", event=events[1])


# The dashboard's rows: each tag against the template markup it replaces.

OLD_DASHBOARD_ROWS = {
    "week": """<li class="list-group-item"><a href="{% row_url "pathway:detail" session.pathway_id %}">{{ session.patient }}</a> — {{ session.date|weekday }} {{ session.date|dmy }} · {{ session.kind_label }} · {{ session.status_label }}</li>""",  # noqa: E501
    "near": """<li class="list-group-item d-flex justify-content-between"><a href="{% row_url "pathway:patient_detail" row.id %}">{{ row.patient }}</a> {% cap_meter row.used_this_year cap cap_warning_from %}</li>""",  # noqa: E501
    "silent": """<li class="list-group-item"><a href="{% row_url "pathway:detail" pathway.id %}">{{ pathway.patient }}</a> — {% if pathway.last_session_on %}{% blocktranslate trimmed with day=pathway.last_session_on|dmy %}last session on {{ day }}{% endblocktranslate %}{% else %}{% translate "no session" %}{% endif %}</li>""",  # noqa: E501
    "awaiting_followups": """<li class="list-group-item"><a href="{% row_url "pathway:detail" pathway.id %}">{{ pathway.patient }}</a> — {% blocktranslate trimmed count n=pathway.planned_followups %}{{ n }} follow-up planned{% plural %}{{ n }} follow-ups planned{% endblocktranslate %}</li>""",  # noqa: E501
    "awaiting_evaluation": """<li class="list-group-item"><a href="{% row_url "pathway:detail" pathway.id %}">{{ pathway.patient }}</a> — {% blocktranslate trimmed with day=pathway.opened_on|dmy %}opened on {{ day }}{% endblocktranslate %}</li>""",  # noqa: E501
    "open": """<tr><td><a href="{% row_url "pathway:detail" pathway.id %}">{{ pathway.patient }}</a></td>
          <td>{% status_badge pathway.status pathway.status_label %}</td>
          <td>{{ pathway.followups_held }}{% if pathway.planned_followups %} / {{ pathway.planned_followups }}{% endif %}</td>
          <td>{% cap_meter pathway.patient_used_this_year cap cap_warning_from %}</td></tr>""",  # noqa: E501
}


def old_row(name, **context):
    return squeezed(render("{% load i18n %}" + OLD_DASHBOARD_ROWS[name], **context))


def dashboard_pathway(**fields):
    return {"id": uuid.uuid4(), "patient": "L'Hôte <Zoé> & fils", "status": "in_care", "status_label": "En cours",
            "opened_on": date(2026, 2, 3), "planned_followups": 1, "last_session_on": date(2026, 9, 1),
            "followups_held": 0, "patient_used_this_year": 11, **fields}


def test_the_dashboard_rows_draw_what_their_template_markup_drew():
    session = {"pathway_id": uuid.uuid4(), "patient": "Dupré <b>", "date": date(2026, 11, 23),
               "kind_label": "Suivi", "status_label": "Réalisée"}
    assert render("{% week_session_item session %}", session=session) == old_row("week", session=session)
    for used in (3, 10, 12):
        near = {"id": uuid.uuid4(), "patient": "Ève O'Neil", "used_this_year": used}
        assert render("{% near_cap_item row 12 10 %}", row=near) == old_row(
            "near", row=near, cap=12, cap_warning_from=10)
    for pathway in (dashboard_pathway(), dashboard_pathway(last_session_on=None, planned_followups=5,
                                                           followups_held=2, status="awaiting_evaluation")):
        for name in ("silent", "awaiting_followups", "awaiting_evaluation"):
            assert render(f'{{% pathway_item "{name}" pathway %}}', pathway=pathway) == old_row(name, pathway=pathway)
        assert render("{% open_pathway_row pathway 12 10 %}", pathway=pathway) == old_row(
            "open", pathway=pathway, cap=12, cap_warning_from=10)
    silent = render('{% pathway_item "silent" pathway %}', pathway=dashboard_pathway())
    assert "L&#x27;Hôte &lt;Zoé&gt; &amp; fils</a> — dernière séance le 01/09/2026" in silent


OLD_MONTH_TABLE_ROW = ('{% load i18n caseload %}<tr><th scope="row">{{ bar.month|month_year }}{% if bar.is_current %} '
                       '({% translate "current month" %}){% endif %}</th><td>{{ bar.count }}</td></tr>')
OLD_STATUS_SEGMENT = ('{% load l10n %}{% localize off %}<rect class="chart-segment" x="{{ share.x }}" y="0" '
                      'width="{{ share.width }}" height="{{ statuses.height }}" '
                      'fill="url(#chart-pattern-{{ share.status }})"><title>{{ share.label }} : {{ share.count }} '
                      "({{ share.percent }}&nbsp;%)</title></rect>{% endlocalize %}")
OLD_STATUS_LEGEND_ITEM = """{% load i18n %}<li><svg class="chart-swatch" width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" focusable="false"><rect width="14" height="14" fill="url(#chart-pattern-{{ share.status }})"/></svg>
          {% blocktranslate trimmed with label=share.label count n=share.count %}{{ label }}: {{ n }} patient{% plural %}{{ label }}: {{ n }} patients{% endblocktranslate %} ({{ share.percent }}&nbsp;%)</li>"""  # noqa: E501


def test_the_dashboard_charts_parts_draw_what_their_template_markup_drew():
    months = charts.month_bars({1: 1234, 11: 3}, 2026, date(2026, 11, 23))
    for bar in months.bars:
        assert render("{% month_table_row bar %}", bar=bar) == render(OLD_MONTH_TABLE_ROW, bar=bar)
    assert "novembre 2026 (mois en cours)</th><td>3</td>" in render("{% month_table_row bar %}", bar=months.bars[10])
    statuses = charts.status_shares({"awaiting_evaluation": 1, "in_care": 2, "closed": 1})
    for share in statuses.shares:
        assert render("{% status_segment share statuses %}", share=share, statuses=statuses) == render(
            OLD_STATUS_SEGMENT, share=share, statuses=statuses)
        assert render("{% status_legend_item share %}", share=share) == re.sub(
            r"</svg>\s+", "</svg> ", render(OLD_STATUS_LEGEND_ITEM, share=share))
    legend = render("{% status_legend_item share %}", share=statuses.shares[0])
    assert "En attente d&#x27;évaluation : 1 patient (25&nbsp;%)" in legend


# The timeline's rows: each tag against the template markup it replaces (the SVG inside {% localize off %}).

OLD_TIMELINE_ROW_SVG = (
    "{% load i18n l10n caseload %}{% localize off %}"
    '{% for row in timeline.rows %}<g class="chart-timeline-row">\n        <text class="chart-year" x="{{ timeline.axis_start }}" y="{{ row.year_y }}">{{ row.year }} — {{ row.used }}/{{ row.cap }}{% if row.is_current_year %} — {% if row.remaining %}{% blocktranslate trimmed count n=row.remaining %}{{ n }} remaining{% plural %}{{ n }} remaining{% endblocktranslate %}{% else %}{% translate "cap reached" %}{% endif %}{% else %} ({% translate "this pathway" %}){% endif %}</text>\n        <text class="chart-end-label" x="{{ timeline.axis_end }}" y="{{ row.year_y }}" text-anchor="end">31/12</text>\n        <line class="chart-end-line" x1="{{ timeline.axis_end }}" y1="{{ row.end_line_top }}" x2="{{ timeline.axis_end }}" y2="{{ row.end_line_bottom }}"/>\n        <line class="chart-axis" x1="{{ timeline.axis_start }}" y1="{{ row.axis_y }}" x2="{{ timeline.axis_end }}" y2="{{ row.axis_y }}"/>\n        {% timeline_ticks row %}\n        {% for mark in row.marks %}{% chart_mark mark %}{% endfor %}\n        {% for mark in row.cap_marks %}<circle class="chart-cap-ring" cx="{{ mark.x }}" cy="{{ mark.y }}" r="{{ mark.ring_radius }}"/><text class="chart-cap-label" x="{{ mark.x }}" y="{{ row.cap_label_y }}" text-anchor="{{ mark.label_anchor }}">{% blocktranslate trimmed with n=mark.rank %}Session {{ n }}: cap reached{% endblocktranslate %}</text>{% endfor %}\n      </g>{% endfor %}'  # noqa: E501
    "{% endlocalize %}")
OLD_TIMELINE_CAPTION = "{% load i18n caseload %}" '{% for row in timeline.rows %}<p class="small mb-1">{% if row.is_current_year %}{% blocktranslate trimmed with year=row.year cap=row.cap count used=row.used %}{{ year }}: {{ used }} reimbursed session used out of {{ cap }}{% plural %}{{ year }}: {{ used }} reimbursed sessions used out of {{ cap }}{% endblocktranslate %}{% if row.counted_elsewhere %} ({% blocktranslate trimmed count n=row.counted_elsewhere %}including {{ n }} declared elsewhere or held in another pathway{% plural %}including {{ n }} declared elsewhere or held in other pathways{% endblocktranslate %}){% endif %}. {% if row.remaining %}{% blocktranslate trimmed count n=row.remaining %}{{ n }} session left until 31/12.{% plural %}{{ n }} sessions left until 31/12.{% endblocktranslate %}{% else %}{% translate "Cap reached." %}{% endif %}{% else %}{% blocktranslate trimmed with year=row.year cap=row.cap count used=row.counted_here %}{{ year }}: {{ used }} reimbursed session in this pathway (cap {{ cap }}).{% plural %}{{ year }}: {{ used }} reimbursed sessions in this pathway (cap {{ cap }}).{% endblocktranslate %}{% endif %}</p>{% endfor %}'  # noqa: E501
OLD_TIMELINE_CELLS = "{% load i18n caseload %}" '<tbody>{% for row in timeline.rows %}{% for mark in row.marks %}\n      <tr><td>{{ mark.session.date|date:"d/m/Y" }}</td>\n        <td>{% if mark.shape == "out_of_scheme" %}{% translate "Out of scheme" %} ({{ mark.session.get_kind_display }}){% else %}{{ mark.session.get_kind_display }}{% endif %}</td>\n        <td>{{ mark.session.get_status_display }}</td>\n        <td>{% if mark.rank %}{{ mark.rank }} / {{ mark.cap }}{% if mark.reaches_cap %} — {% blocktranslate trimmed with n=mark.rank %}Session {{ n }}: cap reached{% endblocktranslate %}{% endif %}{% else %}{% translate "not counted" %}{% endif %}</td></tr>{% endfor %}{% endfor %}</tbody>'  # noqa: E501


def timelines():
    """Timelines of two years: under the cap, at the cap, with sessions counted elsewhere, out of scheme."""
    today = date(2026, 11, 23)
    held = [CareSessionFactory.build(kind=SessionKind.EVALUATION, date=date(2025, 12, 1))]
    held += [CareSessionFactory.build(kind=SessionKind.EVALUATION, date=date(2026, 1, 5))]
    held += [CareSessionFactory.build(date=date(2026, 1, 5) + timedelta(weeks=week)) for week in range(1, 9)]
    held += [CareSessionFactory.build(date=date(2026, 3, 9), billing=Billing.OUT_OF_SCHEME,
                                      out_of_scheme_fee=Decimal("60")),
             CareSessionFactory.build(date=date(2026, 3, 16), status=SessionStatus.CANCELLED)]
    yield charts.pathway_timeline(held, today, used_this_year=9, is_active=True)
    yield charts.pathway_timeline(held, today, used_this_year=12, is_active=True)  # 3 counted elsewhere, at the cap
    yield charts.pathway_timeline(held[:2], today, used_this_year=1, is_active=False)


def test_the_timeline_rows_draw_what_their_template_markup_drew():
    drawn_any_cap = False
    for timeline in timelines():
        rows = render("{% for row in timeline.rows %}{% timeline_row_svg row timeline %}{% endfor %}",
                      timeline=timeline)
        assert rows == squeezed(render(OLD_TIMELINE_ROW_SVG, timeline=timeline))
        drawn_any_cap |= "plafond atteint</text>" in rows
        captions = render("{% for row in timeline.rows %}{% timeline_row_caption row %}{% endfor %}",
                          timeline=timeline)
        assert captions == render(OLD_TIMELINE_CAPTION, timeline=timeline).replace(
            '<p class="small mb-1">', "").replace("</p>", "")
        cells = render("<tbody>{% for row in timeline.rows %}{% for mark in row.marks %}"
                       "{% timeline_mark_cells mark %}{% endfor %}{% endfor %}</tbody>", timeline=timeline)
        assert cells == squeezed(render(OLD_TIMELINE_CELLS, timeline=timeline))
    assert drawn_any_cap


OLD_MORE_ROWS = ('{% load i18n %}{% if rows.more %}<li class="list-group-item text-muted">'
                 '{% blocktranslate trimmed count n=rows.more %}and {{ n }} more{% plural %}and {{ n }} more'
                 '{% endblocktranslate %}</li>{% endif %}')


@pytest.mark.parametrize("total", [3, 4, 5, 1200])
def test_more_rows_says_what_the_list_include_said(total):
    from pathway.selectors import Bounded

    rows = Bounded(rows=["a", "b", "c"], total=total)
    assert render("{% more_rows rows %}", rows=rows) == render(OLD_MORE_ROWS, rows=rows)
    assert ("et 1 autre<" in render("{% more_rows rows %}", rows=rows)) == (total == 4)


def test_a_list_tag_draws_its_rows_as_the_loop_of_row_tags_did():
    sessions = [{"pathway_id": uuid.uuid4(), "patient": f"Dupré <{n}>", "date": date(2026, 11, 23 - n),
                 "kind_label": "Suivi", "status_label": "Réalisée"} for n in range(3)]
    pathways = [dashboard_pathway(), dashboard_pathway(last_session_on=None, status="awaiting_evaluation")]
    near = [{"id": uuid.uuid4(), "patient": "Ève O'Neil", "used_this_year": used} for used in (10, 12)]
    pairs = [
        ("{% week_session_items rows %}", "{% for row in rows %}{% week_session_item row %}{% endfor %}", sessions),
        ("{% near_cap_items rows 12 10 %}", "{% for row in rows %}{% near_cap_item row 12 10 %}{% endfor %}", near),
        ('{% pathway_items "silent" rows %}', '{% for row in rows %}{% pathway_item "silent" row %}{% endfor %}',
         pathways),
        ("{% open_pathway_rows rows 12 10 %}", "{% for row in rows %}{% open_pathway_row row 12 10 %}{% endfor %}",
         pathways),
    ]
    for batch, loop, rows in pairs:
        assert render(batch, rows=rows) == render(loop, rows=rows)
        assert render(batch, rows=[]) == ""
    chart = charts.month_bars({3: 4, 11: 9}, 2026, date(2026, 11, 23))
    assert render("{% month_bars chart %}", chart=chart) == render(
        "{% for bar in chart.bars %}{% month_bar bar chart %}{% endfor %}", chart=chart)
    assert render("{% month_table_rows chart %}", chart=chart) == render(
        "{% for bar in chart.bars %}{% month_table_row bar %}{% endfor %}", chart=chart)
    statuses = charts.status_shares({"in_care": 3, "closed": 1})
    assert render("{% status_segments chart %}", chart=statuses) == render(
        "{% for share in chart.segments %}{% status_segment share chart %}{% endfor %}", chart=statuses)
    assert render("{% status_legend_items chart %}", chart=statuses) == render(
        "{% for share in chart.shares %}{% status_legend_item share %}{% endfor %}", chart=statuses)


@pytest.mark.django_db
def test_the_session_and_history_lists_draw_their_rows_as_the_loops_did(psychologist):
    session = CareSessionFactory(pathway__patient=PatientFactory(psychologist=psychologist))
    sessions = [session, CareSessionFactory(pathway=session.pathway, status=SessionStatus.CANCELLED)]
    assert render("{% session_rows rows True %}", rows=sessions) == render(
        "{% for row in rows %}{% session_row row True %}{% endfor %}", rows=sessions)
    event = PathwayEvent.objects.create(pathway=session.pathway, actor=psychologist,
                                        action=PathwayEvent.Action.SESSION_RECORDED, details="<b>détail</b>")
    assert render("{% history_items rows %}", rows=[event]) == render(
        "{% for row in rows %}{% history_item row %}{% endfor %}", rows=[event])
    timeline = charts.pathway_timeline(sessions, session.date, 1, True)
    assert render("{% timeline_mark_rows timeline %}", timeline=timeline) == render(
        "{% for row in timeline.rows %}{% for mark in row.marks %}{% timeline_mark_cells mark %}{% endfor %}"
        "{% endfor %}", timeline=timeline)
    assert "<td>" in render("{% timeline_mark_rows timeline %}", timeline=timeline)


def test_escape_writes_what_django_s_escape_writes():
    from django.utils.html import escape as django_escape

    from pathway.templatetags.caseload import escape, shown

    for text in ("L'Hôte <Zoé> & \"fils\"", translation.gettext_lazy("Follow-up"), 12, None):
        assert escape(text) == django_escape(text)
    values = (0, 7, 1234, 1234567, -5, True, False, None, "a<b & 'c'", "", Decimal("12.50"), Decimal("0.00"),
              Decimal("-3.5"), Decimal("1234.56"), Decimal("1E+2"), 2.5, date(2026, 3, 4))
    for value in values:
        assert shown(value) == render("{{ value }}", value=value)
    with translation.override("en"):
        assert shown(Decimal("12.50")) == "12.50" == render("{{ value }}", value=Decimal("12.50"))

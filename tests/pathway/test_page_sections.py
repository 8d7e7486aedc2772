"""The page sections drawn in Python (pathway/templatetags/page_sections.py): the markup they replace."""

import re
from datetime import date

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from pathway import charts
from pathway.models import PathwayEvent, SessionStatus
from tests.factories import CareSessionFactory, GPFactory, PatientFactory, PsychologistFactory

OLD_MENU = """{% load i18n caseload %}
          {% if user.is_psychologist %}
          <li class="nav-item"><a class="nav-link" href="{% page_url 'pathway:dashboard' %}">{% translate "Dashboard" %}</a></li>
          <li class="nav-item"><a class="nav-link" href="{% page_url 'pathway:patient_list' %}">{% translate "Patients" %}</a></li>
          <li class="nav-item"><a class="nav-link" href="{% page_url 'referrals:inbox' %}">{% translate "Referrals" %}</a></li>
          <li class="nav-item"><a class="nav-link" href="{% page_url 'pathway:rules' %}">{% translate "Scheme rules" %}</a></li>
          <li class="nav-item"><a class="nav-link" href="{% page_url 'privacy:journal' %}">{% translate "Access log" %}</a></li>
          {% else %}
          <li class="nav-item"><a class="nav-link" href="{% page_url 'referrals:gp_portal' %}">{% translate "My referrals" %}</a></li>
          {% endif %}
          <li class="nav-item"><a class="nav-link" href="{% page_url 'accounts:profile' %}">{% translate "Profile" %}</a></li>
"""  # noqa: E501 (base.html's menu, as it was)
OLD_PAGINATION = """{% load i18n %}{# Previous / "Page n of m" / next. The links keep the page's other parameters (search, filters); `anchor` brings the reader back to the list. #}{% if page.has_other_pages %}
<nav aria-label="{% translate 'Pages' %}"><ul class="pagination">
  {% if page.has_previous %}<li class="page-item"><a class="page-link" href="{% querystring page=page.previous_page_number %}{% if anchor %}#{{ anchor }}{% endif %}">{% translate "Previous" %}</a></li>{% endif %}
  <li class="page-item active" aria-current="page"><span class="page-link">{% blocktranslate trimmed with n=page.number total=page.paginator.num_pages %}Page {{ n }} of {{ total }}{% endblocktranslate %}</span></li>
  {% if page.has_next %}<li class="page-item"><a class="page-link" href="{% querystring page=page.next_page_number %}{% if anchor %}#{{ anchor }}{% endif %}">{% translate "Next" %}</a></li>{% endif %}
</ul></nav>
{% endif %}
"""  # noqa: E501 (includes/pagination.html, as it was)
OLD_DASHBOARD_CHARTS = """{% load i18n l10n caseload %}{# The dashboard's two charts (pathway/charts.py computes every coordinate). #}
{% with months=charts.months statuses=charts.statuses %}
<section class="col-lg-6" aria-labelledby="chart-months-heading">
  <h2 id="chart-months-heading" class="h5">{% blocktranslate trimmed with year=months.year %}Reimbursed sessions per month in {{ year }}{% endblocktranslate %}</h2>
  <figure class="chart">
    {% localize off %}<svg class="chart-svg" viewBox="0 0 {{ months.width }} {{ months.height }}" role="img" aria-labelledby="chart-months-title" focusable="false">
      <title id="chart-months-title">{% blocktranslate trimmed count total=months.total with year=months.year %}{{ total }} reimbursed session held in {{ year }}, by month{% plural %}{{ total }} reimbursed sessions held in {{ year }}, by month{% endblocktranslate %}</title>
      <line class="chart-axis" x1="0" y1="{{ months.baseline }}" x2="{{ months.width }}" y2="{{ months.baseline }}"/>
      {% month_bars months %}
    </svg>{% endlocalize %}
    <figcaption class="small text-body-secondary">{% blocktranslate trimmed count total=months.total %}{{ total }} reimbursed session held this year.{% plural %}{{ total }} reimbursed sessions held this year.{% endblocktranslate %} {% translate "The current month is underlined." %}</figcaption>
  </figure>
  {# Hidden through a wrapper: a table does not shrink to the 1 px of .visually-hidden and would widen a phone's page. #}
  <div class="visually-hidden"><table>
    <caption>{% blocktranslate trimmed with year=months.year %}Reimbursed sessions held per month in {{ year }}{% endblocktranslate %}</caption>
    <thead><tr><th scope="col">{% translate "Month" %}</th><th scope="col">{% translate "Reimbursed sessions" %}</th></tr></thead>
    <tbody>{% month_table_rows months %}</tbody>
  </table></div>
</section>
<section class="col-lg-6" aria-labelledby="chart-statuses-heading">
  <h2 id="chart-statuses-heading" class="h5">{% translate "Patients by pathway status" %}</h2>
  {% if statuses.total %}
  <figure class="chart">
    {% localize off %}<svg class="chart-svg" viewBox="0 0 {{ statuses.width }} {{ statuses.height }}" role="img" aria-labelledby="chart-statuses-title" focusable="false">
      <title id="chart-statuses-title">{% blocktranslate trimmed count total=statuses.total %}Share of {{ total }} patient by the status of the latest pathway{% plural %}Share of {{ total }} patients by the status of their latest pathway{% endblocktranslate %}</title>
      <defs>{# Each status has its own pattern, so the parts differ without colour too. #}
        <pattern id="chart-pattern-awaiting_evaluation" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="chart-status-awaiting_evaluation" width="6" height="6"/><line class="chart-hatch" x1="0" y1="0" x2="0" y2="6"/></pattern>
        <pattern id="chart-pattern-in_care" width="6" height="6" patternUnits="userSpaceOnUse"><rect class="chart-status-in_care" width="6" height="6"/></pattern>
        <pattern id="chart-pattern-excluded" width="6" height="6" patternUnits="userSpaceOnUse"><rect class="chart-status-excluded" width="6" height="6"/><circle class="chart-dot" cx="3" cy="3" r="1.3"/></pattern>
        <pattern id="chart-pattern-reoriented" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect class="chart-status-reoriented" width="6" height="6"/><line class="chart-hatch" x1="0" y1="0" x2="0" y2="6"/><line class="chart-hatch" x1="0" y1="0" x2="6" y2="0"/></pattern>
        <pattern id="chart-pattern-closed" width="6" height="6" patternUnits="userSpaceOnUse"><rect class="chart-status-closed" width="6" height="6"/><line class="chart-hatch" x1="0" y1="3" x2="6" y2="3"/></pattern>
      </defs>
      {% status_segments statuses %}
    </svg>{% endlocalize %}
    <figcaption>
      <ul class="chart-legend list-unstyled mb-1">{% status_legend_items statuses %}
      </ul>
      <span class="small text-body-secondary">{% translate "Each patient counts once, under the status of their latest pathway." %}</span>
    </figcaption>
  </figure>
  {% else %}<p class="text-muted">{% translate "No pathway yet." %}</p>{% endif %}
</section>
{% endwith %}
"""  # noqa: E501 (includes/charts/dashboard_charts.html, as it was)

OLD_TIMELINE = """{% load i18n l10n caseload %}{# A pathway's sessions against the calendar year (pathway/charts.py computes every coordinate). #}
{% if timeline.rows %}
<section class="mb-4" aria-labelledby="chart-timeline-heading">
  <h2 id="chart-timeline-heading" class="h5">{% translate "Sessions across the calendar year" %}</h2>
  <figure class="chart">
    {% localize off %}<svg class="chart-svg chart-timeline" viewBox="0 0 {{ timeline.width }} {{ timeline.height }}" role="img" aria-labelledby="chart-timeline-title" focusable="false">
      <title id="chart-timeline-title">{% blocktranslate trimmed with years=timeline.years|join:", " %}This pathway's sessions placed on the calendar year ({{ years }}); the annual cap resets on 1 January{% endblocktranslate %}</title>
      {% for row in timeline.rows %}{% timeline_row_svg row timeline %}{% endfor %}
    </svg>{% endlocalize %}
    <figcaption>
      <ul class="chart-legend list-unstyled mb-1">
        <li>{% legend_swatch "evaluation" %} {% translate "Evaluation" %}</li>
        <li>{% legend_swatch "followup" %} {% translate "Follow-up" %}</li>
        <li>{% legend_swatch "out_of_scheme" %} {% translate "Out of scheme (not counted)" %}</li>
        <li>{% legend_swatch "not_held" %} {% translate "Not held (cancelled or no-show, not counted)" %}</li>
      </ul>
      {% for row in timeline.rows %}<p class="small mb-1">{% timeline_row_caption row %}</p>{% endfor %}
      <p class="small text-body-secondary mb-0">{% translate "The annual cap counts the calendar year: it resets on 1 January." %}</p>
    </figcaption>
  </figure>
  {# Hidden through a wrapper: a table does not shrink to the 1 px of .visually-hidden and would widen a phone's page. #}
  <div class="visually-hidden"><table>
    <caption>{% translate "This pathway's sessions and their place under the annual cap" %}</caption>
    <thead><tr><th scope="col">{% translate "Date" %}</th><th scope="col">{% translate "Session" %}</th><th scope="col">{% translate "Status" %}</th><th scope="col">{% translate "Counted in the year" %}</th></tr></thead>
    <tbody>{% timeline_mark_rows timeline %}
    </tbody>
  </table></div>
</section>
{% endif %}
"""  # noqa: E501 (includes/charts/pathway_timeline.html, as it was)
OLD_SESSION_TABLE = """{% load i18n caseload %}{# Focusable, named region: on a phone the table scrolls sideways, and the keyboard must reach it. #}<div class="table-responsive" tabindex="0" role="region" aria-label="{% translate 'Sessions' %}">
<table class="table table-sm align-middle">
  <caption class="visually-hidden">{% translate "Sessions" %}</caption>
  <thead><tr>
    <th scope="col">{% translate "Date" %}</th><th scope="col">{% translate "Kind" %}</th><th scope="col">{% translate "Mode" %}</th>
    <th scope="col">{% translate "Status" %}</th><th scope="col">{% translate "Billing" %}</th><th scope="col">{% translate "Tariff and who pays" %}</th>
    {% if editable %}<th scope="col"><span class="visually-hidden">{% translate "Actions" %}</span></th>{% endif %}
  </tr></thead>
  <tbody>
  {% session_rows sessions editable %}{% if not sessions %}
    <tr><td colspan="7" class="text-muted">{% translate "No session yet." %}</td></tr>{% endif %}
  </tbody>
</table>
</div>
"""  # noqa: E501 (includes/session_table.html, as it was)
OLD_EVENT_LOG = """{% load i18n caseload %}<ol class="list-unstyled event-log">
{% history_items events %}{% if not events %}
  <li class="text-muted">{% translate "No event." %}</li>{% endif %}
</ol>
"""  # noqa: E501 (includes/event_log.html, as it was)


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def render(text, request=None, **context):
    return engines["django"].from_string(text).render(context, request)


def squeezed(html):
    """Markup without the template's line breaks and indentation (they show nothing between these tags)."""
    return re.sub(r"\s*\n\s*", "", html)


def test_the_main_menu_is_the_menu_base_html_drew_for_each_kind_of_user():
    for user in (PsychologistFactory.build(), GPFactory.build()):
        drawn = render("{% load page_sections %}{% main_menu user %}", user=user)
        assert drawn == squeezed(render(OLD_MENU, user=user))
    psychologist = render("{% load page_sections %}{% main_menu user %}", user=PsychologistFactory.build())
    assert ">Tableau de bord</a>" in psychologist and ">Journal d'accès</a>" in psychologist
    assert ">Mes adressages</a>" not in psychologist
    assert ">Mes adressages</a>" in render("{% load page_sections %}{% main_menu user %}", user=GPFactory.build())


@pytest.mark.parametrize("number", [1, 2, 3])
@pytest.mark.parametrize("query", ["", "?q=h%C3%A9l%C3%A8ne&page=2&tri=<x>"])
def test_the_pagination_is_the_include_s_markup_and_keeps_the_other_parameters(number, query):
    page = Paginator(range(60), 25).page(number)
    request = RequestFactory().get("/patients/" + query)
    for anchor in ("", "open"):
        drawn = render("{% load page_sections %}{% pagination page anchor %}", request, page=page, anchor=anchor)
        assert drawn == squeezed(render(OLD_PAGINATION, request, page=page, anchor=anchor))
    drawn = render("{% load page_sections %}{% pagination page %}", request, page=page)
    assert f"Page {number} sur 3" in drawn
    assert ("q=h%C3%A9l%C3%A8ne&amp;" in drawn) == bool(query) and "<x>" not in drawn
    single = Paginator(range(3), 25).page(1)
    assert render("{% load page_sections %}{% pagination page %}", request, page=single) == ""


def dashboard_charts_cases():
    today = date(2026, 11, 23)
    yield charts.dashboard_charts_of(({}, {}), today)  # nothing yet
    yield charts.dashboard_charts_of(({1: 1}, {"in_care": 1}), today)  # one of each: the singulars
    yield charts.dashboard_charts_of(({1: 1234, 3: 7, 11: 3}, {"awaiting_evaluation": 3, "in_care": 20,
                                                                "reoriented": 1, "closed": 9}), today)


def test_the_dashboard_charts_are_the_include_s_markup():
    request = RequestFactory().get("/")
    for drawn_charts in dashboard_charts_cases():
        drawn = render("{% load page_sections %}{% dashboard_charts charts %}", request, charts=drawn_charts)
        assert drawn == squeezed(render(OLD_DASHBOARD_CHARTS, request, charts=drawn_charts))
    first, single, many = (render("{% load page_sections %}{% dashboard_charts charts %}", request, charts=c)
                           for c in dashboard_charts_cases())
    assert "Aucun parcours pour le moment." in first and "<svg" in first  # the months' chart, even empty
    assert "1 séance remboursée tenue en 2026, par mois" in single
    assert "1244 séances remboursées tenues cette année." in many
    assert "Répartition de 33 patients selon le statut de leur dernier parcours" in many
    assert "novembre 2026 (mois en cours)" in many and 'x="' in many and not re.search(r'[xy]="\d+,\d', many)



def test_the_pathway_timeline_is_the_include_s_markup():
    from tests.pathway.test_caseload_tags import timelines

    drawn_any = False
    for timeline in (*timelines(), charts.pathway_timeline([], date(2026, 11, 23), 0, False)):
        drawn = render("{% load page_sections %}{% pathway_timeline timeline %}", timeline=timeline)
        assert drawn == squeezed(render(OLD_TIMELINE, timeline=timeline))
        drawn_any |= "Séances de ce parcours placées sur l’année civile (2025, 2026)" in drawn
    assert drawn_any
    assert render("{% load page_sections %}{% pathway_timeline timeline %}",
                  timeline=charts.pathway_timeline([], date(2026, 11, 23), 0, False)) == ""


@pytest.mark.django_db
def test_the_session_table_and_the_history_are_the_includes_markup(psychologist):
    session = CareSessionFactory(pathway__patient=PatientFactory(psychologist=psychologist))
    sessions = [session, CareSessionFactory(pathway=session.pathway, status=SessionStatus.CANCELLED)]
    request = RequestFactory().get("/")
    for rows in (sessions, []):
        for editable in (True, False):
            drawn = render("{% load page_sections %}{% session_table sessions editable %}", request,
                           sessions=rows, editable=editable)
            assert drawn == squeezed(render(OLD_SESSION_TABLE, request, sessions=rows, editable=editable))
    event = PathwayEvent.objects.create(pathway=session.pathway, actor=psychologist,
                                        action=PathwayEvent.Action.SESSION_RECORDED, details="<b>détail</b>")
    for events in ([event], []):
        drawn = render("{% load page_sections %}{% event_log events %}", events=events)
        assert drawn == squeezed(render(OLD_EVENT_LOG, events=events))
    assert "&lt;b&gt;détail&lt;/b&gt;" in render("{% load page_sections %}{% event_log events %}", events=[event])
    assert "Aucune séance" in render("{% load page_sections %}{% session_table sessions True %}", sessions=[])

"""The page sections drawn in Python (pathway/templatetags/page_sections.py): the markup they replace."""

import re
from datetime import date

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from pathway import charts
from tests.factories import GPFactory, PsychologistFactory

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


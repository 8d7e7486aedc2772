"""The caseload pages' widgets drawn in Python: the same output as the template markup they replace."""

import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from pathway import charts
from pathway.forms import SessionForm
from tests.auth import log_in
from tests.factories import CareSessionFactory


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

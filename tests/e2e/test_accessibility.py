"""What axe-core cannot judge alone: the keyboard, errors tied to their field, meaning without colour.

Also proves the page checks themselves fail where they should (an axe violation, a page wider
than the phone), so that their silence on the app's pages means something.
"""

import pytest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from playwright.sync_api import expect

from pathway.models import CareSession, PathwayStatus, SessionKind
from tests.factories import CareSessionFactory, PathwayFactory, PatientFactory

from .browser import AxeResults, PageChecks
from .forms import button, field
from .login import log_in

browser_test = pytest.mark.django_db(transaction=True)  # the live server reads what the test writes

SESSION_FIELDS = ["Type", "Date", "Modalité", "Durée (minutes)", "Statut", "Facturation",
                  "Honoraires hors dispositif (€)", "Note privée", "Risque suicidaire ou urgence repérés : orientation"]


def pathway_in_care(psychologist):
    today = timezone.localdate()
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=today)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=today)
    return pathway


def is_focused(locator):
    return locator.evaluate("element => element === document.activeElement")


def tab_until(page, locator, limit=40):
    for _press in range(limit):
        page.keyboard.press("Tab")
        if is_focused(locator):
            return
    raise AssertionError(f"{locator} never got the focus in {limit} presses of Tab")


@browser_test
def test_the_session_form_is_filled_and_sent_with_the_keyboard_alone(open_page, psy, live_server, width):
    pathway = pathway_in_care(psy)
    page, checks = open_page(width)
    log_in(page, live_server.url, psy)
    page.goto(f"/parcours/{pathway.pk}/seances/nouvelle/")
    checks.arrive("session form")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    page.keyboard.press("Enter")  # the skip link: the next Tab lands in the page's content, past the menu
    tab_until(page, field(page, SESSION_FIELDS[0]), limit=5)
    for label in SESSION_FIELDS[1:]:  # each field in the order it is read
        page.keyboard.press("Tab")
        expect(field(page, label)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(field(page, "Note privée")).to_be_focused()
    page.keyboard.type("Séance tenue au clavier.")
    for _label in range(4):  # back past the fee, the billing and the status
        page.keyboard.press("Shift+Tab")
    expect(field(page, "Durée (minutes)")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("50")
    tab_until(page, button(page, "Enregistrer"), limit=6)
    page.keyboard.press("Space")

    expect(page.get_by_role("status").filter(has_text="Séance enregistrée.")).to_be_visible()
    session = CareSession.objects.get(pathway=pathway, kind=SessionKind.FOLLOWUP)
    assert (session.duration_minutes, session.private_note) == (50, "Séance tenue au clavier.")


@browser_test
def test_an_error_is_read_with_its_field(open_page, psy, live_server, width):
    page, checks = open_page(width)
    log_in(page, live_server.url, psy)
    page.goto("/patients/nouveau/")
    field(page, "Prénom").fill("Zoé")
    field(page, "Date de naissance").fill("05/06/45")
    button(page, "Enregistrer").click()
    checks.arrive("patient form with errors")

    last_name = field(page, "Nom")
    expect(last_name).to_have_attribute("aria-invalid", "true")
    expect(last_name).to_have_accessible_description("Ce champ est obligatoire.")
    birth_date = field(page, "Date de naissance")
    expect(birth_date).to_have_accessible_description("Saisissez une date valide.")
    expect(birth_date).to_have_value("05/06/45")  # the input is kept, next to its message
    expect(field(page, "Prénom")).not_to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("used, words", [(3, "3 / 12 cette année"), (10, "10 / 12 cette année — proche du plafond"),
                                         (12, "12 / 12 cette année — plafond atteint")])
def test_the_cap_meter_says_in_words_what_its_colour_says(used, words):
    html = render_to_string("includes/cap_meter.html", {"used": used, "cap": 12, "warn": 10})
    assert f">{words}</span>" in html
    assert 'role="meter"' in html
    assert f'aria-valuemin="0" aria-valuemax="12" aria-valuenow="{used}" aria-valuetext="{words}"' in html
    assert 'aria-label="Séances remboursées utilisées cette année civile' in html


@pytest.mark.parametrize("status", PathwayStatus)
def test_a_status_badge_says_the_status_in_words(status):
    html = render_to_string("includes/status_badge.html", {"status": status.value, "label": status.label})
    assert f">{escape(status.label)}</span>" in html


@browser_test
def test_the_checks_fail_on_a_serious_violation_and_on_a_page_wider_than_the_phone(open_page, screenshots):
    page, _checks = open_page("phone")
    checks = PageChecks(page, "phone", AxeResults(), screenshots)  # kept out of the run's report
    page.set_content('<html lang="fr"><title>t</title><main><img src="x.png"><div style="width:600px">x</div></main>')
    with pytest.raises(AssertionError, match=r"\d+ px wide in a 390 px window"):
        checks.assert_no_sideways_scroll("test page")
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        checks.assert_accessible("test page")

"""The demo caseload's busiest pages, at both widths: long tables, every status, issued documents.

The journeys start from an empty caseload; here ~40 patients fill the lists, so that a table too
wide for a phone or a badge without enough contrast shows up. The README's screenshots are taken
here (`make screenshots` writes them into docs/).
"""

import pytest
from django.core.management import call_command
from django.db.models import Count
from playwright.sync_api import expect

from accounts.models import User
from documents.models import Document, DocumentKind
from pathway.demo_caseload import PASSWORD, USERNAME
from pathway.models import Pathway, PathwayStatus

from .browser import VIEWPORTS
from .forms import menu
from .login import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def busiest_pathway(psychologist):
    return (Pathway.objects.filter(psychologist=psychologist, status=PathwayStatus.IN_CARE)
            .annotate(held=Count("sessions")).order_by("-held", "opened_on").first())


def test_the_demo_caseload_pages_at_both_widths(open_page, live_server, screenshots):
    call_command("load_demo", verbosity=0)
    demo = User.objects.get(username=USERNAME)
    pathway = busiest_pathway(demo)
    report = Document.objects.filter(psychologist=demo, kind=DocumentKind.END_OF_CARE,
                                     issued_at__isnull=False).order_by("issued_at").first()
    pages = [
        ("demo dashboard", "/tableau-de-bord/"),
        ("demo patient list", "/patients/"),
        ("demo patient", f"/patients/{pathway.patient_id}/"),
        ("demo pathway", f"/parcours/{pathway.pk}/"),
        ("demo end-of-care report", f"/documents/{report.pk}/"),
        ("demo end-of-care report print page", f"/documents/{report.pk}/imprimer/"),
        ("demo referral inbox", "/adressages/"),
        ("demo scheme rules", "/regles/"),
    ]
    readme = {"demo dashboard": "dashboard", "demo pathway": "pathway",
              "demo end-of-care report print page": "end-of-care-report"}
    for width in VIEWPORTS:
        page, checks = open_page(width)
        log_in(page, live_server.url, demo, password=PASSWORD)
        for name, path in pages:
            page.goto(path)
            expect(page).to_have_url(f"{live_server.url}{path}")  # the page itself, not a login page instead
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            checks.arrive(name, screenshot=name in readme)
            if width == "desktop" and name in readme:
                screenshots.save_for_readme(page, readme[name])
        menu(page, "Patients").click()  # the folded menu opens on a phone and leads where it says
        expect(page.get_by_role("heading", level=1)).to_have_text("Patients")

"""The Content-Security-Policy as the browser enforces it: no page of the app breaks it.

The other journeys open their pages with `bypass_csp` (axe-core is injected into them), so they
cannot see a violation. Here Chromium enforces the app's own header: an inline script or style, or
a resource from elsewhere, would be refused and reported on the console, which the test reads.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from documents.models import Document, DocumentKind
from pathway.demo_caseload import PASSWORD, USERNAME
from pathway.models import Pathway, PathwayStatus
from referrals.models import ReferralLink

from .browser import VIEWPORTS
from .forms import menu
from .login import log_in

pytestmark = pytest.mark.django_db(transaction=True)

VIOLATION = "Content Security Policy"  # in each of Chromium's console messages for a refused resource


def enforcing_page(browser, live_server, width="desktop"):
    """A page whose browser applies the app's CSP, and the console messages that report a violation."""
    context = browser.new_context(viewport=VIEWPORTS[width], locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if VIOLATION in message.text else None)
    return context, page, violations


def demo_pages(demo):
    pathway = Pathway.objects.filter(psychologist=demo, status=PathwayStatus.IN_CARE).order_by("opened_on").first()
    report = Document.objects.filter(psychologist=demo, kind=DocumentKind.END_OF_CARE,
                                     issued_at__isnull=False).order_by("issued_at").first()
    return [
        reverse("pathway:dashboard"), reverse("pathway:patient_list"), reverse("pathway:patient_create"),
        reverse("pathway:patient_detail", args=[pathway.patient_id]), reverse("pathway:detail", args=[pathway.pk]),
        reverse("pathway:session_record", args=[pathway.pk]), reverse("documents:detail", args=[report.pk]),
        reverse("documents:print", args=[report.pk]), reverse("referrals:inbox"), reverse("privacy:journal"),
        reverse("pathway:rules"),
    ]


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_no_page_of_the_app_breaks_its_content_security_policy(browser, live_server, width):
    call_command("load_demo", verbosity=0)
    demo = User.objects.get(username=USERNAME)
    link = ReferralLink.objects.filter(psychologist=demo, revoked_at__isnull=True).first()
    context, page, violations = enforcing_page(browser, live_server, width)
    try:
        page.goto(reverse("referrals:refer", args=[link.token]))  # the public form and its script
        page.get_by_role("heading", level=1).first.wait_for()
        log_in(page, live_server.url, demo, password=PASSWORD)
        for path in demo_pages(demo):
            response = page.goto(path)
            assert response.status == 200, path
            assert "default-src 'self'" in response.headers["content-security-policy"]
            page.get_by_role("heading", level=1).first.wait_for()
            if "imprimer" not in path:  # the print page has no menu
                menu(page, "Patients")  # on a phone, Bootstrap's script unfolds the menu
        assert violations == []
    finally:
        context.close()


def test_the_console_would_report_an_inline_script_under_the_apps_policy(browser, live_server):
    """The check above can fail: the app's own header on a page with an inline script and style."""
    context, page, violations = enforcing_page(browser, live_server)
    try:
        policy = page.goto(reverse("accounts:login")).headers["content-security-policy"]
        page.route("**/csp-control/", lambda route: route.fulfill(
            status=200, content_type="text/html", headers={"Content-Security-Policy": policy},
            body="<!doctype html><title>x</title><script>document.title = 'ran'</script>"
                 "<p style='color: red'>x</p>"))
        page.goto("/csp-control/")
        page.wait_for_timeout(200)
        assert page.title() == "x"  # the inline script did not run
        assert len(violations) == 2, violations  # the script and the style attribute, each reported
    finally:
        context.close()

"""Real-browser journeys: Debian's Chromium driven by Playwright against Django's live server.

One browser for the package; each test gets fresh browser contexts (cookies, storage) at the
width it is parametrised with. Pictures go to E2E_ARTIFACTS_DIR (default: pytest's temporary
folder); `make screenshots` also writes the README's three into docs/ (README_SCREENSHOTS_DIR).
"""

import os

import pytest
from playwright.sync_api import sync_playwright

from .browser import VIEWPORTS, AxeResults, PageChecks, Screenshots
from .login import two_factor_device

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE_RESULTS = AxeResults()


@pytest.fixture(scope="package", autouse=True)
def async_unsafe_allowed():
    """The test thread calls the ORM while Playwright's sync API keeps an event loop in that thread:
    Django refuses that unless told it is safe (it is: the loop never runs our code concurrently).
    Set before the browser and the live server start, and only for this package's tests."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(async_unsafe_allowed):
    """One browser for all the journeys, closed once they are done (so is its event loop)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory):
    folder = os.environ.get("E2E_ARTIFACTS_DIR") or tmp_path_factory.mktemp("e2e-screenshots")
    return Screenshots(folder, readme_folder=os.environ.get("README_SCREENSHOTS_DIR"))


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def width(request):
    """Every journey runs on a desktop screen and on a phone (390 x 844)."""
    return request.param


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed  # read by open_page's teardown
    return report


@pytest.fixture
def open_page(request, browser, live_server, screenshots):
    """A page in a fresh context at the given width, and the checks to run on each page it reaches.
    When the test fails, each page's last state is saved as a picture beside the others."""
    contexts = []

    def open_page(width_name):
        # bypass_csp: axe-core is injected into pages whose Content-Security-Policy forbids it.
        # reduced_motion: Bootstrap then opens the folded menu at once, without an animation to wait for.
        context = browser.new_context(viewport=VIEWPORTS[width_name], bypass_csp=True, locale="fr-FR",
                                      timezone_id="Europe/Paris", reduced_motion="reduce",
                                      base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        return page, PageChecks(page, width_name, AXE_RESULTS, screenshots)

    yield open_page
    for number, context in enumerate(contexts):
        if getattr(request.node, "e2e_failed", False):
            for page in context.pages:
                screenshots.save(page, f"FAILED {request.node.name} {number}", "last")
        context.close()


@pytest.fixture
def psy(psychologist):
    """The psychologist of tests/conftest.py, with what a login asks of her (a two-factor device)."""
    psychologist.practice_address = "12 quai Saint-Vincent, 69001 Lyon"
    psychologist.save(update_fields=["practice_address"])
    two_factor_device(psychologist)
    return psychologist


def pytest_terminal_summary(terminalreporter):
    if not AXE_RESULTS.pages:
        return
    terminalreporter.section("axe-core: violations per page and width (none serious or critical allowed)")
    for line in AXE_RESULTS.summary_lines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"totals: {AXE_RESULTS.totals()}")
    report = os.environ.get("E2E_AXE_REPORT")
    if report:
        AXE_RESULTS.write(report)
        terminalreporter.write_line(f"written to {report}")

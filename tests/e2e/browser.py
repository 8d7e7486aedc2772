"""What every browser journey does on each page it reaches: check it, and keep a picture of it.

`PageChecks.arrive(name)` is called once a page has loaded: the page must not scroll sideways at
the test's width, and axe-core must find nothing serious or critical on it (each page name is
checked once per width and run: a name stands for a page in one state). Pictures of the pages a
test asks for are saved for people to look at (see conftest.py for where).
"""

import json
from collections import Counter
from pathlib import Path

from django.conf import settings
from playwright.sync_api import expect

AXE_SCRIPT = settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
IMPACTS = ("critical", "serious", "moderate", "minor")

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}


# Run only when a page scrolls sideways: the elements whose hiding ends it, the innermost last.
WIDEST_ELEMENTS = """() => {
    const culprits = [];
    for (const element of document.querySelectorAll("body *")) {
        const display = element.style.display;
        element.style.display = "none";
        if (document.documentElement.scrollWidth <= window.innerWidth) {
            culprits.push(`${element.tagName.toLowerCase()}.${[...element.classList].join(".")} `
                          + `"${element.textContent.trim().slice(0, 40)}"`);
        }
        element.style.display = display;
    }
    return culprits.slice(-3);
}"""


class AxeResults:
    """Every page's axe results of the run, by page and width, for the summary and the JSON report."""

    def __init__(self):
        self.pages = {}

    def has(self, name, width):
        return width in self.pages.get(name, {})

    def add(self, name, width, violations):
        self.pages.setdefault(name, {})[width] = {
            "counts": dict(Counter(v["impact"] or "minor" for v in violations)),
            "rules": sorted({f'{v["id"]} ({v["impact"]}, {len(v["nodes"])})' for v in violations}),
        }

    def totals(self):
        totals = Counter()
        for widths in self.pages.values():
            for result in widths.values():
                totals.update(result["counts"])
        return {impact: totals.get(impact, 0) for impact in IMPACTS}

    def write(self, path):
        Path(path).write_text(json.dumps({"totals": self.totals(), "pages": self.pages}, indent=2,
                                         ensure_ascii=False, sort_keys=True))

    def summary_lines(self):
        lines = [f"{'page':32} {'width':8} " + " ".join(f"{i:>8}" for i in IMPACTS) + "  rules"]
        for name in sorted(self.pages):
            for width, result in sorted(self.pages[name].items()):
                counts = " ".join(f"{result['counts'].get(i, 0):>8}" for i in IMPACTS)
                lines.append(f"{name:32} {width:8} {counts}  {', '.join(result['rules'])}")
        return lines


def axe_violations(page):
    """Run axe-core in the page (injected: the app serves no test script) and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    # The scheme's target is RGAA 4.1, i.e. WCAG 2.1 AA; axe's best practices are reported too.
    return page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ["violations"]});
        return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
        }));
    }""")


def describe(violations):
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n" + "\n".join(f"    {n['target']}: {n['summary']}"
                                                               for n in v["nodes"][:5])
        for v in violations
    )


class Screenshots:
    """PNGs of the main pages: every width into the run's folder; the README's three, when asked, into docs/."""

    def __init__(self, folder, readme_folder=None):
        self.folder = Path(folder)
        self.readme_folder = Path(readme_folder) if readme_folder else None
        self.folder.mkdir(parents=True, exist_ok=True)

    def save(self, page, name, width_name):
        page.screenshot(path=self.folder / f"{name.replace(' ', '-')}-{width_name}.png", full_page=True)

    def save_for_readme(self, page, name):
        """The visible part of the window only (1280 x 800), kept small for the repository."""
        if self.readme_folder:
            self.readme_folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=self.readme_folder / f"{name}.png")


class PageChecks:
    """The checks of one test at one width."""

    def __init__(self, page, width_name, results, screenshots):
        self.page = page
        self.width_name = width_name
        self.results = results
        self.screenshots = screenshots

    def arrive(self, name, *, screenshot=False):
        self.page.wait_for_load_state("load")
        self.assert_no_sideways_scroll(name)
        if not self.results.has(name, self.width_name):
            self.assert_accessible(name)
        if screenshot:
            self.screenshots.save(self.page, name, self.width_name)

    def assert_no_sideways_scroll(self, name):
        widths = self.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (
            f"{name} at {self.width_name}: the page is {widths[0]} px wide in a {widths[1]} px window "
            f"({self.page.url}); past the edge: {self.page.evaluate(WIDEST_ELEMENTS)}"
        )

    def assert_accessible(self, name):
        violations = axe_violations(self.page)
        self.results.add(name, self.width_name, violations)
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe-core on {name} at {self.width_name} ({self.page.url}):\n{describe(blocking)}"

    def expect_visible(self, *locators):
        """The page's main actions are on screen (not hidden by the layout) at this width."""
        for locator in locators:
            expect(locator).to_be_visible()

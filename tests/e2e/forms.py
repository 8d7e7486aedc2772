"""Finding a form's fields as a person does: by the label they read (the "*" of a required field aside)."""

from playwright.sync_api import expect


def field(scope, label):
    """The field whose label is exactly `label`, with or without the mark of a required field."""
    return scope.get_by_label(label, exact=True).or_(scope.get_by_label(f"{label}*", exact=True))


def button(scope, name):
    return scope.get_by_role("button", name=name, exact=True)


def link(scope, name):
    return scope.get_by_role("link", name=name, exact=True)


def menu(page, name):
    """A link of the main menu, unfolding the menu first where it is folded (on a phone)."""
    toggler = page.get_by_role("button", name="Ouvrir le menu")
    if toggler.is_visible():
        toggler.click()
        expect(toggler).to_have_attribute("aria-expanded", "true")
    entry = page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=name, exact=True)
    entry.wait_for(state="visible")
    return entry

"""Hostile text in every free-text column of the project is shown as text, never run.

Every CharField and TextField of the project's models (those without fixed choices) gets a payload:
a script, an image with an error handler, template syntax, a `javascript:` URL, each with a marker
naming the field. Then every page of the world is read as HTML (no script, handler or `javascript:`
link came from the text) and the PDFs are read back (the payload is literal text, nothing fetched).
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.test import Client
from django.urls import reverse

from documents import pdf
from documents import services as documents
from referrals.views import SENT_SESSION_KEY
from tests.auth import log_in

from .pages import body_of, text_of, visit
from .urlwalk import entries
from .world import YEAR, build_world

pytestmark = pytest.mark.django_db

# Columns that hold no one's typing: hashes, generated codes and our own rendered HTML.
NOT_FREE_TEXT = {
    "accounts.User.password": "a password hash",
    "accounts.RecoveryCode.code_hash": "a hash",
    "pathway.Patient.search_name": "folded from the names by save(), never shown",
    "referrals.ReferralLink.token": "generated, URL-safe (its converter refuses anything else)",
    "referrals.Referral.reference": "generated (its converter refuses anything else)",
    "referrals.Referral.sender_fingerprint": "a keyed hash",
    "documents.Document.issued_html": "our rendering of the escaped fields, made at issue (issued below)",
    "integrity.Submission.key": "a hash of the request",
    "integrity.Submission.location": "the redirect our own view answered",
    "integrity.Submission.origin_session": "a hash of the session cookie",
    "integrity.Submission.session_key": "a session key made by Django",
}
PROJECT_DIR = str(settings.BASE_DIR)


def marker(index):
    return f"Zx{index:02d}q"


def payload(mark, max_length):
    """The most hostile payload that fits the column, each carrying the field's marker."""
    candidates = (
        f'<script>alert("{mark}")</script>"><img src=x onerror=alert("{mark}")>{{{{ 7*7 }}}}{{% now "Y" %}}'
        f' javascript:alert("{mark}")',
        f'<script>alert("{mark}")</script>',
        f'"><img src=x onerror={mark}>',
        f"<i>{mark}",
    )
    return next(text for text in candidates if max_length is None or len(text) <= max_length)


def free_text_fields():
    """'app.Model.field' -> field, for every free-text column of the project's own models."""
    found = {}
    for model in apps.get_models():
        if not model.__module__ or not is_project_model(model):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) and not field.choices:
                found[f"{model._meta.app_label}.{model.__name__}.{field.name}"] = field
    return found


def is_project_model(model):
    path = apps.get_app_config(model._meta.app_label).path
    return path.startswith(PROJECT_DIR) and ".venv" not in Path(path).parts


def payloads():
    names = sorted(name for name in free_text_fields() if name not in NOT_FREE_TEXT)
    return {name: payload(marker(index), free_text_fields()[name].max_length) for index, name in enumerate(names)}


def inject(model, values):
    """Every row of the model gets the payloads; an append-only table gets a new row carrying them."""
    rows = list(model.objects.all())
    if not rows:
        return False
    try:
        with transaction.atomic():
            for index, row in enumerate(rows):
                model.objects.filter(pk=row.pk).update(**unique_per_row(model, values, index))
    except (DatabaseError, ValidationError):  # append-only: its update() or a trigger refuses
        row = rows[0]
        row.pk = None
        row._state.adding = True
        for name, value in values.items():
            setattr(row, name, value)
        with transaction.atomic():
            row.save()
    return True


def unique_per_row(model, values, index):
    """A unique column (a username) takes the payload and the row's number."""
    changed = dict(values)
    for name, text in values.items():
        field = model._meta.get_field(name)
        if field.unique:
            suffix = f"-{index}"
            changed[name] = text[:(field.max_length or len(text) + 9) - len(suffix)] + suffix
    return changed


def inject_everywhere():
    by_model, uncovered = {}, []
    for name, text in payloads().items():
        label, field = name.rsplit(".", 1)
        by_model.setdefault(label, {})[field] = text
    for label, values in by_model.items():
        if not inject(apps.get_model(label), values):
            uncovered.append(label)
    return uncovered


@pytest.fixture
def world(psychologist, other_psychologist):
    world = build_world(psychologist, other_psychologist)
    owner = log_in(Client(), psychologist)
    # A few reads, so that tables written on a read (the access journal) have rows to carry payloads.
    owner.get(reverse("pathway:patient_detail", args=[world.objects["adult"].pk]))
    world.uncovered = inject_everywhere()
    for instance in world.objects.values():
        if hasattr(instance, "refresh_from_db"):
            instance.refresh_from_db()
    # Issued after the payloads went in: the frozen text of these documents carries them.
    world.objects["alert"] = documents.document_issue(world.objects["alert"], psychologist)
    world.objects["correction"] = documents.document_correct(world.objects["report"], psychologist)
    return world


class HostileMarkup(HTMLParser):
    """Whatever in a page could run: scripts, handlers, `javascript:` URLs, images from typed text."""

    def __init__(self):
        super().__init__()
        self.problems, self.script = [], None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and attributes.get("src") == "x":
            self.problems.append("<img src=x>")
        if tag == "script":
            self.script = attributes.get("type") or "text/javascript"

    def handle_endtag(self, tag):
        if tag == "script":
            self.script = None

    def handle_data(self, data):
        if self.script is None:
            return
        if "json" in self.script:
            if "<" in data:
                self.problems.append(f"raw '<' in a JSON script: {data[:80]!r}")
        elif re.search(r"Zx\d\dq|alert\(", data):
            self.problems.append(f"typed text in a script: {data[:80]!r}")


def hostile_markup(response):
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    parser = HostileMarkup()
    parser.feed(body_of(response).decode("utf-8", errors="replace"))
    return parser.problems


def owner_pages(world):
    """Every page of the app filled with the owner's ids (the admin and the logout aside)."""
    urls = []
    for entry in entries():
        if entry.namespace == "admin" or entry.label in ("accounts:logout", "accounts:logout_everywhere"):
            continue
        values = {name: world.values(name)[:3] for name in entry.kwargs}
        combos = [dict(zip(values, combo, strict=True)) for combo in zip(*values.values(), strict=False)]
        urls += [entry.path(combo) for combo in combos] if entry.kwargs else [entry.path({})]
    return urls


def sender_client(world):
    """The browser that sent the pending referral may read its printable letter."""
    client = Client()
    session = client.session
    session[SENT_SESSION_KEY] = [str(world.objects["pending_referral"].pk)]
    session.save()
    return client


def read_everything(world):
    owner = log_in(Client(), world.owner)
    # The PDFs are read on their own below: drawing each of them here would only repeat that, slowly.
    pages = visit(owner, owner_pages(world), limit=400, skip=lambda url: url.endswith("/pdf/"))
    pending = world.objects["pending_referral"]
    letter = reverse("referrals:letter", args=[pending.link.token, pending.reference])
    pages += visit(sender_client(world), [letter, reverse("referrals:refer", args=[pending.link.token])])
    pages += visit(log_in(Client(), world.gp_sender), [reverse("referrals:gp_portal")])
    pages += visit(log_in(Client(), world.gp_released), [reverse("referrals:gp_portal")])
    return pages


def test_every_free_text_column_is_covered(world):
    assert not world.uncovered, f"Models with free text but no row in the security world: {world.uncovered}"
    assert set(NOT_FREE_TEXT) <= set(free_text_fields()), "A column listed as not free text no longer exists"


def test_no_page_runs_what_was_typed(world, capsys):
    pages = read_everything(world)
    problems = [f"{url}: {problem}" for url, response in pages for problem in hostile_markup(response)]
    assert not problems, problems[:20]
    raw = [(url, name) for url, response in pages for name, text in payloads().items()
           if response.get("Content-Type", "").startswith("text/html") and text.encode() in body_of(response)]
    assert not raw, raw[:20]
    shown = {name for name, text in payloads().items()
             if any(re.search(re.escape(marker_of(text)), text_of(r), re.I) for _, r in pages)}
    with capsys.disabled():
        print(f"\n[escaping] {len(payloads())} free-text columns filled, {len(pages)} pages read, "
              f"{len(shown)} columns shown somewhere; never shown: {sorted(set(payloads()) - shown)}")
    assert {"pathway.Patient.last_name", "pathway.CareSession.private_note", "documents.Document.body",
            "referrals.Referral.reason", "accounts.User.last_name"} <= shown


def marker_of(text):
    return re.search(r"Zx\d\dq", text).group(0)


def test_template_syntax_typed_in_a_field_is_shown_as_typed(world):
    page = log_in(Client(), world.owner).get(reverse("pathway:patient_detail", args=[world.objects["adult"].pk]))
    text = text_of(page)
    assert '{{ 7*7 }}{% now "y" %}' in text
    assert 'javascript:alert("zx' in text


@pytest.fixture
def fetched(monkeypatch):
    urls = []
    real_fetch = pdf.StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        urls.append(url)
        return real_fetch(self, url, headers)

    monkeypatch.setattr(pdf.StaticFilesFetcher, "fetch", spy)
    return urls


def pdf_text(response):
    return " ".join(text_of(response).split())


@pytest.mark.parametrize("name", ["alert", "correction"])
def test_a_document_pdf_prints_the_payload_as_text_and_fetches_nothing_of_it(world, fetched, name):
    response = log_in(Client(), world.owner).get(reverse("documents:pdf", args=[world.objects[name].pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response)
    body = payloads()["documents.Document.body" if name == "alert" else "documents.Document.evolution"]
    assert " ".join(body.casefold().split()) in text
    assert all(url.startswith("http://testserver/static/") for url in fetched), fetched


def test_the_statement_pdf_prints_the_payload_as_text_and_fetches_nothing_of_it(world, fetched):
    url = reverse("documents:statement_pdf", args=[world.objects["adult"].pk, YEAR])
    text = pdf_text(log_in(Client(), world.owner).get(url))
    assert payloads()["pathway.Patient.last_name"].casefold().upper().casefold() in text or \
        payloads()["pathway.Patient.first_name"].casefold() in text
    assert all(url.startswith("http://testserver/static/") for url in fetched), fetched

"""Nobody sees what is not theirs: every URL of the project, filled with a first psychologist's ids,
asked by everyone else; then every page the others can reach, searched for the first one's data.
"""

import functools
import itertools
import uuid

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pathway.models import Patient
from tests.auth import log_in

from .pages import text_of, visit
from .urlwalk import entries
from .world import KWARG_SOURCES, build_stranger_world, build_world, staff_without_permissions

pytestmark = pytest.mark.django_db

# The admin's own keywords: a stranger never gets past its login, whatever the id.
ADMIN_SOURCES = {
    "object_id": lambda w: [w.owner.pk, w.objects["adult"].pk],
    "id": lambda w: [w.owner.pk],
    "pk": lambda w: [w.owner.pk, 1],
    "content_type_id": lambda w: [ContentType.objects.get_for_model(Patient).pk],
    "app_label": lambda w: ["accounts", "auth"],
    "url": lambda w: [f"pathway/patient/{w.objects['adult'].pk}/change/"],
}
# Ids that exist nowhere: a stranger's answer for the owner's id must be the same as for these.
NOWHERE = {
    "patient_id": uuid.UUID(int=1), "pathway_id": uuid.UUID(int=2), "session_id": uuid.UUID(int=3),
    "document_id": uuid.UUID(int=4), "referral_id": uuid.UUID(int=5), "token": "Z" * 32,
    "reference": "ADR-ZZZZ-ZZZZ", "kind": "alert", "year": timezone.localdate().year - 1,
}
# The referral form is the public door: anyone holding a live link may open it (it shows nothing stored).
PUBLIC = {"referrals:refer"}
# A POST that would do something on any form of the app, had the lookup let the stranger through.
POSTED = {
    "last_name": "Intrus", "first_name": "X", "birth_date": "01/01/1990", "sex": "F", "private_note": "intrus",
    "reason": "completed", "closed_on": "01/02/2026", "orientation": "x", "decline_reason": "other",
    "note": "x", "evolution": "x", "body": "x", "given_on": "01/02/2026", "given_by": "patient",
    "given_by_names": "x", "channel": "post", "target": "new", "opened_on": "01/02/2026", "entry_mode": "direct",
    "date": "01/02/2026", "kind": "followup", "mode": "in_person", "duration_minutes": "45", "status": "held",
    "billing": "reimbursed", "planned_followups": "3", "year": "2026", "count": "1", "source": "x",
    "declared_on": "01/02/2026",
}
DATA_APPS = ("accounts", "pathway", "referrals", "documents")


@pytest.fixture
def world(psychologist, other_psychologist):
    return build_world(psychologist, other_psychologist)


def sources():
    return KWARG_SOURCES | ADMIN_SOURCES


def object_urls(world, entry):
    """The entry filled with every combination of the owner's ids for its keywords."""
    values = [sources()[name](world) for name in entry.kwargs]
    return [entry.path(dict(zip(entry.kwargs, combination, strict=True)))
            for combination in itertools.product(*values)]


def object_entries():
    return [entry for entry in entries() if entry.kwargs]


def client_of(user):
    client = Client()
    return log_in(client, user) if user else client


def stored_rows():
    """Every row of the app's data, whole: a refused request must leave all of it as it was."""
    return {model.__name__: list(model.objects.order_by("pk").values())
            for app in DATA_APPS for model in apps.get_app_config(app).get_models()}


def answer(response):
    return response.status_code, response.get("Location")


def is_login_redirect(response, entry):
    login = reverse("admin:login" if entry.namespace == "admin" else "accounts:login")
    return response.status_code == 302 and response["Location"].startswith(login + "?next=")


def request(client, method, url):
    return getattr(client, method)(url, POSTED if method == "post" else None)


def check_refusal(client, user, entry, url, method, nowhere):
    """None if the request was refused as it should be, else what went wrong."""
    response = request(client, method, url)
    if entry.label in PUBLIC:
        return None if response.status_code in (200, 404) else f"{response.status_code} on the public form"
    if entry.namespace == "admin" or user is None:
        if is_login_redirect(response, entry):
            return None
    if entry.namespace != "admin":
        # 404, or a refusal given before any lookup (the same for an id that exists nowhere).
        if answer(response) == nowhere(client, method, entry) and response.status_code in (302, 404, 405):
            if response.status_code != 302 or user is None:
                return None
    return f"answered {answer(response)}"


def crawl(world, users):
    problems, counts = [], {"urls": 0, "requests": 0, "refused": 0}

    @functools.cache
    def nowhere(client, method, entry):
        return answer(request(client, method, entry.path(NOWHERE)))

    for entry in object_entries():
        for url in object_urls(world, entry):
            counts["urls"] += 1
            for user, client in users:
                for method in ("get", "post"):
                    counts["requests"] += 1
                    problem = check_refusal(client, user, entry, url, method, nowhere)
                    if problem:
                        problems.append(f"{method.upper()} {url} ({entry.label}) as {user}: {problem}")
                    elif entry.label not in PUBLIC:
                        counts["refused"] += 1
    return problems, counts


def test_the_crawl_knows_how_to_fill_every_keyword_of_every_url(world):
    unknown = sorted({(entry.label, name) for entry in object_entries() for name in entry.kwargs
                      if name not in sources()})
    assert not unknown, f"New URL keywords the crawl does not know how to fill (add them to world.py): {unknown}"


def test_everyone_else_is_refused_on_every_url_of_the_owners_objects(world, capsys):
    users = [(user, client_of(user)) for user in (world.other, world.gp, world.gp_sender, None)]
    before = stored_rows()
    problems, counts = crawl(world, users)
    assert not problems, "\n".join(problems[:50])
    assert stored_rows() == before
    with capsys.disabled():
        print(f"\n[crawl] {len(object_entries())} URL patterns with keywords, {counts['urls']} URLs of the "
              f"owner's objects, {counts['requests']} requests by 4 strangers, {counts['refused']} refused")
    assert counts["urls"] >= 2 * len(object_entries())  # each pattern with more than one of the owner's ids


def test_the_doctor_a_report_was_released_to_reads_that_report_and_nothing_else(world):
    client = client_of(world.gp_released)
    report = world.objects["report"].pk
    readable = {reverse("documents:print", args=[report]), reverse("documents:pdf", args=[report])}
    for entry in object_entries():
        if entry.namespace == "admin" or entry.label in PUBLIC:
            continue
        for url in object_urls(world, entry):
            expected = 200 if url in readable else 404
            assert client.get(url).status_code == expected, url


def test_the_public_referral_form_shows_nothing_stored(world):
    link = world.objects["link"]
    hidden = {label: text for label, text in world.secrets.items() if label != "link_token"}
    for user in (world.other, world.gp, world.gp_sender, None):
        page = text_of(client_of(user).get(reverse("referrals:refer", args=[link.token])))
        assert not [label for label, text in hidden.items() if text.casefold() in page], user


# What the others can reach: every page linked from their own, and searches for the owner's patients.


# The pages that read a search or a page number from their query string.
SEARCHABLE = ("pathway:patient_list", "pathway:dashboard", "referrals:inbox", "referrals:gp_portal",
              "privacy:journal")
SEARCHED = ("Quenardel", "vautrinier", "Brisemarre", "Traquenel", "285036", "ombeline")


def start_pages():
    """Every page of the app without keywords (the admin aside), and searches for the owner's patients."""
    plain = {entry.label: entry.path({}) for entry in entries() if not entry.kwargs and entry.namespace != "admin"}
    plain.pop("accounts:logout")
    searches = [f"{plain[name]}?{query}" for name in SEARCHABLE if name in plain
                for query in [f"q={word}" for word in SEARCHED] + ["page=2"]]
    return list(plain.values()) + searches


def leaks(world, user, pages):
    found = []
    for url, response in pages:
        text = text_of(response)
        query = url.partition("?q=")[2].casefold()
        for label, secret in world.secrets_hidden_from(user).items():
            secret = secret.casefold()
            if query and (query in secret or secret in query):
                continue  # the search box shows what the visitor typed
            if secret in text:
                found.append(f"{url}: {label} ({secret})")
    return found


@pytest.mark.parametrize("viewer", ["other", "gp", "gp_sender", "gp_released", "anonymous"])
def test_no_page_the_others_reach_shows_the_owners_data(world, viewer, capsys):
    user = None if viewer == "anonymous" else getattr(world, viewer)
    if viewer == "other":
        build_stranger_world(user)
    pages = visit(client_of(user), start_pages())
    assert not leaks(world, user, pages), leaks(world, user, pages)[:20]
    with capsys.disabled():
        print(f"\n[leaks] {viewer}: {len(pages)} pages read, none shows the owner's data")
    assert len(pages) >= len(start_pages())


def test_the_released_report_is_what_the_leak_check_would_catch(world):
    """The check is not blind: the released-to doctor does read the report's text and its patient."""
    pages = visit(client_of(world.gp_released), start_pages())
    text = "\n".join(text_of(response) for _, response in pages)
    assert world.secrets["report_evolution"].casefold() in text
    assert world.secrets["closed_patient"].casefold() in text


# The admin


def test_patient_data_is_not_registered_in_the_admin():
    registered = {model._meta.app_label for model in admin.site._registry}
    assert not registered & {"pathway", "referrals", "documents"}


def test_the_admin_sends_a_non_staff_user_to_its_login(world):
    for user in (world.owner, world.other, world.gp):
        response = client_of(user).get("/admin/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_staff_member_without_permissions_sees_no_patient_data_in_the_admin(world):
    client = client_of(staff_without_permissions())
    index = client.get("/admin/")
    assert index.status_code == 200
    assert not [label for label, secret in world.secrets.items() if secret.casefold() in text_of(index)]
    owner_page = reverse("admin:accounts_user_change", args=[world.owner.pk])
    assert client.get(owner_page).status_code == 403
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert client.get(f"/admin/pathway/patient/{world.objects['adult'].pk}/change/").status_code == 404


# Uploaded scans are never public files


def test_no_url_serves_the_media_folder(world):
    scan = world.objects["scan_pathway"].referral_scan
    client = client_of(world.owner)
    for path in (f"/media/{scan.name}", f"/{scan.name}", f"/.test-media/{scan.name}", "/media/"):
        assert client.get(path).status_code == 404, path
    assert not [entry.route for entry in entries() if entry.route.startswith(("media", ".test-media"))]

"""Bad input, property-based: every form of the app, posted random and hostile values, never answers
500 and never leaves a row that breaks a field's validation or a rule of the scheme.

Each example runs in a savepoint rolled back after the checks (the world is built once per test),
except where examples are meant to add up (sessions piling up against the annual cap).
"""

import os
import re
import traceback
from datetime import date, timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image

from documents import services as documents
from pathway.models import PathwayStatus, SessionKind
from tests.auth import log_in
from tests.factories import CareSessionFactory, PathwayFactory, PatientFactory, PsychologistFactory

from . import invariants
from .fuzzing import (
    TODAY,
    Endpoint,
    SameAs,
    birth_date,
    boolean,
    choice,
    day,
    form_data,
    fr,
    hostile,
    name,
    small_number,
    text,
    upload,
)
from .pages import LinkParser
from .urlwalk import entries
from .world import YEAR, build_world, nir, on

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=not os.environ.get("FUZZ_RANDOM"),
    # No shrinking: a failure shows the first falsifying request as it came, and the run stays short.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.large_base_example],
)
PASSWORD = "a-long-test-password"


# The world: the security world, plus pathways that every form can act upon.


def session_series(pathway, first_day, followups, kind_first=SessionKind.EVALUATION):
    CareSessionFactory(pathway=pathway, kind=kind_first, date=first_day)
    for week in range(1, followups + 1):
        CareSessionFactory(pathway=pathway, date=first_day + timedelta(days=week))


def add_fuzz_targets(world):
    owner, objects = world.owner, world.objects
    objects["adult_awaiting"] = PathwayFactory(
        patient=PatientFactory(psychologist=owner, birth_date=date(1980, 1, 1)), opened_on=TODAY - timedelta(days=40),
        status=PathwayStatus.AWAITING_EVALUATION, planned_followups=None)
    minor = PatientFactory(psychologist=owner, minor_with_consent=True)
    objects["minor_in_care"] = PathwayFactory(patient=minor, opened_on=on(1, 6))
    session_series(objects["minor_in_care"], on(1, 13), 1)
    objects["minor_session"] = objects["minor_in_care"].sessions.order_by("date").last()
    # Twelve reimbursed sessions last year: the cap is reached; eleven: one left.
    objects["full"] = PathwayFactory(patient=PatientFactory(psychologist=owner), opened_on=on(1, 2))
    session_series(objects["full"], on(1, 5), 11)
    objects["near"] = PathwayFactory(patient=PatientFactory(psychologist=owner), opened_on=on(1, 2))
    session_series(objects["near"], on(1, 5), 10)
    objects["full_patient"], objects["near_patient"] = objects["full"].patient, objects["near"].patient
    objects["fresh_patient"] = PatientFactory(psychologist=owner, birth_date=date(1995, 5, 5))
    objects["letter_v2"] = documents.document_correct(objects["letter"], owner)
    objects["report_v2"] = documents.document_correct(objects["report"], owner)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module, in a transaction rolled back at its end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        with transaction.atomic():
            owner = PsychologistFactory(username="psychologist", first_name="Hélène", last_name="Durand")
            other = PsychologistFactory(username="other", first_name="Marc", last_name="Petit")
            yield add_fuzz_targets(build_world(owner, other))
            transaction.set_rollback(True)


class Clients:
    """One logged-in client per user for a test; dropped when a request changed its session (a login)."""

    def __init__(self, world):
        self.world, self.clients = world, {}

    def get(self, user_attribute):
        if user_attribute not in self.clients:
            client = Client(raise_request_exception=False)
            if user_attribute:
                log_in(client, getattr(self.world, user_attribute))
            self.clients[user_attribute] = (client, session_of(client))
        return self.clients[user_attribute][0]

    def check(self, user_attribute):
        client, session = self.clients[user_attribute]
        if session_of(client) != session:
            del self.clients[user_attribute]


def session_of(client):
    cookie = client.cookies.get(django_settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie else None


def url_of(view, *names):
    """A strategy of the view's URLs for the named objects of the world."""
    return lambda world: st.sampled_from([reverse(view, args=[world.objects[n].pk]) for n in names])


# Every form of the app, with what its fields may hold.

# A day of the world's year, after its pathways' evaluations: where a session can be stored (the world
# sits in the past year, so that `day`, near today, mostly meets "evaluate first" and stores nothing).
world_year_day = st.integers(14, 364).map(lambda n: fr(on(1, 1) + timedelta(days=n)))
SESSION = {
    "date": st.one_of(world_year_day, world_year_day, day),
    "duration_minutes": st.one_of(small_number, choice("45", "240", "241")),
    "billing": choice("reimbursed", "reimbursed", "out_of_scheme"), "out_of_scheme_fee": choice("60", "0", "45.50"),
    "mode": choice("in_person", "video"), "status": choice("held", "held", "cancelled", "no_show"),
    "private_note": text,
}
EVALUATION = {
    **SESSION, "care_reason": choice("anxiety_depression", "substance_misuse", "eating_disorder", "child_distress"),
    "affiliated": boolean, "suicide_risk": st.one_of(st.just(""), boolean), "acute_decompensation": boolean,
    "severe_anxiety_depression": boolean, "substance_dependence": boolean, "severe_eating_disorder": boolean,
    **{f"{n}_status": choice("no", "no", "ongoing", "ended") for n in
       ("ald_psy", "invalidity", "long_sick_leave", "psychiatric_follow_up")},
    **{f"{n}_ended_on": day for n in ("ald_psy", "invalidity", "long_sick_leave", "psychiatric_follow_up")},
    "neurodevelopmental_disorder": boolean, "major_withdrawal": boolean, "severe_behaviour_disorder": boolean,
    "treatment": choice("none", "none", "antidepressant", "hypnotic", "antiepileptic_mood", "other"),
    "treatment_started_on": day, "psychiatrist_opinion": boolean, "psychiatrist_opinion_on": day,
    "planned_followups": small_number, "orientation": text,
}
PATIENT = {
    "last_name": name, "first_name": name, "birth_date": birth_date, "sex": choice("F", "M"),
    "nir": st.one_of(st.just(""), st.just(nir("2850369123456")), st.just("2A"), st.text("0123456789AB ", max_size=17)),
    "phone": st.text(max_size=35), "email": st.one_of(st.emails(), text), "address": text,
    "treating_doctor_name": text, "treating_doctor_address": text,
    **{flag: boolean for flag in ("has_css", "has_ame", "has_ald", "maternity_from_sixth_month", "has_at_mp",
                                  "sole_holder_declared")},
    "guardian_1_name": name, "guardian_1_consent_on": day, "guardian_2_name": name,
    "guardian_2_consent_on": day,
}
REFERRAL = {
    "referrer_last_name": name, "referrer_first_name": name,
    "referrer_profession": choice("gp", "paediatrician", "psychiatrist", "other_doctor", "midwife",
                                  "school_health"),
    "referrer_number": choice("10003456786", "10003456787", "691234567", "2A1234567", "123"),
    "referrer_address": text, "referrer_phone": st.one_of(st.just("04 78 00 00 00"), text),
    "referrer_email": st.one_of(st.emails(), text), "patient_last_name": name, "patient_first_name": name,
    "patient_birth_date": birth_date, "patient_phone": st.one_of(st.just("06 12 34 56 78"), text),
    "patient_email": st.one_of(st.emails(), text), "reason": text, "clinical_context": text,
    "psychotropic_treatment": st.one_of(st.just(""), text), "psychotropic_started_on": day,
    "screen_psychiatric_ald": boolean, "screen_psychiatric_follow_up": boolean, "screen_severe_disorder": boolean,
    "suicide_risk": choice("", "", "", "on"), "homepage": choice("", "", "", "http://spam.example"),
    "confirm_number": boolean,
}
DOCUMENT = {
    "recipient_name": text, "recipient_address": text, "reason_for_care": text, "evolution": text,
    "outcome": choice("improved", "not_improved", "worsened", "emergency"),
    "follow_up_needed": choice("unknown", "true", "false"), "orientation": choice(
        "none", "psychiatrist", "cmp", "other"), "orientation_details": text, "body": text,
}
PDF = b"%PDF-1.4\n%%EOF\n"


def png():
    from io import BytesIO

    buffer = BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "PNG")
    return buffer.getvalue()


PATHWAY_OPEN = {
    "entry_mode": choice("direct", "referral"), "opened_on": day,
    "referrer_kind": choice("doctor", "midwife", "school_health"), "referrer_name": text,
    "referral_date": day,
    "referral_scan": upload(st.one_of(st.just(PDF), st.just(png()), st.binary(max_size=64),
                                      st.just(b"<html><script>alert(1)</script>"), st.just(b""))),
}
DOCUMENT_ACTIONS = ("documents:issue", "documents:correct", "documents:release", "documents:consent",
                    "documents:detail")
ALL_DOCUMENTS = ("letter", "alert", "report", "letter_v2", "report_v2")


def document_actions(world):
    return st.sampled_from([reverse(view, args=[world.objects[n].pk]) for view in DOCUMENT_ACTIONS
                            for n in ALL_DOCUMENTS])


def document_creation(world):
    pathways = ("in_care", "awaiting_minor", "closed", "excluded", "minor_in_care", "adult_awaiting")
    return st.sampled_from([reverse("documents:create", args=[world.objects[p].pk, kind]) for p in pathways
                            for kind in ("alert", "post_evaluation", "end_of_care")])


def patient_choices(world):
    return st.sampled_from([str(world.objects[n].pk) for n in ("adult", "fresh_patient", "minor")]
                           + [str(world.objects["closed_patient"].pk), "not-a-uuid", "00000000-0000-0000-0000-0"])


def fixed(path_name, **kwargs):
    return lambda world: st.just(reverse(path_name, kwargs=kwargs or None))


ENDPOINTS = [
    Endpoint("patient_create", fixed("pathway:patient_create"), "owner", PATIENT),
    Endpoint("patient_edit", url_of("pathway:patient_edit", "adult", "minor", "fresh_patient"), "owner", PATIENT),
    Endpoint("patient_edit_with_sessions", url_of("pathway:patient_edit", "minor"), "owner", PATIENT),
    Endpoint("declared_sessions", url_of("pathway:declared_sessions_add", "adult", "full_patient", "near_patient",
                                           "fresh_patient"),
             "owner", {"year": st.one_of(choice(str(YEAR), str(TODAY.year), "2021", "2022"), small_number),
                       "count": st.integers(1, 12).map(str), "included_evaluation": boolean, "source": text,
                       "declared_on": day}),
    Endpoint("pathway_open", url_of("pathway:pathway_open", "excluded_patient", "closed_patient", "fresh_patient",
                                    "adult"), "owner", PATHWAY_OPEN),
    Endpoint("evaluate", url_of("pathway:evaluate", "adult_awaiting", "awaiting_minor", "in_care"), "owner",
             EVALUATION),
    Endpoint("session_record", url_of("pathway:session_record", "in_care", "minor_in_care", "full", "near"), "owner",
             {**SESSION, "kind": choice("followup", "followup", "evaluation"), "emergency_orientation": choice(
                 "", "", "", "CMP de Lyon")}),
    Endpoint("session_record_piling_up", url_of("pathway:session_record", "near", "in_care"), "owner",
             {**SESSION, "kind": choice("followup", "evaluation"), "billing": choice("reimbursed"),
              "status": choice("held"), "mode": choice("in_person"),
              "date": st.integers(0, 400).map(lambda n: (TODAY - timedelta(days=n)).strftime("%d/%m/%Y"))},
             keep=True),
    Endpoint("session_edit", url_of("pathway:session_edit", "evaluation", "followup", "minor_session",
                                    "closed_evaluation"), "owner",
             {**SESSION, "date": st.one_of(day, st.sampled_from([fr(on(1, d)) for d in (13, 14, 20, 27)]))}),
    Endpoint("plan_followups", url_of("pathway:plan_followups", "in_care", "closed", "adult_awaiting"), "owner",
             {"planned_followups": small_number}),
    Endpoint("close", url_of("pathway:close", "in_care", "awaiting_minor", "minor_in_care", "adult_awaiting",
                             "closed"), "owner",
             {"reason": choice("completed", "improved_early", "patient_stopped", "reoriented", "cap_reached", "moved"),
              "closed_on": day, "orientation": text}),
    Endpoint("document_create", document_creation, "owner", {}),
    Endpoint("document_edit", url_of("documents:detail", "alert", "letter_v2", "report_v2", "report"), "owner",
             DOCUMENT),
    Endpoint("document_consent", url_of("documents:consent", "alert", "letter_v2", "report_v2", "report"), "owner",
             {"given_on": day, "given_by": choice("patient", "parental_authority"),
              "given_by_names": text, "channel": choice("given_to_patient", "post", "secure_messaging", "in_app")}),
    Endpoint("document_actions", document_actions, "owner", {**DOCUMENT, "given_on": day}),
    Endpoint("referral_public_form", lambda w: st.sampled_from(
        [reverse("referrals:refer", args=[w.objects[n].token]) for n in ("link", "revoked_link")]), None, REFERRAL),
    Endpoint("referral_public_form_as_doctor", lambda w: st.just(reverse("referrals:refer",
                                                                         args=[w.objects["link"].token])),
             "gp_sender", REFERRAL),
    Endpoint("referral_accept", url_of("referrals:accept", "pending_referral", "declined_referral"), "owner",
             {"target": choice("new", "existing"), "sex": choice("F", "M", ""),
              "patient": None, "opened_on": day}),
    Endpoint("referral_decline", url_of("referrals:decline", "pending_referral", "accepted_referral"), "owner",
             {"reason": choice("not_eligible", "no_availability", "out_of_area", "patient_unreachable", "duplicate",
                               "other"), "note": text}),
    Endpoint("referral_link_replace", fixed("referrals:link_replace"), "owner", {}),
    Endpoint("profile", fixed("accounts:profile"), "owner",
             {"first_name": name, "last_name": name, "rpps": choice("10003456786", "10003456787", "1234", ""),
              "adeli": choice("", "691234567", "2A1234567", "93"), "practice_address": text,
              "phone": text, "is_conventioned": boolean, "convention_date": day}),
    Endpoint("doctor_profile", fixed("accounts:profile"), "gp_sender",
             {"first_name": name, "last_name": name, "email": st.one_of(st.emails(), text), "practice_address": text,
              "phone": text}),
    Endpoint("doctor_signup", fixed("referrals:gp_signup"), None,
             {"last_name": name, "first_name": name, "profession": choice("gp", "midwife"),
              "number": choice("10003456786", "10003456787", "691234567", "12"), "practice_address": text,
              "phone": st.one_of(st.just("04 78 00 00 00"), text), "email": st.one_of(st.emails(), text),
              "password1": choice("Un-mot-de-passe-solide-42", "short", "psychologist1234"),
              "password2": st.one_of(st.just(SameAs("password1")), text), "confirm_number": boolean}),
    Endpoint("login", fixed("accounts:login"), None,
             {"username": choice("psychologist", "gp.sender@exemple.fr", "nobody", ""),
              "password": choice(PASSWORD, "wrong", "")}),
    Endpoint("patient_search", fixed("pathway:patient_list"), "owner",
             {"q": st.one_of(name, hostile), "page": st.one_of(small_number, hostile)}, method="get"),
    Endpoint("lists_paged", lambda w: st.sampled_from([reverse(v) for v in (
        "pathway:dashboard", "referrals:inbox", "privacy:journal")]), "owner",
             {"page": st.one_of(small_number, hostile), "q": hostile, "action": hostile, "since": day,
              "until": day, "patient": hostile, "name": hostile, "object_type": hostile}, method="get"),
    Endpoint("doctor_portal_paged", fixed("referrals:gp_portal"), "gp_sender",
             {"page": st.one_of(small_number, hostile)}, method="get"),
    Endpoint("statement_years", lambda w: st.integers(0, 10 ** 20).map(
        lambda year: f"/patients/{w.objects['adult'].pk}/releve/{year}/"), "owner", {}, method="get"),
]


def endpoint_fields(endpoint, world):
    fields = dict(endpoint.fields)
    if "patient" in fields and fields["patient"] is None:
        fields["patient"] = patient_choices(world)
    return fields


def described(response):
    if getattr(response, "exc_info", None):
        return "".join(traceback.format_exception(*response.exc_info)[-6:])
    return response.content[:500]


WRITE = re.compile(r'^\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+"(\w+)"', re.IGNORECASE)
CHECKED_TABLES = ("accounts_user", "pathway_", "referrals_", "documents_")


class Writes:
    """The tables of the app's data a request wrote to: with none, no row can have gone wrong."""

    def __init__(self):
        self.tables = set()

    def __call__(self, execute, sql, params, many, context):
        if match := WRITE.match(sql):
            self.tables.add(match.group(1))
        return execute(sql, params, many, context)

    @property
    def data_written(self):
        return any(table.startswith(CHECKED_TABLES) for table in self.tables)


def exercise(clients, endpoint, url, body):
    """One request in a savepoint: no 500, no broken row; rolled back unless the examples add up.

    Returns True when the request wrote to the app's data (and the invariants were checked)."""
    client = clients.get(endpoint.user)  # logged in outside the savepoint: the session outlives the example
    savepoint, writes = transaction.savepoint(), Writes()
    try:
        with connection.execute_wrapper(writes):
            response = getattr(client, endpoint.method)(url, body)
        clients.check(endpoint.user)
        assert response.status_code != 500, f"{endpoint.method.upper()} {url} {body!r:.2000}\n{described(response)}"
        broken = invariants.problems() if writes.data_written else []
        assert not broken, f"{endpoint.method.upper()} {url} {body!r:.2000} left: {broken}"
    except BaseException:
        transaction.savepoint_rollback(savepoint)
        raise
    if endpoint.keep:
        transaction.savepoint_commit(savepoint)
    else:
        transaction.savepoint_rollback(savepoint)
    return writes.data_written


def test_the_world_the_forms_start_from_is_sound(world):
    assert invariants.problems() == []


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.name)
def test_a_form_never_answers_500_nor_stores_an_invalid_row(world, endpoint, capsys):
    tried, stored, clients = [], [], Clients(world)
    fields, urls = endpoint_fields(endpoint, world), endpoint.url(world)

    @FUZZ
    @given(data=st.data())
    def post(data):
        url = data.draw(urls, label="url")
        body = data.draw(form_data(fields, extras=endpoint.method == "post"), label="body")
        tried.append(url)
        stored.append(exercise(clients, endpoint, url, body))

    post()
    with capsys.disabled():
        print(f"\n[fuzz] {endpoint.name}: {len(tried)} cases, {sum(stored)} stored something (invariants checked)")


# Every other page that takes a POST (and those added later): the fields its own form shows, posted hostile.


class FormFields(LinkParser):
    def __init__(self):
        super().__init__()
        self.names = set()

    def handle_starttag(self, tag, attrs):
        super().handle_starttag(tag, attrs)
        attributes = dict(attrs)
        if tag in ("input", "select", "textarea", "button") and attributes.get("name"):
            self.names.add(attributes["name"])


def page_fields(client, url):
    response = client.get(url)
    parser = FormFields()
    if response.get("Content-Type", "").startswith("text/html"):
        parser.feed(response.content.decode("utf-8", errors="replace"))
    return sorted(parser.names - {"csrfmiddlewaretoken"})


def every_page(world):
    pages = []
    for entry in entries():
        if entry.namespace == "admin" or entry.label in ("accounts:logout", "accounts:logout_everywhere"):
            continue
        pages.append((entry.label, entry.path({name: world.values(name)[0] for name in entry.kwargs})))
    return pages


GENERIC = settings(FUZZ, max_examples=max(EXAMPLES // 5, 10))


def test_every_page_takes_hostile_posts_without_a_500_or_a_broken_row(world, capsys):
    clients, tried = Clients(world), 0
    for label, url in every_page(world):
        fields = page_fields(clients.get("owner"), url)
        endpoint = Endpoint(label, lambda world, url=url: st.just(url), "owner",
                            {name: st.one_of(hostile, text) for name in fields})

        @GENERIC
        @given(body=form_data(endpoint.fields))
        def post(body):
            exercise(clients, endpoint, url, body)  # noqa: B023 (run at once, inside the loop)

        post()
        tried += GENERIC.max_examples
    with capsys.disabled():
        print(f"\n[fuzz] every page ({len(every_page(world))}): about {tried} cases")


def test_a_post_cannot_set_a_field_its_form_does_not_show(world):
    client = log_in(Client(), world.owner)
    client.post(reverse("accounts:profile"), {
        "first_name": "Hélène", "last_name": "Durand", "rpps": "10003456786", "practice_address": "x",
        "is_conventioned": "on", "convention_date": "01/01/2022", "role": "gp", "is_staff": "on",
        "is_superuser": "on", "username": "pirate"})
    owner = get_user_model().objects.get(pk=world.owner.pk)
    assert (owner.role, owner.is_staff, owner.is_superuser, owner.username) == ("psychologist", False, False,
                                                                               "psychologist")

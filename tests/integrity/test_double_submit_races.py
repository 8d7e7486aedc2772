"""A double click: the same form sent twice at the same moment, on PostgreSQL, through the whole stack.

Two threads, each with its own client carrying the same cookies (one browser), send the same POST,
released together by a barrier. The first to claim the submission holds it a moment before its view
runs, so that the second surely arrives while it is processed: the second waits, then gets the
same redirect and a word that nothing was recorded twice. The control removes IdempotencyMiddleware:
the same double click then records twice, or answers the second click with an error instead.
"""

import threading
import time
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from integrity import idempotency
from pathway.models import CareSession, Pathway, Patient
from referrals.models import Referral
from tests.documents.factories import closed_pathway
from tests.factories import CareSessionFactory, PathwayFactory, PatientFactory, ReferralFactory, ReferralLinkFactory
from tests.referrals.sending import referral_form_data

from .browsers import ALREADY_SENT, browser, form_token, page_after, same_browser, today

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_SECONDS = 0.3
MIDDLEWARE = "integrity.middleware.IdempotencyMiddleware"
# Above the 2.5 MB that Django keeps in memory: the scan goes to a temporary file, hashed from there.
SCAN_BYTES = 3 * 1024 * 1024


@dataclass
class Form:
    """A form as a user sends it: the page that shows it, where it posts, what it holds, what it creates."""

    page: str
    action: str
    data: dict
    rows: object  # () -> the number of rows the form creates
    user: object = None
    files: dict = field(default_factory=dict)

    def post_data(self, token):
        uploads = {name: SimpleUploadedFile(name, content, "application/pdf") for name, content in self.files.items()}
        return {"csrfmiddlewaretoken": token, **self.data, **uploads}


def in_care(psychologist):
    first_of_year = date(timezone.localdate().year, 1, 1)
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=first_of_year)
    CareSessionFactory(pathway=pathway, kind="evaluation", date=first_of_year)
    return pathway


def recording_a_session(psychologist):
    pathway = in_care(psychologist)
    url = reverse("pathway:session_record", kwargs={"pathway_id": pathway.pk})
    return Form(url, url, {"kind": "followup", "date": today(), "mode": "in_person", "duration_minutes": "45",
                           "status": "held", "billing": "reimbursed"},
                lambda: CareSession.objects.filter(pathway=pathway, kind="followup").count(), psychologist)


def opening_a_pathway_with_its_scan(psychologist):
    patient = PatientFactory(psychologist=psychologist)
    url = reverse("pathway:pathway_open", kwargs={"patient_id": patient.pk})
    return Form(url, url, {"entry_mode": "referral", "opened_on": today(), "referrer_kind": "doctor",
                           "referrer_name": "Dr Anne Leroy", "referral_date": today()},
                lambda: Pathway.objects.filter(patient=patient).count(), psychologist,
                files={"referral_scan": b"%PDF-1.4\n" + b"0" * SCAN_BYTES})


def creating_a_patient(psychologist):
    url = reverse("pathway:patient_create")
    return Form(url, url, {"last_name": "Lefèvre", "first_name": "Zoé", "birth_date": "17/05/1990", "sex": "F"},
                lambda: Patient.objects.filter(last_name="Lefèvre").count(), psychologist)


def sending_a_referral(psychologist):
    link = ReferralLinkFactory(psychologist=psychologist)
    url = reverse("referrals:refer", kwargs={"token": link.token})
    return Form(url, url, referral_form_data(), lambda: Referral.objects.filter(link=link).count())


def drafting_a_report(psychologist):
    pathway = closed_pathway(psychologist)
    return Form(reverse("pathway:detail", kwargs={"pathway_id": pathway.pk}),
                reverse("documents:create", kwargs={"pathway_id": pathway.pk, "kind": "end_of_care"}), {},
                lambda: Document.objects.filter(pathway=pathway).count(), psychologist)


def accepting_a_referral(psychologist):
    referral = ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist))
    return Form(reverse("referrals:detail", kwargs={"referral_id": referral.pk}),
                reverse("referrals:accept", kwargs={"referral_id": referral.pk}),
                {"target": "new", "sex": "F", "opened_on": today()},
                Pathway.objects.count, psychologist)


FORMS = [recording_a_session, opening_a_pathway_with_its_scan, creating_a_patient, sending_a_referral,
         drafting_a_report, accepting_a_referral]


@pytest.fixture
def held_claims(monkeypatch):
    """The request that claims a submission holds it HOLD_SECONDS; what each request's entry returned."""
    original = idempotency.submission_enter
    entries = []

    def enter(key, origin_session):
        submission = original(key, origin_session)
        entries.append(submission)
        if submission is None:
            time.sleep(HOLD_SECONDS)
        return submission

    monkeypatch.setattr(idempotency, "submission_enter", enter)
    return entries


def send_at_once(clients, action, datas):
    """Each client posts its data in its own thread, all released together; the responses in client order."""
    barrier = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def worker(index):
        try:
            barrier.wait()
            responses[index] = clients[index].post(action, datas[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def double_click(form):
    """The same browser sends the same showing of the form twice."""
    first = browser(form.user)
    token = form_token(first, form.page)
    clients = [first, same_browser(first)]
    return clients, send_at_once(clients, form.action, [form.post_data(token), form.post_data(token)])


@pytest.mark.parametrize("make_form", FORMS, ids=lambda f: f.__name__)
def test_a_double_click_records_once_and_answers_both_clicks_with_the_same_redirect(
    psychologist, make_form, held_claims
):
    form = make_form(psychologist)

    clients, responses = double_click(form)

    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert form.rows() == 1
    assert sorted(entry is None for entry in held_claims) == [False, True]  # one ran, one waited for it
    pages = [page_after(client, response) for client, response in zip(clients, responses, strict=True)]
    if form.user is not None:  # the referral's letter is a print page, without messages
        assert sum(ALREADY_SENT in page for page in pages) == 1


@pytest.mark.parametrize("make_form", FORMS, ids=lambda f: f.__name__)
def test_without_the_middleware_a_double_click_records_twice_or_answers_an_error(psychologist, make_form, settings):
    # The control: the same double click, IdempotencyMiddleware removed.
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
    form = make_form(psychologist)

    _clients, responses = double_click(form)

    same_redirect = [r.status_code for r in responses] == [302, 302] and responses[0]["Location"] == responses[1][
        "Location"]
    assert form.rows() == 2 or not same_redirect


def test_the_scan_of_a_double_click_is_stored_once(psychologist, held_claims, settings):
    form = opening_a_pathway_with_its_scan(psychologist)

    double_click(form)

    stored = [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()]
    assert len(stored) == 1 and stored[0].stat().st_size == SCAN_BYTES + len(b"%PDF-1.4\n")


def test_two_different_forms_sent_at_once_are_both_recorded(psychologist, held_claims):
    form = recording_a_session(psychologist)
    first = browser(psychologist)
    token = form_token(first, form.page)
    datas = [form.post_data(token), {**form.post_data(token), "duration_minutes": "60"}]

    responses = send_at_once([first, same_browser(first)], form.action, datas)

    assert [r.status_code for r in responses] == [302, 302]
    assert form.rows() == 2

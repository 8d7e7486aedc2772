"""PostgreSQL goes away in the middle of a request: a French 503 page, nothing half-written, no lock-out.

In process, on the test database: the app's own backend is killed just before one of the request's
statements (killing.py). The same fault with a whole server stopped and started again, against the
app served by gunicorn, is in test_database_outage.py.
"""

import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from integrity.models import Submission
from pathway.models import CareSession, Pathway, PathwayEvent
from privacy.models import AccessLogEntry
from tests.factories import PatientFactory

from .browsers import ALREADY_SENT, browser, form_token, page_after, today
from .killing import backend_killed_before

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "Service momentanément indisponible"
# Words of the fault itself, which the user must never read.
TECHNICAL = ("Traceback", "OperationalError", "InterfaceError", "psycopg", "terminating", "SQL", "INSERT",
             "connection", "127.0.0.1", "5432")


def insert_into(model):
    return f'INSERT INTO "{model._meta.db_table}"'


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = html.unescape(response.content.decode())
    assert UNAVAILABLE in page and "Rien de ce que vous avez envoyé n'a été enregistré à moitié." in page
    assert 'href="/static/css/app.css"' in page  # the site's own look
    assert not [word for word in TECHNICAL if word in page]


class Opening:
    """A psychologist's browser on the form that opens a pathway (with its letter's scan) for a patient."""

    def __init__(self, psychologist):
        self.client = browser(psychologist)
        patient = PatientFactory(psychologist=psychologist)
        self.url = reverse("pathway:pathway_open", kwargs={"patient_id": patient.pk})
        self.token = form_token(self.client, self.url)

    def send(self):
        scan = SimpleUploadedFile("lettre.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
        return self.client.post(self.url, {
            "csrfmiddlewaretoken": self.token, "entry_mode": "referral", "opened_on": today(),
            "referrer_kind": "doctor", "referrer_name": "Dr Anne Leroy", "referral_date": today(),
            "referral_scan": scan,
        })


@pytest.fixture
def opening(psychologist):
    return Opening(psychologist)


def test_a_connection_lost_while_a_pathway_opens_leaves_no_pathway_and_answers_503(opening):
    # Opening writes the pathway, then its event: the connection dies between the two.
    with backend_killed_before(insert_into(PathwayEvent)) as kills:
        response = opening.send()

    assert len(kills) == 1
    assert_unavailable_page(response)
    assert (Pathway.objects.count(), PathwayEvent.objects.count()) == (0, 0)


def stored_files(settings):
    return [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_a_connection_lost_while_a_pathway_opens_leaves_no_letter_on_disk(opening, settings):
    # The scan is written before the rows: health data must not stay on disk without its pathway.
    with backend_killed_before(insert_into(PathwayEvent)) as kills:
        opening.send()
    assert len(kills) == 1
    assert stored_files(settings) == []

    assert opening.send().status_code == 302
    assert len(stored_files(settings)) == 1  # the letter of the pathway the resend opened


def test_the_same_form_sent_again_after_the_fault_opens_the_pathway_once(opening):
    with backend_killed_before(insert_into(PathwayEvent)):
        opening.send()
    assert not Submission.objects.exists()  # released on a new connection: the resend is not kept waiting

    response = opening.send()

    assert response.status_code == 302
    assert (Pathway.objects.count(), PathwayEvent.objects.count()) == (1, 1)


def test_a_connection_lost_while_a_session_is_recorded_leaves_no_session(psychologist, pathway_in_care):
    client = browser(psychologist)
    url = reverse("pathway:session_record", kwargs={"pathway_id": pathway_in_care.pk})
    data = {"csrfmiddlewaretoken": form_token(client, url), "kind": "followup", "date": today(),
            "mode": "in_person", "duration_minutes": "45", "status": "held", "billing": "reimbursed"}

    with backend_killed_before(insert_into(PathwayEvent)) as kills:
        response = client.post(url, data)

    assert len(kills) == 1
    assert_unavailable_page(response)
    assert CareSession.objects.filter(pathway=pathway_in_care, kind="followup").count() == 0


def test_a_connection_lost_before_the_view_runs_is_a_503_too(opening):
    # The first write of the request is the submission's claim, in IdempotencyMiddleware.
    with backend_killed_before(insert_into(Submission)) as kills:
        response = opening.send()

    assert len(kills) == 1
    assert_unavailable_page(response)
    assert not Pathway.objects.exists()


def test_a_fault_after_the_view_committed_answers_503_and_the_resend_is_not_recorded_twice(opening):
    # The access log is written once the view has answered: its pathway is committed by then. The
    # submission keeps the view's answer (the redirect, not the 503 the fault made of it), recorded once
    # the response is sent, on a new connection.
    with backend_killed_before(insert_into(AccessLogEntry)) as kills:
        response = opening.send()
    assert len(kills) == 1
    assert_unavailable_page(response)
    assert Pathway.objects.count() == 1

    resent = opening.send()

    assert resent.status_code == 302 and Pathway.objects.count() == 1
    assert ALREADY_SENT in page_after(opening.client, resent)


def test_a_page_read_when_the_connection_is_lost_is_a_503(client_psy, pathway_in_care):
    url = reverse("pathway:detail", kwargs={"pathway_id": pathway_in_care.pk})
    client_psy.raise_request_exception = False
    with backend_killed_before("SELECT") as kills:
        response = client_psy.get(url)

    assert len(kills) == 1
    assert_unavailable_page(response)
    assert client_psy.get(url).status_code == 200  # the next request gets a new connection

"""A form sent twice, one request after the other: recorded once, both answered with the same redirect.

Each browser here reads the form's CSRF token from the page, as a real one does (browsers.py).
The same requests, at the same moment, are in test_double_submit_races.py.
"""

import html
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.test.client import encode_multipart
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp

from integrity import idempotency
from integrity.models import Submission
from pathway.models import CareSession, Pathway, Patient
from privacy.models import AccessLogEntry, Action
from referrals.models import Referral
from tests.auth import totp_device
from tests.factories import PatientFactory
from tests.referrals.sending import referral_form_data

from .browsers import ALREADY_SENT, browser, form_token, page_after, same_browser, today

pytestmark = pytest.mark.django_db


def session_url(pathway):
    return reverse("pathway:session_record", kwargs={"pathway_id": pathway.pk})


def follow_up(**changes):
    return {"kind": "followup", "date": today(), "mode": "in_person", "duration_minutes": "45", "status": "held",
            "billing": "reimbursed", **changes}


def send_session(client, pathway, token, **changes):
    return client.post(session_url(pathway), {"csrfmiddlewaretoken": token, **follow_up(**changes)})


def followups(pathway):
    return CareSession.objects.filter(pathway=pathway, kind="followup").count()


def test_a_form_sent_twice_records_one_session_and_answers_both_with_its_redirect(psychologist, pathway_in_care):
    client = browser(psychologist)
    token = form_token(client, session_url(pathway_in_care))

    first = send_session(client, pathway_in_care, token)
    second = send_session(client, pathway_in_care, token)

    assert (first.status_code, second.status_code) == (302, 302)
    assert second["Location"] == first["Location"] == reverse("pathway:detail", args=[pathway_in_care.pk])
    assert followups(pathway_in_care) == 1
    assert ALREADY_SENT in page_after(client, second)


def test_the_access_log_keeps_one_write_for_the_form_sent_twice(psychologist, pathway_in_care):
    client = browser(psychologist)
    token = form_token(client, session_url(pathway_in_care))
    for _twice in range(2):
        send_session(client, pathway_in_care, token)
    assert AccessLogEntry.objects.filter(action=Action.WRITE, url_name="pathway:session_record").count() == 1


def test_the_same_data_sent_from_a_second_showing_of_the_form_is_recorded_again(psychologist, pathway_in_care):
    # Two sessions the same day are the user's choice: each showing of the form is a submission of its own.
    client = browser(psychologist)
    for _showing in range(2):
        send_session(client, pathway_in_care, form_token(client, session_url(pathway_in_care)))
    assert followups(pathway_in_care) == 2


def test_a_form_answered_with_errors_can_be_corrected_and_sent_again(psychologist, pathway_in_care):
    client = browser(psychologist)
    token = form_token(client, session_url(pathway_in_care))

    refused = [send_session(client, pathway_in_care, token, duration_minutes="") for _twice in range(2)]
    corrected = send_session(client, pathway_in_care, token)

    assert [r.status_code for r in refused] == [200, 200]
    assert "Ce champ est obligatoire." in refused[1].content.decode()  # processed again, not replayed
    assert corrected.status_code == 302
    assert followups(pathway_in_care) == 1


def test_a_post_without_a_csrf_token_is_processed_as_it_comes(client_psy, pathway_in_care):
    # Without the token nothing tells a resend from a new submission (a csrf_exempt view, this test client).
    for _twice in range(2):
        client_psy.post(session_url(pathway_in_care), follow_up())
    assert followups(pathway_in_care) == 2
    assert not Submission.objects.exists()


def test_a_submission_is_answered_again_only_for_a_few_minutes(psychologist, pathway_in_care):
    client = browser(psychologist)
    token = form_token(client, session_url(pathway_in_care))
    send_session(client, pathway_in_care, token)
    Submission.objects.update(created_at=timezone.now() - idempotency.EXPIRES_AFTER - timedelta(seconds=1))

    send_session(client, pathway_in_care, token)

    assert followups(pathway_in_care) == 2


def test_a_submission_left_processing_by_a_dead_request_is_taken_over(psychologist, pathway_in_care, monkeypatch):
    client = browser(psychologist)
    token = form_token(client, session_url(pathway_in_care))
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)
    claimed = []
    monkeypatch.setattr(idempotency, "submission_finish", lambda request, key, response: claimed.append(key))
    send_session(client, pathway_in_care, token)  # its answer is never recorded: the row stays "processing"
    monkeypatch.undo()
    Submission.objects.filter(pk=claimed[0]).update(
        created_at=timezone.now() - idempotency.STALE_AFTER - timedelta(seconds=1))

    response = send_session(client, pathway_in_care, token)

    assert response.status_code == 302
    assert Submission.objects.get().state == Submission.State.DONE


def test_a_duplicate_that_waits_too_long_is_told_the_form_is_still_being_sent(
    psychologist, pathway_in_care, monkeypatch
):
    client = browser(psychologist)
    token = form_token(client, session_url(pathway_in_care))
    monkeypatch.setattr(idempotency, "submission_finish", lambda request, key, response: None)
    send_session(client, pathway_in_care, token)  # still "processing" for whoever comes next
    monkeypatch.undo()
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.3)

    response = send_session(client, pathway_in_care, token)

    assert response.status_code == 409
    assert "Formulaire en cours d'envoi" in html.unescape(response.content.decode())
    assert followups(pathway_in_care) == 1


def test_expired_submissions_are_deleted_on_the_way(psychologist, pathway_in_care, monkeypatch):
    now = timezone.now()
    Submission.objects.create(key="old", state=Submission.State.DONE, created_at=now - timedelta(hours=1))
    Submission.objects.create(key="recent", state=Submission.State.DONE, created_at=now - timedelta(minutes=1))
    monkeypatch.setattr(idempotency, "_last_purge", 0.0)
    client = browser(psychologist)

    send_session(client, pathway_in_care, form_token(client, session_url(pathway_in_care)))

    keys = set(Submission.objects.values_list("key", flat=True))
    assert "old" not in keys and "recent" in keys and len(keys) == 2  # and the session's own


def test_the_login_is_processed_as_it_comes_and_stores_nothing(psychologist):
    client = browser()
    token = form_token(client, reverse("accounts:login"))
    response = client.post(reverse("accounts:login"), {
        "csrfmiddlewaretoken": token, "username": psychologist.username, "password": "a-long-test-password"})
    assert response.status_code == 302
    assert not Submission.objects.exists()


# The key


def posted(data, **extra):
    return RequestFactory().post("/patients/nouveau/", data, **extra)


def test_two_users_never_share_a_key(psychologist, other_psychologist):
    # Each browser's form carries its own token: the same data typed by two users makes two patients.
    url = reverse("pathway:patient_create")
    for user in (psychologist, other_psychologist):
        client = browser(user)
        client.post(url, {"csrfmiddlewaretoken": form_token(client, url), "last_name": "Lefèvre",
                          "first_name": "Zoé", "birth_date": "17/05/1990", "sex": "F"})
    assert Patient.objects.count() == 2
    assert Submission.objects.count() == 2


def test_the_key_ignores_the_multipart_boundary_a_browser_draws_but_not_the_file():
    def upload(content, boundary):
        data = {"csrfmiddlewaretoken": "t" * 64, "referral_scan": SimpleUploadedFile("lettre.pdf", content)}
        return posted(encode_multipart(boundary, data), content_type=f"multipart/form-data; boundary={boundary}")

    key = idempotency.submission_key(upload(b"%PDF-1.4 letter", "----WebKitFormBoundaryAAAA"))
    assert idempotency.submission_key(upload(b"%PDF-1.4 letter", "----WebKitFormBoundaryBBBB")) == key
    assert idempotency.submission_key(upload(b"%PDF-1.4 lettre", "----WebKitFormBoundaryAAAA")) != key


# A browser that dropped the first answer


def test_a_duplicate_referral_gets_the_session_that_lets_its_browser_read_the_letter(link):
    url = reverse("referrals:refer", kwargs={"token": link.token})
    sender = browser()
    token = form_token(sender, url)
    # The double click: the browser sends twice with the cookies it has, then shows only the second answer.
    dropped = same_browser(sender)
    data = {"csrfmiddlewaretoken": token, **referral_form_data()}
    dropped.post(url, data)

    response = sender.post(url, data)

    referral = Referral.objects.get()
    assert response["Location"] == reverse("referrals:letter", kwargs={
        "token": link.token, "reference": referral.reference})
    assert referral.reference in page_after(sender, response)


def test_a_two_factor_code_sent_twice_leaves_the_browser_logged_in(psychologist):
    # The code is good once (django-otp refuses it a second time) and the login gives a new session key.
    device = totp_device(psychologist)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(psychologist)  # the password step; the second factor is still to give
    url = reverse("accounts:two_factor_verify")
    data = {"csrfmiddlewaretoken": form_token(client, url), "code": f"{totp(bytes.fromhex(device.key)):06d}"}
    same_browser(client).post(url, data)

    response = client.post(url, data)

    assert response.status_code == 302
    assert client.get(reverse("pathway:dashboard")).status_code == 200


def test_the_first_answers_session_goes_only_to_the_browser_that_sent_it(link):
    url = reverse("referrals:refer", kwargs={"token": link.token})
    sender = browser()
    token = form_token(sender, url)
    data = {"csrfmiddlewaretoken": token, **referral_form_data()}
    other = same_browser(sender)
    other.cookies["sessionid"] = "a-session-of-its-own"
    sender.post(url, data)

    response = other.post(url, data)

    assert response.status_code == 302
    assert not getattr(response.cookies.get("sessionid"), "value", "")  # none handed out, at most its own ended
    assert other.get(response["Location"]).status_code == 404


def test_a_patient_form_sent_twice_creates_one_patient(psychologist):
    client = browser(psychologist)
    url = reverse("pathway:patient_create")
    data = {"csrfmiddlewaretoken": form_token(client, url), "last_name": "Lefèvre", "first_name": "Zoé",
            "birth_date": "17/05/1990", "sex": "F"}
    answers = [client.post(url, data) for _twice in range(2)]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert Patient.objects.count() == 1


def test_a_pathway_opened_twice_with_its_scan_is_opened_once(psychologist):
    patient = PatientFactory(psychologist=psychologist)
    client = browser(psychologist)
    url = reverse("pathway:pathway_open", kwargs={"patient_id": patient.pk})
    token = form_token(client, url)

    def send():
        scan = SimpleUploadedFile("lettre.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
        return client.post(url, {"csrfmiddlewaretoken": token, "entry_mode": "referral", "opened_on": today(),
                                 "referrer_kind": "doctor", "referrer_name": "Dr Anne Leroy",
                                 "referral_date": today(), "referral_scan": scan})

    answers = [send(), send()]

    assert answers[0]["Location"] == answers[1]["Location"]
    assert Pathway.objects.count() == 1


@pytest.mark.django_db
def test_the_submissions_table_is_unlogged_and_health_data_tables_are_not():
    """Its writes wait for no disk flush; a crash empties it. Health data and the access log stay logged."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, relpersistence FROM pg_class WHERE relname IN "
                       "('integrity_submission', 'pathway_caresession', 'privacy_accesslogentry')")
        persistence = dict(cursor.fetchall())
    assert persistence == {"integrity_submission": "u", "pathway_caresession": "p", "privacy_accesslogentry": "p"}


def test_the_answer_is_recorded_once_the_response_is_sent(psychologist, pathway_in_care, monkeypatch):
    """The user does not wait for the bookkeeping: when the server closes the response (after sending
    it), the submission is still processing; then it holds the redirect for the duplicates."""
    from django.http.response import HttpResponseBase

    client = browser(psychologist)
    token = form_token(client, session_url(pathway_in_care))
    states_when_sent, close = [], HttpResponseBase.close

    def watched_close(response):
        states_when_sent.extend(Submission.objects.values_list("state", flat=True))
        close(response)

    monkeypatch.setattr(HttpResponseBase, "close", watched_close)
    response = send_session(client, pathway_in_care, token)

    assert response.status_code == 302
    assert states_when_sent == [Submission.State.PROCESSING]
    assert list(Submission.objects.values_list("state", "location")) == [(Submission.State.DONE, response["Location"])]

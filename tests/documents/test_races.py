"""Double clicks and two tabs, on PostgreSQL: the document row (or the pathway row) makes them queue.

Each control first removes the lock and shows the race happening, then the real service stops it.
"""

import threading
import time

import pytest
from django.db import IntegrityError, connection

from documents import services
from documents.models import Document, DocumentKind
from pathway.models import Pathway, PathwayEvent

from .factories import closed_pathway, end_of_care_draft, issued_end_of_care, with_consent

THREADS = 4
WINDOW_SECONDS = 0.2

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(action, count=THREADS):
    """Run `action` in `count` threads released together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(action())
        except (services.DomainError, IntegrityError) as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == count
    return outcomes


def widen(monkeypatch, check_name):
    """Sleep once the check passes, before the write, so that concurrent calls overlap there."""
    original = getattr(services, check_name)

    def slow(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)
        return result

    monkeypatch.setattr(services, check_name, slow)


def without_locks(monkeypatch):
    monkeypatch.setattr(services, "lock_document", lambda document: Document.objects.get(pk=document.pk))
    monkeypatch.setattr(Pathway.objects, "select_for_update", lambda **kwargs: Pathway.objects.all())


def errors(outcomes):
    return [o for o in outcomes if isinstance(o, Exception)]


def issue_events():
    return PathwayEvent.objects.filter(action=PathwayEvent.Action.DOCUMENT_ISSUED).count()


def test_without_the_lock_a_double_click_issues_twice(psychologist, monkeypatch):
    document = end_of_care_draft(psychologist)
    widen(monkeypatch, "check_complete")
    without_locks(monkeypatch)
    run_at_once(lambda: services.document_issue(document, psychologist))
    assert issue_events() > 1


def test_a_double_click_issues_once(psychologist, monkeypatch):
    document = end_of_care_draft(psychologist)
    widen(monkeypatch, "check_complete")
    outcomes = run_at_once(lambda: services.document_issue(document, psychologist))
    assert [e.code for e in errors(outcomes)] == ["already_issued"] * (THREADS - 1)
    assert issue_events() == 1


def test_without_the_lock_concurrent_corrections_end_in_an_integrity_error(psychologist, monkeypatch):
    document = issued_end_of_care(psychologist)
    widen(monkeypatch, "check_not_corrected")
    without_locks(monkeypatch)
    outcomes = run_at_once(lambda: services.document_correct(document, psychologist))
    assert any(isinstance(e, IntegrityError) for e in errors(outcomes))


def test_concurrent_corrections_make_one_version_2_and_say_so(psychologist, monkeypatch):
    document = issued_end_of_care(psychologist)
    widen(monkeypatch, "check_not_corrected")
    outcomes = run_at_once(lambda: services.document_correct(document, psychologist))
    assert [e.code for e in errors(outcomes)] == ["already_corrected"] * (THREADS - 1)
    assert Document.objects.filter(version=2).count() == 1


def test_without_the_lock_two_tabs_draft_two_reports(psychologist, monkeypatch):
    pathway = closed_pathway(psychologist)
    widen(monkeypatch, "check_may_start")
    without_locks(monkeypatch)
    run_at_once(lambda: services.document_draft(pathway, psychologist, DocumentKind.END_OF_CARE), 2)
    assert Document.objects.count() == 2


def test_two_tabs_draft_one_report(psychologist, monkeypatch):
    pathway = closed_pathway(psychologist)
    widen(monkeypatch, "check_may_start")
    outcomes = run_at_once(lambda: services.document_draft(pathway, psychologist, DocumentKind.END_OF_CARE), 2)
    assert [e.code for e in errors(outcomes)] == ["already_drafted"]
    assert Document.objects.count() == 1


def test_a_double_click_releases_once(psychologist, monkeypatch):
    document = with_consent(issued_end_of_care(psychologist), psychologist)
    widen(monkeypatch, "check_releasable")
    outcomes = run_at_once(lambda: services.document_release(document, psychologist))
    assert [e.code for e in errors(outcomes)] == ["already_released"] * (THREADS - 1)
    assert PathwayEvent.objects.filter(action=PathwayEvent.Action.DOCUMENT_RELEASED).count() == 1

"""Accepting the same referral twice at the same moment, on PostgreSQL (two tabs, a double click).

Each accept creates its own new patient, so neither the patient lock nor the one-active-pathway
constraint can stop a second pathway: only the referral row, locked FOR UPDATE, does. The second
accept waits there, then finds the referral accepted. The control reads the referral without
FOR UPDATE and shows the race happens: two patients, two pathways for one referral.
"""

import threading
import time

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from pathway.models import Pathway, Patient
from pathway.services import DomainError
from referrals import services
from referrals.models import Referral, ReferralStatus
from tests.factories import ReferralFactory, ReferralLinkFactory

THREADS = 4
WINDOW_SECONDS = 0.3


@pytest.fixture
def referral(psychologist):
    return ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist))


@pytest.fixture
def wide_window(monkeypatch):
    """Sleep once the referral was read and found pending, before anything is written."""
    original = services.lock_pending_referral

    def slow_lock(*args, **kwargs):
        referral = original(*args, **kwargs)
        time.sleep(WINDOW_SECONDS)
        return referral

    monkeypatch.setattr(services, "lock_pending_referral", slow_lock)


@pytest.fixture
def no_referral_lock(monkeypatch):
    """The referral is read without FOR UPDATE; every other lock stays."""
    original = QuerySet.select_for_update

    def select_for_update(queryset, *args, **kwargs):
        return queryset if queryset.model is Referral else original(queryset, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", select_for_update)


def accept_at_once(referral, actor):
    barrier = threading.Barrier(THREADS)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            outcomes.append(services.referral_accept(referral, actor, opened_on=timezone.localdate(), sex="F"))
        except DomainError as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_open_one_pathway(psychologist, referral, wide_window):
    outcomes = accept_at_once(referral, psychologist)

    refusals = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(outcomes) == THREADS and len(refusals) == THREADS - 1
    assert {error.code for error in refusals} == {"already_decided"}
    assert Pathway.objects.count() == 1 and Patient.objects.count() == 1
    referral.refresh_from_db()
    assert (referral.status, referral.pathway) == (ReferralStatus.ACCEPTED, Pathway.objects.get())


@pytest.mark.django_db(transaction=True)
def test_without_the_referral_lock_concurrent_accepts_open_several_pathways(
    psychologist, referral, wide_window, no_referral_lock
):
    # The control: the same race, the referral row read without FOR UPDATE.
    accept_at_once(referral, psychologist)

    assert Pathway.objects.count() > 1

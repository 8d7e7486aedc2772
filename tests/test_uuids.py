"""Time-ordered keys for sessions (config/uuids.py, RFC 9562 version 7)."""

import time
import uuid

import pytest

from config.uuids import uuid7
from tests.factories import CareSessionFactory


def test_a_uuid7_has_its_version_variant_and_the_time_it_was_made():
    before = time.time_ns() // 1_000_000
    made = uuid7()
    after = time.time_ns() // 1_000_000
    assert made.version == 7 and made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after


def test_later_keys_sort_after_earlier_ones_and_none_repeats():
    first = [uuid7() for _ in range(5_000)]
    time.sleep(0.002)
    later = uuid7()
    assert len(set(first)) == len(first)
    assert all(later > key for key in first)
    assert str(later) > max(str(key) for key in first)  # PostgreSQL's uuid order is the text's


@pytest.mark.django_db
def test_a_new_session_gets_a_time_ordered_key():
    assert CareSessionFactory().pk.version == 7

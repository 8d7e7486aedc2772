import pytest

from tests.factories import ReferralLinkFactory


@pytest.fixture
def link(psychologist):
    """The psychologist's live referral link."""
    psychologist.practice_address = "12 quai Saint-Vincent, 69001 Lyon"
    psychologist.save(update_fields=["practice_address"])
    return ReferralLinkFactory(psychologist=psychologist)

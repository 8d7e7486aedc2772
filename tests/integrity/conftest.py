from datetime import date

import pytest
from django.utils import timezone

from pathway.models import SessionKind
from tests.factories import CareSessionFactory, PathwayFactory, PatientFactory, ReferralLinkFactory


@pytest.fixture
def pathway_in_care(psychologist):
    """A pathway in care whose evaluation was held on the first of the year: follow-ups may be recorded."""
    first_of_year = date(timezone.localdate().year, 1, 1)
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=first_of_year)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=first_of_year)
    return pathway


@pytest.fixture
def link(psychologist):
    """The psychologist's live referral link, for the public form."""
    psychologist.practice_address = "12 quai Saint-Vincent, 69001 Lyon"
    psychologist.save(update_fields=["practice_address"])
    return ReferralLinkFactory(psychologist=psychologist)

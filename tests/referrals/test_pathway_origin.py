"""The include the pathway page shows: where a pathway came from, given `referral` (or nothing)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse

from referrals.models import Referral, ReferrerProfession
from tests.factories import PathwayFactory, ReferralFactory, ReferralLinkFactory

pytestmark = pytest.mark.django_db

INCLUDE = "referrals/includes/pathway_origin.html"


def test_it_names_the_referrer_their_number_the_day_and_the_reference(psychologist):
    referral = ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist))
    # 23:30 in Paris is already the next day in UTC: the day shown is the Paris one.
    Referral.objects.filter(pk=referral.pk).update(
        received_at=datetime(2026, 3, 14, 23, 30, tzinfo=ZoneInfo("Europe/Paris")))
    referral.refresh_from_db()

    html = render_to_string(INCLUDE, {"referral": referral})

    assert (f"Adressé par Dr Anne LEROY, médecin généraliste, RPPS 10003456786, le 14/03/2026 — "
            f'<a href="{reverse("referrals:detail", kwargs={"referral_id": referral.pk})}">'
            f"réf. {referral.reference}</a>") in html


def test_a_midwife_is_not_called_doctor(psychologist):
    referral = ReferralFactory(link=ReferralLinkFactory(psychologist=psychologist),
                               referrer_profession=ReferrerProfession.MIDWIFE, referrer_number="691012348")
    html = render_to_string(INCLUDE, {"referral": referral})
    assert "Adressé par Anne LEROY, sage-femme, ADELI 691012348" in html


def test_it_shows_nothing_for_a_pathway_without_a_referral(psychologist):
    pathway = PathwayFactory()
    html = Template('{% include "' + INCLUDE + '" with referral=pathway.referral %}').render(
        Context({"pathway": pathway}))
    assert html.strip() == ""
    assert render_to_string(INCLUDE, {"referral": None}).strip() == ""

"""The throwaway cluster's database for the outage test: migrated, then its data (run by `manage.py shell`)."""

import json
from datetime import date

from django.core.management import call_command
from django.utils import timezone

from pathway.models import SessionKind
from tests.auth import TEST_TOTP_KEY, totp_device
from tests.factories import CareSessionFactory, PathwayFactory, PatientFactory, PsychologistFactory, ReferralLinkFactory

PASSWORD = "a-long-test-password"  # the factories' password


def prepare():
    call_command("migrate", verbosity=0)
    psychologist = PsychologistFactory(username="outage")
    totp_device(psychologist)
    first_of_year = date(timezone.localdate().year, 1, 1)
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist), opened_on=first_of_year)
    CareSessionFactory(pathway=pathway, kind=SessionKind.EVALUATION, date=first_of_year)
    link = ReferralLinkFactory(psychologist=psychologist)
    print(json.dumps({"username": psychologist.username, "password": PASSWORD, "totp_key": TEST_TOTP_KEY,
                      "pathway": str(pathway.pk), "link": link.token}))

"""The calendar year of the cap is the one in Europe/Paris, not in UTC."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pathway import services
from tests.auth import log_in
from tests.factories import CareSessionFactory, PathwayFactory, PatientFactory

pytestmark = pytest.mark.django_db

# 31/12/2026 at 23:30 UTC is already 01/01/2027 at 00:30 in Paris.
NEW_YEAR_NIGHT_UTC = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)


def test_just_after_midnight_in_paris_the_meter_counts_the_new_year(client, psychologist, monkeypatch):
    pathway = PathwayFactory(patient=PatientFactory(psychologist=psychologist, last_name="Minuit"),
                             opened_on=date(2026, 1, 5))
    CareSessionFactory(pathway=pathway, kind="evaluation", date=date(2026, 1, 5))
    CareSessionFactory(pathway=pathway, date=date(2026, 12, 31))
    monkeypatch.setattr(timezone, "now", lambda: NEW_YEAR_NIGHT_UTC)
    assert timezone.localdate() == date(2027, 1, 1)
    log_in(client, psychologist)  # a session opened "now", in the patched clock
    page = client.get(reverse("pathway:patient_list")).content.decode()
    assert "0 / 12 cette année" in page


def test_a_session_belongs_to_the_year_of_its_own_date():
    patient = PatientFactory()
    pathway = PathwayFactory(patient=patient, opened_on=date(2025, 1, 6))
    CareSessionFactory(pathway=pathway, kind="evaluation", date=date(2025, 1, 6))
    CareSessionFactory(pathway=pathway, date=date(2025, 12, 31))
    CareSessionFactory(pathway=pathway, kind="evaluation", date=date(2026, 1, 1))
    assert services.cap_usage(patient.pk, date(2025, 6, 1)).used == 2
    assert services.cap_usage(patient.pk, date(2026, 6, 1)).used == 1

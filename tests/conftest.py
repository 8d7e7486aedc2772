import pytest

from tests.auth import log_in

from .factories import GPFactory, PsychologistFactory


@pytest.fixture
def psychologist(db):
    return PsychologistFactory(username="psychologist", first_name="Hélène", last_name="Durand")


@pytest.fixture
def other_psychologist(db):
    return PsychologistFactory(username="other", first_name="Marc", last_name="Petit")


@pytest.fixture
def gp(db):
    return GPFactory(username="gp", first_name="Anne", last_name="Leroy")


@pytest.fixture
def client_psy(client, psychologist):
    log_in(client, psychologist)
    return client


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded letters go to a throwaway folder, never into the work tree."""
    settings.MEDIA_ROOT = tmp_path / "media"

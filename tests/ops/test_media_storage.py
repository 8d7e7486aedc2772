"""Where the referral letters are stored: MEDIA_ROOT by default, or a shared storage set by the deployer."""

import sys

from django.conf import settings
from django.core.files.storage import FileSystemStorage

from pathway.models import Pathway

from .deployment import run

LETTERS_STORAGE = (
    "import django; django.setup(); from pathway.models import Pathway; "
    "s = Pathway._meta.get_field('referral_scan').storage; print(type(s).__name__, getattr(s, 'location', ''))"
)


def letters_storage(**env):
    return run([sys.executable, "-c", LETTERS_STORAGE], DJANGO_SETTINGS_MODULE="config.settings.base",
               DEBUG="true", DATABASE_URL=None, **env)


def test_letters_go_to_media_root_by_default_and_follow_it():
    storage = Pathway._meta.get_field("referral_scan").storage
    assert isinstance(storage, FileSystemStorage)
    assert storage.location == str(settings.MEDIA_ROOT)  # the tests' tmp folder (tests/conftest.py)


def test_the_deployer_chooses_the_storage_backend_and_its_options():
    result = letters_storage(MEDIA_STORAGE_BACKEND="django.core.files.storage.InMemoryStorage")
    assert result.stdout.split()[0] == "InMemoryStorage", result.stderr
    result = letters_storage(MEDIA_STORAGE_OPTIONS='{"location": "/srv/shared/letters"}')
    assert result.stdout.split() == ["FileSystemStorage", "/srv/shared/letters"], result.stderr


def test_malformed_storage_options_are_refused_at_start():
    result = letters_storage(MEDIA_STORAGE_OPTIONS="location=/srv")
    assert result.returncode != 0
    assert "MEDIA_STORAGE_OPTIONS must be JSON" in result.stderr

"""The site's URLs plus two views that fail on purpose, for tests/ops/test_error_pages.py."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

SECRET = "SECRET-7f3a password=hunter2 /srv/app/config/settings"


def crash(request):
    raise RuntimeError(SECRET)


def refuse(request):
    raise PermissionDenied(SECRET)


urlpatterns = [
    path("test-crash/", crash),
    path("test-refuse/", refuse),
    *site_urlpatterns,
]

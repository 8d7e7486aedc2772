import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/msp")

from .base import *  # noqa: E402,F403

if DATABASES["default"]["ENGINE"] != POSTGRESQL_ENGINE:  # noqa: F405
    raise RuntimeError("The test suite runs on PostgreSQL: set DATABASE_URL=postgres://...")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
# Plain storages whatever the environment says: letters on disk under MEDIA_ROOT (a tmp folder per test),
# static files without the manifest that only `collectstatic` writes (WhiteNoise is production-only).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

"""What a deployer sets, and how tests start the app the way `make serve` does, in a subprocess."""

import json
import os
import socket
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings

# Variables the test process has (config.settings.test sets some) that a deployer sets anew.
DEPLOYMENT_VARIABLES = (
    "DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CONN_MAX_AGE",
    "STATIC_ROOT", "MEDIA_ROOT", "MEDIA_STORAGE_BACKEND", "MEDIA_STORAGE_OPTIONS", "TRUSTED_PROXY_COUNT",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
)
# README "Deploying": the variables to set, with the optional HSTS preload chosen.
DEPLOYER = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "q8Zr-3vK!pW7#mT2@xL9$hN4%bJ6^cF1&dS5*gY0(eU8)aQ3_iO7",
    "ALLOWED_HOSTS": "psy.example.fr,127.0.0.1",
    "DATABASE_URL": "postgres://app:secret@db.example.fr:5432/msp",
    "SECURE_HSTS_PRELOAD": "true",
}


def environment(**changes):
    """The test process's environment without its deployment variables, plus the deployer's and `changes`
    (a None value removes the variable)."""
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARIABLES}
    # The browser tests allow Django's ORM beside Playwright's event loop; a deployment never does.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(DEPLOYER)
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def run(args, **changes):
    return subprocess.run(args, env=environment(**changes), capture_output=True, text=True, cwd=settings.BASE_DIR,
                          timeout=60)


def manage(*args, **changes):
    return run([sys.executable, "manage.py", *args], **changes)


def settings_of(names, **changes):
    """Some settings as the environment makes them: the settings module imported in a fresh process."""
    code = ("import importlib, json, os; from django.conf import global_settings as default; "
            "settings = importlib.import_module(os.environ['DJANGO_SETTINGS_MODULE']); "
            f"print(json.dumps({{n: getattr(settings, n, getattr(default, n)) for n in {names!r}}}, default=str))")
    result = load_settings(code, **changes)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def load_settings(code="import importlib, os; importlib.import_module(os.environ['DJANGO_SETTINGS_MODULE'])",
                  **changes):
    """Import the settings module alone (no app loaded): how a start refused by the settings fails."""
    return run([sys.executable, "-c", code], **changes)


def database_url(settings_dict):
    """A DATABASE_URL for a database of the test server (the test database, a scratch one)."""
    user = quote(settings_dict["USER"] or "")
    password = f":{quote(settings_dict['PASSWORD'])}" if settings_dict["PASSWORD"] else ""
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

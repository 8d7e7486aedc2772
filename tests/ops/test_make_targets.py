"""The Makefile's deployment targets run what the README says (read with `make -n`, nothing executed)."""

import subprocess

from django.conf import settings


def planned(*args):
    result = subprocess.run(["make", "-n", *args], capture_output=True, text=True, cwd=settings.BASE_DIR,
                            timeout=60, check=True)
    return result.stdout


def test_make_test_runs_the_audit_warning_only_when_vulnerability_data_is_out_of_reach():
    commands = planned("test")
    assert ".venv-tools/bin/bandit -c pyproject.toml -r . --quiet --severity-level high" in commands
    assert 'AUDIT_UNREACHABLE="warn" .venv-tools/bin/python ops/audit_dependencies.py' in commands
    assert commands.index("ops/audit_dependencies.py") < commands.index("bin/pytest")


def test_make_audit_alone_fails_when_vulnerability_data_is_out_of_reach():
    assert 'AUDIT_UNREACHABLE="" .venv-tools/bin/python ops/audit_dependencies.py' in planned("audit")


def test_make_serve_checks_migrates_collects_then_runs_gunicorn_under_production_settings():
    production = "DJANGO_SETTINGS_MODULE=config.settings.production"
    commands = [line for line in planned("serve").splitlines() if production in line]
    assert [c.split(production)[1].split()[:3] for c in commands] == [
        [".venv/bin/python", "manage.py", "check"],
        [".venv/bin/python", "manage.py", "migrate"],
        [".venv/bin/python", "manage.py", "collectstatic"],
        [".venv/bin/gunicorn", "config.wsgi:application", "--bind"],
    ]


def test_make_backup_and_restore_call_the_backup_script():
    assert ".venv/bin/python ops/backup.py backup" in planned("backup")
    assert 'CONFIRM="yes" .venv/bin/python ops/backup.py restore "backups/x.dump"' in planned(
        "restore", "FILE=backups/x.dump", "CONFIRM=yes")

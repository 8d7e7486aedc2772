"""`make audit`: pip-audit's verdict on requirements.txt cannot be misread; bandit skips what is not served."""

import tomllib

import pytest
from django.conf import settings

from ops import audit_dependencies
from ops.audit_dependencies import verdict


def report(*dependencies):
    return {"dependencies": list(dependencies), "fixes": []}


AUDITED = {"name": "django", "version": "5.2.19", "vulns": []}
VULNERABLE = {"name": "weasyprint", "version": "69.0", "vulns": [
    {"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": ["70.0"], "aliases": [], "description": "url_fetcher bypass"}]}
NOT_AUDITED = {"name": "segno", "skip_reason": "Dependency not found on PyPI and could not be audited: segno (1.6.6)"}


def test_every_pin_audited_and_clean_passes():
    code, message = verdict(report(AUDITED, AUDITED))
    assert code == 0
    assert "2 pins audited, no known vulnerability" in message


def test_a_vulnerable_pin_fails_naming_the_advisory_and_the_fixed_version():
    code, message = verdict(report(AUDITED, VULNERABLE))
    assert code == 1
    assert "weasyprint 69.0: GHSA-xxxx-yyyy-zzzz (fixed in 70.0)" in message


def test_pins_that_could_not_be_audited_fail_saying_nothing_was_checked():
    code, message = verdict(report(AUDITED, NOT_AUDITED))
    assert code == 2
    assert "1 of 2 pins were NOT audited" in message
    assert "segno (1.6.6)" in message


def test_no_report_at_all_fails_saying_the_service_was_not_reached():
    code, message = verdict(None, "requests.exceptions.ConnectionError: Failed to resolve 'pypi.org'")
    assert code == 2
    assert "NOTHING WAS AUDITED" in message
    assert "Failed to resolve" in message


@pytest.mark.parametrize(("mode", "unreachable_code"), [("", 2), ("warn", 0)])
def test_inside_make_test_unreachable_data_only_warns_but_a_vulnerability_still_fails(
        monkeypatch, capsys, mode, unreachable_code):
    monkeypatch.setenv("AUDIT_UNREACHABLE", mode)
    monkeypatch.setattr(audit_dependencies, "run_pip_audit", lambda requirements: (report(NOT_AUDITED), ""))
    assert audit_dependencies.main(["audit"]) == unreachable_code
    assert "NOT audited" in capsys.readouterr().err
    monkeypatch.setattr(audit_dependencies, "run_pip_audit", lambda requirements: (report(VULNERABLE), ""))
    assert audit_dependencies.main(["audit"]) == 1


def test_bandit_leaves_out_the_tests_and_the_migrations():
    config = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())["tool"]["bandit"]
    assert {"tests", "migrations"} <= set(config["exclude_dirs"])

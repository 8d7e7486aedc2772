"""pip-audit on requirements.txt's pins, with a verdict that cannot be misread.

    .venv-tools/bin/python ops/audit_dependencies.py [requirements.txt]

Exit 0: every pin was audited and none has a known vulnerability. Exit 1: a vulnerable pin (upgrade it,
see the advisory). Exit 2: some pins could NOT be audited (pip-audit reports them as skipped when PyPI's
vulnerability data does not answer): a silent pass would be a lie, so it fails, unless
AUDIT_UNREACHABLE=warn (what `make test` sets), which prints the same message and exits 0.
Runs in the tools' venv (`make audit`), with pip-audit on its PATH.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICE = "PyPI's vulnerability data (https://pypi.org/pypi/<name>/<version>/json)"


def run_pip_audit(requirements):
    """pip-audit's JSON report, or None when it gave none (it could not run at all)."""
    # Every pin is exact (==): no resolution needed, only the advisory look-up of each name and version.
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--requirement", str(requirements), "--no-deps", "--disable-pip",
         "--progress-spinner", "off", "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    try:
        return json.loads(result.stdout), result.stderr
    except ValueError:
        return None, result.stderr


def verdict(report, stderr=""):
    """(exit code, message) for a pip-audit JSON report; a None report means pip-audit did not answer."""
    if report is None:
        tail = "\n".join(stderr.strip().splitlines()[-3:])
        return 2, f"pip-audit gave no report: {SERVICE} could not be reached. NOTHING WAS AUDITED.\n{tail}"
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if vulnerable:
        lines = [f"  {d['name']} {d['version']}: {v['id']} (fixed in {', '.join(v['fix_versions']) or 'none yet'})"
                 for d in vulnerable for v in d["vulns"]]
        return 1, "Known vulnerabilities in requirements.txt: upgrade these pins.\n" + "\n".join(lines)
    if skipped:
        return 2, (f"{len(skipped)} of {len(dependencies)} pins were NOT audited: {SERVICE} was not available "
                   f"for them (first: {skipped[0]['skip_reason']}). No verdict on the dependencies.")
    return 0, f"pip-audit: {len(dependencies)} pins audited, no known vulnerability."


def main(argv):
    requirements = Path(argv[1]) if len(argv) > 1 else ROOT / "requirements.txt"
    code, message = verdict(*run_pip_audit(requirements))
    if code == 2 and os.environ.get("AUDIT_UNREACHABLE") == "warn":
        print(f"WARNING: {message}\n(going on: AUDIT_UNREACHABLE=warn; `make audit` fails here)", file=sys.stderr)
        return 0
    print(message, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))

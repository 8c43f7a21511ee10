"""CI's dependency audit: pip-audit over the installed dependencies, with the advisory service
pip-audit itself knows (no URL written here). Exit 1 on a known vulnerability; a machine that
cannot look the packages up (only a package mirror reachable) prints NOT AUDITED and exits 0,
rather than passing as if it had audited. `make audit` is the strict form for a person."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(__file__).resolve().parents[1] / ".venv" / "bin"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        run = subprocess.run(
            [str(BIN / "pip-audit"), "--skip-editable", "--progress-spinner", "off",
             "--format", "json", "--output", str(report)],
            capture_output=True, text=True,
        )  # fmt: skip
        if not report.is_file() or not report.read_text().strip():
            why = (run.stderr.strip().splitlines() or ["no report"])[-1]
            print(f"NOT AUDITED: pip-audit could not run its lookups ({why}); "
                  "run 'make audit' where the package index's advisory data is reachable.",
                  file=sys.stderr)  # fmt: skip
            return 0
        found = json.loads(report.read_text())
    dependencies = found.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"VULNERABLE: {dependency['name']} {dependency.get('version', '')}: {ids}",
              file=sys.stderr)  # fmt: skip
    skipped = [d for d in dependencies
               if d.get("skip_reason") and "editable" not in d["skip_reason"]]  # fmt: skip
    if vulnerable:
        return 1
    if skipped:
        print(f"NOT AUDITED: {len(skipped)} of {len(dependencies)} dependencies could not be "
              f"looked up ({skipped[0]['skip_reason']}); run 'make audit' where the package "
              "index's advisory data is reachable.", file=sys.stderr)  # fmt: skip
        return 0
    print(f"audited {len(dependencies)} dependencies: no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())

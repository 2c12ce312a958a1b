"""checkov's Bicep checks pass on infra/, with every skip documented inline.

checkov lives in its own virtual environment (.venv-infra, built by `make test`
from requirements-infra.txt); SLA_CHECKOV names its executable. It runs once
per session, offline: no platform mapping download, no update check.

A skip is a comment ``// checkov:skip=CKV_AZURE_XX: reason`` on the first lines
*inside* the resource body: checkov 3.3.30 reads suppressions only from the
resource's own lines, so a comment above the ``resource`` line is ignored
(test_every_inline_skip_is_used catches that).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from .bicep import INFRA_DIR, REPO_ROOT, bicep_files, relative

SKIP_COMMENT = re.compile(r"//\s*checkov:skip=([A-Z0-9_]+)(.*)$")


def _checkov_executable() -> Path:
    configured = os.environ.get("SLA_CHECKOV")
    path = Path(configured) if configured else REPO_ROOT / ".venv-infra" / "bin" / "checkov"
    if not path.is_file():
        pytest.fail(
            f"checkov not found at {path}: run `make test` (it builds .venv-infra from "
            "requirements-infra.txt and sets SLA_CHECKOV), or `make install-infra`."
        )
    return path


@pytest.fixture(scope="module")
def checkov_report() -> dict[str, Any]:
    executable = _checkov_executable()
    env = {
        **os.environ,
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_PARSE_ERROR_FAIL": "true",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    }
    started = time.monotonic()
    completed = subprocess.run(
        [str(executable), "--framework", "bicep", "-d", str(INFRA_DIR), "-o", "json", "--skip-download"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    elapsed = time.monotonic() - started
    print(f"checkov took {elapsed:.1f} s (exit code {completed.returncode})")
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"checkov printed no JSON (exit {completed.returncode}):\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
        )
    if isinstance(report, list):  # one report per framework when several ran
        report = next(r for r in report if r.get("check_type") == "bicep")
    report["exit_code"] = completed.returncode
    return report


def test_checkov_finds_no_failed_check(checkov_report: dict[str, Any]) -> None:
    failed = checkov_report["results"]["failed_checks"]
    described = [f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}" for c in failed]
    assert checkov_report["summary"]["failed"] == 0, "checkov failed checks:\n" + "\n".join(described)
    assert checkov_report["exit_code"] == 0


def test_checkov_parses_every_bicep_file(checkov_report: dict[str, Any]) -> None:
    assert checkov_report["summary"]["parsing_errors"] == 0, checkov_report["results"].get("parsing_errors")
    assert not checkov_report["results"].get("parsing_errors")


def test_checkov_scans_the_resources(checkov_report: dict[str, Any]) -> None:
    assert checkov_report["summary"]["resource_count"] >= 20
    assert checkov_report["summary"]["passed"] >= 10


def test_every_checkov_skip_in_the_report_has_a_reason(checkov_report: dict[str, Any]) -> None:
    for check in checkov_report["results"]["skipped_checks"]:
        reason = (check["check_result"].get("suppress_comment") or "").strip()
        assert len(reason) >= 30 and reason != "No comment provided", f"{check['check_id']} on {check['resource']}"


def _inline_skips() -> list[tuple[str, str, str]]:
    skips = []
    for path in bicep_files():
        for line in path.read_text().splitlines():
            match = SKIP_COMMENT.search(line)
            if match:
                skips.append((relative(path), match.group(1), match.group(2)))
    return skips


def test_every_inline_skip_states_its_reason() -> None:
    for file, check_id, rest in _inline_skips():
        assert rest.startswith(":") and len(rest[1:].strip()) >= 30, f"{file}: skip of {check_id} needs ': <reason>'"


def test_every_inline_skip_is_used(checkov_report: dict[str, Any]) -> None:
    used = {c["check_id"] for c in checkov_report["results"]["skipped_checks"]}
    unused = [(file, check_id) for file, check_id, _ in _inline_skips() if check_id not in used]
    assert not unused, f"skips that suppress nothing (remove them): {unused}"

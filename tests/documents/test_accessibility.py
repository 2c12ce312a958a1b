"""Accessibility of the e-mail body (SLA §10.2: WCAG 2.1 AA): axe-core in headless Debian Chromium finds nothing.

The HTML is written to a file with its ``cid:`` images replaced by data URIs
and checked by ``axe_check.mjs`` (playwright-core drives /usr/bin/chromium,
network blocked, fresh profile) against the WCAG 2.0/2.1 A and AA rules,
colour contrast included. The test fails, never skips, when Chromium, node or
node_modules are missing: ``make test`` installs them.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sla_app.documents import RenderedReport
from tests.documents.conftest import ROOT

SCRIPT = Path(__file__).resolve().parent / "axe_check.mjs"
# A page that must fail, checked in the same run: proves the checker sees what it should.
CANARY = '<!DOCTYPE html><html lang="nl"><head><title>x</title></head><body><main><img src="data:,">'
CANARY += '<p style="color:#aaaaaa">te licht</p></main></body></html>'
CHROMIUM = Path(os.environ.get("SLA_CHROMIUM", "/usr/bin/chromium"))


def missing_tools() -> list[str]:
    missing = [] if CHROMIUM.exists() else [f"Chromium ({CHROMIUM})"]
    missing += [] if shutil.which("node") else ["node"]
    for package in ("axe-core/axe.min.js", "playwright-core/package.json"):
        if not (ROOT / "node_modules" / package).exists():
            missing.append(f"node_modules/{package}")
    return missing


def standalone(result: RenderedReport) -> str:
    html = result.html
    for content_id, png in result.inline_images.items():
        html = html.replace(f"cid:{content_id}", "data:image/png;base64," + base64.b64encode(png).decode("ascii"))
    assert "cid:" not in html
    return html


def test_email_html_has_no_wcag_violations(
    tmp_path: Path, rendered: dict[str, RenderedReport], edge_rendered: RenderedReport
) -> None:
    missing = missing_tools()
    if missing:
        pytest.fail(
            f"accessibility check cannot run, missing: {', '.join(missing)}. Run `make test` (it installs them)."
        )
    documents = {"almelo": rendered["almelo"], "enschede": rendered["enschede"], "edge": edge_rendered}
    canary = tmp_path / "canary.html"
    canary.write_text(CANARY, encoding="utf-8")
    files = [str(canary)]
    for name, result in documents.items():
        path = tmp_path / f"{name}.html"
        path.write_text(standalone(result), encoding="utf-8")
        files.append(str(path))
    run = subprocess.run(
        ["node", str(SCRIPT), *files], cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert run.returncode == 0, f"axe_check.mjs failed ({run.returncode}): {run.stderr[-3000:]}"
    results: dict[str, list[dict[str, Any]]] = json.loads(run.stdout)
    assert sorted(results) == sorted(files)
    assert {v["id"] for v in results.pop(str(canary))} >= {"color-contrast", "image-alt"}, (
        "the checker misses violations"
    )
    violations = {Path(file).stem: found for file, found in results.items() if found}
    assert not violations, "WCAG violations:\n" + json.dumps(violations, indent=2, ensure_ascii=False)

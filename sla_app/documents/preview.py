"""Render reports to files to look at them: ``python -m sla_app.documents.preview OUT_DIR``.

Without ``--json`` it computes May 2026 for every sample municipality from the
files in ``samples/`` (as ``make demo`` does, ``as_of`` 5 June 2026) and writes
``OUT_DIR/<tenant>-2026-05.html`` (the e-mail body with its images embedded),
``.pdf``, ``.ods`` and ``.txt``. ``--json FILE …`` renders stored report JSON
files instead. ``--png PATH`` also writes the first PDF page of one report
(``--png-tenant``, default enschede, else the first) as a PNG at 80 dpi, with
``pdftoppm`` from poppler-utils (``--png-page N`` another page): ``docs/report-example.png``
is made so.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from sla_app.documents.html_report import inline_cids
from sla_app.documents.render import render
from sla_cli.files import load_inputs
from sla_core.business_calendar import to_us
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_json import report_json

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SAMPLE_MONTH = Month(2026, 5)
SAMPLE_AS_OF = datetime.fromisoformat("2026-06-05T00:00:00+02:00")


def sample_reports() -> list[dict[str, Any]]:
    """Each sample municipality's May 2026 report JSON, computed by the core from ``samples/``."""
    inputs = load_inputs(
        SAMPLES / "events.jsonl", SAMPLES / "availability.csv", SAMPLES / "exclusions.json", SAMPLES / "contract.json"
    )
    reporter = Reporter(inputs.contract, inputs.results, inputs.exclusions, to_us(SAMPLE_AS_OF))
    return [report_json(reporter.report(t, SAMPLE_MONTH, inputs.events)) for t in inputs.contract.tenants]


def write_files(report: dict[str, Any], out: Path, contact: str | None = None) -> dict[str, Path]:
    """Render one report and write its HTML, PDF, ODS and text next to each other."""
    rendered = render(report, contact=contact)
    stem = out / f"{report['tenant']}-{report['month']}"
    paths = {kind: stem.with_suffix(f".{kind}") for kind in ("html", "pdf", "ods", "txt")}
    paths["html"].write_text(inline_cids(rendered.html, rendered.inline_images), encoding="utf-8")
    paths["txt"].write_text(rendered.text + "\n", encoding="utf-8")
    for attachment in rendered.attachments:
        paths[attachment.name.rsplit(".", 1)[1]].write_bytes(attachment.data)
    return paths


def first_page_png(pdf: Path, target: Path, dpi: int = 80, page: int = 1) -> bool:
    """One page of the PDF (default the first) as a PNG via ``pdftoppm``; False when poppler-utils is missing."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        return False
    with tempfile.TemporaryDirectory() as scratch:
        prefix = Path(scratch) / "page"
        subprocess.run(
            [tool, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix)],
            check=True,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(prefix.with_suffix(".png"), target)
    return True


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Render monthly reports to HTML, PDF, ODS and text files.")
    parser.add_argument("out", type=Path, help="folder to write the files to")
    parser.add_argument("--json", type=Path, nargs="+", help="report JSON files (default: the sample month)")
    parser.add_argument("--png", type=Path, help="also write the first PDF page of one report as this PNG")
    parser.add_argument("--png-tenant", default="enschede", help="the tenant whose report --png shows")
    parser.add_argument("--png-page", type=int, default=1, help="the PDF page --png shows (default 1)")
    args = parser.parse_args(argv)
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in args.json] if args.json else sample_reports()
    args.out.mkdir(parents=True, exist_ok=True)
    written = [write_files(report, args.out) for report in reports]
    for paths in written:
        print(" ".join(str(p) for p in paths.values()))
    if args.png and written:
        chosen = next((p for r, p in zip(reports, written) if r["tenant"] == args.png_tenant), written[0])
        if first_page_png(chosen["pdf"], args.png, page=args.png_page):
            print(args.png)
        else:
            raise SystemExit("pdftoppm not found: install poppler-utils to write the PNG")


if __name__ == "__main__":
    main()

"""``make demo``: the main job on the built-in sample data.

Computes the May 2026 report of each sample municipality from the files in
``samples/`` through the same path as ``python -m sla_core report`` (files read
once, one Reporter for all tenants), prints the Dutch summary and writes the
JSON report to ``out/<tenant>-<month>.json``. ``as_of`` is fixed so the demo
prints the same figures on every machine.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sla_core.business_calendar import to_us
from sla_core.cli import load_inputs, render
from sla_core.periods import Month
from sla_core.report import Reporter

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUT = ROOT / "out"
MONTH = Month(2026, 5)
AS_OF = datetime.fromisoformat("2026-06-05T00:00:00+02:00")


def main() -> None:
    """Print and store each sample municipality's report."""
    inputs = load_inputs(
        SAMPLES / "events.jsonl",
        SAMPLES / "availability.csv",
        SAMPLES / "exclusions.json",
        SAMPLES / "contract.json",
    )
    reporter = Reporter(inputs.contract, inputs.results, inputs.exclusions, to_us(AS_OF))
    OUT.mkdir(exist_ok=True)
    for tenant in inputs.contract.tenants:
        report = reporter.report(tenant, MONTH, inputs.events)
        target = OUT / f"{tenant}-{MONTH}.json"
        target.write_text(render(report, "json") + "\n", encoding="utf-8")
        print(render(report, "text"))
        print(f"(JSON-rapport: {target.relative_to(ROOT)})")
        print()


if __name__ == "__main__":
    main()

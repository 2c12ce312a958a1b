"""``make demo``: the main job on the built-in sample data, twice over.

1. The measurement core straight from the sample files, as
   ``python -m sla_core report`` does (files read once, one Reporter).
2. The whole service locally: Azurite is started, the sample events are posted
   to the signed webhook, availability is ingested from the CSV export, the
   exclusion is recorded, the month is fanned out over the queue and every
   tenant's report is computed and stored; the stored reports are printed.

3. Every report is mailed once — locally as a ``.eml`` file in ``out/`` — and
   also written as the HTML e-mail body, PDF and ODS next to it.

Both computations must agree; the demo says so. ``as_of`` is fixed (5 June
2026), so the demo prints the same figures on every machine. Everything goes
to ``out/``: ``<tenant>-2026-05.{json,html,pdf,ods,txt,eml}``.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sla_app import bootstrap
from sla_app.settings import Settings
from sla_core.business_calendar import to_us
from sla_core.cli import load_inputs
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_json import report_json
from sla_core.report_text import report_text
from sla_app.reporting.preview import write_files
from tools import azurite, local_pipeline

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUT = ROOT / "out"
MONTH = Month(2026, 5)
AS_OF = datetime.fromisoformat("2026-06-05T00:00:00+02:00")
COMPARED = ("service_levels", "outcomes", "trailing_12_months", "pending", "incomplete_tickets", "not_measured")


def core_reports() -> dict[str, dict]:
    """Each sample tenant's report computed by the core from the files."""
    inputs = load_inputs(
        SAMPLES / "events.jsonl", SAMPLES / "availability.csv", SAMPLES / "exclusions.json", SAMPLES / "contract.json"
    )
    reporter = Reporter(inputs.contract, inputs.results, inputs.exclusions, to_us(AS_OF))
    return {t: report_json(reporter.report(t, MONTH, inputs.events)) for t in inputs.contract.tenants}


def local_settings(connection_string: str) -> Settings:
    """Settings of the local run (Azurite, CSV export, outbox mail, throwaway secrets)."""
    values = json.loads((ROOT / "local.settings.example.json").read_text(encoding="utf-8"))["Values"]
    values |= {
        "SLA_STORAGE_CONNECTION_STRING": connection_string,
        "SLA_RESULTS_CSV": str(SAMPLES / "availability.csv"),
        "SLA_OUTBOX_DIR": str(OUT),
    }
    return Settings.from_environ(values)


def service_reports() -> dict[str, dict]:
    """Each sample tenant's report as stored by the locally running service."""
    server = azurite.start()
    try:
        graph = bootstrap.build(local_settings(server.connection_string), clock=lambda: AS_OF)
        bootstrap.use(graph)
        run = local_pipeline.run(graph, SAMPLES, MONTH, log=lambda line: print(f"  {line}"))
        return run.reports
    finally:
        bootstrap.use(None)
        server.stop()


def main() -> None:
    """Print and store each sample municipality's report; check core and service agree."""
    OUT.mkdir(exist_ok=True)
    print("Lokale dienst (Azurite, webhooks, inname, wachtrij):")
    stored = service_reports()
    print()
    direct = core_reports()
    for tenant, report in stored.items():
        target = OUT / f"{tenant}-{MONTH}.json"
        target.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        documents = write_files(report, OUT)
        print(report_text(report))
        same = all(report[key] == direct[tenant][key] for key in COMPARED)
        names = ", ".join(p.name for p in (target, *documents.values(), *sorted(OUT.glob(f"{tenant}-{MONTH}-v*.eml"))))
        print(f"(gelijk aan de CLI-berekening: {'ja' if same else 'NEE'}; bestanden in out/: {names})")
        print()
        if not same:
            raise SystemExit(f"the stored report of {tenant} differs from the core's computation")


if __name__ == "__main__":
    main()

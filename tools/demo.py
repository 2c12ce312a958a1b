"""``make demo``: the main job on the built-in sample data, twice over.

1. The measurement core straight from the sample files, as
   ``python -m sla_cli report`` does (files read once, one Reporter).
2. The whole service locally: Azurite is started, the sample events are posted
   to the signed webhook, availability is ingested from the CSV export, the
   exclusion is recorded, the month is fanned out over the queue and every
   tenant's report is computed and stored; the stored reports are printed.

3. Every report is mailed once — locally as a ``.eml`` file in ``out/`` — and
   also written as the HTML e-mail body, PDF and ODS next to it.

Both computations must agree on every key of the report JSON; the demo says
so, and names the keys that differ if they do not. ``as_of`` is fixed (5 June
2026), so the demo prints the same figures on every machine. ``out/`` is
emptied first and rewritten: ``<tenant>-2026-05.{json,html,pdf,ods,txt}`` and
the mailed ``.eml``. Everything the demo prints is Dutch, like the reports.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

from sla_app import bootstrap
from sla_app.documents.preview import write_files
from sla_app.settings import Settings
from sla_cli.files import load_inputs
from sla_core.business_calendar import to_us
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_json import report_json
from sla_core.report_text import report_text
from tools import azurite, local_pipeline

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUT = ROOT / "out"
MONTH = Month(2026, 5)
AS_OF = datetime.fromisoformat("2026-06-05T00:00:00+02:00")
DEMO_CONTACT = json.loads((ROOT / "local.settings.example.json").read_text(encoding="utf-8"))["Values"].get(
    "SLA_REPORT_CONTACT"
)


def differing_keys(stored: dict, direct: dict) -> list[str]:
    """The top-level keys whose values differ between two report JSON objects (every key compared)."""
    return sorted(k for k in stored.keys() | direct.keys() if stored.get(k, ...) != direct.get(k, ...))


def fresh_out(folder: Path) -> None:
    """Empty ``out/`` (files of an earlier run would be mistaken for this one's) and create it."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def core_reports(exclusions: Path = SAMPLES / "exclusions.json") -> dict[str, dict]:
    """Each sample tenant's report computed by the core from the files (``exclusions``: as exported)."""
    inputs = load_inputs(SAMPLES / "events.jsonl", SAMPLES / "availability.csv", exclusions, SAMPLES / "contract.json")
    reporter = Reporter(inputs.contract, inputs.results, inputs.exclusions, to_us(AS_OF))
    return {t: report_json(reporter.report(t, MONTH, inputs.events)) for t in inputs.contract.tenants}


def local_settings(connection_string: str) -> Settings:
    """Settings of the local run (Azurite, CSV export, outbox mail, throwaway secrets)."""
    values = json.loads((ROOT / "local.settings.example.json").read_text(encoding="utf-8"))["Values"]
    values |= {
        "SLA_STORAGE_CONNECTION_STRING": connection_string,
        "SLA_RESULTS_CSV": str(SAMPLES / "availability.csv"),
        "SLA_OUTBOX_DIR": str(OUT),
        # The in-process run plays App Service Authentication: it sets X-MS-CLIENT-PRINCIPAL itself.
        "WEBSITE_AUTH_ENABLED": "true",
    }
    return Settings.from_environ(values)


def service_reports(export: Path) -> dict[str, dict]:
    """Each sample tenant's report as stored by the locally running service.

    The exclusions as the service recorded them (with when and by whom) are exported to ``export``,
    the file the command line then recomputes from, as a municipality's auditor would.
    """
    server = azurite.start()
    try:
        ctx = bootstrap.build(local_settings(server.connection_string), clock=lambda: AS_OF)
        bootstrap.use(ctx)
        run = local_pipeline.run(ctx, SAMPLES, MONTH, log=lambda line: print(f"  {line}"))
        tenant = next(iter(run.reports))
        recorded = [e.to_json() for e in ctx.admin.exclusions(tenant)]
        export.write_text(json.dumps(recorded, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return run.reports
    finally:
        bootstrap.use(None)
        server.stop()


def main() -> None:
    """Print and store each sample municipality's report; check core and service agree."""
    fresh_out(OUT)
    print("Lokale dienst (Azurite, webhooks, inname, wachtrij):")
    export = OUT / "uitsluitingen-export.json"
    stored = service_reports(export)
    print()
    direct = core_reports(export)
    for tenant, report in stored.items():
        target = OUT / f"{tenant}-{MONTH}.json"
        target.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        documents = write_files(report, OUT, contact=DEMO_CONTACT)
        print(report_text(report))
        differ = differing_keys(report, direct[tenant])
        names = ", ".join(p.name for p in (target, *documents.values(), *sorted(OUT.glob(f"{tenant}-{MONTH}*.eml"))))
        same = "ja, alle velden" if not differ else "NEE, verschil in " + ", ".join(differ)
        print(f"(gelijk aan de CLI-berekening: {same}; bestanden in out/: {names})")
        print()
        if differ:
            raise SystemExit(f"het opgeslagen rapport van {tenant} wijkt af van de CLI-berekening: {', '.join(differ)}")


if __name__ == "__main__":
    main()

"""End to end: the sample month through the running service equals the CLI's report.

Sample events are posted through the signed webhook, availability is
ingested from the sample CSV through the backfill endpoint, the exclusion is
recorded through the admin API, the month is fanned out over the real queue
and each message is handed to the queue trigger. The stored reports must equal
what ``python -m sla_cli report`` computes from the same files.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sla_app.bootstrap import AppContext
from sla_cli.files import load_inputs
from sla_core.business_calendar import to_us
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_json import report_json
from tests.support.app import FixedClock
from tools import local_pipeline

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
MONTH = Month(2026, 5)
AS_OF = datetime(2026, 6, 4, 22, 0, tzinfo=UTC)
SAME = ("service_levels", "outcomes", "trailing_12_months", "pending", "incomplete_tickets", "not_measured")


@pytest.fixture
def local_graph(ctx: AppContext, clock: FixedClock) -> AppContext:
    clock.now = AS_OF
    ctx.results_csv = str(SAMPLES / "availability.csv")
    return ctx


def test_the_sample_month_through_the_service_equals_the_cli(local_graph: AppContext) -> None:
    run = local_pipeline.run(local_graph, SAMPLES, MONTH)
    inputs = load_inputs(
        SAMPLES / "events.jsonl", SAMPLES / "availability.csv", SAMPLES / "exclusions.json", SAMPLES / "contract.json"
    )
    reporter = Reporter(inputs.contract, inputs.results, inputs.exclusions, to_us(AS_OF))
    assert sorted(run.reports) == ["almelo", "enschede", "hengelo"]
    for tenant, stored in run.reports.items():
        expected = report_json(reporter.report(tenant, MONTH, inputs.events))
        for key in SAME:
            assert stored[key] == expected[key], f"{tenant}: {key} differs between the service and the CLI"
        assert [e["reason"] for e in stored["exclusions"]] == [e["reason"] for e in expected["exclusions"]]
        assert stored["exclusions"][0]["recorded_by"] == "SLA.Admin"  # a role, never the person (measurement §8.3)
    assert run.days == 31
    assert run.storage_requests_for_events / run.events_posted <= 0.05


def test_running_the_month_again_stores_no_new_versions(local_graph: AppContext) -> None:
    local_pipeline.run(local_graph, SAMPLES, MONTH)
    handled = local_pipeline.run_month(local_graph, MONTH)
    assert handled == ["almelo", "enschede", "hengelo"]
    for tenant in handled:
        assert [v.version for v in local_graph.reports.versions(tenant, str(MONTH))] == [1]

"""Daily availability summaries over Azurite: written at ingestion, re-derived, read by every report.

Ingestion goes through :class:`AvailabilityIngestService` with a scripted
source (as in test_availability_ingest); the raw rows and the summaries are
read back from Azurite and compared through the core: the report from the
stored summaries equals the report from the stored rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from sla_app.bootstrap import AppContext
from sla_app.services.availability_ingest import AvailabilityIngestService
from sla_app.storage.availability_summary_repo import CHUNK, LOAD, PER_ENTITY, TABLE
from sla_core.availability_input import TestResult as Result
from sla_core.availability_input import parse_results_csv
from sla_core.availability_summary import summarise_day
from sla_core.business_calendar import to_us
from sla_core.contract import default_contract
from sla_core.day_summary import LoadDay
from sla_core.periods import Month, day_bounds
from sla_core.report import Reporter
from sla_core.report_json import report_json
from tests.app.test_availability_ingest import ScriptedSource, results_on
from tests.support.app import FixedClock

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "oct_availability" / "availability.csv"


def ingest_service(ctx: AppContext, source: ScriptedSource) -> AvailabilityIngestService:
    return AvailabilityIngestService(source, ctx.availability, ctx.admin, ctx.clock, AMSTERDAM)


def reports_agree(ctx: AppContext, month: Month) -> tuple[dict, dict]:
    first, end = month.shift(-1).first_day(), month.shift(1).first_day()
    contract = default_contract()
    as_of = to_us(datetime(2026, 12, 1, tzinfo=UTC))
    raw = Reporter(contract, ctx.availability.results(first, end), [], as_of).report("t", month, [])
    summaries = ctx.availability.summarised(first, end, month.first_day())
    from_summaries = Reporter(contract, (), [], as_of, summaries=summaries).report("t", month, [])
    return report_json(raw), report_json(from_summaries)


def test_ingested_days_give_the_same_report_from_summaries_as_from_the_stored_rows(ctx: AppContext) -> None:
    rows = list(parse_results_csv(SCENARIO.read_text().splitlines(), "availability.csv"))
    rows += [Result(r.at + 1, r.name, r.location, r.success, r.duration_ms + 0.25) for r in rows[::7]]  # fractions
    source = ScriptedSource()
    days = sorted({datetime.fromtimestamp(r.at / 1e6, AMSTERDAM).date() for r in rows})
    for day in days:
        start, end = day_bounds(day, AMSTERDAM)
        source.answers[day] = ([r for r in rows if start <= r.at < end], True, "")
    service = ingest_service(ctx, source)
    for day in days:
        assert service.ingest_day(day).outcome == "stored"
    raw, summarised = reports_agree(ctx, Month(2026, 10))
    assert summarised == raw
    assert raw["service_levels"]["availability"]["down_periods"], "the scenario has down time"


def test_a_re_ingested_day_replaces_its_summary_and_changes_the_fingerprint(ctx: AppContext) -> None:
    source = ScriptedSource()
    day = date(2026, 10, 25)  # 25 hours
    service = ingest_service(ctx, source)
    service.ingest_day(day)
    before = ctx.availability.summarised(day, day + timedelta(days=1))
    source.answers[day] = (results_on(day, success=False), True, "late rows: every location failed")
    service.ingest_day(day)
    after = ctx.availability.summarised(day, day + timedelta(days=1))
    assert before.fingerprint != after.fingerprint
    raw, summarised = reports_agree(ctx, Month(2026, 10))
    assert summarised == raw
    periods = raw["service_levels"]["availability"]["down_periods"]  # a Sunday: down, but outside service hours
    assert [(p["start"], p["end"]) for p in periods] == [("2026-10-25T09:00:00+01:00", "2026-10-25T09:10:00+01:00")]


def test_a_day_ingested_before_summaries_existed_is_summarised_on_first_read(ctx: AppContext) -> None:
    source = ScriptedSource()
    days = [date(2026, 10, 19), date(2026, 10, 20)]
    for day in days:
        ingest_service(ctx, source).ingest_day(day)
    ctx.store.delete_many(
        TABLE, [(p, d.isoformat()) for d in days for p in ("a", "l")]
    )  # as stored before day summaries existed
    summaries = ctx.availability.summarised(days[0], days[-1] + timedelta(days=1))
    assert summaries.covered == frozenset(days)
    raw, summarised = reports_agree(ctx, Month(2026, 10))
    assert summarised == raw and raw["service_levels"]["load_time"]["samples"] == 16


def test_a_large_day_spills_into_continuation_entities_and_a_smaller_one_removes_them(ctx: AppContext) -> None:
    repo = ctx.availability.summaries
    day = date(2026, 10, 19)
    start, end = day_bounds(day, AMSTERDAM)
    summary, _ = summarise_day([], start, end)
    rng = np.random.default_rng(3)
    minutes = summary.minutes
    big = LoadDay(
        summary.first_minute, minutes, np.full(minutes, 200, dtype=np.uint32), rng.random(minutes * 200) * 1e4
    )
    repo.save(day, summary, big)
    keys = [e["RowKey"] for e in ctx.store.partition(TABLE, LOAD) if e["RowKey"].startswith(day.isoformat())]
    assert len(keys) >= 2, f"{len(keys)} entities for a blob over {PER_ENTITY * CHUNK} bytes"
    read = repo.read(day, day + timedelta(days=1))
    loaded = read._load[0]
    assert loaded.durations.tobytes() == big.durations.tobytes()
    small = LoadDay(summary.first_minute, minutes, np.zeros(minutes, dtype=np.uint32), np.zeros(0))
    repo.save(day, summary, small)
    keys = [e["RowKey"] for e in ctx.store.partition(TABLE, LOAD) if e["RowKey"].startswith(day.isoformat())]
    assert keys == [day.isoformat()]


def test_a_tenant_month_with_twelve_months_of_history_reads_its_summaries_in_four_requests_and_the_next_in_two(
    ctx: AppContext, clock: FixedClock
) -> None:
    repo = ctx.availability
    first, end = date(2025, 10, 1), date(2026, 11, 1)
    days = [first + timedelta(days=n) for n in range((end - first).days)]
    # written directly: ingesting 396 days through the service takes minutes
    repo.summaries.save_new([(d, *summarise_day(results_on(d), *day_bounds(d, AMSTERDAM))) for d in days])
    before = ctx.store.requests
    summaries = repo.summarised(first, end, date(2026, 10, 1))
    assert ctx.store.requests - before == 4, "the hashes and the blobs of each partition"
    assert len(summaries.covered) == (end - first).days
    before = ctx.store.requests
    again = repo.summarised(first, end, date(2026, 10, 1))  # the next tenant in the same worker: hashes only
    assert ctx.store.requests - before == 2
    assert (again.fingerprint, again.digests, again.load_digests) == (
        summaries.fingerprint,
        summaries.digests,
        summaries.load_digests,
    )

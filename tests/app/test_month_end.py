"""The month end (measurement §8.5): resources that already exist, complete days, provisional reports,
the computation triggered by the day that completes a month, and the input watermark."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.data.tables import TableServiceClient
from azure.functions.queue import QueueMessage
from azure.functions.timer import TimerRequest
from azure.storage.queue import QueueClient

from sla_app import bootstrap
from sla_app.bootstrap import AppContext
from sla_app.records import TenantRecord
from sla_app.services.availability_ingest import AvailabilityIngestService
from sla_app.services.monthly_reports import MonthlyReportService
from sla_core.availability_input import TestResult as Result
from sla_core.business_calendar import from_us, to_us
from sla_core.periods import Month
from tests.support.app import FixedClock, functions, settings_for
from tests.support.core import incident
from tools import azurite


def test_a_queue_and_tables_created_beforehand_by_infra_are_normal(storage: azurite.Azurite) -> None:
    """As deployed: infra/ created the queue and tables; a fresh process's context must still enqueue."""
    suffix = uuid.uuid4().hex[:10]
    queue_name, prefix = f"monthly-{suffix}", f"t{suffix}"
    QueueClient.from_connection_string(storage.connection_string, queue_name).create_queue()
    TableServiceClient.from_connection_string(storage.connection_string).create_table(f"{prefix}tenants")
    fresh = bootstrap.build(
        settings_for(storage.connection_string, queue_name),
        clock=FixedClock(datetime(2026, 11, 1, 2, 0, tzinfo=UTC)),
        table_prefix=prefix,
    )
    fresh.admin.put_tenant(TenantRecord(tenant="enschede", go_live=date(2025, 9, 15)))
    bootstrap.use(fresh)
    try:
        functions()["monthly_fan_out"].get_user_function()(None)
    finally:
        bootstrap.use(None)
    reader = QueueClient.from_connection_string(storage.connection_string, queue_name)
    bodies = [m.content for m in reader.receive_messages(max_messages=32)]
    assert len(bodies) == 1


# -- helpers -------------------------------------------------------------------------------------------------------

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
JUNE = Month(2026, 6)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def service_hours_results(day: date, down: tuple[str, str] | None = None) -> list[Result]:
    """Results every 5 minutes 07:00–19:00 (local) from two locations; both fail in ``down = (from, to)``."""
    slot, end = local(f"{day}T07:00"), local(f"{day}T19:00")
    failing = None if down is None else (local(f"{day}T{down[0]}"), local(f"{day}T{down[1]}"))
    rows = []
    while slot < end:
        ok = failing is None or not failing[0] <= slot < failing[1]
        rows += [Result(to_us(slot + timedelta(minutes=1)), "home", where, ok, 700.0) for where in ("weu", "neu")]
        slot += timedelta(minutes=5)
    return rows


def days_of(month: Month) -> list[date]:
    day, days = month.first_day(), []
    while Month.of(day) == month:
        days.append(day)
        day += timedelta(days=1)
    return days


def store_days(
    ctx: AppContext, days: list[date], *, complete: bool = True, at: str = "2026-07-01T03:30:00+00:00"
) -> None:
    for day in days:
        ctx.availability.save_day(day, service_hours_results(day), complete=complete, ingested_at=at)


class Source:
    """A ResultsSource: all-up service hours per local day, or a scripted answer."""

    name = "scripted"

    def __init__(self, answers: dict[date, tuple[list[Result], bool, str]] | None = None) -> None:
        self.answers = answers or {}

    def fetch(self, start_us: int, end_us: int) -> tuple[list[Result], bool, str]:
        day = from_us(start_us, AMSTERDAM).date()
        return self.answers.get(day, (service_hours_results(day), True, ""))


def ingest_service(
    ctx: AppContext, clock: FixedClock, source: Source, ready: list[Month] | None = None
) -> AvailabilityIngestService:
    return AvailabilityIngestService(
        source,
        ctx.availability,
        ctx.admin,
        clock,
        AMSTERDAM,
        ingestion_delay=timedelta(minutes=60),
        on_month_ready=None if ready is None else ready.append,
    )


def drain(ctx: AppContext) -> list[dict]:
    client = ctx.monthly_queue.client  # the test reads the real queue
    try:
        messages = list(client.receive_messages(max_messages=32))
    except ResourceNotFoundError:
        return []
    for message in messages:
        client.delete_message(message)
    return sorted((json.loads(m.content) for m in messages), key=lambda m: (m["month"], m["tenant"]))


def run_queue(ctx: AppContext) -> list[dict]:
    """Deliver every queued message to the queue trigger, as the host would; returns the messages."""
    messages = drain(ctx)
    for body in messages:
        functions()["monthly_tenant_report"].get_user_function()(
            QueueMessage(id="m", body=json.dumps(body).encode(), dequeue_count=1)
        )
    return messages


# -- complete days (measurement §8.5) --------------------------------------------------------------------------------------


def test_a_day_ingested_before_the_ingestion_delay_passed_is_partial_and_completed_by_the_next_run(
    ctx: AppContext, clock: FixedClock
) -> None:
    day = date(2026, 6, 30)  # ends 2026-06-30T22:00Z; complete from 23:00Z
    service = ingest_service(ctx, clock, Source())
    clock.now = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    early = service.ingest_day(day)
    assert (early.complete, early.rows) == (False, 288)
    assert "ingestion delay" in early.note
    assert ctx.availability.day_status(day) == "partial"
    clock.now = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
    run = service.daily()
    assert [(d.day, d.complete) for d in run.days if d.day == day] == [(day, True)]
    assert ctx.availability.day_status(day) == "complete"


def test_day_status_and_incomplete_days(ctx: AppContext) -> None:
    at = "2026-07-01T03:30:00+00:00"
    ctx.availability.save_day(date(2026, 6, 1), service_hours_results(date(2026, 6, 1)), complete=True, ingested_at=at)
    ctx.availability.save_day(
        date(2026, 6, 2),
        service_hours_results(date(2026, 6, 2))[:10],
        complete=False,
        ingested_at=at,
        note="partial result",
    )
    ctx.availability.save_day(date(2026, 6, 3), [], complete=False, ingested_at=at, note="HttpResponseError: 503")
    statuses = {d: ctx.availability.day_status(date(2026, 6, d)) for d in (1, 2, 3, 4)}
    assert statuses == {1: "complete", 2: "partial", 3: "missing", 4: "missing"}
    assert ctx.availability.incomplete_days(date(2026, 6, 1), date(2026, 6, 4)) == [
        date(2026, 6, 2),
        date(2026, 6, 3),
        date(2026, 6, 4),
    ]
    assert ctx.availability.incomplete_days(date(2026, 6, 1), date(2026, 6, 1)) == []


def test_re_ingesting_a_day_replaces_its_rows_and_status(ctx: AppContext, clock: FixedClock) -> None:
    day = date(2026, 6, 30)
    clock.now = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
    service = ingest_service(ctx, clock, Source({day: (service_hours_results(day)[:20], False, "partial")}))
    service.ingest_day(day)
    assert (ctx.availability.day_status(day), len(ctx.availability.results(day, date(2026, 7, 1)))) == (
        "partial",
        20,
    )
    clock.now = datetime(2026, 7, 2, 3, 30, tzinfo=UTC)
    full = ingest_service(ctx, clock, Source({day: (service_hours_results(day, down=("14:00", "15:40")), True, "")}))
    full.ingest_day(day)
    rows = ctx.availability.results(day, date(2026, 7, 1))
    assert (ctx.availability.day_status(day), len(rows), sum(not r.success for r in rows)) == ("complete", 288, 40)


# -- the computation follows the data -------------------------------------------------------------------------------

LAST = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("now", "complete_before", "ingested", "expected"),
    [
        pytest.param(
            datetime(2026, 7, 1, 3, 30, tzinfo=UTC),
            [],
            [LAST],
            [JUNE],
            id="completing the month's last day makes the month ready (even with earlier days missing)",
        ),
        pytest.param(
            datetime(2026, 7, 1, 3, 30, tzinfo=UTC),
            [LAST],
            [date(2026, 6, 15)],
            [],
            id="completing an earlier day while other days are missing does not",
        ),
        pytest.param(
            datetime(2026, 7, 2, 3, 30, tzinfo=UTC),
            [d for d in days_of(JUNE) if d.day != 29],
            [date(2026, 6, 29)],
            [JUNE],
            id="a day arriving late that completes the month makes it ready",
        ),
        pytest.param(
            datetime(2026, 6, 30, 3, 30, tzinfo=UTC),
            [],
            [date(2026, 6, 29)],
            [],
            id="a month that has not ended is never ready",
        ),
        pytest.param(
            datetime(2026, 7, 2, 3, 30, tzinfo=UTC),
            days_of(JUNE),
            [LAST],
            [],
            id="re-ingesting a complete last day does not trigger again",
        ),
    ],
)
def test_the_ingestion_that_completes_a_month_triggers_its_computation(
    ctx: AppContext,
    clock: FixedClock,
    now: datetime,
    complete_before: list[date],
    ingested: list[date],
    expected: list[Month],
) -> None:
    store_days(ctx, complete_before)
    clock.now = now
    ready: list[Month] = []
    service = ingest_service(ctx, clock, Source(), ready)
    run = service.backfill(min(ingested), max(ingested) + timedelta(days=1))
    assert ready == expected and run.months_ready == expected


# -- late rows: the settling window (measurement §8.5, §8.6) ----------------------------------------------------------------

ARRIVED = service_hours_results(LAST)[:192]  # 07:00-15:00 of 30 June: the rest reaches Azure Monitor a day late
LATE = service_hours_results(LAST, down=("14:00", "15:40"))


@pytest.mark.parametrize(
    ("second", "outcome", "rows", "expected"),
    [
        pytest.param(LATE, "stored", 288, [JUNE],
                     id="late rows of a complete day replace it and recompute its ended month"),
        pytest.param(ARRIVED, "kept", 192, [], id="an unchanged day writes nothing and triggers nothing"),
        pytest.param(LATE[:191], "stored", 191, [JUNE], id="a changed day with fewer rows is replaced too"),
    ],
)  # fmt: skip
def test_the_daily_run_re_ingests_the_settling_days_and_restates_a_changed_month(
    ctx: AppContext, clock: FixedClock, second: list[Result], outcome: str, rows: int, expected: list[Month]
) -> None:
    store_days(ctx, [d for d in days_of(JUNE) if d != LAST])
    ready: list[Month] = []
    clock.now = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
    ingest_service(ctx, clock, Source({LAST: (ARRIVED, True, "")}), ready).daily()
    assert ready == [JUNE] and ctx.availability.day_status(LAST) == "complete"
    ready.clear()

    clock.now = datetime(2026, 7, 2, 3, 30, tzinfo=UTC)
    run = ingest_service(ctx, clock, Source({LAST: (second, True, "")}), ready).daily()

    [day] = [d for d in run.days if d.day == LAST]
    assert (day.outcome, day.complete, day.rows) == (outcome, True, rows)
    assert len(ctx.availability.results(LAST, date(2026, 7, 1))) == rows  # replaced, never added to
    assert ready == expected and run.months_ready == expected


def test_late_rows_of_a_month_s_last_day_become_a_corrected_version_once(
    ctx: AppContext, tenants: list[str], clock: FixedClock, tmp_path: Path
) -> None:
    """The drill's July: the last day is stored complete with the rows that had arrived; the outage comes a day late."""
    store_days(ctx, [d for d in days_of(JUNE) if d != LAST], at="2026-06-30T03:30:00+00:00")
    path = tmp_path / "results.csv"
    ctx.results_csv = str(path)
    write_csv(path, ARRIVED)
    clock.now = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)
    functions()["availability_daily"].get_user_function()(TimerRequest())
    assert [m["tenant"] for m in run_queue(ctx)] == tenants
    first = ctx.reports.latest("enschede", "2026-06")
    assert first is not None and (first.status, first.body["service_levels"]["availability"]["down_minutes"]) == (
        "final",
        0,
    )

    write_csv(path, LATE)
    clock.now = datetime(2026, 7, 2, 3, 30, tzinfo=UTC)
    functions()["availability_daily"].get_user_function()(TimerRequest())
    assert [(m["month"], m["tenant"]) for m in run_queue(ctx)] == [("2026-06", t) for t in tenants]
    latest = ctx.reports.latest("enschede", "2026-06")
    assert latest is not None and latest.version == 2
    assert latest.body["service_levels"]["availability"]["down_minutes"] == 100
    assert latest.changes is not None and [c["metric"] for c in latest.changes["service_levels"]] == ["availability"]

    clock.now = datetime(2026, 7, 3, 3, 30, tzinfo=UTC)  # the same answer again: nothing enqueued, no new version
    functions()["availability_daily"].get_user_function()(TimerRequest())
    assert drain(ctx) == []
    assert [v.version for v in ctx.reports.versions("enschede", "2026-06")] == [1, 2]


def write_csv(path: Path, rows: list[Result]) -> None:
    lines = ["TimeGenerated,Name,Location,Success,DurationMs"]
    lines += [
        f"{from_us(r.at, UTC).isoformat().replace('+00:00', 'Z')},{r.name},{r.location},{r.success},{r.duration_ms}"
        for r in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_june_with_downtime_on_its_last_afternoon_is_provisional_at_the_timer_and_final_after_ingestion(
    ctx: AppContext, tenants: list[str], clock: FixedClock, tmp_path: Path
) -> None:
    """Issue 8: 100 minutes down on Tuesday 30 June; the timer runs before that day is ingested."""
    store_days(ctx, [d for d in days_of(JUNE) if d != LAST], at="2026-06-30T03:30:00+00:00")
    path = tmp_path / "results.csv"
    write_csv(path, service_hours_results(LAST, down=("14:00", "15:40")))
    ctx.results_csv = str(path)

    clock.now = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)  # 04:00 local: the safety-net timer
    functions()["monthly_fan_out"].get_user_function()(None)
    assert [m["tenant"] for m in run_queue(ctx)] == ["almelo", "enschede", "hengelo"]
    first = ctx.reports.latest("enschede", "2026-06")
    assert first is not None and (first.status, first.body["missing_days"]) == ("provisional", ["2026-06-30"])
    assert first.body["status"] == "provisional" and first.changes is None

    clock.now = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)  # 05:30 local: the ingestion of 30 June
    functions()["availability_daily"].get_user_function()(TimerRequest())
    assert ctx.availability.day_status(LAST) == "complete"
    assert [(m["month"], m["tenant"]) for m in run_queue(ctx)] == [("2026-06", t) for t in tenants]
    final = ctx.reports.latest("enschede", "2026-06")
    assert final is not None and (final.version, final.status, final.body["missing_days"]) == (2, "final", [])
    availability = final.body["service_levels"]["availability"]
    assert availability["down_minutes"] == 100 and availability["met"] is False
    assert final.changes is not None and "status: voorlopig → definitief" in final.changes["cause"]
    assert [c["metric"] for c in final.changes["service_levels"]] == ["availability"]
    assert final.watermark >= first.watermark


# -- the input watermark (a stale report must never be the latest) -----------------------------------------------------


class Interleaving:
    """The report store of a slow computation: just before it saves, another computation runs to the end."""

    def __init__(self, reports: Any, meanwhile: Any) -> None:
        self._reports = reports
        self._meanwhile = meanwhile

    def save(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("first_version", True):  # a restatement of an earlier month runs undisturbed
            self._meanwhile()
        return self._reports.save(*args, **kwargs)


def test_a_computation_from_older_inputs_finishing_last_does_not_become_the_latest(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    ctx.events.save(incident("enschede", 1, "2026-10-05T09:00:00+02:00", "2026-10-05T09:30:00+02:00"))
    october = Month(2026, 10)

    def newer_computation() -> None:  # an admin re-run while the queue works, after a late event arrived
        clock.now += timedelta(minutes=1)
        ctx.events.save(incident("enschede", 2, "2026-10-06T09:00:00+02:00"))  # breached in October
        ctx.monthly.compute("enschede", october)

    slow = MonthlyReportService(
        ctx.admin, ctx.events, ctx.availability, Interleaving(ctx.reports, newer_computation), clock
    )
    outcome = slow.compute("enschede", october)  # read its inputs before the late event, saves after the re-run

    latest = ctx.reports.latest("enschede", "2026-10")
    assert latest is not None and latest.body["service_levels"]["response_time"]["decided"] == 2
    assert [v.version for v in ctx.reports.versions("enschede", "2026-10")] == [1]
    assert (outcome.version, outcome.stored) == (1, False)
    again = ctx.monthly.compute("enschede", october)
    assert (again.version, again.stored) == (1, False), "the newer inputs are already stored"


def test_of_two_computations_from_the_same_inputs_the_later_one_wins(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    """Equal watermarks: the computation instant decides (time alone can decide an outcome: a breach)."""
    ctx.events.save(incident("enschede", 1, "2026-11-02T09:00:00+01:00"))  # hoog: 2 h response target
    month = Month(2026, 11)
    clock.now = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)  # pending

    def later_computation() -> None:
        clock.now = datetime(2026, 11, 2, 11, 30, tzinfo=UTC)  # 12:30 local: breached
        ctx.monthly.compute("enschede", month)
        clock.now = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)

    slow = MonthlyReportService(
        ctx.admin, ctx.events, ctx.availability, Interleaving(ctx.reports, later_computation), clock
    )
    slow.compute("enschede", month)
    [only] = ctx.reports.versions("enschede", "2026-11")
    assert only.body["service_levels"]["response_time"]["decided"] == 1


def test_a_failing_fan_out_after_the_month_completed_is_audited_and_raised(ctx: AppContext, clock: FixedClock) -> None:
    clock.now = datetime(2026, 7, 1, 3, 30, tzinfo=UTC)

    def broken(month: Month) -> None:
        raise ConnectionError("queue unreachable")

    service = AvailabilityIngestService(Source(), ctx.availability, ctx.admin, clock, AMSTERDAM, on_month_ready=broken)
    with pytest.raises(ConnectionError):
        service.backfill(LAST, LAST + timedelta(days=1))
    assert ctx.availability.day_status(LAST) == "complete"
    actions = [e["action"] for e in ctx.admin.audit_entries(date(2026, 7, 1))]
    assert "availability.month_ready" in actions and "availability.month_ready_failed" in actions


@pytest.mark.parametrize(
    ("first", "second", "stored"),
    [
        pytest.param(
            ("2026-11-01T10:00:00+00:00", "2026-11-01T12:00:00+00:00"),
            ("2026-11-01T09:00:00+00:00", "2026-11-01T13:00:00+00:00"),
            False,
            id="older inputs computed later are not stored",
        ),
        pytest.param(
            ("2026-11-01T10:00:00+00:00", "2026-11-01T12:00:00+00:00"),
            ("2026-11-01T11:00:00Z", "2026-11-01T11:30:00+00:00"),
            True,
            id="newer inputs are stored even when computed earlier",
        ),
        pytest.param(
            ("2026-11-01T10:00:00+00:00", "2026-11-01T12:00:00+00:00"),
            ("2026-11-01T11:00:00+01:00", "2026-11-01T11:00:00+00:00"),
            False,
            id="instants are compared, not strings: the same watermark computed earlier is not stored",
        ),
        pytest.param(
            ("2026-11-01T10:00:00+00:00", "2026-11-01T12:00:00+00:00"),
            ("2026-11-01T10:00:00+00:00", "2026-11-01T12:30:00+00:00"),
            True,
            id="the same watermark computed later is stored",
        ),
    ],
)
def test_the_repository_compares_watermarks_under_its_insert_only_versions(
    ctx: AppContext, first: tuple[str, str], second: tuple[str, str], stored: bool
) -> None:
    ctx.reports.save("enschede", "2026-10", "hash-1", "in-1", first[1], {"figure": 1}, watermark=first[0])
    report, created = ctx.reports.save(
        "enschede", "2026-10", "hash-2", "in-2", second[1], {"figure": 2}, watermark=second[0]
    )
    assert created is stored
    latest = ctx.reports.latest("enschede", "2026-10")
    assert latest is not None and latest.body == ({"figure": 2} if stored else {"figure": 1})
    assert report.version == (2 if stored else 1)

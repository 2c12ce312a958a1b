"""Availability ingestion over Azurite: days stored, idempotent, retried, never silently missing.

The source is a scripted fake of the ``ResultsSource`` port (answers per local
day), the CSV source over a file, or the real Azure Monitor adapter over the
canned transport of ``test_monitor_adapter``. Days are Europe/Amsterdam days;
25 October 2026 has 25 hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from azure.functions.timer import TimerRequest

from sla_app.adapters.monitor_logs import create_logs_client
from sla_app.adapters.results_csv_source import CsvResultsSource
from sla_app.bootstrap import AppContext
from sla_app.http.auth import encode_principal
from sla_app.services.availability_ingest import AvailabilityIngestService
from sla_app.storage.availability_repo import day_bounds
from sla_core.availability_input import TestResult as Result
from sla_core.business_calendar import from_us, to_us
from sla_core.errors import InputError
from tests.support.app import FixedClock, call_http, functions
from tests.support.azure_transport import COLUMNS, CannedTransport, StaticCredential

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
URL = "http://localhost/api/admin/availability/backfill"
ADMIN = {"X-MS-CLIENT-PRINCIPAL": encode_principal("beheer@stratech.example", ["SLA.Admin"])}
READER = {"X-MS-CLIENT-PRINCIPAL": encode_principal("lezer@enschede.example", ["SLA.Reader"], ["enschede"])}
DST_DAY = date(2026, 10, 25)
Answer = tuple[list[Result], bool, str]


def at(text: str) -> int:
    return to_us(datetime.fromisoformat(text))


def results_on(day: date, *, tests: tuple[str, ...] = ("Home page", "Login"), success: bool = True) -> list[Result]:
    """Two locations per test at 09:00 and 09:05 local time."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=AMSTERDAM).replace(hour=9)
    return [
        Result(to_us(start + timedelta(minutes=m)), test, location, success, 250.0)
        for test in tests
        for location in ("West Europe", "France Central")
        for m in (0, 5)
    ]


class ScriptedSource:
    """A ResultsSource answering per local day: a scripted answer or exception; unscripted days are complete."""

    name = "scripted"

    def __init__(self) -> None:
        self.answers: dict[date, Answer | Exception] = {}
        self.asked: list[tuple[int, int]] = []

    def fetch(self, start_us: int, end_us: int) -> Answer:
        self.asked.append((start_us, end_us))
        day = from_us(start_us, AMSTERDAM).date()
        answer = self.answers.get(day, (results_on(day), True, ""))
        if isinstance(answer, Exception):
            raise answer
        return answer

    def days_asked(self) -> list[date]:
        return [from_us(s, AMSTERDAM).date() for s, _ in self.asked]


@pytest.fixture
def source() -> ScriptedSource:
    return ScriptedSource()


@pytest.fixture
def ingest(ctx: AppContext, source: ScriptedSource, clock: FixedClock) -> AvailabilityIngestService:
    return AvailabilityIngestService(source, ctx.availability, ctx.admin, clock, AMSTERDAM, retention_days=800)


def stored(ctx: AppContext, day: date) -> list[Result]:
    return sorted(ctx.availability.results(day, day + timedelta(days=1)), key=lambda r: (r.at, r.name, r.location))


def entities(ctx: AppContext, day: date) -> list[dict[str, Any]]:
    return list(ctx.store.partition("availability", day.isoformat()))


def audits(ctx: AppContext, clock: FixedClock, action: str) -> list[dict[str, Any]]:
    return [e for e in ctx.admin.audit_entries(clock().astimezone(UTC).date()) if e["action"] == action]


def status(ctx: AppContext, day: date) -> Any:
    return ctx.availability.statuses(day, day + timedelta(days=1)).get(day)


def ordered(rows: list[Result]) -> list[Result]:
    return sorted(rows, key=lambda r: (r.at, r.name, r.location))


# -- one day -------------------------------------------------------------------------------------------------------


def test_a_day_is_stored_with_its_status_and_audited(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource, clock: FixedClock
) -> None:
    day = date(2026, 11, 1)
    outcome = ingest.ingest_day(day, actor="beheer@stratech.example")

    assert (outcome.outcome, outcome.complete, outcome.rows) == ("stored", True, 8)
    assert stored(ctx, day) == ordered(results_on(day))
    assert status(ctx, day).complete and status(ctx, day).rows == 8
    [entry] = audits(ctx, clock, "availability.ingested")
    assert entry["actor"] == "beheer@stratech.example"
    assert (
        entry["detail"].items()
        >= {"day": "2026-11-01", "outcome": "stored", "complete": True, "rows": 8, "source": "scripted"}.items()
    )


def test_the_dst_day_is_25_local_hours_and_keeps_exactly_its_rows(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource
) -> None:
    rows = [
        Result(at("2026-10-24T22:00:00+00:00"), "Home page", "West Europe", True, 100.0),  # 00:00 CEST
        Result(at("2026-10-25T00:30:00+00:00"), "Home page", "West Europe", True, 100.0),  # 02:30 CEST
        Result(at("2026-10-25T01:30:00+00:00"), "Home page", "West Europe", False, 100.0),  # 02:30 CET
        Result(at("2026-10-25T22:59:59.999999+00:00"), "Home page", "West Europe", True, 100.0),  # 23:59:59 CET
    ]
    outside = [
        Result(at("2026-10-24T21:59:59.999999+00:00"), "Home page", "West Europe", True, 100.0),  # the day before
        Result(at("2026-10-25T23:00:00+00:00"), "Home page", "West Europe", True, 100.0),  # 26 October 00:00 CET
    ]
    source.answers[DST_DAY] = (rows + outside, True, "")

    assert ingest.ingest_day(DST_DAY).rows == 4
    assert source.asked == [(at("2026-10-24T22:00:00+00:00"), at("2026-10-25T23:00:00+00:00"))]
    assert stored(ctx, DST_DAY) == rows
    assert stored(ctx, DST_DAY + timedelta(days=1)) == []


def test_ingesting_a_day_again_is_idempotent(ctx: AppContext, ingest: AvailabilityIngestService) -> None:
    day = date(2026, 11, 1)
    ingest.ingest_day(day)
    first = (stored(ctx, day), sorted(e["RowKey"] for e in entities(ctx, day)))
    ingest.ingest_day(day)
    assert (stored(ctx, day), sorted(e["RowKey"] for e in entities(ctx, day))) == first
    assert status(ctx, day).rows == 8


def test_ingesting_a_day_again_replaces_what_was_stored(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource
) -> None:
    day = date(2026, 11, 1)
    ingest.ingest_day(day)
    source.answers[day] = (results_on(day, tests=("Login",), success=False), True, "")
    ingest.ingest_day(day)
    assert stored(ctx, day) == ordered(results_on(day, tests=("Login",), success=False))
    assert {e["test"] for e in entities(ctx, day)} == {"Login"}


# -- guards ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        pytest.param(([], False, "PartialError: Query timed out"), "kept", id="a partial answer keeps a complete day"),
        pytest.param(RuntimeError("workspace unreachable"), "failed", id="a source error keeps a complete day"),
        pytest.param(([], True, ""), "kept", id="an empty answer never wipes stored rows"),
    ],
)
def test_a_complete_day_is_never_replaced_by_a_worse_answer(
    ctx: AppContext,
    ingest: AvailabilityIngestService,
    source: ScriptedSource,
    clock: FixedClock,
    answer: Answer | Exception,
    outcome: str,
) -> None:
    day = date(2026, 10, 30)
    ingest.ingest_day(day)
    source.answers[day] = answer
    result = ingest.ingest_day(day)
    assert (result.outcome, result.complete, result.rows) == (outcome, True, 8)
    assert stored(ctx, day) == ordered(results_on(day)) and status(ctx, day).complete
    assert len(audits(ctx, clock, "availability.ingested")) + len(audits(ctx, clock, "availability.ingest_failed")) == 2


def test_a_source_error_on_an_incomplete_day_keeps_its_partial_rows(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource
) -> None:
    day = date(2026, 10, 30)
    source.answers[day] = (results_on(day)[:3], False, "PartialError: limit")
    ingest.ingest_day(day)
    source.answers[day] = TimeoutError("read timed out")
    outcome = ingest.ingest_day(day)
    assert (outcome.outcome, outcome.complete, outcome.rows) == ("failed", False, 3)
    assert stored(ctx, day) == ordered(results_on(day)[:3])
    assert status(ctx, day).note == "TimeoutError: read timed out"


# -- the daily run -------------------------------------------------------------------------------------------------


def test_the_daily_run_ingests_the_previous_local_day_and_re_checks_the_settling_days(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource, clock: FixedClock
) -> None:
    for n in range(2, 8):  # the rest of the week is complete already
        ingest.ingest_day(date(2026, 11, 2) - timedelta(days=n))
    source.asked.clear()
    clock.now = datetime(2026, 11, 2, 3, 30, tzinfo=UTC)  # 04:30 in Amsterdam

    run = ingest.daily(clock())

    assert source.days_asked() == [date(2026, 10, 30), date(2026, 10, 31), date(2026, 11, 1)]
    assert [(d.to_json()["day"], d.outcome) for d in run.days] == [
        ("2026-10-30", "kept"),
        ("2026-10-31", "kept"),
        ("2026-11-01", "stored"),
    ]  # unchanged days: no write
    assert status(ctx, date(2026, 11, 1)).complete


def test_the_daily_run_after_the_dst_night_ingests_the_25_hour_day(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource, clock: FixedClock
) -> None:
    clock.now = datetime(2026, 10, 26, 3, 30, tzinfo=UTC)
    ingest.daily(clock())
    assert (at("2026-10-24T22:00:00+00:00"), at("2026-10-25T23:00:00+00:00")) in source.asked
    assert source.days_asked()[-1] == DST_DAY


def test_a_partial_day_is_incomplete_then_retried_by_the_next_run_and_completed(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource, clock: FixedClock
) -> None:
    day = date(2026, 11, 1)
    clock.now = datetime(2026, 11, 2, 3, 30, tzinfo=UTC)
    source.answers[day] = (results_on(day)[:2], False, "PartialError: Query result set has exceeded the limit")

    first = ingest.daily(clock())
    assert day in first.incomplete
    assert status(ctx, day).complete is False
    assert status(ctx, day).note == "PartialError: Query result set has exceeded the limit"
    assert len(stored(ctx, day)) == 2

    del source.answers[day]
    source.asked.clear()
    clock.now += timedelta(days=1)
    second = ingest.daily(clock())

    # a settling day checked again, the retry, then the new yesterday
    assert source.days_asked() == [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]
    assert second.incomplete == []
    assert status(ctx, day).complete and stored(ctx, day) == ordered(results_on(day))


def test_missing_days_of_the_last_week_are_ingested_and_older_ones_are_not(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource, clock: FixedClock
) -> None:
    ingest.ingest_day(date(2026, 10, 29))  # complete: not asked again
    source.asked.clear()
    clock.now = datetime(2026, 11, 2, 3, 30, tzinfo=UTC)

    ingest.daily(clock())

    expected = [
        date(2026, 10, 26),
        date(2026, 10, 27),
        date(2026, 10, 28),
        date(2026, 10, 30),
        date(2026, 10, 31),
        date(2026, 11, 1),
    ]
    assert source.days_asked() == expected
    assert set(ctx.availability.statuses(date(2026, 10, 26), date(2026, 11, 2))) == set(expected) | {date(2026, 10, 29)}
    assert status(ctx, date(2026, 10, 25)) is None  # eight days back: outside the retry window


def test_a_failing_source_marks_its_day_incomplete_and_the_other_days_are_still_ingested(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource, clock: FixedClock
) -> None:
    clock.now = datetime(2026, 11, 2, 3, 30, tzinfo=UTC)
    source.answers[date(2026, 10, 28)] = ConnectionError("Log Analytics did not answer")

    run = ingest.daily(clock())

    assert len(run.days) == 7 and run.incomplete == [date(2026, 10, 28)]
    failed = status(ctx, date(2026, 10, 28))
    assert failed.complete is False and failed.rows == 0
    assert failed.note == "ConnectionError: Log Analytics did not answer"
    assert all(status(ctx, date(2026, 10, 26) + timedelta(days=n)).complete for n in (0, 1, 3, 4, 5, 6))
    [entry] = audits(ctx, clock, "availability.ingest_failed")
    assert entry["detail"]["day"] == "2026-10-28" and "did not answer" in entry["detail"]["error"]
    assert len(audits(ctx, clock, "availability.ingested")) == 6


def test_a_bad_row_from_the_source_fails_only_its_day(
    ctx: AppContext, ingest: AvailabilityIngestService, source: ScriptedSource
) -> None:
    source.answers[date(2026, 10, 30)] = InputError("PrimaryResult row 3: field Success: must be a boolean", "Success")
    run = ingest.backfill(date(2026, 10, 29), date(2026, 11, 1))
    assert [d.outcome for d in run.days] == ["stored", "failed", "stored"]
    assert "field Success" in status(ctx, date(2026, 10, 30)).note


# -- the CSV source ------------------------------------------------------------------------------------------------

CSV = (
    "TimeGenerated,Name,Location,Success,DurationMs\n"
    "2026-10-24T22:00:00.0000000Z,Home page,West Europe,True,120\n"
    "2026-10-25T01:30:00Z,Home page,West Europe,False,30000\n"
    "2026-10-25T23:00:00Z,Home page,West Europe,True,130\n"
    "2026-10-26T10:00:00Z,Login,France Central,1,99.5\n"
)


def test_the_csv_source_gives_the_rows_of_an_interval(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(CSV, encoding="utf-8")
    start, end = day_bounds(DST_DAY, AMSTERDAM)
    rows, complete, note = CsvResultsSource(path).fetch(start, end)
    assert rows == [
        Result(at("2026-10-24T22:00:00+00:00"), "Home page", "West Europe", True, 120.0),
        Result(at("2026-10-25T01:30:00+00:00"), "Home page", "West Europe", False, 30000.0),
    ]
    assert (complete, note) == (True, "csv export results.csv")


def test_the_csv_source_reads_the_export_again_once_it_changed(tmp_path: Path) -> None:
    """One source per process (the context keeps it): a local run may write a new export between two ingestions."""
    path = tmp_path / "results.csv"
    path.write_text(CSV, encoding="utf-8")
    source = CsvResultsSource(path)
    start, end = day_bounds(date(2026, 11, 1), AMSTERDAM)
    assert source.fetch(start, end)[1] is False
    path.write_text(CSV + "2026-11-01T10:00:00Z,Login,France Central,1,99.5\n", encoding="utf-8")
    rows, complete, _ = source.fetch(start, end)
    assert complete and rows == [Result(at("2026-11-01T10:00:00+00:00"), "Login", "France Central", True, 99.5)]


def test_a_day_the_csv_export_does_not_cover_is_incomplete(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(CSV, encoding="utf-8")
    start, end = day_bounds(date(2026, 11, 1), AMSTERDAM)
    assert CsvResultsSource(path).fetch(start, end) == ([], False, "no rows in results.csv for this interval")


def test_a_malformed_csv_fails_the_day_with_the_line_and_field(
    ctx: AppContext, clock: FixedClock, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV + "2026-10-25T12:00:00Z,Login,West Europe,perhaps,10\n", encoding="utf-8")
    service = AvailabilityIngestService(CsvResultsSource(path), ctx.availability, ctx.admin, clock, AMSTERDAM)
    outcome = service.ingest_day(DST_DAY)
    assert outcome.outcome == "failed" and "bad.csv:6: field Success" in outcome.note


# -- choosing the source -----------------------------------------------------------------------------------------


def test_local_mode_with_a_results_csv_uses_the_csv_source(ctx: AppContext, tmp_path: Path) -> None:
    ctx.results_csv = str(tmp_path / "results.csv")
    assert isinstance(ctx.results_source, CsvResultsSource)


def test_without_a_local_connection_string_the_csv_path_is_ignored(ctx: AppContext, tmp_path: Path) -> None:
    in_azure = ctx.with_settings(storage_connection_string=None, results_csv=str(tmp_path / "results.csv"))
    assert in_azure.results_csv is None
    assert type(in_azure.results_source).__name__ == "MonitorResultsSource"
    assert "logs_client" not in vars(in_azure)  # no client before the first query


# -- POST /api/admin/availability/backfill ------------------------------------------------------------------------


@pytest.fixture
def csv_export(ctx: AppContext, tmp_path: Path) -> Path:
    path = tmp_path / "results.csv"
    path.write_text(CSV, encoding="utf-8")
    ctx.results_csv = str(path)
    return path


def backfill(body: Any, headers: dict[str, str] | None = None) -> Any:
    return call_http("backfill_availability", url=URL, body=body, headers=ADMIN if headers is None else headers)


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param({}, 401, id="without a signed-in caller it is a 401"),
        pytest.param({"X-MS-CLIENT-PRINCIPAL": "not base64!"}, 401, id="an unreadable principal is a 401"),
        pytest.param(READER, 403, id="a reader gets a 403"),
    ],
)
def test_only_an_admin_may_backfill(ctx: AppContext, csv_export: Path, headers: dict[str, str], status: int) -> None:
    reply = backfill({"start": "2026-10-25", "end": "2026-10-27"}, headers)
    assert reply.status == status and reply.mimetype == "application/problem+json"
    assert ctx.availability.statuses(date(2026, 10, 1), date(2026, 11, 1)) == {}


def test_an_admin_backfills_a_range_from_the_local_csv_export(
    ctx: AppContext, csv_export: Path, clock: FixedClock
) -> None:
    reply = backfill({"start": "2026-10-24", "end": "2026-10-27"})

    assert reply.status == 200, reply.body
    assert reply.body["start"] == "2026-10-24" and reply.body["end"] == "2026-10-27"
    assert [(d["day"], d["outcome"], d["complete"], d["rows"]) for d in reply.body["days"]] == [
        ("2026-10-24", "stored", False, 0),  # not in the export: visible as not measured
        ("2026-10-25", "stored", True, 2),
        ("2026-10-26", "stored", True, 2),
    ]
    assert (reply.body["complete"], reply.body["incomplete"], reply.body["failed"]) == (2, 1, 0)
    assert len(stored(ctx, DST_DAY)) == 2
    [summary] = audits(ctx, clock, "availability.backfill")
    assert summary["actor"] == "beheer@stratech.example"
    assert summary["detail"].items() >= {"start": "2026-10-24", "end": "2026-10-27", "source": "csv"}.items()

    again = backfill({"start": "2026-10-24", "end": "2026-10-27"})
    assert [(d["day"], d["outcome"], d["complete"], d["rows"]) for d in again.body["days"]] == [
        ("2026-10-24", "stored", False, 0),
        ("2026-10-25", "kept", True, 2),  # unchanged: nothing written
        ("2026-10-26", "kept", True, 2),
    ]
    assert len(stored(ctx, DST_DAY)) == 2


def test_in_azure_the_backfill_queries_log_analytics(ctx: AppContext, tmp_path: Path) -> None:
    ctx.results_csv = None  # in Azure (no local connection string) no CSV export is read
    rows = [["2026-10-25T08:00:00.1234567Z", "Home page", "West Europe", True, 321.0]]
    table = {"name": "PrimaryResult", "columns": COLUMNS, "rows": rows}
    transport = CannedTransport((200, {"tables": [table]}))
    ctx.logs_client = create_logs_client(StaticCredential(), transport=transport)

    reply = backfill({"start": "2026-10-25", "end": "2026-10-26"})

    assert reply.status == 200, reply.body
    assert reply.body["days"] == [{"day": "2026-10-25", "outcome": "stored", "complete": True, "rows": 1, "note": ""}]
    [request] = transport.requests
    assert request.url.endswith(f"/v1/workspaces/{ctx.settings.log_analytics_workspace_id}/query")
    assert stored(ctx, DST_DAY) == [
        Result(at("2026-10-25T08:00:00.123456+00:00"), "Home page", "West Europe", True, 321.0)
    ]


@pytest.mark.parametrize(
    ("source_kind", "note"),
    [
        pytest.param("monitor", "no rows in the answer", id="Azure Monitor answering a day without rows: not complete"),
        pytest.param("csv", "no rows in results.csv", id="a CSV export without rows for the day: not complete"),
    ],
)
def test_a_day_that_answered_without_a_single_row_is_not_complete(
    ctx: AppContext, tmp_path: Path, source_kind: str, note: str
) -> None:
    """Availability tests run every few minutes: an empty day has not arrived yet (retried, never complete)."""
    path = tmp_path / "results.csv"
    path.write_text(CSV, encoding="utf-8")
    ctx.results_csv = str(path)
    if source_kind == "monitor":
        ctx.results_csv = None  # as in Azure
        table = {"name": "PrimaryResult", "columns": COLUMNS, "rows": []}
        ctx.logs_client = create_logs_client(StaticCredential(), transport=CannedTransport((200, {"tables": [table]})))

    reply = backfill({"start": "2026-10-24", "end": "2026-10-25"})

    assert reply.status == 200, reply.body
    [day] = reply.body["days"]
    assert (day["day"], day["outcome"], day["complete"], day["rows"]) == ("2026-10-24", "stored", False, 0)
    assert note in day["note"]
    assert ctx.availability.day_status(date(2026, 10, 24)) == "missing"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        pytest.param(b"{not json", 400, None, id="malformed JSON is a 400"),
        pytest.param(["2026-10-01", "2026-10-02"], 400, None, id="a body that is not an object is a 400"),
        pytest.param({"end": "2026-10-02"}, 422, "start", id="a missing start is a 422 naming start"),
        pytest.param(
            {"start": "1-10-2026", "end": "2026-10-02"}, 422, "start", id="a start that is no date names start"
        ),
        pytest.param({"start": "2026-10-01", "end": "2026-10-02T00:00"}, 422, "end", id="an end with a time names end"),
        pytest.param({"start": "2026-10-02", "end": "2026-10-02"}, 422, "end", id="an empty range names end"),
        pytest.param({"start": "2026-10-05", "end": "2026-10-02"}, 422, "end", id="an end before start names end"),
        pytest.param({"start": "2026-09-01", "end": "2026-10-03"}, 422, "end", id="more than 31 days names end"),
        pytest.param(
            {"start": "2026-11-01", "end": "2026-11-03"}, 422, "end", id="a range with the day in progress names end"
        ),
        pytest.param(
            {"start": "2024-08-01", "end": "2024-08-02"},
            422,
            "start",
            id="a start before the retention period names start",
        ),
        pytest.param(
            {"start": "2026-10-01", "end": "2026-10-02", "source": "csv"},
            422,
            "source",
            id="a request cannot choose the source",
        ),
    ],
)
def test_a_bad_range_is_a_problem_response_and_ingests_nothing(
    ctx: AppContext, csv_export: Path, body: Any, status: int, field: str | None
) -> None:
    reply = backfill(body)
    assert reply.status == status, reply.body
    assert reply.mimetype == "application/problem+json" and reply.body["detail"]
    assert reply.body.get("field") == field
    assert ctx.availability.statuses(date(2024, 1, 1), date(2027, 1, 1)) == {}


def test_a_31_day_range_ending_today_is_accepted(ctx: AppContext, csv_export: Path) -> None:
    reply = backfill({"start": "2026-10-02", "end": "2026-11-02"})
    assert reply.status == 200 and len(reply.body["days"]) == 31


# -- the timer -----------------------------------------------------------------------------------------------------


def test_the_daily_timer_is_scheduled_in_utc_and_ingests_the_last_week(
    ctx: AppContext, csv_export: Path, clock: FixedClock
) -> None:
    timer = functions()["availability_daily"]
    [binding] = timer.get_bindings()
    assert binding.get_dict_repr()["schedule"] == "0 30 3 * * *"
    clock.now = datetime(2026, 10, 27, 3, 30, tzinfo=UTC)

    timer.get_user_function()(TimerRequest())

    days = ctx.availability.statuses(date(2026, 10, 1), date(2026, 11, 1))
    assert sorted(days) == [date(2026, 10, 20) + timedelta(days=n) for n in range(7)]
    assert [d for d, s in sorted(days.items()) if s.complete] == [date(2026, 10, 25), date(2026, 10, 26)]

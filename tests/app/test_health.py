"""The health view over Azurite: days, queues, timers, provisional and undelivered reports."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from azure.functions.timer import TimerRequest
from azure.storage.queue import QueueClient

from sla_app import health, health_cli, telemetry
from sla_app.bootstrap import AppContext
from sla_app.http.auth import encode_principal
from sla_app.records import SENT, DeliveryRecord, TenantRecord
from sla_app.storage.deliveries_repo import DeliveryRepository
from sla_app.storage.timer_runs_repo import TimerRunRepository
from sla_core.availability_input import TestResult as Result
from sla_core.business_calendar import to_us
from sla_core.periods import Month
from tests.support.app import FixedClock, call_http, functions

ADMIN = {"X-MS-CLIENT-PRINCIPAL": encode_principal("beheerder@stratech.example", ["SLA.Admin"])}
READER = {"X-MS-CLIENT-PRINCIPAL": encode_principal("lezer@enschede.example", ["SLA.Reader"], ["enschede"])}
URL = "http://localhost/api/health"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # Monday 2 November 2026, 10:00 in Amsterdam


def save_day(ctx: AppContext, day: date, complete: bool, rows: int = 1) -> None:
    """A day with ``rows`` results at 09:00 local (a day stored incomplete without rows is missing)."""
    nine = datetime.combine(day, datetime.min.time(), tzinfo=AMSTERDAM).replace(hour=9)
    results = [Result(to_us(nine) + n, "Home page", "West Europe", True, 250.0) for n in range(rows)]
    ctx.availability.save_day(day, results, complete=complete, ingested_at=NOW.isoformat())


def store_report(ctx: AppContext, tenant: str, month: str, status: str | None) -> None:
    body = {"tenant": tenant, "month": month, "missing_days": ["2026-10-31"] if status == "provisional" else []}
    if status is not None:
        body["status"] = status
    ctx.reports.save(tenant, month, f"hash-{tenant}-{status}", "inputs", NOW.isoformat(), body)


# -- availability per day ----------------------------------------------------------------------------


def test_every_day_of_the_previous_and_current_month_has_a_status(ctx: AppContext) -> None:
    save_day(ctx, date(2026, 10, 1), True)
    save_day(ctx, date(2026, 10, 2), False)
    save_day(ctx, date(2026, 10, 4), False, rows=0)
    save_day(ctx, date(2026, 11, 1), True)
    document = ctx.health.snapshot(NOW)
    october, november = document["availability"]
    assert (october["month"], len(october["days"]), november["month"], len(november["days"])) == (
        "2026-10",
        31,
        "2026-11",
        30,
    )
    statuses = {d["day"]: d["status"] for m in document["availability"] for d in m["days"]}
    assert statuses["2026-10-01"] == "complete"
    assert statuses["2026-10-02"] == "partial"
    assert statuses["2026-10-03"] == "missing"
    assert statuses["2026-10-04"] == "missing", "ingested, but nothing stored"
    assert statuses["2026-11-01"] == "complete"
    assert statuses["2026-11-02"] == statuses["2026-11-30"] == "pending", "today and later days have not ended"
    assert october["incomplete"][:2] == ["2026-10-02", "2026-10-03"] and len(october["incomplete"]) == 30
    assert november["incomplete"] == []
    assert document["summary"]["incomplete_days"] == 30


@pytest.mark.parametrize(
    "days, text",
    [
        pytest.param([], "", id="no days"),
        pytest.param(["2026-10-02"], "2026-10-02", id="one day"),
        pytest.param(
            ["2026-10-03", "2026-10-01", "2026-10-02", "2026-10-07"],
            "2026-10-01..2026-10-03, 2026-10-07",
            id="consecutive days become a range",
        ),
        pytest.param(["2026-10-31", "2026-11-01"], "2026-10-31..2026-11-01", id="a range crosses the month end"),
    ],
)
def test_the_text_view_writes_incomplete_days_as_ranges(days: list[str], text: str) -> None:
    assert health.day_ranges(days) == text


# -- queues ------------------------------------------------------------------------------------------


def test_queue_depths_include_the_poison_queue(ctx: AppContext) -> None:
    ctx.monthly_queue.send({"tenant": "enschede", "month": "2026-10"})
    ctx.monthly_queue.send({"tenant": "hengelo", "month": "2026-10"})
    poison = QueueClient.from_connection_string(
        ctx.settings.storage_connection_string, f"{ctx.settings.monthly_queue_name}-poison"
    )
    poison.create_queue()
    poison.send_message("x")
    depths = {q["queue"]: q for q in ctx.health.snapshot(NOW)["queues"]}
    name = ctx.settings.monthly_queue_name
    assert depths[name] == {"queue": name, "messages": 2, "exists": True}
    assert depths[f"{name}-poison"]["messages"] == 1
    assert ctx.health.snapshot(NOW)["summary"]["poison_messages"] == 1


def test_a_queue_never_created_has_depth_zero(ctx: AppContext) -> None:
    assert {q["exists"] for q in ctx.health.snapshot(NOW)["queues"]} == {False}


# -- timers ------------------------------------------------------------------------------------------


def test_a_traced_timer_records_its_last_run(ctx: AppContext) -> None:
    functions()["health_hourly"].get_user_function()(TimerRequest())
    runs = TimerRunRepository(ctx.store).last_runs()
    assert runs["health_hourly"].outcome == "ok" and telemetry.valid_operation_id(runs["health_hourly"].operation)
    rows = {t["function"]: t for t in ctx.health.timers(datetime.now(UTC))}
    assert rows["health_hourly"]["last_outcome"] == "ok" and rows["health_hourly"]["stale"] is False
    assert rows["availability_daily"]["last_started"] is None and rows["availability_daily"]["stale"] is None


@pytest.mark.parametrize(
    "function, age, stale",
    [
        pytest.param("availability_daily", timedelta(hours=25), False, id="a daily timer 25 hours ago is on time"),
        pytest.param("availability_daily", timedelta(hours=27), True, id="a daily timer 27 hours ago is stale"),
        pytest.param("monthly_fan_out", timedelta(days=31), False, id="a monthly timer 31 days ago is on time"),
        pytest.param("monthly_fan_out", timedelta(days=33), True, id="a monthly timer 33 days ago is stale"),
    ],
)
def test_a_timer_is_stale_when_its_last_run_is_older_than_its_schedule_allows(
    ctx: AppContext, function: str, age: timedelta, stale: bool
) -> None:
    TimerRunRepository(ctx.store).record(function, NOW - age, NOW - age, "ok", None)
    rows = {t["function"]: t for t in ctx.health.timers(NOW)}
    assert rows[function]["stale"] is stale
    assert ctx.health.snapshot(NOW)["summary"]["stale_timers"] == int(stale)


# -- reports and deliveries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "month, deadline",
    [
        pytest.param(Month(2026, 10), "2026-11-04T12:00:00+01:00", id="October 2026: Wednesday 4 November"),
        pytest.param(Month(2026, 11), "2026-12-03T12:00:00+01:00", id="November 2026: Thursday 3 December"),
        pytest.param(Month(2026, 12), "2027-01-06T12:00:00+01:00", id="December 2026: New Year's Day does not count"),
        pytest.param(Month(2027, 3), "2027-04-05T12:00:00+02:00", id="March 2027: the weekend does not count"),
    ],
)
def test_the_delivery_deadline_is_the_third_working_day_at_noon(ctx: AppContext, month: Month, deadline: str) -> None:
    assert ctx.health.delivery_deadline(month).isoformat() == deadline


def test_provisional_and_undelivered_reports_of_the_previous_month(ctx: AppContext, tenants: list[str]) -> None:
    store_report(ctx, "enschede", "2026-10", "final")
    store_report(ctx, "hengelo", "2026-10", "provisional")
    DeliveryRepository(ctx.store).create(DeliveryRecord(tenant="enschede", month="2026-10", state=SENT))
    DeliveryRepository(ctx.store).create(
        DeliveryRecord(tenant="almelo", month="2026-10", state="failed", needs_manual_check=True)
    )
    DeliveryRepository(ctx.store).create(
        DeliveryRecord(tenant="~supplier", month="2026-10", state="failed", needs_manual_check=True, kind="at_risk")
    )
    before = ctx.health.snapshot(NOW)["reports"]
    assert (before["month"], before["past_deadline"]) == ("2026-10", False)
    rows = {r["tenant"]: r for r in before["tenants"]}
    assert rows["enschede"] == {
        "tenant": "enschede",
        "version": 1,
        "status": "final",
        "missing_days": [],
        "delivery": "sent",
        "needs_manual_check": False,
        "past_deadline": False,
    }
    assert rows["hengelo"]["status"] == "provisional" and rows["hengelo"]["missing_days"] == ["2026-10-31"]
    assert rows["almelo"]["version"] is None and rows["almelo"]["needs_manual_check"] is True
    assert (before["provisional"], before["undelivered"], before["needs_manual_check"]) == (
        ["hengelo"],
        ["almelo", "hengelo"],
        ["almelo", "~supplier"],
    )
    summary = ctx.health.snapshot(NOW)["summary"]
    assert (summary["provisional_past_deadline"], summary["undelivered_past_deadline"], summary["manual_check"]) == (
        0,
        0,
        2,
    )
    after = ctx.health.snapshot(datetime(2026, 11, 4, 11, 0, tzinfo=UTC))["summary"]
    assert (after["provisional_past_deadline"], after["undelivered_past_deadline"]) == (1, 2)


def test_the_deadline_follows_the_tenants_contract_calendar(ctx: AppContext, tenants: list[str]) -> None:
    ctx.admin.put_tenant(
        TenantRecord(
            tenant="losser", go_live=date(2025, 1, 1), contract_override={"holidays": {"extra_closed": ["2026-11-04"]}}
        )
    )
    at_noon = datetime(2026, 11, 4, 11, 0, tzinfo=UTC)  # 12:00 in Amsterdam, the 3rd working day
    rows = {r["tenant"]: r for r in ctx.health.snapshot(at_noon)["reports"]["tenants"]}
    assert rows["enschede"]["past_deadline"] is True
    assert rows["losser"]["past_deadline"] is False, "the 4th is closed for losser: its deadline is the 5th"
    assert ctx.health.delivery_deadline(Month(2026, 10), ctx.admin.tenant("losser")).isoformat() == (
        "2026-11-05T12:00:00+01:00"
    )


def test_a_report_stored_before_statuses_existed_counts_as_final(ctx: AppContext, tenants: list[str]) -> None:
    store_report(ctx, "enschede", "2026-10", None)
    rows = {r["tenant"]: r for r in ctx.health.snapshot(NOW)["reports"]["tenants"]}
    assert rows["enschede"]["status"] == "final"


# -- the endpoint, the timer and the command -------------------------------------------------------------


@pytest.mark.parametrize(
    "headers, status",
    [
        pytest.param({}, 401, id="anonymous is 401"),
        pytest.param(READER, 403, id="a municipality's reader is 403"),
    ],
)
def test_the_endpoint_is_for_admins_only(ctx: AppContext, headers: dict, status: int) -> None:
    assert call_http("get_health", method="GET", url=URL, headers=headers).status == status


def test_the_endpoint_answers_the_view_as_json_or_text(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    clock.now = NOW
    reply = call_http("get_health", method="GET", url=URL, headers=ADMIN)
    assert reply.status == 200 and reply.body["as_of"] == NOW.isoformat()
    assert set(reply.body) == {"as_of", "timezone", "summary", "availability", "queues", "timers", "reports"}
    text = call_http("get_health", method="GET", url=URL, headers=ADMIN, params={"format": "text"})
    assert text.status == 200 and text.mimetype == "text/plain" and "reports 2026-10" in text.body
    for wrong in ("xml", ""):  # an empty format is not the default either
        bad = call_http("get_health", method="GET", url=URL, headers=ADMIN, params={"format": wrong})
        assert (bad.status, bad.body["field"]) == (400, "format")


def test_the_hourly_timer_logs_the_summary_for_the_alert_rules(
    ctx: AppContext, tenants: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    functions()["health_hourly"].get_user_function()(TimerRequest())
    events = [telemetry.parse_event(r.getMessage()) for r in caplog.records if r.name == telemetry.LOGGER_NAME]
    (snapshot,) = [dims for name, dims in events if name == telemetry.HEALTH_SNAPSHOT]
    assert set(ctx.health.snapshot()["summary"]) <= set(snapshot)
    assert snapshot["month"] == "2026-10" and telemetry.valid_operation_id(snapshot["operation"])


def test_the_command_prints_the_view_of_the_configured_storage(
    ctx: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {
        field.alias: str(value)
        for field, value in (
            (type(ctx.settings).model_fields[name], getattr(ctx.settings, name))
            for name in type(ctx.settings).model_fields
        )
        if value is not None and field.alias
    }
    assert health_cli.main(["--json"], environ) == 0
    document = json.loads(capsys.readouterr().out)
    assert "health_hourly" in {t["function"] for t in document["timers"]}
    assert health_cli.main([], environ) == 0
    assert capsys.readouterr().out.startswith("health as of ")


def test_the_command_names_a_missing_setting(capsys: pytest.CaptureFixture[str]) -> None:
    assert health_cli.main([], {}) == 2
    assert "app setting" in capsys.readouterr().err


def test_every_timer_is_in_the_runbooks_month_end_table() -> None:
    functions()  # registers every timer
    runbook = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    missing = [name for name in telemetry.TIMERS if f"| `{name}` |" not in runbook]
    assert not missing, f"docs/operations.md § The month-end sequence lacks {missing}"

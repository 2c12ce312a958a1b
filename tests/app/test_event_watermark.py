"""The input watermark on the app's clock (measurement §8.6, docs/month-end.md step 3), over Azurite.

A report version's watermark is the latest event-received or availability-ingested
instant of its inputs, and a restatement names the events received after it. Both
instants must come from one clock: the app's. Azurite stamps an entity's
``Timestamp`` with the host's clock, so a clock that runs some minutes ahead of or
behind the host stands for an app whose clock differs from the storage server's.
Across two runs nothing may be missed and nothing counted twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from sla_app.bootstrap import AppContext
from sla_app.storage.availability_repo import DayStatus
from sla_app.storage.event_rows import RECEIVED, TABLE, to_entity
from sla_core.events import TicketEvent, parse_event
from sla_core.periods import Month
from tests.app import test_tool_history
from tests.app import test_topdesk as topdesk
from tests.support.app import FixedClock

OPENED = {"type": "incident", "priority": "hoog", "scope": "platform", "status": "nieuw"}


class SkewedClock:
    """The host's clock moved by ``offset`` (it ticks, like a real one)."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def measured_month(today: date) -> tuple[Month, date]:
    """A month well before today and a working Wednesday in it (the 8th-14th: no Dutch holiday falls there)."""
    month = Month.of(today).shift(-2)
    day = month.first_day() + timedelta(days=7)
    return month, day + timedelta(days=(2 - day.weekday()) % 7)


def event(n: str, ticket: str, occurred: str, kind: str, **fields: Any) -> TicketEvent:
    data = {"event_id": f"enschede-{n}", "tenant": "enschede", "ticket_id": ticket, "occurred_at": occurred}
    return parse_event({**data, "kind": kind, **fields}, "test")


def skewed(ctx: AppContext, offset: timedelta) -> AppContext:
    """The test's context (its tables, its tenants) with a skewed clock."""
    return AppContext(ctx.settings, SkewedClock(offset), table_prefix=ctx.table_prefix)


def ingest_month(ctx: AppContext, month: Month) -> None:
    """Every day of ``month`` complete, ingested now (app clock): the ingestion that makes the month ready."""
    day = month.first_day()
    while Month.of(day) == month:
        ctx.availability.record_status(DayStatus(day, True, 0, ctx.clock().isoformat()))
        day += timedelta(days=1)


@pytest.mark.parametrize(
    "offset",
    [
        pytest.param(timedelta(minutes=7), id="the app clock 7 minutes ahead of the storage server's"),
        pytest.param(-timedelta(minutes=7), id="the app clock 7 minutes behind the storage server's"),
    ],
)
def test_events_received_between_two_runs_are_named_once_whatever_the_storage_clock_says(
    ctx: AppContext, tenants: list[str], offset: timedelta
) -> None:
    app = skewed(ctx, offset)
    month, day = measured_month(app.clock().date())
    opened = event("1o", "T1", f"{day.isoformat()}T09:00:00+01:00", "opened", **OPENED)
    other = event("2o", "T2", f"{day.isoformat()}T10:00:00+01:00", "opened", **OPENED)
    app.events.save([opened, other])
    ingest_month(app, month)  # the run's latest input: its watermark is this (app-clock) instant
    first = app.monthly.compute("enschede", month)
    v1 = app.reports.latest("enschede", str(month))
    assert first.stored and v1 is not None and v1.body["service_levels"]["response_time"]["within"] == 0

    app.events.save([opened])  # a redelivery of an event the first run counted
    late = event("1r", "T1", f"{day.isoformat()}T09:30:00+01:00", "responded")
    app.events.save([late])  # arrives right after the run (the storage clock may say before it)
    second = app.monthly.compute("enschede", month)

    assert (second.version, second.stored) == (2, True)
    v2 = app.reports.latest("enschede", str(month))
    assert v2 is not None and v2.changes is not None
    assert v2.changes["outcomes"] == [
        {"ticket_id": "T1", "metric": "response_time", "before": "breached", "after": "met"}
    ]
    told = [c for c in v2.changes["cause"] if "gebeurtenis" in c]
    assert told == [f"melding T1: gebeurtenis enschede-1r (gereageerd, {late.to_json()['occurred_at']}) nagekomen"]
    assert v2.watermark > v1.watermark


def test_each_event_carries_the_app_clock_of_its_first_write_and_a_redelivery_keeps_it(
    ctx: AppContext, tenants: list[str]
) -> None:
    app = skewed(ctx, -timedelta(minutes=30))
    first = event("1o", "T1", "2026-10-14T09:00:00+02:00", "opened", **OPENED)
    before = app.clock()
    app.events.save([first])
    after = app.clock()
    [(_, received)] = app.events.of_tenant_received("enschede")
    assert before <= received <= after, "the app's clock, not the storage server's (30 minutes later)"

    app.events.save([first])  # confirmed: the row is written again
    [(_, again)] = app.events.of_tenant_received("enschede")
    assert again == received


def test_a_row_from_before_received_at_reads_as_its_timestamp_and_a_redelivery_fixes_that_instant(
    ctx: AppContext, tenants: list[str]
) -> None:
    """Rows written before ``received_at`` existed: their Table ``Timestamp`` is the best instant known of them."""
    app = skewed(ctx, timedelta(minutes=30))
    old = event("1o", "T1", "2026-10-14T09:00:00+02:00", "opened", **OPENED)
    client = app.store.table(TABLE)
    client.create_entity(to_entity(old))
    stamp = client.get_entity("enschede", old.event_id).metadata["timestamp"]
    [(_, received)] = app.events.of_tenant_received("enschede")
    assert received == stamp.astimezone(UTC)

    app.events.save([old])  # a redelivery confirms the row and writes down the instant it had
    stored = client.get_entity("enschede", old.event_id)
    assert datetime.fromisoformat(stored[RECEIVED]) == received
    [(_, again)] = app.events.of_tenant_received("enschede")
    assert again == received, "the redelivery did not move it (its Timestamp did)"


def test_a_tool_history_stamps_the_events_it_writes_and_keeps_the_instant_of_those_it_leaves(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    """TOPdesk snapshots: the events a later snapshot leaves unchanged keep the instant they were first received."""
    first_at, second_at = clock.now, clock.now + timedelta(minutes=5)
    payloads = test_tool_history.laag_then_urgent()
    assert topdesk.post(payloads[0]).status == 200
    after_first = {e.event_id: (e.to_json(), r) for e, r in ctx.events.of_tenant_received("enschede")}
    assert after_first and {r for _, r in after_first.values()} == {first_at}
    clock.now = second_at
    assert topdesk.post(payloads[1]).status == 200
    after_second = ctx.events.of_tenant_received("enschede")
    assert len(after_second) > len(after_first)
    for e, r in after_second:
        kept = after_first.get(e.event_id)
        assert r == (first_at if kept is not None and kept[0] == e.to_json() else second_at), e.event_id


def test_an_event_left_out_because_it_occurred_after_the_run_is_named_by_the_next_run(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    """A ticket tool's clock 2 minutes ahead: its event 'at 09:02' arrives at 09:00, before a run at 09:01.

    The run leaves it out (it has not happened yet, by the app's clock), while the run's watermark (an
    ingestion at 09:00:30) is later than the event's arrival: the next run must still name it.
    """
    november = Month(2026, 11)
    clock.now = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
    ctx.events.save([event("1o", "T1", "2026-11-02T09:00:00+01:00", "opened", **OPENED)])  # hoog: 2 h
    clock.now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    ahead = event("1r", "T1", "2026-11-02T10:02:00+01:00", "responded")  # 09:02 UTC
    ctx.events.save([ahead])
    clock.now = datetime(2026, 11, 2, 9, 0, 30, tzinfo=UTC)
    ctx.availability.record_status(DayStatus(date(2026, 11, 1), True, 0, clock.now.isoformat()))
    clock.now = datetime(2026, 11, 2, 9, 1, tzinfo=UTC)
    ctx.monthly.compute("enschede", november)  # 10:01 local: T1 not yet answered, not yet breached
    clock.now = datetime(2026, 11, 2, 9, 10, tzinfo=UTC)
    again = ctx.monthly.compute("enschede", november)

    assert (again.version, again.stored) == (2, True)
    v1, v2 = ctx.reports.versions("enschede", "2026-11")
    assert v1.watermark == "2026-11-02T09:00:30+00:00"
    assert v2.changes is not None
    assert v2.changes["outcomes"] == [{"ticket_id": "T1", "metric": "response_time", "before": None, "after": "met"}]
    told = [c for c in v2.changes["cause"] if c.startswith("melding T1")]
    assert told == ["melding T1: gebeurtenis enschede-1r (gereageerd, 2026-11-02T10:02:00+01:00) nagekomen"]

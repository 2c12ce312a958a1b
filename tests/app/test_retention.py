"""Retention over Azurite: only entries past their period are removed, and the run is audited (SLA §10.1).

The context's settings keep the audit log 400 days (UTC days) and raw
availability rows 800 days (local days). The clock stands at
2026-11-02 09:00 UTC, so the cutoffs are 2025-09-28 and 2024-08-24.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from azure.functions.timer import TimerRequest

from sla_app.bootstrap import AppContext
from sla_app.services.retention import RetentionService
from sla_core.availability_input import TestResult as Result
from sla_core.business_calendar import to_us
from tests.support.app import FixedClock, functions

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def store_day(ctx: AppContext, day: date, tests: tuple[str, ...] = ("Home page", "Login")) -> None:
    noon = to_us(datetime.combine(day, datetime.min.time(), tzinfo=AMSTERDAM).replace(hour=12))
    rows = [Result(noon, t, loc, True, 100.0) for t in tests for loc in ("West Europe", "France Central")]
    ctx.availability.save_day(day, rows, complete=True, ingested_at="2026-01-01T00:00:00+00:00")


def audit_days(ctx: AppContext) -> list[str]:
    return sorted({e["PartitionKey"] for e in ctx.store.query("audit", "PartitionKey ne @x", {"x": ""})})


def availability_days(ctx: AppContext) -> list[str]:
    return sorted({e["PartitionKey"] for e in ctx.store.query("availability", "PartitionKey ne @x", {"x": ""})})


@pytest.fixture
def history(ctx: AppContext) -> None:
    for at in (
        "2025-09-27T23:59:59.999999+00:00",
        "2025-09-27T08:00:00+00:00",
        "2025-09-28T00:00:00+00:00",
        "2026-11-01T12:00:00+00:00",
    ):
        ctx.admin.audit(at, "beheer@stratech.example", "tenant.changed", "enschede", field="name")
    store_day(ctx, date(2024, 8, 22), tests=("Home page",))
    store_day(ctx, date(2024, 8, 23))
    store_day(ctx, date(2024, 8, 24))
    store_day(ctx, date(2026, 10, 25))


def test_only_entries_older_than_the_retention_periods_are_removed(ctx: AppContext, history: None) -> None:
    service = RetentionService(
        ctx.admin,
        ctx.availability,
        ctx.clock,
        AMSTERDAM,
        audit_retention_days=400,
        availability_retention_days=800,
    )
    run = service.run()

    assert run.to_json() == {
        "audit_cutoff": "2025-09-28",
        "audit_entries_removed": 2,
        "availability_cutoff": "2024-08-24",
        "availability_entities_removed": 2 + 4,  # one test × two locations, then two tests × two locations
    }
    assert audit_days(ctx) == ["2025-09-28", "2026-11-01", "2026-11-02"]
    assert availability_days(ctx) == ["2024-08-24", "2026-10-25"]
    assert len(ctx.availability.results(date(2024, 8, 24), date(2024, 8, 25))) == 4


def test_the_run_is_audited_with_its_counts_and_cutoffs(ctx: AppContext, history: None, clock: FixedClock) -> None:
    functions()["retention_daily"].get_user_function()(TimerRequest())

    [entry] = [e for e in ctx.admin.audit_entries(date(2026, 11, 2)) if e["action"] == "retention.applied"]
    assert entry["actor"] == "system" and entry["at"] == "2026-11-02T09:00:00+00:00"
    assert entry["detail"] == {
        "audit_cutoff": "2025-09-28",
        "audit_entries_removed": 2,
        "audit_retention_days": 400,
        "availability_cutoff": "2024-08-24",
        "availability_entities_removed": 6,
        "availability_retention_days": 800,
        "ticket_entities_removed": {},
    }


def test_a_second_run_removes_nothing_and_says_so(ctx: AppContext, history: None) -> None:
    timer = functions()["retention_daily"].get_user_function()
    timer(TimerRequest())
    timer(TimerRequest())
    entries = [e for e in ctx.admin.audit_entries(date(2026, 11, 2)) if e["action"] == "retention.applied"]
    assert [(e["detail"]["audit_entries_removed"], e["detail"]["availability_entities_removed"]) for e in entries] in (
        [(2, 6), (0, 0)],
        [(0, 0), (2, 6)],
    )  # same-instant entries sort by their random id


def test_the_retention_timer_is_scheduled_daily_in_utc() -> None:
    [binding] = functions()["retention_daily"].get_bindings()
    assert binding.get_dict_repr()["schedule"] == "0 15 4 * * *"


@pytest.mark.parametrize(
    ("now", "audit_cutoff", "availability_cutoff"),
    [
        pytest.param("2026-11-02T09:00:00+00:00", "2026-10-03", "2026-09-03", id="a plain morning"),
        pytest.param(
            "2026-11-01T23:30:00+00:00",
            "2026-10-02",
            "2026-09-03",
            id="after local midnight the local cutoff moves, the UTC one not yet",
        ),
        pytest.param(
            "2026-10-25T00:30:00+00:00", "2026-09-25", "2026-08-26", id="in the repeated hour of the DST night"
        ),
    ],
)
def test_the_audit_cutoff_is_a_utc_date_and_the_availability_cutoff_a_local_date(
    ctx: AppContext, now: str, audit_cutoff: str, availability_cutoff: str
) -> None:
    service = RetentionService(
        ctx.admin, ctx.availability, ctx.clock, AMSTERDAM, audit_retention_days=30, availability_retention_days=60
    )
    cutoffs = service.cutoffs(datetime.fromisoformat(now))
    assert [c.isoformat() for c in cutoffs] == [audit_cutoff, availability_cutoff]


def test_a_failing_run_is_audited_and_raised(
    ctx: AppContext, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(cutoff: date) -> int:
        raise ConnectionError("table service unavailable")

    monkeypatch.setattr(ctx.availability, "delete_days_before", broken)
    with pytest.raises(ConnectionError):
        functions()["retention_daily"].get_user_function()(TimerRequest())
    [entry] = [e for e in ctx.admin.audit_entries(date(2026, 11, 2)) if e["action"] == "retention.failed"]
    assert "table service unavailable" in entry["detail"]["error"]


def test_retention_periods_must_be_at_least_a_day(ctx: AppContext) -> None:
    with pytest.raises(ValueError):
        RetentionService(
            ctx.admin,
            ctx.availability,
            ctx.clock,
            AMSTERDAM,
            audit_retention_days=0,
            availability_retention_days=800,
        )


def test_the_cutoff_keeps_the_last_n_whole_days(ctx: AppContext) -> None:
    service = RetentionService(
        ctx.admin, ctx.availability, ctx.clock, AMSTERDAM, audit_retention_days=1, availability_retention_days=1
    )
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    audit_cutoff, availability_cutoff = service.cutoffs(now)
    assert audit_cutoff == availability_cutoff == now.date() - timedelta(days=1)


# -- ticket data after the contract ends (SLA §6.4) ------------------------------------------------


def ticket_rows(ctx: AppContext, tenant: str) -> int:
    return sum(len(list(ctx.store.partition(table, tenant))) for table in ("ticketevents", "ticketstate"))


@pytest.fixture
def ended(ctx: AppContext) -> None:
    """Enschede's contract ended on 1 Oct 2026, Hengelo's ends on 1 Dec 2026, Almelo's has no end; all have tickets."""
    from sla_app.records import TenantRecord
    from tests.app import test_topdesk as topdesk

    for tenant, end in (("enschede", date(2026, 10, 1)), ("hengelo", date(2026, 12, 1)), ("almelo", None)):
        ctx.admin.put_tenant(TenantRecord(tenant=tenant, go_live=date(2025, 1, 6), contract_end=end))
        for payload in topdesk.story()[:3]:
            assert topdesk.post(payload, tenant=tenant).status == 200
    ctx.store.upsert_many("ticketstate", [{"PartitionKey": "enschede", "RowKey": "topdesk|I 2610 042", "state": "{}"}])


@pytest.mark.parametrize(
    ("now", "removed"),
    [
        pytest.param(
            "2026-10-31T22:59:59+00:00", [], id="the last day of the month after the end: kept (may be asked for)"
        ),
        pytest.param(
            "2026-10-31T23:00:00+00:00",
            ["enschede"],
            id="one month after the end, local midnight: enschede's ticket data removed",
        ),
        pytest.param("2027-01-01T00:00:00+01:00", ["enschede", "hengelo"], id="a month after hengelo's end too"),
    ],
)
def test_ticket_data_is_removed_one_month_after_the_contract_ends(
    ctx: AppContext, ended: None, clock: FixedClock, now: str, removed: list[str]
) -> None:
    before = {t: ticket_rows(ctx, t) for t in ("enschede", "hengelo", "almelo")}
    assert all(before.values())
    clock.now = datetime.fromisoformat(now)
    functions()["retention_daily"].get_user_function()(TimerRequest())
    after = {t: ticket_rows(ctx, t) for t in before}
    assert {t for t, n in after.items() if n == 0} == set(removed)
    assert all(after[t] == before[t] for t in before if t not in removed)
    assert ctx.admin.tenant("enschede") is not None  # the tenant record and its reports stay
    [entry] = [
        e for e in ctx.admin.audit_entries(clock.now.astimezone(UTC).date()) if e["action"] == "retention.applied"
    ]
    assert entry["detail"]["ticket_entities_removed"] == {t: before[t] for t in removed}


@pytest.mark.parametrize(
    ("end", "removal"),
    [
        pytest.param("2026-10-01", "2026-11-01", id="the first of a month: the first of the next"),
        pytest.param("2026-01-31", "2026-02-28", id="the 31st: the last day of a shorter month"),
        pytest.param("2028-01-30", "2028-02-29", id="into a leap February"),
        pytest.param("2026-12-15", "2027-01-15", id="across the year"),
    ],
)
def test_one_month_after_the_end_is_the_same_day_next_month_clamped(end: str, removal: str) -> None:
    from sla_app.services.retention import one_month_after

    assert one_month_after(date.fromisoformat(end)).isoformat() == removal

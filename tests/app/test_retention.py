"""Retention over Azurite: only entries past their period are removed, and the run is audited (SLA §10.1, issue 4 §4).

The graph's settings keep the audit log 400 days (UTC days) and raw
availability rows 800 days (local days). The clock stands at
2026-11-02 09:00 UTC, so the cutoffs are 2025-09-28 and 2024-08-24.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from azure.functions.timer import TimerRequest

from sla_app.bootstrap import Services
from sla_app.services.retention import RetentionService
from sla_core.availability_input import TestResult as Result
from sla_core.business_calendar import to_us
from tests.app.conftest import FixedClock, functions

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def store_day(graph: Services, day: date, tests: tuple[str, ...] = ("Home page", "Login")) -> None:
    noon = to_us(datetime.combine(day, datetime.min.time(), tzinfo=AMSTERDAM).replace(hour=12))
    rows = [Result(noon, t, loc, True, 100.0) for t in tests for loc in ("West Europe", "France Central")]
    graph.availability.save_day(day, rows, complete=True, ingested_at="2026-01-01T00:00:00+00:00")


def audit_days(graph: Services) -> list[str]:
    return sorted({e["PartitionKey"] for e in graph.store.query("audit", "PartitionKey ne @x", {"x": ""})})


def availability_days(graph: Services) -> list[str]:
    return sorted({e["PartitionKey"] for e in graph.store.query("availability", "PartitionKey ne @x", {"x": ""})})


@pytest.fixture
def history(graph: Services) -> None:
    for at in ("2025-09-27T23:59:59.999999+00:00", "2025-09-27T08:00:00+00:00", "2025-09-28T00:00:00+00:00",
               "2026-11-01T12:00:00+00:00"):  # fmt: skip
        graph.admin.audit(at, "beheer@stratech.example", "tenant.changed", "enschede", field="name")
    store_day(graph, date(2024, 8, 22), tests=("Home page",))
    store_day(graph, date(2024, 8, 23))
    store_day(graph, date(2024, 8, 24))
    store_day(graph, date(2026, 10, 25))


def test_only_entries_older_than_the_retention_periods_are_removed(graph: Services, history: None) -> None:
    service = RetentionService(graph.admin, graph.availability, graph.clock, AMSTERDAM,
                               audit_retention_days=400, availability_retention_days=800)  # fmt: skip
    run = service.run()

    assert run.to_json() == {
        "audit_cutoff": "2025-09-28",
        "audit_entries_removed": 2,
        "availability_cutoff": "2024-08-24",
        "availability_entities_removed": 2 + 4,  # one test × two locations, then two tests × two locations
    }
    assert audit_days(graph) == ["2025-09-28", "2026-11-01", "2026-11-02"]
    assert availability_days(graph) == ["2024-08-24", "2026-10-25"]
    assert len(graph.availability.results(date(2024, 8, 24), date(2024, 8, 25))) == 4


def test_the_run_is_audited_with_its_counts_and_cutoffs(graph: Services, history: None, clock: FixedClock) -> None:
    functions()["retention_daily"].get_user_function()(TimerRequest())

    [entry] = [e for e in graph.admin.audit_entries(date(2026, 11, 2)) if e["action"] == "retention.applied"]
    assert entry["actor"] == "system" and entry["at"] == "2026-11-02T09:00:00+00:00"
    assert entry["detail"] == {
        "audit_cutoff": "2025-09-28", "audit_entries_removed": 2, "audit_retention_days": 400,
        "availability_cutoff": "2024-08-24", "availability_entities_removed": 6, "availability_retention_days": 800,
    }  # fmt: skip


def test_a_second_run_removes_nothing_and_says_so(graph: Services, history: None) -> None:
    timer = functions()["retention_daily"].get_user_function()
    timer(TimerRequest())
    timer(TimerRequest())
    entries = [e for e in graph.admin.audit_entries(date(2026, 11, 2)) if e["action"] == "retention.applied"]
    assert [(e["detail"]["audit_entries_removed"], e["detail"]["availability_entities_removed"]) for e in entries] \
        in ([(2, 6), (0, 0)], [(0, 0), (2, 6)])  # same-instant entries sort by their random id


def test_the_retention_timer_is_scheduled_daily_in_utc() -> None:
    [binding] = functions()["retention_daily"].get_bindings()
    assert binding.get_dict_repr()["schedule"] == "0 15 4 * * *"


@pytest.mark.parametrize(
    ("now", "audit_cutoff", "availability_cutoff"),
    [
        pytest.param("2026-11-02T09:00:00+00:00", "2026-10-03", "2026-09-03", id="a plain morning"),
        pytest.param("2026-11-01T23:30:00+00:00", "2026-10-02", "2026-09-03",
                     id="after local midnight the local cutoff moves, the UTC one not yet"),
        pytest.param("2026-10-25T00:30:00+00:00", "2026-09-25", "2026-08-26",
                     id="in the repeated hour of the DST night"),
    ],
)  # fmt: skip
def test_the_audit_cutoff_is_a_utc_date_and_the_availability_cutoff_a_local_date(
    graph: Services, now: str, audit_cutoff: str, availability_cutoff: str
) -> None:
    service = RetentionService(graph.admin, graph.availability, graph.clock, AMSTERDAM,
                               audit_retention_days=30, availability_retention_days=60)  # fmt: skip
    cutoffs = service.cutoffs(datetime.fromisoformat(now))
    assert [c.isoformat() for c in cutoffs] == [audit_cutoff, availability_cutoff]


def test_a_failing_run_is_audited_and_raised(graph: Services, clock: FixedClock, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(cutoff: date) -> int:
        raise ConnectionError("table service unavailable")

    monkeypatch.setattr(graph.availability, "delete_days_before", broken)
    with pytest.raises(ConnectionError):
        functions()["retention_daily"].get_user_function()(TimerRequest())
    [entry] = [e for e in graph.admin.audit_entries(date(2026, 11, 2)) if e["action"] == "retention.failed"]
    assert "table service unavailable" in entry["detail"]["error"]


def test_retention_periods_must_be_at_least_a_day(graph: Services) -> None:
    with pytest.raises(ValueError):
        RetentionService(graph.admin, graph.availability, graph.clock, AMSTERDAM,
                         audit_retention_days=0, availability_retention_days=800)  # fmt: skip


def test_the_cutoff_keeps_the_last_n_whole_days(graph: Services) -> None:
    service = RetentionService(graph.admin, graph.availability, graph.clock, AMSTERDAM,
                               audit_retention_days=1, availability_retention_days=1)  # fmt: skip
    now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    audit_cutoff, availability_cutoff = service.cutoffs(now)
    assert audit_cutoff == availability_cutoff == now.date() - timedelta(days=1)

"""Restatement, never silent (measurement §8.6), over Azurite.

October 2026 is computed and delivered on 1 November (version 1). Something
changes in November; the run of November on 1 December recomputes the previous
12 months: October gets version 2 with its list of changes, and the aggregates
(the trailing year of November's report, the overview's year to date) equal a
recomputation. Availability days of October and November are complete; 14
October has results (all up unless a case says otherwise), the other days none.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from sla_app.bootstrap import AppContext
from sla_app.http.api_report_models import ReportVersion
from sla_app.services.monthly_reports import MonthlyReportService
from sla_app.storage.availability_repo import DayStatus
from sla_core.events import TicketEvent, parse_event
from sla_core.periods import Month
from tests.app.test_admin_api import ADMIN, call
from tests.app.test_month_end import service_hours_results
from tests.support.app import FixedClock

OCTOBER, NOVEMBER = Month(2026, 10), Month(2026, 11)
DAY = date(2026, 10, 14)
RECEIVED = datetime(2026, 10, 21, 8, 0, tzinfo=UTC)  # M1 and M2 arrive (the app clock stamps each event)
DELIVERED = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)
CHANGED = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # what changes after delivery arrives by now
NEXT_RUN = datetime(2026, 12, 1, 3, 30, tzinfo=UTC)


def event(n: str, ticket: str, occurred: str, kind: str, **fields: Any) -> TicketEvent:
    data = {
        "event_id": f"enschede-{n}",
        "tenant": "enschede",
        "ticket_id": ticket,
        "occurred_at": occurred,
        "kind": kind,
        **fields,
    }
    return parse_event(data, "test")


OPENED = {"type": "incident", "priority": "hoog", "scope": "platform", "status": "nieuw"}
M1 = [  # Monday 5 October: answered in 30 minutes, restored in 1 hour (hoog: 2 h / 4 h)
    event("1o", "M1", "2026-10-05T09:00:00+02:00", "opened", **OPENED),
    event("1r", "M1", "2026-10-05T09:30:00+02:00", "responded"),
    event("1s", "M1", "2026-10-05T10:00:00+02:00", "resolved"),
]
M2 = [event("2o", "M2", "2026-10-20T09:00:00+02:00", "opened", **OPENED)]  # never answered: breached 20 October


def mark_complete(ctx: AppContext, month: Month, at: str = "2026-11-01T03:30:00+00:00") -> None:
    day = month.first_day()
    while Month.of(day) == month:
        ctx.availability.record_status(DayStatus(day, True, 0, at))
        day += timedelta(days=1)


@pytest.fixture
def delivered(ctx: AppContext, tenants: list[str], clock: FixedClock) -> AppContext:
    """October computed on 1 November from M1, M2 and an all-up 14 October; November's days complete too.

    The clock then stands in November, when the changes of the tests arrive.
    """
    mark_complete(ctx, OCTOBER)
    mark_complete(ctx, NOVEMBER, at="2026-11-15T03:30:00+00:00")
    ctx.availability.save_day(
        DAY, service_hours_results(DAY, down=("10:00", "10:30")), complete=True, ingested_at="2026-11-01T03:30:00+00:00"
    )
    clock.now = RECEIVED
    ctx.events.save([*M1, *M2])
    clock.now = DELIVERED
    outcome = ctx.monthly.compute("enschede", OCTOBER, restate=True)
    assert (outcome.version, outcome.stored, outcome.restated) == (1, True, ())
    clock.now = CHANGED
    return ctx


def next_run(ctx: AppContext, clock: FixedClock) -> tuple[Any, Any]:
    """November's monthly run (restating October); returns October's versions and November's latest."""
    clock.now = NEXT_RUN
    ctx.monthly.compute("enschede", NOVEMBER, restate=True)
    return ctx.reports.versions("enschede", "2026-10"), ctx.reports.latest("enschede", "2026-11")


def reopen(ctx: AppContext) -> None:
    ctx.events.save(
        [
            event("1x", "M1", "2026-11-03T10:00:00+01:00", "reopened"),
            event("1y", "M1", "2026-11-03T16:00:00+01:00", "resolved"),
        ]
    )


def reclassify(ctx: AppContext) -> None:
    ctx.events.save([event("1t", "M1", "2026-11-04T10:00:00+01:00", "updated", type="serviceverzoek")])


def late_event(ctx: AppContext) -> None:
    ctx.events.save([event("2r", "M2", "2026-10-20T09:30:00+02:00", "responded")])


def reingest_day(ctx: AppContext) -> None:
    ctx.availability.save_day(
        DAY, service_hours_results(DAY, down=("10:00", "12:00")), complete=True, ingested_at="2026-11-20T03:30:00+00:00"
    )


def new_exclusion(ctx: AppContext) -> None:
    ctx.admin.add_exclusion(
        "enschede",
        {"start": "2026-10-14T10:00:00+02:00", "end": "2026-10-14T10:30:00+02:00", "reason": "aangekondigd onderhoud"},
    )


CASES = [
    pytest.param(
        reopen,
        {"restore_time_platform": (50.0, 0.0)},
        [{"ticket_id": "M1", "metric": "restore_time_platform", "before": "met", "after": None}],
        [
            "melding M1: gebeurtenis enschede-1x (heropend, 2026-11-03T10:00:00+01:00) nagekomen",
            "melding M1: gebeurtenis enschede-1y (opgelost, 2026-11-03T16:00:00+01:00) nagekomen",
        ],
        id="a reopen after delivery",
    ),
    pytest.param(
        reclassify,
        {"response_time": (50.0, 0.0), "restore_time_platform": (50.0, 0.0)},
        [
            {"ticket_id": "M1", "metric": "response_time", "before": "met", "after": None},
            {"ticket_id": "M1", "metric": "restore_time_platform", "before": "met", "after": None},
        ],
        [
            "meldingen niet meegeteld (geen incident): 0 → 1",
            "melding M1: gebeurtenis enschede-1t (gewijzigd: type serviceverzoek, 2026-11-04T10:00:00+01:00) nagekomen",
        ],
        id="a reclassification to a service request",
    ),
    pytest.param(
        late_event,
        {"response_time": (50.0, 100.0)},
        [{"ticket_id": "M2", "metric": "response_time", "before": "breached", "after": "met"}],
        ["melding M2: gebeurtenis enschede-2r (gereageerd, 2026-10-20T09:30:00+02:00) nagekomen"],
        id="a late event",
    ),
    pytest.param(
        reingest_day,
        {"availability": "lower"},
        [],
        ["beschikbaarheid gewijzigd (opnieuw ingelezen of uitgesloten): 2026-10-14"],
        id="a re-ingested day",
    ),
    pytest.param(
        new_exclusion,
        {"availability": "higher"},
        [],
        [
            "beschikbaarheid gewijzigd (opnieuw ingelezen of uitgesloten): 2026-10-14",
            "uitsluiting toegevoegd: 2026-10-14T10:00:00+02:00 – 2026-10-14T10:30:00+02:00 (aangekondigd onderhoud)",
        ],
        id="a new exclusion",
    ),
]


@pytest.mark.parametrize(("change", "levels", "outcomes", "cause"), CASES)
def test_a_delivered_month_that_changed_gets_a_new_version_with_its_changes(
    delivered: AppContext,
    clock: FixedClock,
    change: Callable[[AppContext], None],
    levels: dict,
    outcomes: list,
    cause: list,
) -> None:
    ctx = delivered
    change(ctx)
    versions, _ = next_run(ctx, clock)
    assert [v.version for v in versions] == [1, 2]
    v1, v2 = versions
    assert v1.changes is None and v2.changes is not None and v2.has_changes
    month_levels = {c["metric"]: (c["before"], c["after"]) for c in v2.changes["service_levels"]}
    assert month_levels.keys() == levels.keys()
    for metric, expected in levels.items():
        before, after = month_levels[metric]
        if expected == "lower":
            assert after < before
        elif expected == "higher":
            assert after > before
        else:
            assert (before, after) == expected
    assert v2.changes["outcomes"] == outcomes
    assert v2.changes["cause"] == cause
    assert v2.watermark >= v1.watermark and v2.status == "final"


def test_a_month_whose_figures_did_not_change_keeps_its_version_and_no_report_is_invented(
    delivered: AppContext, clock: FixedClock
) -> None:
    ctx = delivered
    ctx.events.save([event("3o", "M3", "2026-11-10T09:00:00+01:00", "opened", **OPENED)])  # November only
    versions, november = next_run(ctx, clock)
    assert [v.version for v in versions] == [1]
    assert november is not None and november.version == 1
    assert ctx.reports.versions("enschede", "2026-09") == [], "restatement never creates a month never computed"


def test_after_a_reopen_the_trailing_year_and_the_year_to_date_equal_a_recomputation(
    delivered: AppContext, clock: FixedClock
) -> None:
    """Issue 12: October as delivered says restore 2/1 (M1 within, M2 breached); recomputed 1/0 (M1 moved out);
    November 1/0 (M1 breached on reopening). Summed: 2/0, never 3/1."""
    ctx = delivered
    reopen(ctx)
    versions, november = next_run(ctx, clock)
    october = versions[-1]
    metric = "restore_time_platform"

    def counts(block: dict) -> tuple[int, int]:
        return block["decided"], block["within"]

    assert counts(versions[0].body["service_levels"][metric]) == (2, 1)
    assert counts(october.body["service_levels"][metric]) == (1, 0)
    assert counts(november.body["service_levels"][metric]) == (1, 0)
    assert counts(november.body["trailing_12_months"][metric]) == (2, 0)

    for tenant in ("almelo", "hengelo"):
        ctx.monthly.compute(tenant, NOVEMBER)
    overview = ctx.overview.overview(NOVEMBER)
    [row] = [r for r in overview["tenants"] if r["tenant"] == "enschede"]
    assert row["year_to_date"]["months"] == ["2026-10", "2026-11"]
    assert counts(row["year_to_date"]["service_levels"][metric]) == (2, 0)

    recomputed = ctx.monthly.compute("enschede", OCTOBER)
    assert (recomputed.version, recomputed.stored) == (2, False), "the latest version equals a recomputation"


def test_the_api_lists_the_versions_with_their_changes(delivered: AppContext, clock: FixedClock) -> None:
    late_event(delivered)
    next_run(delivered, clock)
    reply = call("list_report_versions", route={"tenant": "enschede", "month": "2026-10"}, headers=ADMIN)
    assert reply.status == 200, reply.body
    versions = [ReportVersion.model_validate(v) for v in reply.body]
    assert [(v.version, v.status, v.changes is None) for v in versions] == [(1, "final", True), (2, "final", False)]
    assert versions[1].changes is not None and versions[1].changes.outcomes[0].ticket_id == "M2"


# -- skipping what cannot have changed --------------------------------------------------------------------------------


class Restatements:
    """The report store, noting which months a run actually recomputed and offered as a restatement."""

    def __init__(self, reports: Any) -> None:
        self._reports = reports
        self.offered: list[str] = []

    def save(self, tenant: str, month: str, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("first_version", True):
            self.offered.append(month)
        return self._reports.save(tenant, month, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reports, name)


def restating_run(ctx: AppContext, clock: FixedClock, at: datetime = NEXT_RUN) -> list[str]:
    """November's monthly run through a noting report store; returns the months it recomputed."""
    spy = Restatements(ctx.reports)
    clock.now = at
    MonthlyReportService(ctx.admin, ctx.events, ctx.availability, spy, clock).compute(
        "enschede", NOVEMBER, restate=True
    )
    return spy.offered


SKIP_CASES = [
    pytest.param(lambda ctx: None, [], id="nothing changed: october is not recomputed"),
    pytest.param(
        lambda ctx: ctx.events.save([event("3o", "M3", "2026-11-10T09:00:00+01:00", "opened", **OPENED)]),
        [],
        id="a ticket opened in november cannot change october",
    ),
    pytest.param(late_event, ["2026-10"], id="a late event of an october ticket"),
    pytest.param(reopen, ["2026-10"], id="a november event of an october ticket"),
    pytest.param(reingest_day, ["2026-10"], id="a re-ingested october day"),
    pytest.param(new_exclusion, ["2026-10"], id="an exclusion in october"),
    pytest.param(
        lambda ctx: ctx.admin.add_exclusion(
            "enschede",
            {"start": "2026-11-14T10:00:00+01:00", "end": "2026-11-14T10:30:00+01:00", "reason": "onderhoud"},
        ),
        [],
        id="an exclusion in november only",
    ),
]


@pytest.mark.parametrize(("change", "recomputed"), SKIP_CASES)
def test_a_restating_run_recomputes_only_the_months_whose_figures_may_have_changed(
    delivered: AppContext, clock: FixedClock, change: Callable[[AppContext], None], recomputed: list[str]
) -> None:
    change(delivered)
    assert restating_run(delivered, clock) == recomputed
    assert restating_run(delivered, clock, NEXT_RUN + timedelta(hours=1)) == [], "checked now: the next run skips it"


def test_a_month_checked_before_it_ended_is_recomputed_even_when_its_inputs_did_not_change(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    mark_complete(ctx, OCTOBER)
    ctx.events.save(M2)  # answered never: breached on 20 October, decided by time alone
    clock.now = datetime(2026, 10, 20, 8, 0, tzinfo=UTC)  # 10:00 local: opened, not yet breached (hoog: 2 h)
    ctx.monthly.compute("enschede", OCTOBER, restate=True)
    assert restating_run(ctx, clock) == ["2026-10"]
    [v1, v2] = ctx.reports.versions("enschede", "2026-10")
    assert (
        v1.body["service_levels"]["response_time"]["decided"],
        v2.body["service_levels"]["response_time"]["decided"],
    ) == (0, 1)

"""Mid-month "at risk": can a norm still be met this month?

Rules applied (sla_core.at_risk, from docs/measurement.md §2.9, §3.4; the Dutch reasons are the shell's,
tests/app/test_at_risk_nl.py):

* Availability is judged against the service hours of the WHOLE month ``S``,
  the unknown minutes so far ``U`` and the down minutes so far ``D``: the norm
  ``n`` allows ``(1 − n/100) × (S − U)`` minutes of down time. More than that
  already counted: "kan niet meer gehaald worden"; more than 75 % of it: "risico".
* A ticket level with ``d`` decided, ``w`` within the target, needs the smallest
  ``k ≥ 0`` further met outcomes with ``(w + k) / (d + k) ≥ n/100``; "risico"
  while the value so far is below the norm; no such ``k`` (norm 100 % with a
  breach): "kan niet meer gehaald worden". Nothing decided counts as met (n.v.t.).

Most availability rows use a month of 10,000 service-hours minutes half gone
(5,000 elapsed), so the default norm of 99.4 % allows exactly 60 minutes.
Through the Reporter (the month so far, ``[1 October, as_of)``): October 2026, 22 working days
(15,840 minutes), as of Thursday 15 October 12:00, i.e. 10 whole working days and 5 hours (7,500 minutes).
"""

from __future__ import annotations

import pytest

from sla_core.at_risk import (
    AT_RISK,
    NOT_MEASURED,
    ON_TRACK,
    UNREACHABLE,
    assess,
    availability_risk,
    needed_met,
    ticket_risk,
)
from sla_core.month_to_date import MonthSoFar, month_so_far
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_records import Tally
from tests.support.core import (
    TENANT,
    contract_with,
    default_calendar,
    event,
    exclusion,
    iso,
    minutes,
    opened,
    parsed,
    us,
)
from tests.test_availability import full_results

# -- availability: the arithmetic ---------------------------------------------------

AVAILABILITY_CASES = [
    # norm, S (whole month), elapsed, U (unknown so far), D (down so far) -> status, allowed minutes
    pytest.param(99.4, 10_000, 5_000, 0, 0, ON_TRACK, 60.0, id="nothing down halfway through the month is on track"),
    pytest.param(99.4, 10_000, 5_000, 0, 45, ON_TRACK, 60.0, id="exactly 75 % of the budget spent is still on track"),
    pytest.param(99.4, 10_000, 5_000, 0, 45.5, AT_RISK, 60.0, id="more than 75 % of the budget spent is at risk"),
    pytest.param(
        99.4,
        10_000,
        5_000,
        0,
        60,
        AT_RISK,
        60.0,
        id="exactly the allowed down time: the norm is still reachable (99,40 %), but at risk",
    ),
    pytest.param(
        99.4, 10_000, 5_000, 0, 60.5, UNREACHABLE, 60.0, id="half a minute more than allowed can no longer be met"
    ),
    pytest.param(
        99.4,
        10_000,
        500,
        0,
        61,
        UNREACHABLE,
        60.0,
        id="early in the month: the budget is the whole month's, not the elapsed part's",
    ),
    pytest.param(
        99.4,
        10_000,
        5_000,
        2_000,
        48,
        AT_RISK,
        48.0,
        id="unknown minutes so far shrink the budget: 0.6 % of 8,000 is 48",
    ),
    pytest.param(
        99.4, 10_000, 5_000, 2_000, 49, UNREACHABLE, 48.0, id="with 2,000 minutes unknown, 49 down can no longer be met"
    ),
    pytest.param(
        99.4,
        10_000,
        5_000,
        5_000,
        0,
        ON_TRACK,
        30.0,
        id="everything so far unknown is on track: the rest of the month can still be measured",
    ),
    pytest.param(99.4, 10_000, 0, 0, 0, ON_TRACK, 60.0, id="before the first service hour of the month: on track"),
    pytest.param(99.4, 0, 0, 0, 0, NOT_MEASURED, 0.0, id="a month without service hours is not measured"),
    pytest.param(
        99.4,
        10_000,
        10_000,
        10_000,
        0,
        NOT_MEASURED,
        0.0,
        id="a whole month elapsed without a measurement is not measured",
    ),
    pytest.param(100.0, 10_000, 5_000, 0, 0, ON_TRACK, 0.0, id="a norm of 100 % without down time is on track"),
    pytest.param(100.0, 10_000, 5_000, 0, 5, UNREACHABLE, 0.0, id="a norm of 100 % allows no down time at all"),
    pytest.param(
        99.5, 1_000, 500, 0, 5, AT_RISK, 5.0, id="norm 99.5 % of 1,000 minutes: 5 down is exactly at the norm"
    ),
]


@pytest.mark.parametrize(("norm", "whole", "elapsed", "unknown", "down", "status", "allowed"), AVAILABILITY_CASES)
def test_availability_is_judged_against_the_whole_months_budget(norm, whole, elapsed, unknown, down, status, allowed):
    risk = availability_risk(norm, whole, elapsed, unknown, down)
    assert risk.status == status, risk
    assert risk.allowed_minutes == pytest.approx(allowed), "allowed = (1 − norm/100) × (S − U)"
    assert risk.at_risk is (status in (AT_RISK, UNREACHABLE))


def test_unreachable_means_the_best_possible_month_is_below_the_norm_as_the_report_would_judge_it():
    for down in (59.9, 60.0, 60.1):
        risk = availability_risk(99.4, 10_000, 5_000, 0, down)
        best = (10_000 - down) / 10_000 * 100  # every remaining minute measured and up
        assert risk.best_possible == pytest.approx(best)
        assert (risk.status == UNREACHABLE) is (best < 99.4), (down, risk)


# -- tickets: the arithmetic ------------------------------------------------------------

TICKET_CASES = [
    # norm, decided, within -> status, k (further met outcomes needed)
    pytest.param(95.0, 0, 0, ON_TRACK, 0, id="nothing decided counts as met (n.v.t.)"),
    pytest.param(95.0, 4, 4, ON_TRACK, 0, id="all within target is on track"),
    pytest.param(95.0, 20, 19, ON_TRACK, 0, id="19 of 20 is exactly at the norm: on track"),
    pytest.param(95.0, 19, 18, AT_RISK, 1, id="18 of 19 is below the norm: one more met outcome reaches 19 of 20"),
    pytest.param(95.0, 1, 0, AT_RISK, 19, id="a single breach needs 19 met outcomes (19 of 20)"),
    pytest.param(95.0, 10, 8, AT_RISK, 30, id="2 of 10 breached needs 30 more met (38 of 40)"),
    pytest.param(95.0, 5, 0, AT_RISK, 95, id="5 of 5 breached needs 95 more met (95 of 100)"),
    pytest.param(99.4, 100, 99, AT_RISK, 67, id="a decimal norm: 99 of 100 at 99.4 % needs 67 more (166 of 167)"),
    pytest.param(50.0, 2, 0, AT_RISK, 2, id="norm 50 %: two breaches need two met outcomes"),
    pytest.param(100.0, 3, 3, ON_TRACK, 0, id="a norm of 100 % without a breach is on track"),
    pytest.param(100.0, 3, 2, UNREACHABLE, None, id="a norm of 100 % with a breach can no longer be met"),
]


@pytest.mark.parametrize(("norm", "decided", "within", "status", "needed"), TICKET_CASES)
def test_a_ticket_level_reports_the_met_outcomes_it_still_needs(norm, decided, within, status, needed):
    risk = ticket_risk("response_time", norm, decided, within)
    assert (risk.status, risk.needed_met) == (status, needed), risk
    if needed is not None:
        assert Tally(decided + needed, within + needed).value is None or (
            Tally(decided + needed, within + needed).value >= norm
        ), "k met outcomes reach the norm"


@pytest.mark.parametrize("norm", [50.0, 90.0, 95.0, 99.4, 99.9])
def test_the_needed_number_is_the_smallest_that_reaches_the_norm(norm):
    def reaches(d: int, w: int) -> bool:
        value = Tally(d, w).value
        return value is None or value >= norm

    for decided in range(31):
        for within in range(decided + 1):
            k = needed_met(norm, decided, within)
            assert k is not None and reaches(decided + k, within + k), (decided, within, k)
            assert k == 0 or not reaches(decided + k - 1, within + k - 1), (decided, within, k)


def test_more_within_than_decided_is_refused():
    with pytest.raises(ValueError, match="within"):
        ticket_risk("response_time", 95.0, 2, 3)


# -- through the Reporter: a partial month ------------------------------------------------

MONTH_START = "2026-10-01T00:00:00+02:00"
AS_OF = "2026-10-15T12:00:00+02:00"


def so_far_of(events: list | tuple = (), results: list | tuple = (), exclusions: list | tuple = ()) -> MonthSoFar:
    """The figures of ``[1 October, as_of)``; the tenant is live since September (a trailing year of 2 months)."""
    contract = contract_with(tenants={TENANT: {"go_live": "2026-09-01"}})
    reporter = Reporter(contract, list(results), list(exclusions), us(AS_OF), default_calendar())
    return month_so_far(reporter, TENANT, Month(2026, 10), parsed(events))


def partial_month(failed: dict | None = None, missing: tuple[str, ...] = ()) -> list:
    """Results every 5 minutes from two locations from 1 October up to as_of; ``failed`` slots down."""
    return full_results(MONTH_START, AS_OF, failed=failed, missing=missing)


def down_between(start: str, end: str) -> dict[str, tuple[str, str]]:
    """Both locations failing in every 5-minute slot of ``[start, end)``."""
    return {iso(slot): ("weu", "neu") for slot in range(us(start), us(end), minutes(5))}


REPORTED_CASES = [
    pytest.param({}, (), 0, ON_TRACK, id="no down time: on track"),
    pytest.param(
        down_between("2026-10-05T09:00:00+02:00", "2026-10-05T10:20:00+02:00"),
        (),
        80,
        AT_RISK,
        id="80 minutes down on 5 October: more than 75 % of the month's 95 minutes",
    ),
    pytest.param(
        down_between("2026-10-05T09:00:00+02:00", "2026-10-05T11:00:00+02:00"),
        (),
        120,
        UNREACHABLE,
        id="two hours down on 5 October: the month can no longer reach 99.4 %",
    ),
]


@pytest.mark.parametrize(("failed", "missing", "down", "status"), REPORTED_CASES)
def test_the_month_so_far_is_judged_against_the_whole_month(failed, missing, down, status):
    risk = assess(so_far_of(results=partial_month(failed, missing))).availability
    assert (risk.month_minutes, risk.elapsed_minutes) == (15_840, 7_500), "22 working days; 10 days and 5 hours gone"
    assert (risk.unknown_minutes, risk.down_minutes) == (0, down), "the minutes after as_of are not 'unknown so far'"
    assert risk.allowed_minutes == pytest.approx(95.04), "0.6 % of 15,840"
    assert risk.status == status, risk


def test_unknown_so_far_counts_only_the_service_hours_before_as_of():
    missing = tuple(f"2026-10-06T{h:02d}:{m:02d}:00+02:00" for h in range(24) for m in range(0, 60, 5))
    so_far = so_far_of(results=partial_month(missing=missing))
    assert (so_far.availability.scheduled_minutes, so_far.availability.unknown_minutes) == (7_500, 720), (
        "[1 October, as_of): the future is neither scheduled nor unknown yet"
    )
    risk = assess(so_far).availability
    assert risk.unknown_minutes == 720, "Tuesday 6 October without results"
    assert risk.allowed_minutes == pytest.approx(0.006 * (15_840 - 720))


def test_down_time_inside_an_exclusion_does_not_spend_the_budget():
    failed = down_between("2026-10-05T09:00:00+02:00", "2026-10-05T11:00:00+02:00")
    so_far = so_far_of(
        results=partial_month(failed),
        exclusions=[exclusion("2026-10-05T09:00:00+02:00", "2026-10-05T10:00:00+02:00")],
    )
    risk = assess(so_far).availability
    assert (risk.down_minutes, risk.status) == (60, ON_TRACK), risk


def test_a_month_without_any_result_so_far_is_on_track_with_everything_so_far_unknown():
    risk = assess(so_far_of()).availability
    assert (risk.elapsed_minutes, risk.unknown_minutes, risk.status) == (7_500, 7_500, ON_TRACK)


def test_ticket_levels_of_a_partial_month_count_decided_and_pending_outcomes():
    events = [
        opened("2026-10-05T09:00:00+02:00", "hoog", "M1"),
        event("responded", "2026-10-05T09:30:00+02:00", "M1"),  # within 2 h
        opened("2026-10-06T09:00:00+02:00", "hoog", "M2"),  # no response: breached at 11:00
        opened("2026-10-15T11:30:00+02:00", "laag", "M3"),  # 8 h target still running at as_of
    ]
    assessed = assess(so_far_of(events, results=partial_month()))
    response = assessed.tickets["response_time"]
    assert (response.decided, response.within, response.pending) == (2, 1, 1)
    assert (response.status, response.needed_met) == (AT_RISK, 18), "1 of 2: 19 of 20 needs 18 more met"
    assert [level.metric for level in assessed.at_risk] == ["response_time", "restore_time_application"]
    assert assessed.to_json()["at_risk"] == ["response_time", "restore_time_application"]
    assert assessed.as_of == "2026-10-15T12:00:00+02:00"

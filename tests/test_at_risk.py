"""Mid-month "at risk": can a norm still be met this month?

Rules applied (sla_core.at_risk, from docs/measurement.md §2, §3, §5):

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
Through the Reporter: October 2026, 22 working days (15,840 minutes), as of
Thursday 15 October 12:00, i.e. 10 whole working days and 5 hours (7,500 minutes).
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
from sla_core.report import Tally
from tests.support.core import (
    default_calendar,
    event,
    exclusion,
    iso,
    minutes,
    opened,
    report_of,
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
    assert risk.status == status, risk.reason
    assert risk.allowed_minutes == pytest.approx(allowed), "allowed = (1 − norm/100) × (S − U)"
    assert risk.at_risk is (status in (AT_RISK, UNREACHABLE))


def test_unreachable_means_the_best_possible_month_is_below_the_norm_as_the_report_would_judge_it():
    for down in (59.9, 60.0, 60.1):
        risk = availability_risk(99.4, 10_000, 5_000, 0, down)
        best = (10_000 - down) / 10_000 * 100  # every remaining minute measured and up
        assert risk.best_possible == pytest.approx(best)
        assert (risk.status == UNREACHABLE) is (best < 99.4), (down, risk.reason)


REASON_CASES = [
    pytest.param(
        99.4,
        10_000,
        500,
        0,
        61,
        [
            "kan niet meer gehaald worden",
            "61,0 min niet beschikbaar",
            "hoogstens 60,0 min",
            "9.500,0 min servicetijd",
            "99,39 %",
        ],
        id="unreachable names the down time, the budget, the rest of the month and the best possible value",
    ),
    pytest.param(
        99.4,
        10_000,
        5_000,
        0,
        50,
        ["risico", "50,0 min niet beschikbaar", "83,33 % van de 60,0 min", "nog 10,0 min ruimte"],
        id="at risk names the share of the budget spent and what is left",
    ),
    pytest.param(
        99.4,
        10_000,
        5_000,
        0,
        60,
        ["risico", "alle 60,0 min", "nog 0,0 min ruimte"],
        id="exactly at the norm: the whole budget is spent",
    ),
    pytest.param(
        99.4,
        10_000,
        5_000,
        5_000,
        0,
        ["op koers", "tot nu toe niets gemeten"],
        id="all unknown so far says that nothing was measured yet",
    ),
    pytest.param(99.4, 0, 0, 0, 0, ["niet gemeten"], id="no service hours: not measured"),
]


@pytest.mark.parametrize(("norm", "whole", "elapsed", "unknown", "down", "phrases"), REASON_CASES)
def test_the_availability_reason_is_dutch_and_names_the_numbers(norm, whole, elapsed, unknown, down, phrases):
    reason = availability_risk(norm, whole, elapsed, unknown, down).reason
    for phrase in phrases:
        assert phrase in reason, reason


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
    assert (risk.status, risk.needed_met) == (status, needed), risk.reason
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


TICKET_REASONS = [
    pytest.param(
        95.0,
        10,
        8,
        0,
        [
            "risico",
            "8 van 10 binnen de streeftijd (80,00 %)",
            "onder de norm van 95,00 %",
            "nog minstens 30 uitkomsten binnen de streeftijd nodig",
        ],
        id="at risk names the value so far and the number needed",
    ),
    pytest.param(95.0, 19, 18, 0, ["nog minstens 1 uitkomst binnen"], id="one needed outcome is singular"),
    pytest.param(
        100.0, 3, 2, 0, ["kan niet meer gehaald worden", "er is er al 1"], id="out of reach names the breaches"
    ),
    pytest.param(95.0, 0, 0, 2, ["n.v.t.", "2 meldingen lopen nog"], id="nothing decided, two pending"),
    pytest.param(95.0, 4, 4, 1, ["op koers", "4 van 4", "1 melding loopt nog"], id="on track with one pending"),
]


@pytest.mark.parametrize(("norm", "decided", "within", "pending", "phrases"), TICKET_REASONS)
def test_the_ticket_reason_is_dutch(norm, decided, within, pending, phrases):
    reason = ticket_risk("restore_time_platform", norm, decided, within, pending).reason
    for phrase in phrases:
        assert phrase in reason, reason


def test_more_within_than_decided_is_refused():
    with pytest.raises(ValueError, match="within"):
        ticket_risk("response_time", 95.0, 2, 3)


# -- through the Reporter: a partial month ------------------------------------------------

MONTH_START = "2026-10-01T00:00:00+02:00"
AS_OF = "2026-10-15T12:00:00+02:00"


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
def test_a_partial_month_report_is_judged_against_the_whole_month(failed, missing, down, status):
    report = report_of([], "2026-10", AS_OF, results=partial_month(failed, missing))
    risk = assess(report, default_calendar()).availability
    assert (risk.month_minutes, risk.elapsed_minutes) == (15_840, 7_500), "22 working days; 10 days and 5 hours gone"
    assert (risk.unknown_minutes, risk.down_minutes) == (0, down), "the minutes after as_of are not 'unknown so far'"
    assert risk.allowed_minutes == pytest.approx(95.04), "0.6 % of 15,840"
    assert risk.status == status, risk.reason


def test_unknown_so_far_is_the_reports_unknown_less_the_rest_of_the_month():
    missing = tuple(f"2026-10-06T{h:02d}:{m:02d}:00+02:00" for h in range(24) for m in range(0, 60, 5))
    report = report_of([], "2026-10", AS_OF, results=partial_month(missing=missing))
    assert report.availability.unknown_minutes == 720 + 15_840 - 7_500, "the report counts the future as unknown"
    risk = assess(report, default_calendar()).availability
    assert risk.unknown_minutes == 720, "Tuesday 6 October without results"
    assert risk.allowed_minutes == pytest.approx(0.006 * (15_840 - 720))


def test_down_time_inside_an_exclusion_does_not_spend_the_budget():
    failed = down_between("2026-10-05T09:00:00+02:00", "2026-10-05T11:00:00+02:00")
    report = report_of(
        [],
        "2026-10",
        AS_OF,
        results=partial_month(failed),
        exclusions=[exclusion("2026-10-05T09:00:00+02:00", "2026-10-05T10:00:00+02:00")],
    )
    risk = assess(report, default_calendar()).availability
    assert (risk.down_minutes, risk.status) == (60, ON_TRACK), risk.reason


def test_a_report_without_any_result_so_far_is_on_track_and_says_nothing_was_measured():
    risk = assess(report_of([], "2026-10", AS_OF), default_calendar()).availability
    assert (risk.unknown_minutes, risk.status) == (7_500, ON_TRACK)
    assert "niets gemeten" in risk.reason


def test_ticket_levels_of_a_partial_month_count_decided_and_pending_outcomes():
    events = [
        opened("2026-10-05T09:00:00+02:00", "hoog", "M1"),
        event("responded", "2026-10-05T09:30:00+02:00", "M1"),  # within 2 h
        opened("2026-10-06T09:00:00+02:00", "hoog", "M2"),  # no response: breached at 11:00
        opened("2026-10-15T11:30:00+02:00", "laag", "M3"),  # 8 h target still running at as_of
    ]
    assessed = assess(report_of(events, "2026-10", AS_OF, results=partial_month()), default_calendar())
    response = assessed.tickets["response_time"]
    assert (response.decided, response.within, response.pending) == (2, 1, 1)
    assert (response.status, response.needed_met) == (AT_RISK, 18), "1 of 2: 19 of 20 needs 18 more met"
    assert [level.metric for level in assessed.at_risk] == ["response_time", "restore_time_application"]
    assert assessed.to_json()["at_risk"] == ["response_time", "restore_time_application"]
    assert assessed.as_of == "2026-10-15T12:00:00+02:00"

"""The month so far (docs/measurement.md §2.9, §3.4): breaches left, down time left, running clocks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla_core.at_risk import needed_met
from sla_core.month_to_date import breaches_left, downtime_left_minutes, open_clocks
from sla_core.outcomes import Outcome, Pause
from tests.support.core import default_calendar, minutes, us

BREACHES = [
    pytest.param(95.0, 0, 0, 0, id="nothing decided: one breach would give 0 %, so none is left"),
    pytest.param(95.0, 19, 19, 1, id="19 of 19 met: one more breach gives 19 of 20 = 95 %, exactly the norm"),
    pytest.param(95.0, 20, 20, 1, id="20 of 20 met: a second breach would give 20 of 22 < 95 %"),
    pytest.param(95.0, 39, 39, 2, id="39 of 39 met: two breaches give 39 of 41 = 95.12 %"),
    pytest.param(95.0, 20, 19, 0, id="19 of 20 met: exactly at the norm, no room left"),
    pytest.param(95.0, 20, 18, None, id="18 of 20 met: the norm is already missed"),
    pytest.param(100.0, 5, 5, 0, id="a 100 % norm never allows a breach"),
    pytest.param(50.0, 2, 2, 2, id="a 50 % norm allows as many breaches as were met"),
]


@pytest.mark.parametrize(("norm", "decided", "within", "expected"), BREACHES)
def test_breaches_left(norm: float, decided: int, within: int, expected: int | None) -> None:
    assert breaches_left(norm, decided, within) == expected


@given(
    norm=st.sampled_from([50.0, 80.0, 90.0, 95.0, 97.5, 99.0, 99.4, 100.0]),
    decided=st.integers(0, 400),
    data=st.data(),
)
def test_breaches_left_is_the_largest_number_that_keeps_the_norm(
    norm: float, decided: int, data: st.DataObject
) -> None:
    within = data.draw(st.integers(0, decided))
    left = breaches_left(norm, decided, within)

    def met(d: int) -> bool:
        return d == 0 or within / d * 100 >= norm

    if left is None:
        assert not met(decided)
        assert needed_met(norm, decided, within) != 0  # the at-risk notice agrees: recovery is needed
    else:
        assert met(decided + left)
        assert not met(decided + left + 1)


@pytest.mark.parametrize(
    ("norm", "decided", "within"),
    [pytest.param(0.0, 1, 1, id="a norm of zero is not a norm"), pytest.param(95.0, 1, 2, id="more met than decided")],
)
def test_breaches_left_refuses_impossible_input(norm: float, decided: int, within: int) -> None:
    with pytest.raises(ValueError):
        breaches_left(norm, decided, within)


@pytest.mark.parametrize(
    ("allowed", "down", "expected"),
    [
        pytest.param(77.76, 0.0, 77.76, id="nothing down yet: the whole budget is left"),
        pytest.param(77.76, 45.0, 32.76, id="part of the budget spent"),
        pytest.param(77.76, 100.0, 0.0, id="budget overspent: nothing left, never negative"),
    ],
)
def test_downtime_left(allowed: float, down: float, expected: float) -> None:
    assert downtime_left_minutes(allowed, down) == pytest.approx(expected)


def pending(ticket: str, clock: str, elapsed_min: float, target_min: float, pauses: tuple[Pause, ...] = ()) -> Outcome:
    return Outcome(
        tenant="almelo",
        ticket_id=ticket,
        metric="restore_time_application",
        outcome="pending",
        priority="hoog",
        clock=clock,
        opened_at=us("2026-06-01T09:00:00+02:00"),
        decided_at=None,
        elapsed=minutes(elapsed_min),
        target=minutes(target_min),
        stopped_at=None,
        pauses=pauses,
    )


AS_OF = "2026-06-05T17:00:00+02:00"  # a Friday, two hours before service hours end


def test_open_clocks_on_the_business_clock_run_over_the_weekend_to_monday() -> None:
    clocks = open_clocks([pending("M1", "business", 300, 480)], us(AS_OF), default_calendar().deadline_us)
    (clock,) = clocks
    assert clock.left_minutes == 180
    assert clock.deadline == us("2026-06-08T08:00:00+02:00")  # 120 min on Friday, 60 on Monday from 07:00
    assert not clock.paused


def test_open_clocks_on_the_calendar_clock_count_wall_time() -> None:
    (clock,) = open_clocks([pending("M2", "calendar", 60, 180)], us(AS_OF), default_calendar().deadline_us)
    assert clock.deadline == us("2026-06-05T19:00:00+02:00")


def test_open_clocks_sort_soonest_first_and_paused_last() -> None:
    pause = (Pause(us("2026-06-05T10:00:00+02:00"), None, "wachten op klant"),)
    clocks = open_clocks(
        [
            pending("late", "business", 0, 480),
            pending("paused", "business", 100, 120, pause),
            pending("soon", "business", 460, 480),
        ],
        us(AS_OF),
        default_calendar().deadline_us,
    )
    assert [c.ticket_id for c in clocks] == ["soon", "late", "paused"]
    assert clocks[-1].paused and clocks[-1].deadline is None
    assert clocks[-1].left_minutes == 20


def test_a_pause_that_ended_before_as_of_does_not_mark_the_clock_paused() -> None:
    pause = (Pause(us("2026-06-05T10:00:00+02:00"), us("2026-06-05T11:00:00+02:00"), "wachten op klant"),)
    (clock,) = open_clocks([pending("M3", "business", 10, 60, pause)], us(AS_OF), default_calendar().deadline_us)
    assert not clock.paused

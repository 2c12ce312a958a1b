"""Properties of the business clock (measurement §1 service hours, §2 deadline D).

Rules quoted:

* §2 "Let E(t) be the elapsed clock time from `opened` to t, T the target and D
  the first instant at which E reaches T (the deadline)." — so the deadline is
  the inverse of the business duration, and the *first* such instant.
* Preamble: "Intervals are half-open: [start, end)." — so business time is
  additive over adjacent intervals.

Instants are drawn from December 2025 to January 2027 (both DST changes of 2026,
all 2026 holidays), half of them on a quarter-hour grid so that 07:00, 19:00,
midnight and holiday boundaries are hit exactly.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sla_core.business_calendar import BusinessCalendar
from tests.support.core import PROPERTY_SETTINGS, contract_with, default_calendar, every_day, hours, iso, minutes, us

LO = us("2025-12-01T00:00:00+01:00")
HI = us("2027-01-31T00:00:00+01:00")
QUARTER = minutes(15)

instants = st.one_of(
    st.integers(LO, HI),
    st.integers(LO // QUARTER, HI // QUARTER).map(lambda k: k * QUARTER),
)
durations = st.one_of(
    st.integers(0, hours(300)),
    st.integers(0, 1200).map(lambda k: k * QUARTER),
    st.integers(0, 3),
)
CAL = default_calendar()


@PROPERTY_SETTINGS
@given(st.lists(instants, min_size=3, max_size=3))
def test_business_time_is_additive(points):
    a, b, c = sorted(points)
    assert CAL.business_us(a, b) + CAL.business_us(b, c) == CAL.business_us(a, c), (
        f"half-open intervals: business({iso(a)}, {iso(b)}) + business({iso(b)}, {iso(c)}) != business(a, c)"
    )


@PROPERTY_SETTINGS
@given(instants, instants)
def test_business_time_is_between_zero_and_wall_time(a, b):
    got = CAL.business_us(a, b)
    if b <= a:
        assert got == 0
    else:
        assert 0 <= got <= b - a
        assert got <= hours(12) * (-(-(b - a) // hours(24)) + 1), "at most 12 h per calendar day touched"


@PROPERTY_SETTINGS
@given(instants, instants)
def test_business_time_is_the_sum_of_the_service_hour_intervals(a, b):
    pieces = CAL.intervals(a, b)
    assert CAL.business_us(a, b) == sum(hi - lo for lo, hi in pieces)
    assert all(CAL.is_open(lo) and (hi - lo == 1 or CAL.is_open(hi - 1)) for lo, hi in pieces)


@PROPERTY_SETTINGS
@given(instants, durations)
def test_the_deadline_is_the_inverse_of_the_business_duration(a, d):
    end = CAL.deadline_us(a, d)
    assert end >= a
    assert CAL.business_us(a, end) == d, f"measurement §2: E(D) == T for D={iso(end)} from {iso(a)}, d={d} µs"


@PROPERTY_SETTINGS
@given(instants, durations)
def test_the_deadline_is_the_first_instant_the_duration_is_reached(a, d):
    end = CAL.deadline_us(a, d)
    if d == 0:
        assert end == a, "a zero duration is reached at once"
    else:
        assert CAL.business_us(a, end - 1) < d, (
            f"measurement §2: D is the FIRST instant at which E reaches T; 1 µs before {iso(end)} it was already reached"
        )
        assert CAL.is_open(end - 1), f"the last µs before D={iso(end)} is inside service hours"


@PROPERTY_SETTINGS
@given(instants, instants)
def test_the_deadline_of_a_measured_interval_is_not_after_its_end(a, b):
    measured = CAL.business_us(a, b)
    end = CAL.deadline_us(a, measured)
    if b >= a:
        assert end <= b
        assert CAL.business_us(end, b) == 0, "nothing of service hours is left between D and b"


@PROPERTY_SETTINGS
@given(st.lists(instants, min_size=3, max_size=3))
def test_business_time_is_monotone_in_both_ends(points):
    a, b, c = sorted(points)
    assert CAL.business_us(a, c) >= CAL.business_us(b, c), "an earlier start never gives less time"
    assert CAL.business_us(a, b) <= CAL.business_us(a, c), "a later end never gives less time"


@PROPERTY_SETTINGS
@given(instants, instants, durations, durations)
def test_the_deadline_is_monotone_in_start_and_duration(a1, a2, d1, d2):
    a1, a2 = sorted((a1, a2))
    d1, d2 = sorted((d1, d2))
    assert CAL.deadline_us(a1, d1) <= CAL.deadline_us(a1, d2), "a longer duration never ends earlier"
    assert CAL.deadline_us(a1, d1) <= CAL.deadline_us(a2, d1), "a later start never ends earlier"


ROUND_THE_CLOCK = BusinessCalendar.from_contract(
    contract_with(service_hours=every_day("00:00", "24:00"), holidays={"algemene_termijnenwet": False})
)


@PROPERTY_SETTINGS
@given(instants, instants, durations)
def test_round_the_clock_service_hours_are_wall_time(a, b, d):
    assert ROUND_THE_CLOCK.business_us(a, b) == max(b - a, 0), "00:00-24:00 every day, no holidays: all time counts"
    assert ROUND_THE_CLOCK.deadline_us(a, d) == a + d


@settings(PROPERTY_SETTINGS, max_examples=20)  # a fresh calendar builds its index: keep it few
@given(st.lists(st.tuples(instants, instants), min_size=1, max_size=4))
def test_a_fresh_calendar_and_a_used_one_agree(pairs):
    fresh = BusinessCalendar.from_contract(contract_with())
    for a, b in reversed(pairs):  # other query order than the shared calendar has seen
        assert fresh.business_us(a, b) == CAL.business_us(a, b), "the index is derived data, never visible"
        assert fresh.deadline_us(a, hours(7)) == CAL.deadline_us(a, hours(7))

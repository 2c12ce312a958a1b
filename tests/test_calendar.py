"""The business clock: service hours and working days (measurement §1), literal cases.

Rules quoted:

* §1 "Default: working days 07:00–19:00 local time. It is a contract setting
  (per weekday a list of [start, end) local-time ranges)."
* §1 "A working day (Werkdag) is Monday–Friday except the public holidays of
  art. 3 of the Algemene termijnenwet [...]. The contract can add extra closed
  dates (brugdagen) and remove days."
* Preamble: "The contract's timezone (default Europe/Amsterdam) decides local
  dates, service hours and month boundaries, across daylight-saving changes.
  Intervals are half-open: [start, end)."
* §2 "D is an instant on the clock: when the target is reached at 19:00 on a
  Friday, the breach is decided at that Friday 19:00."
"""

from __future__ import annotations

import pytest

from sla_core.business_calendar import BusinessCalendar
from tests.support.core import business, contract_with, deadline, default_calendar, every_day, hours, iso, minutes, us

# -- business time between two instants -------------------------------------------

BUSINESS_CASES = [
    # plain weeks
    pytest.param(
        "2026-10-19T07:00:00+02:00", "2026-10-19T19:00:00+02:00", hours(12), id="a working Monday 07:00-19:00 is 12 h"
    ),
    pytest.param(
        "2026-10-19T05:00:00+02:00",
        "2026-10-19T21:00:00+02:00",
        hours(12),
        id="time before 07:00 and after 19:00 does not count",
    ),
    pytest.param(
        "2026-10-19T09:15:00+02:00",
        "2026-10-19T09:45:00+02:00",
        minutes(30),
        id="half an hour inside service hours is half an hour",
    ),
    pytest.param(
        "2026-10-19T18:30:00+02:00",
        "2026-10-20T07:30:00+02:00",
        hours(1),
        id="a night between two working days adds nothing",
    ),
    pytest.param(
        "2026-10-16T18:00:00+02:00",
        "2026-10-19T08:00:00+02:00",
        hours(2),
        id="Friday 18:00 to Monday 08:00 is 2 h: the weekend does not count",
    ),
    pytest.param("2026-10-17T10:00:00+02:00", "2026-10-18T18:00:00+02:00", 0, id="a Saturday and Sunday alone are 0 h"),
    pytest.param(
        "2026-10-12T07:00:00+02:00", "2026-10-17T07:00:00+02:00", hours(60), id="a whole working week is 5 x 12 h"
    ),
    pytest.param("2026-10-19T12:00:00+02:00", "2026-10-19T12:00:00+02:00", 0, id="an empty interval is 0"),
    pytest.param(
        "2026-10-19T12:00:00+02:00", "2026-10-19T10:00:00+02:00", 0, id="an interval that ends before it starts is 0"
    ),
    pytest.param(
        "2026-10-19T05:00:00Z",
        "2026-10-19T06:00:00Z",
        hours(1),
        id="instants in UTC: 05:00Z-06:00Z is 07:00-08:00 summer time",
    ),
    pytest.param(
        "2026-10-19T10:00:00+05:30",
        "2026-10-19T12:30:00+05:30",
        hours(2),
        id="instants in another offset: 06:30-09:00 Amsterdam time counts from 07:00",
    ),
    # Koningsdag
    pytest.param(
        "2026-04-27T07:00:00+02:00", "2026-04-27T19:00:00+02:00", 0, id="Koningsdag Monday 27 April 2026 is closed"
    ),
    pytest.param(
        "2026-04-24T18:00:00+02:00",
        "2026-04-28T08:00:00+02:00",
        hours(2),
        id="Friday 24 April 18:00 to Tuesday 28 April 08:00 2026 is 2 h (Koningsdag Monday)",
    ),
    pytest.param(
        "2025-04-25T07:00:00+02:00",
        "2025-04-29T07:00:00+02:00",
        hours(24),
        id="2025: Friday 25 and Monday 28 April are working days (Koningsdag is Saturday 26 April)",
    ),
    pytest.param(
        "2025-04-28T07:00:00+02:00",
        "2025-04-28T19:00:00+02:00",
        hours(12),
        id="Monday 28 April 2025 is not a substitute holiday",
    ),
    # Bevrijdingsdag
    pytest.param(
        "2026-05-05T07:00:00+02:00",
        "2026-05-05T19:00:00+02:00",
        0,
        id="Bevrijdingsdag Tuesday 5 May 2026 (not a lustrum year) is closed",
    ),
    pytest.param(
        "2026-05-04T18:00:00+02:00",
        "2026-05-06T08:00:00+02:00",
        hours(2),
        id="Monday 4 May 18:00 to Wednesday 6 May 08:00 2026 is 2 h",
    ),
    pytest.param(
        "2027-05-05T07:00:00+02:00", "2027-05-05T19:00:00+02:00", 0, id="Bevrijdingsdag Wednesday 5 May 2027 is closed"
    ),
    # Easter
    pytest.param(
        "2026-04-03T07:00:00+02:00", "2026-04-03T19:00:00+02:00", 0, id="Goede Vrijdag 3 April 2026 is closed"
    ),
    pytest.param(
        "2026-04-02T18:00:00+02:00",
        "2026-04-07T08:00:00+02:00",
        hours(2),
        id="Thursday 2 April 18:00 to Tuesday 7 April 08:00 2026 is 2 h (Goede Vrijdag, Easter, Tweede Paasdag)",
    ),
    # other holidays of 2026
    pytest.param(
        "2026-01-01T00:00:00+01:00",
        "2026-01-02T00:00:00+01:00",
        0,
        id="Nieuwjaarsdag Thursday 1 January 2026 is closed",
    ),
    pytest.param(
        "2026-05-14T00:00:00+02:00", "2026-05-15T00:00:00+02:00", 0, id="Hemelvaartsdag Thursday 14 May 2026 is closed"
    ),
    pytest.param(
        "2026-05-15T00:00:00+02:00",
        "2026-05-16T00:00:00+02:00",
        hours(12),
        id="the Friday after Hemelvaartsdag is a working day by default (no brugdag)",
    ),
    pytest.param(
        "2026-05-25T00:00:00+02:00",
        "2026-05-26T00:00:00+02:00",
        0,
        id="Tweede Pinksterdag Monday 25 May 2026 is closed",
    ),
    pytest.param(
        "2026-12-24T07:00:00+01:00",
        "2026-12-29T07:00:00+01:00",
        hours(24),
        id="Christmas 2026: only Thursday 24 and Monday 28 December count",
    ),
    # daylight saving time
    pytest.param(
        "2026-03-27T12:00:00+01:00",
        "2026-03-30T12:00:00+02:00",
        hours(12),
        id="Friday 27 March 12:00 to Monday 30 March 12:00 2026, across the spring change, is 12 h",
    ),
    pytest.param(
        "2026-03-30T07:00:00+02:00",
        "2026-03-30T19:00:00+02:00",
        hours(12),
        id="Monday 30 March 2026, the first summer-time day, is 12 h",
    ),
    pytest.param(
        "2026-03-30T05:00:00Z", "2026-03-30T06:00:00Z", hours(1), id="after the spring change 07:00 local is 05:00 UTC"
    ),
    pytest.param(
        "2026-10-23T12:00:00+02:00",
        "2026-10-26T12:00:00+01:00",
        hours(12),
        id="Friday 23 October 12:00 to Monday 26 October 12:00 2026, across the autumn change, is 12 h",
    ),
    pytest.param(
        "2026-10-26T07:00:00+01:00",
        "2026-10-26T19:00:00+01:00",
        hours(12),
        id="Monday 26 October 2026, the first winter-time day, is 12 h",
    ),
    pytest.param(
        "2026-10-26T05:30:00Z",
        "2026-10-26T06:30:00Z",
        minutes(30),
        id="after the autumn change 07:00 local is 06:00 UTC",
    ),
    pytest.param(
        "2026-03-23T00:00:00+01:00",
        "2026-04-02T00:00:00+02:00",
        hours(8 * 12),
        id="eight working days around the spring change are 96 h",
    ),
]


@pytest.mark.parametrize(("a", "b", "expected"), BUSINESS_CASES)
def test_business_time_between_two_instants(a, b, expected):
    got = business(a, b)
    assert got == expected, (
        f"measurement §1 (07:00-19:00 on Atw working days): business time {a} → {b} is {got / 3.6e9} h"
    )


# -- the deadline: the first instant at which a business duration is used up -----

DEADLINE_CASES = [
    pytest.param(
        "2026-10-23T18:30:00+02:00",
        hours(2),
        "2026-10-26T08:30:00+01:00",
        id="a ticket opened Friday 18:30 with 2 h is due Monday 08:30 (across the autumn change)",
    ),
    pytest.param(
        "2026-10-23T15:00:00+02:00",
        hours(4),
        "2026-10-23T19:00:00+02:00",
        id="4 h from Friday 15:00 end exactly at Friday 19:00, not Monday 07:00",
    ),
    pytest.param(
        "2026-12-24T15:00:00+01:00",
        hours(16),
        "2026-12-28T19:00:00+01:00",
        id="16 h from Thursday 24 December 15:00 end exactly at Monday 28 December 19:00",
    ),
    pytest.param(
        "2026-10-23T19:00:00+02:00",
        hours(1),
        "2026-10-26T08:00:00+01:00",
        id="1 h from Friday 19:00 (closed) is Monday 08:00",
    ),
    pytest.param(
        "2026-10-24T10:00:00+02:00", hours(1), "2026-10-26T08:00:00+01:00", id="1 h from a Saturday is Monday 08:00"
    ),
    pytest.param(
        "2026-10-19T06:00:00+02:00",
        hours(1),
        "2026-10-19T08:00:00+02:00",
        id="1 h from Monday 06:00 (before opening) is 08:00",
    ),
    pytest.param(
        "2026-10-19T07:00:00+02:00",
        hours(12),
        "2026-10-19T19:00:00+02:00",
        id="12 h from Monday 07:00 end at Monday 19:00",
    ),
    pytest.param(
        "2026-10-19T07:00:00+02:00",
        hours(12) + 1,
        "2026-10-20T07:00:00.000001+02:00",
        id="12 h and 1 µs from Monday 07:00 end 1 µs after Tuesday 07:00",
    ),
    pytest.param(
        "2026-10-19T10:00:00+02:00", 0, "2026-10-19T10:00:00+02:00", id="a zero duration ends where it starts"
    ),
    pytest.param(
        "2026-10-24T10:00:00+02:00",
        0,
        "2026-10-24T10:00:00+02:00",
        id="a zero duration ends where it starts, also outside service hours",
    ),
    pytest.param(
        "2026-04-24T17:00:00+02:00",
        hours(2),
        "2026-04-24T19:00:00+02:00",
        id="2 h from Friday 24 April 17:00 end Friday 19:00 (Koningsdag follows)",
    ),
    pytest.param(
        "2026-04-24T18:00:00+02:00",
        hours(2),
        "2026-04-28T08:00:00+02:00",
        id="2 h from Friday 24 April 18:00 end Tuesday 28 April 08:00 (Koningsdag Monday)",
    ),
    pytest.param(
        "2026-05-04T18:00:00+02:00",
        hours(2),
        "2026-05-06T08:00:00+02:00",
        id="2 h from Monday 4 May 18:00 end Wednesday 6 May 08:00 (Bevrijdingsdag 2026)",
    ),
    pytest.param(
        "2026-04-02T18:00:00+02:00",
        hours(4),
        "2026-04-07T10:00:00+02:00",
        id="4 h from Thursday 2 April 18:00 end Tuesday 7 April 10:00 (Goede Vrijdag, Tweede Paasdag)",
    ),
    pytest.param(
        "2026-03-27T17:00:00+01:00",
        hours(4),
        "2026-03-30T09:00:00+02:00",
        id="4 h from Friday 27 March 17:00 end Monday 30 March 09:00 summer time",
    ),
    pytest.param(
        "2026-12-31T18:00:00+01:00",
        hours(2),
        "2027-01-04T08:00:00+01:00",
        id="2 h from New Year's Eve 18:00 end Monday 4 January 2027 08:00 (across the year)",
    ),
    pytest.param(
        "2026-10-19T09:00:00+02:00",
        hours(16),
        "2026-10-20T13:00:00+02:00",
        id="16 h from Monday 09:00 end Tuesday 13:00",
    ),
]


@pytest.mark.parametrize(("start", "duration", "expected"), DEADLINE_CASES)
def test_deadline_is_the_first_instant_the_duration_is_reached(start, duration, expected):
    got = deadline(start, duration)
    assert got == us(expected), (
        f"measurement §2 (deadline D is an instant on the clock): expected {expected}, got {iso(got)}"
    )


# -- service hours are half-open -----------------------------------------------------


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        pytest.param("2026-10-19T07:00:00+02:00", True, id="Monday 07:00 is inside (start included)"),
        pytest.param("2026-10-19T06:59:59.999999+02:00", False, id="Monday 06:59:59.999999 is outside"),
        pytest.param("2026-10-19T18:59:59.999999+02:00", True, id="Monday 18:59:59.999999 is inside"),
        pytest.param("2026-10-19T19:00:00+02:00", False, id="Monday 19:00 is outside (end excluded)"),
        pytest.param("2026-10-24T12:00:00+02:00", False, id="Saturday noon is outside"),
        pytest.param("2026-04-27T12:00:00+02:00", False, id="Koningsdag 2026 noon is outside"),
        pytest.param("2026-05-05T12:00:00+02:00", False, id="Bevrijdingsdag 2026 noon is outside"),
        pytest.param("2026-04-03T12:00:00+02:00", False, id="Goede Vrijdag 2026 noon is outside"),
        pytest.param("2026-10-26T06:30:00+01:00", False, id="Monday 26 October 06:30 winter time is outside"),
        pytest.param("2026-10-26T07:00:00+01:00", True, id="Monday 26 October 07:00 winter time is inside"),
    ],
)
def test_service_hours_are_half_open(instant, is_open):
    assert default_calendar().is_open(us(instant)) is is_open, "rules preamble: intervals are half-open [start, end)"


def test_intervals_are_the_service_hours_clipped_to_the_query():
    got = default_calendar().intervals(us("2026-10-23T18:00:00+02:00"), us("2026-10-26T08:00:00+01:00"))
    assert got == [
        (us("2026-10-23T18:00:00+02:00"), us("2026-10-23T19:00:00+02:00")),
        (us("2026-10-26T07:00:00+01:00"), us("2026-10-26T08:00:00+01:00")),
    ]


# -- service hours and closed dates are contract settings ------------------------------


def calendar_of(**override) -> BusinessCalendar:
    return BusinessCalendar.from_contract(contract_with(**override))


CONTRACT_CASES = [
    pytest.param(
        {"service_hours": every_day("07:00", "19:00")},
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
        hours(12),
        id="with Sunday service hours, Sunday 29 March 2026 (spring change) is still 12 h",
    ),
    pytest.param(
        {"service_hours": every_day("07:00", "19:00")},
        "2026-10-25T00:00:00+02:00",
        "2026-10-26T00:00:00+01:00",
        hours(12),
        id="with Sunday service hours, Sunday 25 October 2026 (autumn change) is still 12 h",
    ),
    pytest.param(
        {"service_hours": every_day("00:00", "24:00"), "holidays": {"algemene_termijnenwet": False}},
        "2026-03-29T00:00:00+01:00",
        "2026-03-30T00:00:00+02:00",
        hours(23),
        id="with round-the-clock service hours, Sunday 29 March 2026 has 23 real hours",
    ),
    pytest.param(
        {"service_hours": every_day("00:00", "24:00"), "holidays": {"algemene_termijnenwet": False}},
        "2026-10-25T00:00:00+02:00",
        "2026-10-26T00:00:00+01:00",
        hours(25),
        id="with round-the-clock service hours, Sunday 25 October 2026 has 25 real hours",
    ),
    pytest.param(
        {"service_hours": every_day("00:00", "24:00"), "holidays": {"algemene_termijnenwet": False}},
        "2026-10-19T00:00:00+02:00",
        "2026-10-26T00:00:00+01:00",
        hours(7 * 24 + 1),
        id="with round-the-clock service hours and no holidays, a week with the autumn change is 169 h",
    ),
    pytest.param(
        {"service_hours": {"monday": [{"start": "07:00", "end": "12:00"}, {"start": "13:00", "end": "19:00"}]}},
        "2026-10-19T00:00:00+02:00",
        "2026-10-20T00:00:00+02:00",
        hours(11),
        id="a Monday with a lunch break (two ranges) is 11 h",
    ),
    pytest.param(
        {"service_hours": {"saturday": [{"start": "09:00", "end": "13:00"}]}},
        "2026-10-17T00:00:00+02:00",
        "2026-10-18T00:00:00+02:00",
        hours(4),
        id="Saturday 09:00-13:00 added by contract is 4 h",
    ),
    pytest.param(
        {"holidays": {"extra_closed": ["2026-05-15"]}},
        "2026-05-15T00:00:00+02:00",
        "2026-05-16T00:00:00+02:00",
        0,
        id="a brugdag (Friday 15 May 2026) added as extra closed date is closed",
    ),
    pytest.param(
        {"holidays": {"removed": ["2026-05-05"]}},
        "2026-05-05T00:00:00+02:00",
        "2026-05-06T00:00:00+02:00",
        hours(12),
        id="5 May 2026 removed from the closed dates is a working day",
    ),
    pytest.param(
        {"holidays": {"algemene_termijnenwet": False}},
        "2026-04-27T00:00:00+02:00",
        "2026-04-28T00:00:00+02:00",
        hours(12),
        id="without the Atw holidays Koningsdag 2026 is a working day",
    ),
    pytest.param(
        {"timezone": "UTC"},
        "2026-10-19T07:00:00Z",
        "2026-10-19T19:00:00Z",
        hours(12),
        id="in a UTC contract service hours are 07:00-19:00 UTC",
    ),
    pytest.param(
        {"timezone": "UTC"},
        "2026-10-19T07:00:00+02:00",
        "2026-10-19T09:00:00+02:00",
        0,
        id="in a UTC contract 07:00-09:00 Amsterdam summer time (05:00-07:00 UTC) is closed",
    ),
]


@pytest.mark.parametrize(("override", "a", "b", "expected"), CONTRACT_CASES)
def test_service_hours_and_closed_dates_come_from_the_contract(override, a, b, expected):
    got = business(a, b, calendar_of(**override))
    assert got == expected, f"measurement §1 (contract setting {override}): {a} → {b} is {got / 3.6e9} h"


def test_a_deadline_can_end_at_midnight_between_round_the_clock_days():
    calendar = calendar_of(service_hours=every_day("00:00", "24:00"), holidays={"algemene_termijnenwet": False})
    got = calendar.deadline_us(us("2026-10-24T12:00:00+02:00"), hours(36))
    assert got == us("2026-10-25T23:00:00+01:00"), f"36 real hours over the autumn change, got {iso(got)}"


def test_closed_dates_of_a_month_are_named():
    closed = default_calendar().closed_dates(2026)
    assert {day.isoformat(): name for day, name in closed.items() if day.month == 4} == {
        "2026-04-03": "Goede Vrijdag",
        "2026-04-06": "Tweede Paasdag",
        "2026-04-27": "Koningsdag",
    }


def test_the_calendar_answers_far_from_its_first_query_and_back():
    calendar = BusinessCalendar.from_contract(contract_with())
    first = calendar.business_us(us("2026-10-19T07:00:00+02:00"), us("2026-10-20T07:00:00+02:00"))
    far = calendar.business_us(us("2040-10-15T07:00:00+02:00"), us("2040-10-16T07:00:00+02:00"))
    again = calendar.business_us(us("2026-10-19T07:00:00+02:00"), us("2026-10-20T07:00:00+02:00"))
    assert (first, far, again) == (hours(12), hours(12), hours(12)), "the index grows on demand, results unchanged"
    across = calendar.business_us(us("2026-12-31T18:00:00+01:00"), us("2031-01-02T08:00:00+01:00"))
    assert across % hours(1) == 0 and across > 0


def test_vectorised_business_durations_equal_one_at_a_time() -> None:
    """``business_durations`` (numpy) gives exactly ``business_us`` for every pair, reversed pairs 0."""
    import random

    from sla_core.business_calendar import BusinessCalendar
    from sla_core.contract import default_contract

    calendar = BusinessCalendar.from_contract(default_contract())
    rng = random.Random(7)
    base = us("2025-12-20T00:00:00+01:00")
    pairs = [(base + rng.randrange(0, 400 * 86_400) * 1_000_000, 0) for _ in range(2_000)]
    pairs = [(a, a + rng.randrange(-86_400, 30 * 86_400) * 1_000_000) for a, _ in pairs]
    got = calendar.business_durations([a for a, _ in pairs], [b for _, b in pairs]).tolist()
    assert got == [calendar.business_us(a, b) for a, b in pairs]
    assert calendar.business_durations([], []).tolist() == []

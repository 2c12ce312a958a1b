"""The drill's NCRONTAB evaluator: the instants a timer fires, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.drill.drill_cron import CronError, Schedule


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "start", "end", "expected"),
    [
        pytest.param(
            "0 30 3 * * *",
            "2026-06-29T00:00",
            "2026-07-02T00:00",
            ["2026-06-29T03:30", "2026-06-30T03:30", "2026-07-01T03:30"],
            id="a daily timer fires once a day at its UTC time",
        ),
        pytest.param(
            "0 0 2 1 * *",
            "2026-06-01T00:00",
            "2026-08-01T03:00",
            ["2026-06-01T02:00", "2026-07-01T02:00", "2026-08-01T02:00"],
            id="a monthly timer fires on the 1st only",
        ),
        pytest.param(
            "0 0 6 15 * *",
            "2026-10-14T00:00",
            "2026-10-16T00:00",
            ["2026-10-15T06:00"],
            id="the mid-month timer fires on the 15th",
        ),
        pytest.param("0 0 2 1 * *", "2026-07-01T02:00", "2026-07-01T02:00", [], id="an empty interval has no firings"),
        pytest.param(
            "0 0 2 1 * *",
            "2026-07-01T02:00",
            "2026-07-01T02:00:01",
            ["2026-07-01T02:00"],
            id="the start is included and the end is not",
        ),
        pytest.param(
            "0 */20 9 * * *",
            "2026-07-01T00:00",
            "2026-07-02T00:00",
            ["2026-07-01T09:00", "2026-07-01T09:20", "2026-07-01T09:40"],
            id="a step over the minutes",
        ),
        pytest.param(
            "30 5/20 9 * * *",
            "2026-07-01T00:00",
            "2026-07-02T00:00",
            ["2026-07-01T09:05:30", "2026-07-01T09:25:30", "2026-07-01T09:45:30"],
            id="a number with a step starts there",
        ),
        pytest.param(
            "0 0 7 * * MON-FRI",
            "2026-06-26T00:00",
            "2026-06-30T00:00",
            ["2026-06-26T07:00", "2026-06-29T07:00"],
            id="weekdays by name skip the weekend",
        ),
        pytest.param(
            "0 0 7 * * 0", "2026-06-26T00:00", "2026-06-30T00:00", ["2026-06-28T07:00"], id="day-of-week 0 is Sunday"
        ),
        pytest.param(
            "0 0 12 31 JUN,DEC *",
            "2026-01-01T00:00",
            "2027-01-01T00:00",
            ["2026-12-31T12:00"],
            id="a day that June does not have never fires in June",
        ),
        pytest.param(
            "0 0 1 25 10 *",
            "2026-10-24T00:00",
            "2026-10-26T00:00",
            ["2026-10-25T01:00"],
            id="the DST change does not move a UTC schedule",
        ),
    ],
)
def test_firings(schedule: str, start: str, end: str, expected: list[str]) -> None:
    assert list(Schedule.parse(schedule).firings(utc(start), utc(end))) == [utc(e) for e in expected]


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        pytest.param("30 3 * * *", "6 fields", id="five-field cron is refused"),
        pytest.param("0 61 3 * * *", "minute: 61", id="a minute of 61 is refused"),
        pytest.param("0 0 24 * * *", "hour: 24", id="an hour of 24 is refused"),
        pytest.param("0 0 2 1 * MON", "both day and day-of-week", id="day and day-of-week together are refused"),
        pytest.param("0 0 2 * FOO *", "'FOO' is not a number", id="an unknown month name is refused"),
        pytest.param("0 0 9-5 * * *", "backwards", id="a backwards range is refused"),
        pytest.param("0 */0 * * * *", "step", id="a step of zero is refused"),
        pytest.param("00:05:00", "TimeSpan", id="the TimeSpan form is refused"),
        pytest.param("0 1,,2 * * * *", "empty", id="an empty list item is refused"),
    ],
)
def test_refused(schedule: str, message: str) -> None:
    with pytest.raises(CronError, match=message):
        Schedule.parse(schedule)


_FIELD = st.one_of(
    st.just("*"),
    st.integers(0, 59).map(str),
    st.tuples(st.integers(0, 29), st.integers(30, 59)).map(lambda t: f"{t[0]}-{t[1]}"),
    st.integers(1, 30).map(lambda n: f"*/{n}"),
)


@settings(max_examples=40, deadline=None)
@given(
    second=_FIELD,
    minute=_FIELD,
    hour=st.sampled_from(["*", "3", "22-23", "*/7"]),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)),
)
def test_firings_are_exactly_the_matching_seconds(second: str, minute: str, hour: str, start: datetime) -> None:
    schedule = Schedule.parse(f"{second} {minute} {hour} * * *")
    begin = start.replace(microsecond=0, tzinfo=UTC)
    window = [begin + timedelta(seconds=n) for n in range(2 * 3600)]
    assert list(schedule.firings(begin, window[-1] + timedelta(seconds=1))) == [
        t for t in window if schedule.matches(t)
    ]

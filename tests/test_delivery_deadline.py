"""The delivery deadline: the n-th working day of the next month at a local time (measurement §8.5, §1)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla_core.contract import Contract, Holidays
from sla_core.delivery_deadline import delivery_deadline
from sla_core.periods import Month

AMS = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("month", "workday", "expected"),
    [
        pytest.param(
            Month(2026, 11), 3, datetime(2026, 12, 3, 12, 0, tzinfo=AMS), id="November 2026: Thursday 3 December"
        ),
        pytest.param(
            Month(2026, 12),
            3,
            datetime(2027, 1, 6, 12, 0, tzinfo=AMS),
            id="December 2026: New Year and a weekend push it to 6 January",
        ),
        pytest.param(
            Month(2026, 4),
            3,
            datetime(2026, 5, 6, 12, 0, tzinfo=AMS),
            id="April 2026: Bevrijdingsdag 5 May is not a working day",
        ),
        pytest.param(
            Month(2026, 10),
            1,
            datetime(2026, 11, 2, 12, 0, tzinfo=AMS),
            id="October 2026, 1st working day: Monday 2 November",
        ),
        pytest.param(Month(2026, 2), 3, datetime(2026, 3, 4, 12, 0, tzinfo=AMS), id="February 2026: Wednesday 4 March"),
    ],
)
def test_the_deadline_is_the_nth_working_day_of_the_next_month_at_noon(
    month: Month, workday: int, expected: datetime
) -> None:
    assert delivery_deadline(month, Contract(), workday) == expected


def test_extra_closed_dates_of_the_contract_move_the_deadline() -> None:
    contract = Contract(holidays=Holidays(extra_closed=[date(2026, 12, 2)]))
    assert delivery_deadline(Month(2026, 11), contract, 3, time(9, 30)) == datetime(2026, 12, 4, 9, 30, tzinfo=AMS)


def test_a_workday_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="workday"):
        delivery_deadline(Month(2026, 11), Contract(), 0)


@given(st.integers(2000, 2098), st.integers(1, 12), st.integers(1, 10))
def test_the_deadline_falls_on_a_weekday_of_the_next_month_and_grows_with_the_workday(
    year: int, month: int, n: int
) -> None:
    m = Month(year, month)
    deadline = delivery_deadline(m, Contract(), n)
    assert Month.of(deadline.date()) == m.shift(1) and deadline.weekday() < 5
    assert delivery_deadline(m, Contract(), n + 1) > deadline

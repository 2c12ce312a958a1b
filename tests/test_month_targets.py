"""Targets in months (measurement §2): the same wall-clock time that many calendar months later, day clamped."""

from __future__ import annotations

from calendar import monthrange
from datetime import datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_core.business_calendar import from_us, to_us
from sla_core.outcomes import add_months

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FIRST, END = to_us(datetime(2000, 1, 1, tzinfo=AMSTERDAM)), to_us(datetime(2099, 1, 1, tzinfo=AMSTERDAM))
AUTUMN = to_us(datetime.fromisoformat("2026-10-25T01:00:00+00:00"))  # 02:00–03:00 is read twice


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(
        st.integers(FIRST, END),
        st.integers(AUTUMN - 3_600_000_000, AUTUMN + 3_600_000_000),  # both readings of the repeated hour
        st.integers(2000, 2098).flatmap(  # the last days of a month (clamped: 31 January + 1 month)
            lambda y: st.integers(1, 12).flatmap(
                lambda m: (
                    st.integers(28, 31)
                    .filter(lambda d: d <= monthrange(y, m)[1])
                    .map(lambda d: to_us(datetime(y, m, d, 9, 30, tzinfo=AMSTERDAM)))
                )
            )
        ),
    ),
    st.integers(1, 24),
)
def test_adding_months_is_what_relativedelta_gives(opened: int, months: int) -> None:
    local = from_us(opened, AMSTERDAM)
    expected = local + relativedelta(months=months)
    got = add_months(local, months)
    assert (got, got.fold, to_us(got)) == (expected, expected.fold, to_us(expected))

"""Instants as text in a timezone (the report's RFC 3339 stamps): the fast formatter equals ``datetime``'s."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_core.business_calendar import from_us, to_us
from sla_core.periods import Month
from sla_core.zone_hours import iso_formatter, month_finder

ZONES = ("Europe/Amsterdam", "UTC", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham")
FIRST, END = (
    to_us(datetime.fromisoformat("2000-01-01T00:00:00Z")),
    to_us(datetime.fromisoformat("2100-01-01T00:00:00Z")),
)
DST = [  # Europe/Amsterdam's changes in 2026, and the µs around them
    to_us(datetime.fromisoformat("2026-03-29T01:00:00Z")),
    to_us(datetime.fromisoformat("2026-10-25T01:00:00Z")),
]


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.one_of(
        st.integers(FIRST, END - 1),
        st.integers(FIRST // 60_000_000, END // 60_000_000 - 1).map(lambda m: m * 60_000_000),  # whole minutes
        st.sampled_from(DST).flatmap(lambda t: st.integers(t - 7_200_000_000, t + 7_200_000_000)),
    ),
)
def test_the_fast_formatter_writes_what_datetime_writes(zone: str, micros: int) -> None:
    assert iso_formatter(zone)(micros) == from_us(micros, ZoneInfo(zone)).isoformat()


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ZONES), st.lists(st.integers(FIRST, END - 1), min_size=1, max_size=8))
def test_an_instant_written_again_is_written_the_same(zone: str, instants: list[int]) -> None:
    """One formatter remembers what it wrote: the second time (and across hours, zones' own) it gives the same."""
    iso = iso_formatter(zone)
    for micros in instants + instants[::-1]:
        assert iso(micros) == from_us(micros, ZoneInfo(zone)).isoformat()


@pytest.mark.parametrize(
    ("instant", "text"),
    [
        pytest.param("2026-10-25T00:59:59.5Z", "2026-10-25T02:59:59.500000+02:00", id="the last summer hour"),
        pytest.param("2026-10-25T01:00:00Z", "2026-10-25T02:00:00+01:00", id="the first winter hour, 02:00 again"),
        pytest.param("2026-03-29T01:00:00Z", "2026-03-29T03:00:00+02:00", id="spring: 02:00 is skipped"),
    ],
)
def test_the_dst_changes_of_amsterdam(instant: str, text: str) -> None:
    assert iso_formatter("Europe/Amsterdam")(to_us(datetime.fromisoformat(instant))) == text


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.lists(
        st.one_of(
            st.integers(FIRST, END - 1),
            st.sampled_from(DST).flatmap(lambda t: st.integers(t - 7_200_000_000, t + 7_200_000_000)),
            # around the start of a month in each zone's neighbourhood (UTC midnight ± 14 h)
            st.integers(2000, 2099).flatmap(
                lambda y: st.integers(
                    to_us(datetime(y, 11, 1, tzinfo=UTC)) - 14 * 3_600_000_000,
                    to_us(datetime(y, 11, 1, tzinfo=UTC)) + 14 * 3_600_000_000,
                )
            ),
        ),
        max_size=20,
    ),
)
def test_the_month_finder_finds_the_local_month(zone: str, instants: list[int]) -> None:
    month_of = month_finder(ZoneInfo(zone))
    for micros in instants:
        assert month_of(micros) == Month.of(from_us(micros, ZoneInfo(zone)).date())

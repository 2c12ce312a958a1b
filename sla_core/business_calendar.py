"""The business clock: time inside service hours (Beschikbaarheidstijden, SLA §7).

Instants are handled as integer microseconds since the Unix epoch (UTC), so
sums and comparisons are exact. The calendar precomputes, per covered year,
the service-hour intervals in UTC (sorted, disjoint, half-open ``[start,
end)``) and the cumulative business time before each interval. With that
index:

* ``cumulative(t)`` — business time from the index origin to ``t`` — is a
  bisect, O(log n);
* business time between two instants is ``cumulative(b) - cumulative(a)``;
* the deadline (first instant at which a business duration is reached) is a
  bisect over the cumulative ends.

Local ranges are turned into instants with the contract's timezone, so a day
of service hours is 12 real hours on both DST-change days as well. A local
time that does not exist (spring gap) or is ambiguous (autumn fold) is
resolved per PEP 495 with ``fold=0``.

The index covers whole years and grows on demand; it is derived data, never
visible in results.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from sla_core.contract import Contract
from sla_core.holidays_nl import atw_holidays

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_YEAR, _MAX_YEAR = 1971, 2199

WeeklyRanges = Callable[[int], list[tuple[time, time | None]]]


def to_us(instant: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (exact)."""
    try:
        delta = instant - _EPOCH
    except TypeError:
        raise ValueError(f"naive datetime {instant.isoformat()} (timezone-aware instants only)") from None
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def from_us(micros: int, zone: ZoneInfo) -> datetime:
    """The aware datetime, in ``zone``, of microseconds since the epoch."""
    return (_EPOCH + timedelta(microseconds=micros)).astimezone(zone)


def closed_dates_of(contract: Contract) -> Callable[[int], dict[date, str]]:
    """A function giving the closed dates of a year by name: Atw holidays, extra dates, removals."""
    rules = contract.holidays

    def closed(year: int) -> dict[date, str]:
        days = dict(atw_holidays(year)) if rules.algemene_termijnenwet else {}
        for day in rules.extra_closed:
            if day.year == year:
                days[day] = "extra gesloten dag"
        for day in rules.removed:
            days.pop(day, None)
        return dict(sorted(days.items()))

    return closed


class BusinessCalendar:
    """Service hours as a clock; all durations and instants in integer microseconds."""

    def __init__(
        self,
        zone: ZoneInfo,
        weekly: WeeklyRanges,
        closed_dates: Callable[[int], dict[date, str]],
    ) -> None:
        self.zone = zone
        self._weekly = weekly
        self._closed_dates = closed_dates
        self._first_year = 0
        self._last_year = -1
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._cum_before: list[int] = []  # business time before interval i
        self._cum_after: list[int] = []  # business time up to the end of interval i
        self._offset: list[int] = []  # cum_before[i] - starts[i]
        self._start_us = 0  # the index covers [_start_us, _end_us); empty at first
        self._end_us = 0
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # numpy copies, made on demand

    @classmethod
    def from_contract(cls, contract: Contract) -> BusinessCalendar:
        """The calendar of a contract's timezone, service hours and closed dates."""
        return cls(contract.zone, contract.service_hours.for_weekday, closed_dates_of(contract))

    # -- index -------------------------------------------------------------

    def closed_dates(self, year: int) -> dict[date, str]:
        """Closed dates of a year (holidays), by name."""
        return self._closed_dates(year)

    def _day_intervals(self, day: date, closed: dict[date, str]) -> Iterable[tuple[int, int]]:
        if day in closed:
            return
        for start, end in self._weekly(day.weekday()):
            local_start = datetime.combine(day, start, tzinfo=self.zone)
            if end is None:
                local_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
            else:
                local_end = datetime.combine(day, end, tzinfo=self.zone)
            a, b = to_us(local_start), to_us(local_end)
            if b > a:
                yield a, b

    def _build(self, first_year: int, last_year: int) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for year in range(first_year, last_year + 1):
            closed = self._closed_dates(year)
            day = date(year, 1, 1)
            while day.year == year:
                for a, b in self._day_intervals(day, closed):
                    if ends and a <= ends[-1]:  # touching or overlapping (DST fold): merge
                        ends[-1] = max(ends[-1], b)
                    else:
                        starts.append(a)
                        ends.append(b)
                day += timedelta(days=1)
        cum_before, cum_after, offset, total = [], [], [], 0
        for a, b in zip(starts, ends):
            cum_before.append(total)
            offset.append(total - a)  # cumulative(t) = t + offset[i] inside interval i
            total += b - a
            cum_after.append(total)
        self._starts, self._ends = starts, ends
        self._cum_before, self._cum_after, self._offset = cum_before, cum_after, offset
        self._arrays = None
        self._first_year, self._last_year = first_year, last_year
        self._start_us = to_us(datetime(first_year, 1, 1, tzinfo=self.zone))
        self._end_us = to_us(datetime(last_year + 1, 1, 1, tzinfo=self.zone))

    def _year_of(self, micros: int) -> int:
        return (_EPOCH + timedelta(microseconds=micros)).astimezone(self.zone).year

    def ensure_covers(self, *instants_us: int) -> None:
        """Grow the index (whole years, one year margin) to cover the given instants."""
        years = [self._year_of(t) for t in instants_us]
        lo, hi = min(years) - 1, max(years) + 1
        if self._last_year >= self._first_year and self._first_year <= lo and hi <= self._last_year:
            return
        if self._last_year >= self._first_year:
            lo, hi = min(lo, self._first_year), max(hi, self._last_year)
        lo, hi = max(lo, _MIN_YEAR), min(hi, _MAX_YEAR)
        self._build(lo, hi)

    def _covered(self, micros: int) -> bool:
        return self._start_us <= micros < self._end_us

    # -- queries -----------------------------------------------------------

    def cumulative(self, t: int) -> int:
        """Business time (µs) from the start of the index to instant ``t`` (µs)."""
        i = bisect_right(self._starts, t) - 1
        if i < 0:
            return 0
        at, cap = t + self._offset[i], self._cum_after[i]
        return at if at < cap else cap

    def business_us(self, a: int, b: int) -> int:
        """Business time (µs) in ``[a, b)``; 0 when ``b <= a``. Two bisects (the hot path: kept inline)."""
        if b <= a:
            return 0
        if not (self._start_us <= a and b < self._end_us):
            self.ensure_covers(a, b)
        starts, offset, after = self._starts, self._offset, self._cum_after
        # min() and max() spelled as comparisons: on Python 3.11 each call parses keyword arguments in C.
        i = bisect_right(starts, a) - 1
        j = bisect_right(starts, b, i if i > 0 else 0) - 1
        if i < 0:
            at_a = 0
        else:
            at_a, cap = a + offset[i], after[i]
            if at_a > cap:
                at_a = cap
        if j < 0:
            at_b = 0
        else:
            at_b, cap = b + offset[j], after[j]
            if at_b > cap:
                at_b = cap
        return at_b - at_a

    def deadline_us(self, a: int, duration: int) -> int:
        """The first instant ``t >= a`` with ``business_us(a, t) == duration`` (µs).

        A duration that is used up exactly at the end of a service-hours range
        gives that end (e.g. Friday 19:00), not the start of the next range.
        """
        if duration <= 0:
            return a
        if not self._covered(a):
            self.ensure_covers(a)
        goal = self.cumulative(a) + duration
        while goal > self._cum_after[-1]:  # beyond the index: grow it by a year at a time
            if self._last_year >= _MAX_YEAR:
                raise ValueError("deadline beyond the calendar's range")
            self._build(self._first_year, self._last_year + 1)
            goal = self.cumulative(a) + duration
        i = bisect_left(self._cum_after, goal)
        return self._starts[i] + goal - self._cum_before[i]

    def is_open(self, t: int) -> bool:
        """Whether instant ``t`` lies inside service hours."""
        if not self._covered(t):
            self.ensure_covers(t)
        i = bisect_right(self._starts, t) - 1
        return i >= 0 and t < self._ends[i]

    def intervals(self, a: int, b: int) -> list[tuple[int, int]]:
        """The service-hours intervals clipped to ``[a, b)``, in order (µs)."""
        if b <= a:
            return []
        if not (self._covered(a) and self._covered(b)):
            self.ensure_covers(a, b)
        i = max(bisect_right(self._starts, a) - 1, 0)
        result = []
        while i < len(self._starts) and self._starts[i] < b:
            lo, hi = max(a, self._starts[i]), min(b, self._ends[i])
            if hi > lo:
                result.append((lo, hi))
            i += 1
        return result

    def business_durations(self, starts: Sequence[int], ends: Sequence[int]) -> np.ndarray:
        """``business_us(starts[k], ends[k])`` for every k at once (vectorised), as int64 µs."""
        a = np.asarray(starts, dtype=np.int64)
        b = np.asarray(ends, dtype=np.int64)
        if a.size == 0:
            return np.zeros(0, dtype=np.int64)
        low, high = int(min(a.min(), b.min())), int(max(a.max(), b.max()))
        if not (self._start_us <= low and high < self._end_us):
            self.ensure_covers(low, high)
        if self._arrays is None:
            self._arrays = (
                np.asarray(self._starts, dtype=np.int64),
                np.asarray(self._offset, dtype=np.int64),
                np.asarray(self._cum_after, dtype=np.int64),
            )
        starts_, offset, after = self._arrays

        def cumulative(t: np.ndarray) -> np.ndarray:
            i = np.searchsorted(starts_, t, side="right") - 1
            safe = np.maximum(i, 0)
            return np.where(i >= 0, np.minimum(t + offset[safe], after[safe]), 0)

        return np.maximum(cumulative(b) - cumulative(a), 0)

"""Months and measurement windows (SLA §7, §9; measurement §5).

A month is a local calendar month of the contract's timezone, as the half-open
interval ``[first day 00:00, first day of the next month 00:00)``. A tenant is
measured from the month after go-live up to and including the month before
the month in which the contract ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sla_core.business_calendar import to_us
from sla_core.contract import TenantWindow
from sla_core.errors import InputError

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """Parse ``YYYY-MM``."""
        match = _MONTH.match(text)
        if not match:
            raise InputError(f"month {text!r}: expected YYYY-MM")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Month:
        """The month containing a date."""
        return cls(day.year, day.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def shift(self, months: int) -> Month:
        """The month ``months`` later (negative: earlier)."""
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def first_day(self) -> date:
        """The first day of the month."""
        return date(self.year, self.month, 1)

    def bounds(self, zone: ZoneInfo) -> tuple[int, int]:
        """``[start, end)`` of the month in µs since the epoch."""
        nxt = self.shift(1)
        start = datetime(self.year, self.month, 1, tzinfo=zone)
        end = datetime(nxt.year, nxt.month, 1, tzinfo=zone)
        return to_us(start), to_us(end)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[int, int]:
    """``[local midnight, next local midnight)`` of a date in µs (23 or 25 hours on DST-change days)."""
    nxt = date.fromordinal(day.toordinal() + 1)
    return to_us(datetime(day.year, day.month, day.day, tzinfo=zone)), to_us(
        datetime(nxt.year, nxt.month, nxt.day, tzinfo=zone)
    )


@dataclass(frozen=True, slots=True)
class MeasurementWindow:
    """First and last measured month (inclusive); ``last`` None while the contract runs."""

    first: Month
    last: Month | None

    @classmethod
    def of(cls, window: TenantWindow) -> MeasurementWindow:
        """From go-live and contract end (SLA §7)."""
        last = None if window.contract_end is None else Month.of(window.contract_end).shift(-1)
        return cls(Month.of(window.go_live).shift(1), last)

    def contains(self, month: Month) -> bool:
        """Whether a month is measured."""
        return self.first <= month and (self.last is None or month <= self.last)

    def to_json(self) -> dict[str, str | None]:
        """``{"first_month", "last_month"}``."""
        return {"first_month": str(self.first), "last_month": None if self.last is None else str(self.last)}


def trailing_months(month: Month, window: MeasurementWindow | None, count: int = 12) -> list[Month]:
    """The ``count`` months ending with ``month``, limited to the window (measurement §5)."""
    months = [month.shift(-k) for k in range(count - 1, -1, -1)]
    return [m for m in months if window is None or window.contains(m)]

"""Clocks for ticket targets (measurement §2, "Clock time" and "Pauses").

A target in hours runs on the **business clock** (only service hours count);
a target in months runs on the **calendar clock** (all wall time counts). On
both, time does not count while the ticket is paused. A clock is therefore
read over *active pieces*: the half-open intervals ``[a, b)`` in which the
measured clock runs (between start/resume and stop) minus the pauses. The
last piece may be open-ended (``b`` is None). All values are µs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sla_core.business_calendar import BusinessCalendar

Piece = tuple[int, int | None]


class Clock(Protocol):
    """Counts time between two instants and finds when an amount is reached."""

    name: str

    def length(self, a: int, b: int) -> int:
        """Clock time in ``[a, b)``."""
        ...

    def reach(self, a: int, amount: int) -> int:
        """First instant ``t >= a`` with ``length(a, t) == amount``."""
        ...


class BusinessClock:
    """Time inside service hours."""

    name = "business"

    def __init__(self, calendar: BusinessCalendar) -> None:
        self._calendar = calendar
        # The calendar's own methods, bound once: these are called several times per ticket.
        self.length = calendar.business_us  # type: ignore[method-assign]
        self.reach = calendar.deadline_us  # type: ignore[method-assign]

    def length(self, a: int, b: int) -> int:
        """Business time in ``[a, b)`` (µs)."""
        return self._calendar.business_us(a, b)

    def reach(self, a: int, amount: int) -> int:
        """First instant ``t >= a`` with ``amount`` µs of business time in ``[a, t)``."""
        return self._calendar.deadline_us(a, amount)


class CalendarClock:
    """All wall time."""

    name = "calendar"

    def length(self, a: int, b: int) -> int:
        return b - a if b > a else 0

    def reach(self, a: int, amount: int) -> int:
        return a + amount


_FOREVER = 1 << 62  # stands for an open end inside computations


def subtract(runs: Sequence[Piece], holes: Sequence[Piece]) -> list[Piece]:
    """``runs`` minus ``holes``; both sorted and disjoint, ``None`` ends are open."""
    result: list[Piece] = []
    for start, end in runs:
        run_end = _FOREVER if end is None else end
        cursor = start
        for hole_start, hole_end in holes:
            hole_stop = _FOREVER if hole_end is None else hole_end
            if hole_stop <= cursor:
                continue
            if hole_start >= run_end:
                break
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_stop)
            if cursor >= run_end:
                break
        if cursor < run_end:
            result.append((cursor, end))
    return result


def elapsed(clock: Clock, pieces: Sequence[Piece], t: int) -> int:
    """Clock time counted in the active pieces before instant ``t``."""
    total = 0
    for a, b in pieces:
        if a >= t:
            break
        total += clock.length(a, t if b is None or b > t else b)
    return total


def reach(clock: Clock, pieces: Sequence[Piece], goal: int) -> int | None:
    """First instant at which the clock over ``pieces`` reaches ``goal``; None if it never does."""
    counted = 0
    for a, b in pieces:
        need = goal - counted
        if b is None:
            return clock.reach(a, need)
        span = clock.length(a, b)
        if span >= need:
            return clock.reach(a, need)
        counted += span
    return None

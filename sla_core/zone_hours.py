"""Instants (µs since the epoch) read in a timezone, fast, with a cache per UTC hour.

The report writes four instants per outcome, and a results file puts 134,000
rows into their local months: per row ``datetime`` would dominate both.

* :func:`iso_formatter` gives exactly ``from_us(micros, zone).isoformat()``,
  e.g. ``2026-10-25T02:30:00+01:00`` (microseconds only when not zero). Per UTC
  hour it remembers the local ``YYYY-MM-DDTHH:`` and the offset text when the
  offset is a whole number of hours and does not change within that hour (every
  hour of Europe/Amsterdam: its changes fall on whole UTC hours); the minutes,
  seconds and microseconds are then the instant's own within the hour. Any
  other hour (half-hour offsets, a change inside the hour) is formatted by
  ``datetime`` itself. Each formatter also remembers the texts it wrote (a
  report writes most instants twice).
* :func:`month_finder` gives the local month of an instant, remembered per UTC
  hour unless a month begins inside that hour.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from sla_core.business_calendar import from_us
from sla_core.periods import Month

US_PER_HOUR = 3_600_000_000
_US_PER_MINUTE = 60_000_000

_HOURS: dict[str, dict[int, tuple[str, str] | None]] = {}
_TWO = tuple(f"{n:02d}" for n in range(60))  # minutes and seconds as written


def _hour(zone: ZoneInfo, hour: int) -> tuple[str, str] | None:
    """``(local "YYYY-MM-DDTHH:", offset text)`` of a UTC hour, or None when it cannot be used for the whole hour."""
    first, last = from_us(hour * US_PER_HOUR, zone), from_us((hour + 1) * US_PER_HOUR - 1, zone)
    offset = first.utcoffset()
    if offset is None or offset != last.utcoffset() or offset.total_seconds() % 3600 != 0:
        return None
    text = first.isoformat()  # YYYY-MM-DDTHH:00:00+HH:MM
    return text[:14], text[19:]


def iso_formatter(zone_name: str) -> Callable[[int], str]:
    """A function giving ``from_us(micros, ZoneInfo(zone_name)).isoformat()`` for µs since the epoch."""
    zone = ZoneInfo(zone_name)
    hours = _HOURS.setdefault(zone_name, {})

    written: dict[int, str] = {}  # a report writes many instants twice (decided = stopped, a ticket's two metrics)

    def iso(micros: int) -> str:
        text = written.get(micros)
        if text is not None:
            return text
        hour, within = divmod(micros, US_PER_HOUR)
        parts = hours.get(hour, False)
        if parts is False:
            parts = hours[hour] = _hour(zone, hour)
        if parts is None:
            text = from_us(micros, zone).isoformat()
        else:
            minute, rest = divmod(within, _US_PER_MINUTE)
            second, micro = divmod(rest, 1_000_000)
            if micro:
                text = f"{parts[0]}{_TWO[minute]}:{_TWO[second]}.{micro:06d}{parts[1]}"
            else:  # the common instant: whole seconds, joined from texts (no number formatting)
                text = f"{parts[0]}{_TWO[minute]}:{_TWO[second]}{parts[1]}"
        if len(written) >= 65_536:  # bounded, for a long-lived formatter
            written.clear()
        written[micros] = text
        return text

    return iso


def month_finder(zone: ZoneInfo) -> Callable[[int], Month]:
    """A function giving the local month (in ``zone``) of µs since the epoch."""
    hours: dict[int, Month | None] = {}

    def month_of(micros: int) -> Month:
        hour = micros // US_PER_HOUR
        month = hours.get(hour)
        if month is not None:
            return month
        month = Month.of(from_us(micros, zone).date())
        if hour not in hours:
            first = Month.of(from_us(hour * US_PER_HOUR, zone).date())
            last = Month.of(from_us((hour + 1) * US_PER_HOUR - 1, zone).date())
            hours[hour] = first if first == last else None
        return month

    return month_of

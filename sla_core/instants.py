"""Strict RFC 3339 instants (measurement §8.2): the only timestamps the measurement accepts.

    YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)

``T`` and ``Z`` upper case; the offset is explicit and at most 14:00; the
fraction has 1 to 9 digits (kept to the microsecond, truncated); the year lies
in 2000–2099 (:data:`FIRST_YEAR`–:data:`LAST_YEAR`). Anything else — a naive
time, a date alone, a leap second, year 0001 or 9999, an epoch number — is
refused, so no accepted instant can take a later computation outside the
range of the business calendar or of ``datetime``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

FIRST_YEAR, LAST_YEAR = 2000, 2099
MAX_OFFSET_MINUTES = 14 * 60
FIRST_INSTANT = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
END_INSTANT = datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC)

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))", re.ASCII
)
# The common shape, checked whole: year 2000–2099, at most 6 fraction digits, an offset of at most 14:00.
# What it accepts, ``datetime.fromisoformat`` reads exactly as the full parser below does (in C).
_COMMON = re.compile(
    r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))", re.ASCII
)
COMMON_INSTANT = _COMMON  # for the events' one-pass check (sla_core.events)
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?", re.ASCII)
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


class InstantError(ValueError):
    """Not an accepted instant; the message says why (without the field: callers name it)."""


def parse_rfc3339(text: object) -> datetime:
    """The aware datetime of an RFC 3339 instant in 2000–2099; :class:`InstantError` otherwise.

    The result keeps the offset that was sent (``Z`` becomes UTC).
    """
    if type(text) is not str:
        raise InstantError("must be an RFC 3339 string such as 2026-10-05T09:12:00+02:00")
    if _COMMON.fullmatch(text) is not None:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            pass  # no such date or time: the full parser names it
    return by_fields(text)


def by_fields(text: str) -> datetime:
    """:func:`parse_rfc3339` field by field, naming what is wrong (the common shape takes a faster path)."""
    match = _RFC3339.fullmatch(text)
    if match is None:
        if _NAIVE.fullmatch(text):
            raise InstantError(f"timestamp without timezone offset (add Z or ±HH:MM): {text!r}")
        raise InstantError(f"not an RFC 3339 instant with an offset (YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)): {text[:40]!r}")
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if not FIRST_YEAR <= int(year) <= LAST_YEAR:
        raise InstantError(f"year {year} outside {FIRST_YEAR}–{LAST_YEAR}: {text!r}")
    if zulu:
        zone = UTC
    else:
        minutes = int(off_h) * 60 + int(off_m)
        if int(off_m) >= 60 or minutes > MAX_OFFSET_MINUTES:
            raise InstantError(f"offset {sign}{off_h}:{off_m} is not a valid offset (at most ±14:00): {text!r}")
        zone = UTC if minutes == 0 else timezone(timedelta(minutes=minutes if sign == "+" else -minutes))
    micros = int((fraction or "").ljust(6, "0")[:6])
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micros, tzinfo=zone)
    except ValueError as exc:
        raise InstantError(f"no such date or time ({exc}): {text!r}") from exc


def parse_day(text: object) -> date:
    """A calendar date ``YYYY-MM-DD`` in 2000–2099; :class:`InstantError` otherwise."""
    if type(text) is not str or _DAY.fullmatch(text) is None:
        raise InstantError(f"not a date YYYY-MM-DD: {str(text)[:40]!r}")
    if not FIRST_YEAR <= int(text[:4]) <= LAST_YEAR:
        raise InstantError(f"year {text[:4]} outside {FIRST_YEAR}–{LAST_YEAR}: {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InstantError(f"no such date ({exc}): {text!r}") from exc


def in_range(value: datetime) -> bool:
    """Whether an aware instant lies in ``[2000-01-01Z, 2100-01-01Z)``."""
    return FIRST_INSTANT <= value < END_INSTANT

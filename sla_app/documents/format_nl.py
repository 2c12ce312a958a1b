"""Dutch formatting for the report documents: dates, times, instants and durations.

Numbers and percentages come from :mod:`sla_core.report_text` (``number``,
``percent``); this module adds what the documents need on top of them:
``1 oktober 2026``, ``14:05``, ``12 mei 2026 13:21`` and ``2 u 05 min``.
Instants in the report are RFC 3339 strings; they are shown in the report's
timezone (``Europe/Amsterdam`` by default), whatever offset they carry.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sla_core.report_text import MONTHS_NL, duration, month_name, number
from sla_core.vocabulary import WEEKDAYS

DEFAULT_TIMEZONE = "Europe/Amsterdam"
MONTH_ABBREVIATIONS_NL = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
WEEKDAYS_NL = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
PRIORITY_NAMES = {"urgent": "Urgent", "hoog": "Hoog", "gemiddeld": "Gemiddeld", "laag": "Laag"}
OUTCOME_NAMES = {"met": "binnen streeftijd", "breached": "overschreden", "pending": "loopt nog"}
CLOCK_NAMES = {"business": "servicetijd", "calendar": "kalendertijd"}


def as_date(value: str | date) -> date:
    """A ``date`` from ``2026-05-12`` (or a date)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def date_nl(value: str | date) -> str:
    """``2026-10-01`` → ``1 oktober 2026``."""
    day = as_date(value)
    return f"{day.day} {MONTHS_NL[day.month - 1]} {day.year}"


def date_short_nl(value: str | date) -> str:
    """``2026-10-01`` → ``1 okt``: for tables where the year is the report's."""
    day = as_date(value)
    return f"{day.day} {MONTH_ABBREVIATIONS_NL[day.month - 1]}"


def month_short_nl(month: str) -> str:
    """``2026-03`` → ``mrt`` (the usual Dutch abbreviation, not the first three letters)."""
    return MONTH_ABBREVIATIONS_NL[int(month[5:7]) - 1]


def weekday_nl(value: str | date) -> str:
    """``2026-05-12`` → ``dinsdag``."""
    return WEEKDAYS_NL[as_date(value).weekday()]


def local(instant: str, timezone: str | None = None) -> datetime:
    """An RFC 3339 instant in the report's timezone."""
    return datetime.fromisoformat(instant).astimezone(ZoneInfo(timezone or DEFAULT_TIMEZONE))


def time_nl(instant: str, timezone: str | None = None) -> str:
    """``2026-05-12T11:05:00Z`` → ``13:05`` (local time)."""
    return local(instant, timezone).strftime("%H:%M")


def instant_nl(instant: str | None, timezone: str | None = None) -> str:
    """``2026-05-12T13:21:21+02:00`` → ``12 mei 2026 13:21``; ``–`` for None."""
    if instant is None:
        return "–"
    moment = local(instant, timezone)
    return f"{date_nl(moment.date())} {moment:%H:%M}"


def as_written_nl(instant: str) -> str:
    """``2026-11-15T07:00:00+01:00`` → ``15 november 2026 07:00``: in the instant's own offset (already local)."""
    at = datetime.fromisoformat(instant)
    return f"{date_nl(at.date())} {at:%H:%M}"


def instant_short_nl(instant: str, timezone: str | None = None) -> str:
    """``2026-05-12T13:21:21+02:00`` → ``12 mei 13:21`` (year left out)."""
    moment = local(instant, timezone)
    return f"{moment.day} {MONTHS_NL[moment.month - 1]} {moment:%H:%M}"


def period_nl(start: str, end: str, timezone: str | None = None) -> str:
    """An interval: ``19 mei 2026 14:00–14:30``, or both ends in full when the dates differ."""
    first, last = local(start, timezone), local(end, timezone)
    if first.date() == last.date():
        return f"{date_nl(first.date())} {first:%H:%M}–{last:%H:%M}"
    return f"{instant_nl(start, timezone)} – {instant_nl(end, timezone)}"


def whole_minutes(minutes: float) -> int:
    """Minutes rounded down (a tiny float error never rounds 59,999… down to 59)."""
    return math.floor(minutes + 1e-6)


duration_nl = duration  # ``125`` → ``2 u 05 min``: the core's one duration format, cut to whole minutes


def minutes_nl(minutes: float) -> str:
    """Minutes as a number with a decimal comma when needed: ``25 min``, ``7,5 min``."""
    return f"{number(minutes, 0 if float(minutes).is_integer() else 1)} min"


def service_hours_nl(ranges: list[list[str]]) -> str:
    """``[["07:00", "19:00"]]`` → ``07:00–19:00``; no ranges → ``gesloten``."""
    return ", ".join(f"{start}–{end}" for start, end in ranges) or "gesloten"


def week_hours_nl(hours: dict[str, list[list[str]]]) -> str:
    """The weekly service hours in words, runs of equal days joined: ``maandag t/m vrijdag 07:00–19:00; …``."""
    runs: list[tuple[int, int, str]] = []
    for index, key in enumerate(WEEKDAYS):
        text = service_hours_nl(hours.get(key, []))
        if runs and runs[-1][2] == text:
            runs[-1] = (runs[-1][0], index, text)
        else:
            runs.append((index, index, text))
    parts = []
    for first, last, text in runs:
        days = (
            WEEKDAYS_NL[first]
            if first == last
            else f"{WEEKDAYS_NL[first]} {'en' if last == first + 1 else 't/m'} {WEEKDAYS_NL[last]}"
        )
        parts.append(f"{days} {text}")
    return "; ".join(parts)


def months_nl(months: list[str]) -> str:
    """``["2025-10", …, "2026-05"]`` → ``oktober 2025 t/m mei 2026``."""
    if not months:
        return "–"
    if len(months) == 1:
        return month_name(months[0])
    return f"{month_name(months[0])} t/m {month_name(months[-1])}"

"""Dutch public holidays of the Algemene termijnenwet, art. 3 (docs/measurement.md §1.2).

A Werkdag (working day) is Monday–Friday except these days. The list differs
from the ``holidays`` package's default NL set, which has Bevrijdingsdag only
in lustrum years and no Goede Vrijdag; the Atw names 5 May every year and Goede
Vrijdag. Easter is computed with ``dateutil.easter`` (Western/Gregorian).
"""

from __future__ import annotations

from datetime import date, timedelta

from dateutil.easter import easter

# (name, days after Easter Sunday) — Atw art. 3 lid 1, except Goede Vrijdag,
# which art. 3 lid 2 puts on a par with the days of lid 1.
_EASTER_BASED: tuple[tuple[str, int], ...] = (
    ("Goede Vrijdag", -2),
    ("Tweede Paasdag", 1),
    ("Hemelvaartsdag", 39),
    ("Tweede Pinksterdag", 50),
)
# (name, month, day) — Atw art. 3 lid 1; Koningsdag (also lid 1) is handled apart.
_FIXED: tuple[tuple[str, int, int], ...] = (
    ("Nieuwjaarsdag", 1, 1),
    ("Bevrijdingsdag", 5, 5),
    ("Eerste Kerstdag", 12, 25),
    ("Tweede Kerstdag", 12, 26),
)


def koningsdag(year: int) -> date:
    """The day on which the King's (Queen's) birthday is celebrated (Atw art. 3 lid 1).

    Which day that is follows from royal decree, not from the Atw: from 2014: Koningsdag, 27 April, or 26 April when the 27th is a Sunday.
    1980–2013: Koninginnedag, 30 April, or 29 April when the 30th is a Sunday.
    """
    day = date(year, 4, 27) if year >= 2014 else date(year, 4, 30)
    return day - timedelta(days=1) if day.weekday() == 6 else day


def atw_holidays(year: int) -> dict[date, str]:
    """The Atw art. 3 holidays of a year that can fall on a weekday, by date (Dutch names)."""
    result: dict[date, str] = {}
    sunday = easter(year)
    for name, offset in _EASTER_BASED:
        result[sunday + timedelta(days=offset)] = name
    for name, month, day in _FIXED:
        result[date(year, month, day)] = name
    result[koningsdag(year)] = "Koningsdag" if year >= 2014 else "Koninginnedag"
    return dict(sorted(result.items()))

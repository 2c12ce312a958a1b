"""The public holidays of the Algemene termijnenwet, art. 3 (measurement §1, "Werkdag").

Rule (docs/measurement.md §1): "A working day (Werkdag) is Monday–Friday except
the public holidays of art. 3 of the Algemene termijnenwet: Nieuwjaarsdag,
Goede Vrijdag, Tweede Paasdag, Koningsdag (27 April; 26 April when the 27th is
a Sunday), Bevrijdingsdag (5 May, every year), Hemelvaartsdag, Tweede
Pinksterdag, Eerste and Tweede Kerstdag. [...] Note: the `holidays` package's
default NL set has 5 May only in lustrum years — it is not the Atw list by
itself."
"""

from __future__ import annotations

from datetime import date

import holidays
import pytest

from sla_core.holidays_nl import atw_holidays, koningsdag


def test_the_atw_holidays_of_2026_by_date_and_name():
    assert atw_holidays(2026) == {
        date(2026, 1, 1): "Nieuwjaarsdag",
        date(2026, 4, 3): "Goede Vrijdag",
        date(2026, 4, 6): "Tweede Paasdag",
        date(2026, 4, 27): "Koningsdag",
        date(2026, 5, 5): "Bevrijdingsdag",
        date(2026, 5, 14): "Hemelvaartsdag",
        date(2026, 5, 25): "Tweede Pinksterdag",
        date(2026, 12, 25): "Eerste Kerstdag",
        date(2026, 12, 26): "Tweede Kerstdag",
    }, "measurement §1: the nine Atw art. 3 holidays of 2026"


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(2026, date(2026, 4, 27), id="Koningsdag 2026 is Monday 27 April"),
        pytest.param(
            2025, date(2025, 4, 26), id="Koningsdag 2025 is Saturday 26 April, because 27 April 2025 is a Sunday"
        ),
        pytest.param(
            2014, date(2014, 4, 26), id="Koningsdag 2014 (the first one) is 26 April, because 27 April 2014 is a Sunday"
        ),
        pytest.param(2031, date(2031, 4, 26), id="Koningsdag 2031 is 26 April, because 27 April 2031 is a Sunday"),
        pytest.param(2030, date(2030, 4, 27), id="Koningsdag 2030 stays on Saturday 27 April (only a Sunday moves it)"),
        pytest.param(2027, date(2027, 4, 27), id="Koningsdag 2027 is Tuesday 27 April"),
    ],
)
def test_koningsdag_is_27_april_or_26_april_when_the_27th_is_a_sunday(year, expected):
    assert koningsdag(year) == expected, "measurement §1: Koningsdag (27 April; 26 April when the 27th is a Sunday)"
    assert atw_holidays(year).get(expected) == "Koningsdag"
    if expected != date(year, 4, 27):
        assert date(year, 4, 27) not in atw_holidays(year), "the Sunday 27 April itself is not the holiday"


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        pytest.param(2013, date(2013, 4, 30), id="Koninginnedag 2013 (before the Wet van 2013 applied) is 30 April"),
        pytest.param(2006, date(2006, 4, 29), id="Koninginnedag 2006 is 29 April, because 30 April 2006 is a Sunday"),
        pytest.param(2010, date(2010, 4, 30), id="Koninginnedag 2010 is Friday 30 April"),
    ],
)
def test_before_2014_the_holiday_was_koninginnedag_on_30_april(year, expected):
    assert koningsdag(year) == expected, "Atw art. 3 lid 2 before 2014: 30 April, 29 April when the 30th is a Sunday"
    assert expected in atw_holidays(year) and date(year, 4, 27) not in atw_holidays(year)


@pytest.mark.parametrize(
    "year",
    [
        pytest.param(2025, id="5 May 2025 (a lustrum year)"),
        pytest.param(2026, id="5 May 2026 (not a lustrum year)"),
        pytest.param(2027, id="5 May 2027 (not a lustrum year)"),
        pytest.param(2029, id="5 May 2029 (not a lustrum year)"),
        pytest.param(2030, id="5 May 2030 (a lustrum year)"),
    ],
)
def test_bevrijdingsdag_is_a_holiday_every_year_not_only_in_lustrum_years(year):
    assert atw_holidays(year).get(date(year, 5, 5)) == "Bevrijdingsdag", (
        "measurement §1: Bevrijdingsdag (5 May, every year)"
    )


@pytest.mark.parametrize(
    ("day", "name"),
    [
        pytest.param(date(2026, 4, 3), "Goede Vrijdag", id="Goede Vrijdag 2026 is Friday 3 April"),
        pytest.param(date(2025, 4, 18), "Goede Vrijdag", id="Goede Vrijdag 2025 is Friday 18 April"),
        pytest.param(date(2027, 3, 26), "Goede Vrijdag", id="Goede Vrijdag 2027 is Friday 26 March"),
        pytest.param(date(2026, 4, 6), "Tweede Paasdag", id="Tweede Paasdag 2026 is Monday 6 April"),
        pytest.param(date(2026, 5, 14), "Hemelvaartsdag", id="Hemelvaartsdag 2026 is Thursday 14 May"),
        pytest.param(date(2026, 5, 25), "Tweede Pinksterdag", id="Tweede Pinksterdag 2026 is Monday 25 May"),
        pytest.param(date(2028, 6, 5), "Tweede Pinksterdag", id="Tweede Pinksterdag 2028 is Monday 5 June"),
    ],
)
def test_easter_based_holidays(day, name):
    assert atw_holidays(day.year).get(day) == name, f"measurement §1: {name} is an Atw holiday"


@pytest.mark.parametrize(
    "day",
    [
        pytest.param(date(2026, 4, 5), id="Eerste Paasdag (always a Sunday) is not listed"),
        pytest.param(date(2026, 5, 24), id="Eerste Pinksterdag (always a Sunday) is not listed"),
        pytest.param(date(2026, 4, 2), id="Witte Donderdag is not a holiday"),
        pytest.param(date(2026, 12, 31), id="Oudejaarsdag is not a holiday"),
        pytest.param(date(2026, 5, 4), id="Dodenherdenking (4 May) is not a holiday"),
    ],
)
def test_days_that_are_not_atw_holidays(day):
    assert day not in atw_holidays(day.year), "measurement §1: only the listed Atw days are holidays"


def _expected_from_the_holidays_package(year: int) -> set[date]:
    """`holidays.NL` minus the Sundays (Easter, Pentecost) plus 5 May every year (measurement §1 note)."""
    package = holidays.NL(years=year)
    days = {day for day, name in package.items() if name not in ("Easter Sunday", "Pentecost")}
    return days | {date(year, 5, 5)}


@pytest.mark.parametrize("year", range(2000, 2041), ids=lambda y: f"year {y}")
def test_atw_holidays_agree_with_the_holidays_package_plus_5_may_every_year(year):
    expected = _expected_from_the_holidays_package(year)
    got = set(atw_holidays(year))
    message = (
        f"measurement §1: Atw holidays of {year} differ from holidays.NL (minus Easter/Pentecost Sunday, plus 5 May): "
        f"missing {sorted(expected - got)}, extra {sorted(got - expected)}"
    )
    if year < 2014:
        message += ". Before 2014 the Atw holiday was Koninginnedag, 30 April (29 April when the 30th was a Sunday)"
    assert got == expected, message


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027, 2028], ids=lambda y: f"year {y}")
def test_every_holiday_of_a_year_lies_in_that_year_and_has_a_name(year):
    days = atw_holidays(year)
    assert len(days) == 9, "measurement §1: nine Atw holidays a year (none coincide in these years)"
    assert all(day.year == year and name for day, name in days.items())
    assert list(days) == sorted(days), "sorted by date"

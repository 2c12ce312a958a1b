"""Dutch formatting of dates, times, instants and durations (literal tables)."""

from __future__ import annotations

import pytest

from sla_app.documents.format_nl import (
    as_written_nl,
    date_nl,
    duration_nl,
    instant_nl,
    months_nl,
    period_nl,
    time_nl,
    week_hours_nl,
    weekday_nl,
)
from sla_core.report_text import percent


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-10-01", "1 oktober 2026"), ("2026-05-05", "5 mei 2026"), ("2027-01-31", "31 januari 2027")],
)
def test_date(value: str, expected: str) -> None:
    assert date_nl(value) == expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-10-01T12:05:00Z", "14:05"),  # summer time, UTC+2
        ("2026-11-02T13:05:00Z", "14:05"),  # winter time, UTC+1
        ("2026-03-29T00:59:00Z", "01:59"),  # just before the switch to summer time
        ("2026-03-29T01:00:00Z", "03:00"),  # just after it
        ("2026-05-12T13:21:21+02:00", "13:21"),
    ],
)
def test_time_is_local_to_amsterdam(instant: str, expected: str) -> None:
    assert time_nl(instant) == expected


def test_instants_and_periods() -> None:
    assert instant_nl("2026-05-12T11:21:21Z") == "12 mei 2026 13:21"
    assert instant_nl("2026-05-12T13:21:21+02:00", "UTC") == "12 mei 2026 11:21"
    assert instant_nl(None) == "–"
    assert as_written_nl("2026-11-15T07:00:00+01:00") == "15 november 2026 07:00"  # its own offset, not converted
    assert as_written_nl("2026-11-15T06:00:00+00:00") == "15 november 2026 06:00"
    assert period_nl("2026-05-19T14:00:00+02:00", "2026-05-19T14:30:00+02:00") == "19 mei 2026 14:00–14:30"
    assert (
        period_nl("2026-05-31T23:00:00+02:00", "2026-06-01T01:00:00+02:00") == "31 mei 2026 23:00 – 1 juni 2026 01:00"
    )
    assert weekday_nl("2026-05-14") == "donderdag"


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0, "0 min"),
        (45, "45 min"),
        (60, "1 u 00 min"),
        (125, "2 u 05 min"),
        (239.5, "3 u 59 min"),  # rounded down: just under a target never reads as the target
        (239.99999999999997, "4 u 00 min"),  # float noise is not a minute
        (4200.533, "2 d 22 u 00 min"),
        (43200, "30 d"),
    ],
)
def test_duration(minutes: float, expected: str) -> None:
    assert duration_nl(minutes) == expected


def test_numbers_months_and_hours() -> None:
    assert percent(99.87) == "99,87 %"
    assert percent(None) == "n.v.t."
    assert months_nl(["2025-10", "2025-11", "2026-05"]) == "oktober 2025 t/m mei 2026"
    assert months_nl(["2026-05"]) == "mei 2026"
    workdays = {d: [["07:00", "19:00"]] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}
    assert week_hours_nl(workdays) == "maandag t/m vrijdag 07:00–19:00; zaterdag en zondag gesloten"
    split = workdays | {"wednesday": [["07:00", "12:00"], ["13:00", "19:00"]], "saturday": [["09:00", "13:00"]]}
    assert week_hours_nl(split) == (
        "maandag en dinsdag 07:00–19:00; woensdag 07:00–12:00, 13:00–19:00; donderdag en vrijdag 07:00–19:00; "
        "zaterdag 09:00–13:00; zondag gesloten"
    )

"""Dutch display of numbers and verdicts (measurement §8.8): truncated, never rounded; one formatting function."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla_core.report_text import (
    availability_verdict,
    duration,
    months_count,
    number,
    percent,
    provisional_note,
    report_text,
    target_text,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        pytest.param(99.39999999999999, 2, "99,39", id="just under the norm reads under the norm"),
        pytest.param(99.4, 2, "99,40", id="the norm itself"),
        pytest.param(100 * (1 - 78 / 12960), 2, "99,39", id="78 minutes down of 12.960 reads 99,39 not 99,40"),
        pytest.param(200 / 3, 2, "66,66", id="two thirds is cut, not rounded up"),
        pytest.param(99.995, 2, "99,99", id="never rounds up to the next hundredth"),
        pytest.param(12960, 0, "12.960", id="thousands get a dot"),
        pytest.param(1234567.891, 2, "1.234.567,89", id="millions"),
        pytest.param(7.46, 1, "7,4", id="one decimal"),
        pytest.param(-0.0, 2, "0,00", id="no negative zero"),
        pytest.param(0.004, 2, "0,00", id="a tiny value"),
    ],
)
def test_numbers_are_truncated_with_a_decimal_comma(value: float, decimals: int, shown: str) -> None:
    assert number(value, decimals) == shown


@given(
    st.floats(min_value=0, max_value=100, allow_nan=False),
    st.sampled_from([99.4, 95.0, 99.3, 98.75, 90.0, 99.9]),
)
def test_a_value_below_the_norm_never_reads_as_the_norm_or_above(value: float, norm: float) -> None:
    if value < norm:
        assert float(number(value, 2).replace(".", "").replace(",", ".")) < norm
    else:
        assert float(number(value, 2).replace(".", "").replace(",", ".")) >= norm


def test_percent_and_months() -> None:
    assert percent(None) == "n.v.t." and percent(99.65197215777262) == "99,65 %"
    assert months_count(1) == "1 maand" and months_count(12) == "12 maanden"


@pytest.mark.parametrize(
    ("outcome", "shown"),
    [
        pytest.param(
            {"target_minutes": 240.0, "clock": "business", "target": {"value": 4, "unit": "hours"}},
            "4 u 00 min",
            id="hours on the business clock",
        ),
        pytest.param(
            {"target_minutes": 44640.0, "clock": "calendar", "target": {"value": 1, "unit": "months"}},
            "1 maand",
            id="one month of 31 days",
        ),
        pytest.param(
            {"target_minutes": 43140.0, "clock": "calendar", "target": {"value": 1, "unit": "months"}},
            "1 maand",
            id="one month across a DST change",
        ),
        pytest.param(
            {"target_minutes": 87840.0, "clock": "calendar", "target": {"value": 2, "unit": "months"}},
            "2 maanden",
            id="two months",
        ),
        pytest.param({"target_minutes": 43200.0, "clock": "calendar"}, "1 maand", id="a stored report without target"),
        pytest.param({"target_minutes": 87840.0, "clock": "calendar"}, "2 maanden", id="two months, stored before"),
    ],
)
def test_targets_read_as_the_sla_writes_them(outcome: dict, shown: str) -> None:
    assert target_text(outcome) == shown


def test_durations_are_cut_to_whole_minutes() -> None:
    assert duration(370.35) == "6 u 10 min" and duration(239.9999) == "3 u 59 min" and duration(45) == "45 min"


def sample() -> dict:
    from sla_cli.main import run

    argv = [
        "report",
        "--tenant",
        "enschede",
        "--month",
        "2026-05",
        "--events",
        str(ROOT / "samples/events.jsonl"),
        "--availability",
        str(ROOT / "samples/availability.csv"),
        "--exclusions",
        str(ROOT / "samples/exclusions.json"),
        "--contract",
        str(ROOT / "samples/contract.json"),
        "--as-of",
        "2026-06-05T00:00:00+02:00",
    ]
    from datetime import UTC, datetime

    return json.loads(run(argv, datetime(2026, 6, 5, tzinfo=UTC)))


@pytest.fixture(scope="module")
def report() -> dict:
    return sample()


def test_the_trailing_year_barely_measured_reads_onvoldoende_gemeten(report: dict) -> None:
    trailing = report["trailing_12_months"]["availability"]
    assert trailing["met"] is True and trailing["coverage"] < 90  # the sample year: 10.95 % coverage
    assert availability_verdict(trailing, trailing=True) == "onvoldoende gemeten"
    assert availability_verdict(report["service_levels"]["availability"], trailing=True) == "gehaald"
    text = report_text(report)
    year = text[text.index("Voortschrijdend jaar") :].splitlines()[1]
    assert "onvoldoende gemeten" in year and "gehaald" not in year


def test_text_lists_breaches_with_actual_time_what_was_left_out_and_the_trend(report: dict) -> None:
    text = report_text(report)
    assert "M2605-0039  Functiehersteltijd platform  prioriteit hoog: 6 u 10 min / 4 u 00 min" in text
    assert "M2605-0057: niet toerekenbaar" in text
    assert "Vtlb-calculator" in text
    assert "Voortschrijdend jaar (8 maanden)" in text and "(1 maanden)" not in text
    assert "mei 2026                    99,65 %" in text
    assert "VOORLOPIG" not in text


def test_a_provisional_report_says_so_first(report: dict) -> None:
    provisional = copy.deepcopy(report) | {"status": "provisional", "missing_days": ["2026-05-30", "2026-05-31"]}
    text = report_text(provisional)
    assert text.startswith("VOORLOPIG — Servicerapportage Gemeente Enschede — mei 2026")
    assert "Nog niet volledig gemeten: 30 mei, 31 mei." in text
    assert provisional_note(report | {"status": "final"}) == ""

"""The charts: PNG, deterministic, and a Dutch text alternative that says what the bars say."""

from __future__ import annotations

import copy
import struct
from typing import Any

from sla_app.documents.charts import availability_chart, charts, outcomes_chart
from sla_app.documents.trend_chart import trend_chart
from sla_core.report_text import month_name, percent

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_charts_are_pngs_and_deterministic(reports: dict[str, Any]) -> None:
    first = charts(reports["enschede"])
    second = charts(copy.deepcopy(reports["enschede"]))
    for a, b in zip(first, second):
        assert a.png.startswith(PNG_MAGIC)
        assert a.png == b.png, f"{a.content_id} differs between two renderings"
        width, height = png_size(a.png)
        assert width == 1080 and 400 <= height <= 700  # 7.2 in at the fixed 150 dpi
        assert b"Matplotlib" not in a.png, "no software stamp in the PNG"
    assert [c.content_id for c in first] == [
        "beschikbaarheid@servicerapportage",
        "meldingen@servicerapportage",
        "verloop@servicerapportage",
    ]


def test_availability_alt_names_every_marked_day(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    alt = availability_chart(report).alt
    assert "mei 2026" in alt and "99,65 % (norm 99,40 %)" in alt
    days = report["service_levels"]["availability"]["by_day"]
    for day in days:
        number = int(day["date"][-2:])
        for key in ("down_minutes", "unknown_minutes", "excluded_minutes"):
            if day[key] > 0:
                assert f"{number} mei {day[key]:g} min" in alt, (day, alt)
    for closed in report["closed_dates"]:
        assert closed["name"] in alt
    closed_days = sum(1 for d in days if d["scheduled_minutes"] == 0)
    assert f"Buiten servicetijd (gearceerd): {closed_days} dagen" in alt


def test_outcomes_alt_gives_counts_per_priority(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    alt = outcomes_chart(report).alt
    for metric, name in (("response_time", "Reactietijd"), ("restore_time_platform", "Functiehersteltijd platform")):
        level = report["service_levels"][metric]
        assert name in alt
        for priority, tally in level["by_priority"].items():
            assert f"{priority} {tally['within']} van {tally['decided']} binnen de streeftijd" in alt
    assert "gemiddeld 7 van 8 binnen de streeftijd, 1 overschreden" in alt


def test_charts_of_an_empty_month(edge_report: dict[str, Any]) -> None:
    availability, outcomes, trend = charts(edge_report)
    assert trend.png.startswith(PNG_MAGIC)
    assert availability.png.startswith(PNG_MAGIC) and outcomes.png.startswith(PNG_MAGIC)
    assert "Niet beschikbaar: geen." in availability.alt
    assert "urgent geen meldingen" in outcomes.alt
    empty = copy.deepcopy(edge_report)
    empty["service_levels"]["availability"]["by_day"] = []
    assert availability_chart(empty).png.startswith(PNG_MAGIC)


def test_trend_alt_gives_every_month_of_every_level(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    alt = trend_chart(report).alt
    months = report["trailing_12_months"]["by_month"]
    assert len(months) == len(report["trailing_12_months"]["months"]) >= 2
    for item in months:
        assert month_name(item["month"]) in alt
    last = months[-1]
    assert last["month"] == report["month"]
    assert "Beschikbaarheid (norm 99,40 %)" in alt
    assert f"{month_name(last['month'])} {percent(last['availability']['value'])}" in alt
    response = last["response_time"]
    assert f"{percent(response['value'])} ({response['within']} van {response['decided']})" in alt
    assert "niet gemeten" in alt and "geen meldingen" in alt  # months before measuring started


def test_trend_chart_with_no_month(edge_report: dict[str, Any]) -> None:
    empty = copy.deepcopy(edge_report)
    empty["trailing_12_months"]["by_month"] = []
    assert trend_chart(empty).png.startswith(PNG_MAGIC)

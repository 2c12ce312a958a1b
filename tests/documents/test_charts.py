"""The charts: what a reader gets (a PNG of the right size, the figures of the report drawn, a Dutch alt text).

The chart functions are pure (report JSON -> canvas of Typst marks): the
tables below check the marks; ``charts()`` is compiled for the sample month and
every edge case, and must give the same PNG bytes twice.
"""

from __future__ import annotations

import copy
import struct
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from sla_app.documents.chart_draw import Canvas, compile_pngs, nice_ticks, tick_decimals, typst_str
from sla_app.documents.chart_style import CLOSED, DOWN, MET, WIDTH
from sla_app.documents.charts import availability_alt, availability_canvas, charts, outcomes_alt, outcomes_canvas
from sla_app.documents.trend_chart import trend_alt, trend_canvas
from sla_core.report_text import month_name, number, percent

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def bars(canvas: Canvas) -> list[float]:
    """The heights (pt) of the bars drawn, left to right (shaded closed-day spans are not bars)."""
    return [r.height for r in sorted(canvas.rects, key=lambda r: r.x) if r.fill != "closed"]


def test_charts_are_pngs_of_a_fixed_size_and_deterministic(reports: dict[str, Any]) -> None:
    first = charts(reports["enschede"])
    second = charts(copy.deepcopy(reports["enschede"]))
    for a, b in zip(first, second):
        assert a.png.startswith(PNG_MAGIC)
        assert a.png == b.png, f"{a.content_id} differs between two renderings"
        width, height = png_size(a.png)
        assert width == 1080 and 400 <= height <= 700  # 7.2 in at 150 ppi
        assert b"tEXt" not in a.png and b"tIME" not in a.png, "no software or date stamp in the PNG"
    assert [c.content_id for c in first] == [
        "beschikbaarheid@servicerapportage",
        "meldingen@servicerapportage",
        "verloop@servicerapportage",
    ]
    assert [c.title for c in first] == [
        "Niet-beschikbaarheid per dag, mei 2026",
        "Meldingen per prioriteit, mei 2026",
        "Verloop per maand, voortschrijdend jaar t/m mei 2026",
    ]


def test_availability_chart_draws_every_marked_day_to_scale(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    canvas = availability_canvas(report)
    days = report["service_levels"]["availability"]["by_day"]
    marked = [(d, k) for d in days for k in ("down_minutes", "unknown_minutes", "excluded_minutes") if d[k] > 0]
    heights = bars(canvas)
    assert len(heights) == len(marked) >= 2
    for (day, key), height in zip(marked, heights):  # every bar is its minutes to the same scale
        assert height / day[key] == pytest.approx(heights[0] / marked[0][0][marked[0][1]])
        assert number(day[key]) in canvas.texts
    assert {str(d) for d in range(1, 32)} <= set(canvas.texts)  # every day of the month on the axis
    for closed in report["closed_dates"]:
        assert closed["name"] in canvas.texts
    spans = [r for r in canvas.rects if r.fill == "closed"]
    assert len(spans) == 7  # five weekends (Tweede Pinksterdag joins one), Bevrijdingsdag, Hemelvaartsdag
    assert "dag van de maand (mei 2026)" in canvas.texts and "buiten servicetijd" in canvas.texts


def test_outcomes_chart_draws_met_and_breached_per_priority(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    canvas = outcomes_canvas(report)
    assert {"Reactietijd", "95,83 % (norm 95,00 %)", "7 + 1", "3 + 1", "10"} <= set(canvas.texts)
    met = [r for r in canvas.rects if r.fill == f'rgb("{MET}")']
    breached = [r for r in canvas.rects if r.fill == "breached"]
    assert len(breached) == 2 and len(met) == 12
    under = next(r for r in met if r.x == breached[0].x)  # Reactietijd, gemiddeld: 7 met + 1 breached
    assert under.height == pytest.approx(7 * breached[0].height)


def test_availability_alt_names_every_marked_day(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    alt = availability_alt(report)
    assert "mei 2026" in alt and "99,65 % (norm 99,40 %)" in alt
    days = report["service_levels"]["availability"]["by_day"]
    for day in days:
        number_ = int(day["date"][-2:])
        for key in ("down_minutes", "unknown_minutes", "excluded_minutes"):
            if day[key] > 0:
                assert f"{number_} mei {day[key]:g} min" in alt, (day, alt)
    for closed in report["closed_dates"]:
        assert closed["name"] in alt
    closed_days = sum(1 for d in days if d["scheduled_minutes"] == 0)
    assert f"Buiten servicetijd (gearceerd): {closed_days} dagen" in alt


def test_outcomes_alt_gives_counts_per_priority(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    alt = outcomes_alt(report)
    for metric, name in (("response_time", "Reactietijd"), ("restore_time_platform", "Functiehersteltijd platform")):
        level = report["service_levels"][metric]
        assert name in alt
        for priority, tally in level["by_priority"].items():
            assert f"{priority} {tally['within']} van {tally['decided']} binnen de streeftijd" in alt
    assert "gemiddeld 7 van 8 binnen de streeftijd, 1 overschreden" in alt


def test_trend_alt_gives_every_month_of_every_level(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    alt = trend_alt(report)
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


def test_trend_chart_shows_each_value_and_a_dash_where_there_is_none(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    canvas = trend_canvas(report)
    months = report["trailing_12_months"]["by_month"]
    values = [m[metric]["value"] for metric in ("availability", "response_time") for m in months]
    for value in values:
        if value is not None:
            assert number(value, 2) in canvas.texts
    missing = sum(1 for m in months for metric in report["service_levels"] if m.get(metric, {}).get("value", 0) is None)
    assert canvas.texts.count("–") == missing
    assert "91,66" in canvas.texts  # below the norm: drawn bold in the warning colour (see the PNG)
    assert "okt\n25" in canvas.texts and "mei\n26" in canvas.texts


# ---- edge cases: each variant of the sample report must draw and compile


def _availability(report: dict[str, Any]) -> dict[str, Any]:
    return report["service_levels"]["availability"]


def empty_month(report: dict[str, Any]) -> None:
    _availability(report)["by_day"] = []
    report["trailing_12_months"]["by_month"] = []


def no_tickets(report: dict[str, Any]) -> None:
    for metric in ("response_time", "restore_time_platform", "restore_time_application"):
        report["service_levels"][metric] |= {"decided": 0, "within": 0, "value": None, "by_priority": {}}


def twelve_months(report: dict[str, Any]) -> None:
    last = report["trailing_12_months"]["by_month"][-1]
    months = [f"{2025 + (5 + i) // 12}-{(5 + i) % 12 + 1:02d}" for i in range(12)]
    report["trailing_12_months"]["by_month"] = [copy.deepcopy(last) | {"month": m} for m in months]


def go_live_mid_year(report: dict[str, Any]) -> None:
    report["trailing_12_months"]["by_month"] = report["trailing_12_months"]["by_month"][-2:]


def zero_and_hundred_percent(report: dict[str, Any]) -> None:
    day = next(d for d in _availability(report)["by_day"] if d["scheduled_minutes"] > 0)
    day |= {"down_minutes": day["scheduled_minutes"], "unknown_minutes": 0.0, "excluded_minutes": 0.0, "value": 0.0}
    report["service_levels"]["response_time"]["by_priority"] = {"urgent": {"decided": 4, "within": 0, "value": 0.0}}
    for item in report["trailing_12_months"]["by_month"]:
        item["availability"]["value"] = 0.0
        item["response_time"] |= {"decided": 2, "within": 2, "value": 100.0}


def dst_month(report: dict[str, Any]) -> None:
    """October 2026: 31 days, the clocks go back on Sunday the 25th (a 25-hour day, closed)."""
    report["month"] = "2026-10"
    report["closed_dates"] = []
    days = []
    for day in range(1, 32):
        weekend = date(2026, 10, day).weekday() >= 5
        scheduled = 0.0 if weekend else 720.0
        days.append(
            {
                "date": f"2026-10-{day:02d}",
                "scheduled_minutes": scheduled,
                "down_minutes": 5.5 if day == 26 else 0.0,
                "unknown_minutes": 0.0,
                "excluded_minutes": 0.0,
                "value": None if weekend else 100.0,
            }
        )
    _availability(report)["by_day"] = days


def hostile_holiday(report: dict[str, Any]) -> None:
    day = next(d for d in _availability(report)["by_day"] if d["scheduled_minutes"] == 0)
    report["closed_dates"] = [{"date": day["date"], "name": '"); #panic("x") \\ [*b*] $x$ <y>'}]


EDGE_CASES: list[tuple[str, Callable[[dict[str, Any]], None], list[str]]] = [
    ("an empty month draws axes, titles and legends but no bar", empty_month, ["buiten servicetijd"]),
    ("a month without decided tickets says geen for every priority", no_tickets, ["geen"] * 12),
    ("twelve months of trend get twelve month labels", twelve_months, ["jun\n25", "mei\n26"]),
    ("a go-live mid-year shows only the months since", go_live_mid_year, ["apr\n26", "mei\n26"]),
    ("0 % and 100 % are drawn and labelled", zero_and_hundred_percent, ["720", "0 + 4", "0,00", "100,00"]),
    ("a DST month has all its 31 days", dst_month, ["31", "5,5", "dag van de maand (oktober 2026)"]),
    ("a holiday name is text, never markup", hostile_holiday, ['"); #panic("x") \\ [*b*] $x$ <y>']),
]


@pytest.mark.parametrize(("change", "shows"), [c[1:] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
def test_edge_cases_draw_and_compile(
    reports: dict[str, Any], change: Callable[[dict[str, Any]], None], shows: list[str]
) -> None:
    report = copy.deepcopy(reports["enschede"])
    change(report)
    canvases = [availability_canvas(report), outcomes_canvas(report), trend_canvas(report)]
    texts = [t for c in canvases for t in c.texts]
    for text in set(shows):
        assert texts.count(text) >= shows.count(text), (text, texts)
    for canvas in canvases:
        assert canvas.width == WIDTH
        assert all(r.x >= 0 and r.x + r.width <= WIDTH + 0.01 and r.height >= 0 for r in canvas.rects)
    for chart in charts(report):
        assert png_size(chart.png)[0] == 1080 and chart.alt


def test_an_empty_month_draws_no_bar(reports: dict[str, Any]) -> None:
    report = copy.deepcopy(reports["enschede"])
    empty_month(report)
    assert bars(availability_canvas(report)) == []
    no_tickets(report)
    assert [r for r in outcomes_canvas(report).rects if r.fill in ("breached", f'rgb("{MET}")')] == []


def test_charts_of_the_edge_report(edge_report: dict[str, Any]) -> None:
    availability, outcomes, trend = charts(edge_report)
    assert all(c.png.startswith(PNG_MAGIC) for c in (availability, outcomes, trend))
    assert "Niet beschikbaar: geen." in availability.alt
    assert "urgent geen meldingen" in outcomes.alt


@pytest.mark.parametrize(
    ("low", "high", "whole", "ticks"),
    [
        (0, 39, True, [0, 10, 20, 30]),
        (0, 12.5, True, [0, 2, 4, 6, 8, 10, 12]),
        (0, 1.7, True, [0, 1]),
        (99.1, 100, False, [99.2, 99.4, 99.6, 99.8, 100]),
        (92, 100, False, [92, 94, 96, 98, 100]),
        (0, 100, False, [0, 20, 40, 60, 80, 100]),
        (5, 5, False, [5]),
    ],
    ids=["minutes", "ticket counts", "small counts stay whole", "availability", "ticket percent", "0 to 100", "flat"],
)
def test_nice_ticks(low: float, high: float, whole: bool, ticks: list[float]) -> None:
    assert nice_ticks(low, high, whole=whole) == ticks


def test_tick_decimals_and_typst_strings() -> None:
    assert [tick_decimals(t) for t in ([90, 95], [97.5, 100], [99.25, 99.5], [0.125])] == [0, 1, 2, 3]
    assert typst_str('a "b" \\ c\nd') == '"a \\"b\\" \\\\ c\\nd"'


def test_colours_are_the_palette() -> None:
    assert (DOWN, MET, CLOSED) == ("#D55E00", "#0072B2", "#e6e6e6")
    assert compile_pngs([Canvas(72, 36)])[0].startswith(PNG_MAGIC)

"""The report's charts as PNG bytes, each with a Dutch text alternative.

1. Availability per day: the minutes of service hours that were down, unknown
   (not measured) or excluded (not attributable), stacked per day; days
   without service hours (weekends, holidays) are shaded and hatched.
2. Ticket outcomes per priority for each ticket service level: met vs
   breached, stacked.
3. The trend (``trend_chart.py``): each month of the trailing year against the norm.

Colours are the Okabe-Ito palette (colour-blind safe) and never carry meaning
alone: every series also has its own hatch pattern, a legend entry and value
labels (the style is ``chart_style.py``). Each chart is a pure function of the
report JSON to a :class:`~sla_app.documents.chart_draw.Canvas` (Typst markup);
:func:`charts` compiles the three as pages of one Typst document to PNG, once
per report, with the shipped fonts and no stamp: the same report gives the same bytes.
"""

from __future__ import annotations

from typing import Any

from sla_app.documents.chart_draw import Axes, Canvas, compile_pngs, frame, hatched, nice_ticks, rgb, swatch
from sla_app.documents.chart_style import (
    AVAILABILITY_CID,
    CLOSED,
    CLOSED_HATCH,
    DOWN,
    EXCLUDED,
    INK,
    MET,
    MUTED,
    OUTCOMES_CID,
    TREND_CID,
    UNKNOWN,
    WIDTH,
    Chart,
)
from sla_app.documents.format_nl import PRIORITY_NAMES, as_date, date_short_nl, minutes_nl
from sla_app.documents.trend_chart import trend_alt, trend_canvas, trend_title
from sla_core.report_text import LEVEL_NAMES, month_name, number, percent
from sla_core.vocabulary import PRIORITIES, TICKET_METRICS


def _day_list(days: list[tuple[str, float]]) -> str:
    return ", ".join(f"{date_short_nl(d)} {minutes_nl(m)}" for d, m in days) or "geen"


def availability_alt(report: dict[str, Any]) -> str:
    """The text alternative of the availability chart: every bar in words."""
    level = report["service_levels"]["availability"]
    days = level.get("by_day") or []
    month = month_name(report["month"])
    series = {
        key: [(d["date"], d[key]) for d in days if d[key] > 0]
        for key in ("down_minutes", "unknown_minutes", "excluded_minutes")
    }
    closed = [d for d in days if d["scheduled_minutes"] == 0]
    names = {c["date"]: c["name"] for c in report.get("closed_dates", [])}
    holidays = [f"{names[d['date']]} ({date_short_nl(d['date'])})" for d in closed if d["date"] in names]
    clear = sum(
        1
        for d in days
        if d["scheduled_minutes"] > 0 and d["down_minutes"] + d["unknown_minutes"] + d["excluded_minutes"] == 0
    )
    parts = [
        f"Staafdiagram van de niet-beschikbaarheid per dag in {month}, in minuten binnen de servicetijd.",
        f"Beschikbaarheid over de maand {percent(level['value'])} (norm {percent(level['norm'])}).",
        f"Niet beschikbaar: {_day_list(series['down_minutes'])}.",
        f"Onbekend, niet gemeten: {_day_list(series['unknown_minutes'])}.",
        f"Uitgesloten, niet toerekenbaar: {_day_list(series['excluded_minutes'])}.",
        f"Buiten servicetijd (gearceerd): {len(closed)} dagen"
        + (f", waaronder {', '.join(holidays)}." if holidays else "."),
        f"De overige {clear} dagen waren volledig beschikbaar.",
    ]
    return " ".join(parts)


def _closed_runs(xs: list[int], days: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Runs of consecutive days without service hours, as (first day, last day)."""
    runs: list[tuple[int, int]] = []
    for x, day in zip(xs, days):
        if day["scheduled_minutes"] != 0:
            continue
        if runs and runs[-1][1] == x - 1:
            runs[-1] = (runs[-1][0], x)
        else:
            runs.append((x, x))
    return runs


AVAILABILITY_SERIES = (
    ("down_minutes", "niet beschikbaar", DOWN, "/"),
    ("unknown_minutes", "onbekend (niet gemeten)", UNKNOWN, "."),
    ("excluded_minutes", "uitgesloten (niet toerekenbaar)", EXCLUDED, "x"),
)


def _minutes(value: float) -> str:
    return number(value, 0 if float(value).is_integer() else 1)


def availability_canvas(report: dict[str, Any]) -> Canvas:
    """Down, unknown and excluded service-hours minutes per day, stacked; closed days shaded and hatched."""
    days = report["service_levels"]["availability"].get("by_day") or []
    names = {c["date"]: c["name"] for c in report.get("closed_dates", [])}
    month = month_name(report["month"])
    canvas = Canvas(WIDTH, 223.2)
    xs = [as_date(d["date"]).day for d in days]
    totals = [sum(d[key] for key, *_ in AVAILABILITY_SERIES) for d in days]
    top = max(30.0, max(totals + [0.0]) * 1.3)
    axes = Axes(48, 26, WIDTH - 56, 141, 0.5, (max(xs) if xs else 31) + 0.5, 0, top)
    canvas.text(axes.left, 16, f"Niet-beschikbaarheid per dag, {month}", 10, INK, h="left", bold=True)
    closed_fill = canvas.define("closed", hatched(CLOSED, "/", CLOSED_HATCH))
    for start, end in _closed_runs(xs, days):  # one shaded span per run of closed days
        left, right = axes.x(start - 0.5), axes.x(end + 0.5)
        canvas.rect(left, axes.top, right - left, axes.height, closed_fill)
    ticks = nice_ticks(0, top, whole=True)
    frame(canvas, axes, [(t, number(t)) for t in ticks], [(x, str(x)) for x in xs], INK, MUTED)
    for x, day in zip(xs, days):
        if day["scheduled_minutes"] == 0 and day["date"] in names:
            canvas.text(axes.x(x), axes.top + 4, names[day["date"]], 6.5, MUTED, v="top", upright=False)
    fills = [canvas.define(f"series{i}", hatched(c, h, INK)) for i, (_k, _l, c, h) in enumerate(AVAILABILITY_SERIES)]
    half = (axes.x(1.35) - axes.x(1)) if xs else 0  # bars are 0.7 day wide
    for x, day, total in zip(xs, days, totals):
        base = 0.0
        for (key, *_), fill in zip(AVAILABILITY_SERIES, fills):
            if day[key] > 0:
                y_top = axes.y(base + day[key])
                canvas.rect(axes.x(x) - half, y_top, 2 * half, axes.y(base) - y_top, fill, f"0.6pt + {rgb(INK)}")
                base += day[key]
        if total > 0:
            label = "+".join(_minutes(day[key]) for key, *_ in AVAILABILITY_SERIES if day[key] > 0)
            upright = len(label) <= 2  # longer labels would run into the next day's
            canvas.text(axes.x(x), axes.y(total) - 2.5, label, 7, INK, bold=True, upright=upright)
    canvas.text(axes.left + axes.width / 2, axes.bottom + 25, f"dag van de maand ({month})", 8, INK)
    canvas.text(12, axes.top + axes.height / 2, "minuten binnen servicetijd", 8, INK, v="horizon", upright=False)
    entries = [
        (swatch(fill, f"0.6pt + {rgb(INK)}"), label) for (_k, label, *_), fill in zip(AVAILABILITY_SERIES, fills)
    ]
    entries.append((swatch(closed_fill, f"0.6pt + {rgb(CLOSED_HATCH)}"), "buiten servicetijd"))
    canvas.legend(canvas.height - 6, entries, INK)
    return canvas


def _counts(level: dict[str, Any], priority: str) -> tuple[int, int]:
    tally = level.get("by_priority", {}).get(priority) or {"decided": 0, "within": 0}
    return tally["within"], tally["decided"] - tally["within"]


def outcomes_alt(report: dict[str, Any]) -> str:
    """The text alternative of the outcomes chart: every bar in words."""
    levels = report["service_levels"]
    parts = [
        (
            f"Gestapeld staafdiagram van de beoordeelde meldingen in {month_name(report['month'])} per prioriteit, "
            "per service level: binnen de streeftijd en overschreden."
        )
    ]
    for metric in TICKET_METRICS:
        level = levels[metric]
        items = []
        for priority in PRIORITIES:
            met, breached = _counts(level, priority)
            if met + breached == 0:
                items.append(f"{priority} geen meldingen")
            else:
                extra = f", {breached} overschreden" if breached else ""
                items.append(f"{priority} {met} van {met + breached} binnen de streeftijd{extra}")
        parts.append(
            f"{LEVEL_NAMES[metric]} ({percent(level['value'])}, norm {percent(level['norm'])}): {'; '.join(items)}."
        )
    return " ".join(parts)


def outcomes_canvas(report: dict[str, Any]) -> Canvas:
    """Per ticket service level, per priority: met and breached outcomes stacked (one panel per level)."""
    levels = report["service_levels"]
    canvas = Canvas(WIDTH, 216)
    canvas.text(38, 16, f"Meldingen per prioriteit, {month_name(report['month'])}", 10, INK, h="left", bold=True)
    peak = max(
        [levels[m]["by_priority"].get(p, {}).get("decided", 0) for m in TICKET_METRICS for p in PRIORITIES] + [1]
    )
    top = peak * 1.2 + 0.5
    ticks = nice_ticks(0, top, most=7, whole=True)
    gap, left = 22.0, 38.0
    width = (WIDTH - left - 6 - gap * (len(TICKET_METRICS) - 1)) / len(TICKET_METRICS)
    breached_fill = canvas.define("breached", hatched(DOWN, "/", INK))
    stroke = f"0.6pt + {rgb(INK)}"
    for i, metric in enumerate(TICKET_METRICS):
        level = levels[metric]
        axes = Axes(left + i * (width + gap), 64, width, 108, -0.5, len(PRIORITIES) - 0.5, 0, top)
        centre = axes.left + width / 2
        canvas.text(centre, 40, LEVEL_NAMES[metric], 8.5, INK)
        canvas.text(centre, 52, f"{percent(level['value'])} (norm {percent(level['norm'])})", 8.5, INK)
        labels = [(t, number(t) if i == 0 else "") for t in ticks]
        frame(canvas, axes, labels, [(x, PRIORITY_NAMES[p]) for x, p in enumerate(PRIORITIES)], INK, MUTED)
        half = axes.x(0.325) - axes.x(0)  # bars are 0.65 wide
        for x, priority in enumerate(PRIORITIES):
            met, breached = _counts(level, priority)
            if met + breached == 0:
                canvas.text(axes.x(x), axes.bottom - 3, "geen", 7, MUTED)
                continue
            if met:
                canvas.rect(axes.x(x) - half, axes.y(met), 2 * half, axes.y(0) - axes.y(met), rgb(MET), stroke)
            if breached:
                y_top = axes.y(met + breached)
                canvas.rect(axes.x(x) - half, y_top, 2 * half, axes.y(met) - y_top, breached_fill, stroke)
            label = f"{met}" if not breached else f"{met} + {breached}"
            canvas.text(axes.x(x), axes.y(met + breached) - 2.5, label, 7.5, INK, bold=True)
    canvas.text(11, 64 + 54, "aantal meldingen", 8, INK, v="horizon", upright=False)
    entries = [
        (swatch(rgb(MET), stroke), "binnen streeftijd (eerste getal)"),
        (swatch(breached_fill, stroke), "overschreden (tweede getal)"),
    ]
    canvas.legend(canvas.height - 6, entries, INK)
    return canvas


def charts(report: dict[str, Any]) -> tuple[Chart, Chart, Chart]:
    """The report's charts, drawn once, in one Typst run: availability per day, outcomes, trend."""
    month = month_name(report["month"])
    availability, outcomes, trend = compile_pngs(
        [availability_canvas(report), outcomes_canvas(report), trend_canvas(report)]
    )
    return (
        Chart(AVAILABILITY_CID, availability, f"Niet-beschikbaarheid per dag, {month}", availability_alt(report)),
        Chart(OUTCOMES_CID, outcomes, f"Meldingen per prioriteit, {month}", outcomes_alt(report)),
        Chart(TREND_CID, trend, trend_title(report), trend_alt(report)),
    )

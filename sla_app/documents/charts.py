"""The report's two charts as PNG bytes, each with a Dutch text alternative.

1. Availability per day: the minutes of service hours that were down, unknown
   (not measured) or excluded (not attributable), stacked per day; days
   without service hours (weekends, holidays) are shaded and hatched.
2. Ticket outcomes per priority for each ticket service level: met vs
   breached, stacked.
3. The trend (``trend_chart.py``): each month of the trailing year against the norm.

Colours are the Okabe-Ito palette (colour-blind safe) and never carry meaning
alone: every series also has its own hatch pattern, a legend entry and value
labels (the style is ``chart_style.py``). Rendered with the Agg canvas (no display, no pyplot state) at a fixed
DPI and without a software/date stamp, so the same report gives the same bytes.
"""

from __future__ import annotations

from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sla_app.documents.chart_style import (
    AVAILABILITY_CID,
    CLOSED,
    DOWN,
    DPI,
    EXCLUDED,
    INK,
    MET,
    MUTED,
    OUTCOMES_CID,
    RC,
    UNKNOWN,
    Chart,
    png_bytes,
)
from sla_app.documents.format_nl import PRIORITY_NAMES, as_date, date_short_nl, minutes_nl
from sla_app.documents.trend_chart import trend_chart
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


def _hatched_bars(
    ax: Any, xs: list[int], heights: list[float], bottom: list[float], width: float, colour: str, hatch: str
) -> None:
    """Stacked hatched bars, leaving out the empty ones: they draw nothing but cost a hatch raster each."""
    shown = [(x, h, b) for x, h, b in zip(xs, heights, bottom) if h > 0]
    if shown:
        ax.bar(
            [x for x, _, _ in shown],
            [h for _, h, _ in shown],
            width,
            bottom=[b for _, _, b in shown],
            color=colour,
            edgecolor=INK,
            linewidth=0.6,
            hatch=hatch,
            zorder=2,
        )


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


def availability_chart(report: dict[str, Any]) -> Chart:
    """Down, unknown and excluded service-hours minutes per day; closed days shaded."""
    days = report["service_levels"]["availability"].get("by_day") or []
    names = {c["date"]: c["name"] for c in report.get("closed_dates", [])}
    title = f"Niet-beschikbaarheid per dag, {month_name(report['month'])}"
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(7.2, 3.1), dpi=DPI)
        ax = figure.add_axes((0.08, 0.24, 0.9, 0.66))
        xs = [as_date(d["date"]).day for d in days]
        peak = max([d["down_minutes"] + d["unknown_minutes"] + d["excluded_minutes"] for d in days] + [0])
        top = max(30.0, peak * 1.3)
        for start, end in _closed_runs(xs, days):  # one shaded span per run of closed days, not one per day
            ax.axvspan(
                start - 0.5, end + 0.5, facecolor=CLOSED, edgecolor="#9a9a9a", hatch="////", linewidth=0, zorder=0
            )
        for x, day in zip(xs, days):
            if day["scheduled_minutes"] == 0 and day["date"] in names:
                ax.text(
                    x, top * 0.96, names[day["date"]], rotation=90, ha="center", va="top", fontsize=6.5, color=MUTED
                )
        bottom = [0.0] * len(days)
        series = (
            ("down_minutes", "niet beschikbaar", DOWN, "////"),
            ("unknown_minutes", "onbekend (niet gemeten)", UNKNOWN, "...."),
            ("excluded_minutes", "uitgesloten (niet toerekenbaar)", EXCLUDED, "xxx"),
        )
        for key, _label, colour, hatch in series:
            heights = [d[key] for d in days]
            _hatched_bars(ax, xs, heights, bottom, 0.7, colour, hatch)
            bottom = [b + h for b, h in zip(bottom, heights)]
        for x, day, total in zip(xs, days, bottom):
            if total > 0:
                parts = [number(day[k], 0 if float(day[k]).is_integer() else 1) for k, *_ in series if day[k] > 0]
                label = "+".join(parts)
                upright = len(label) <= 2  # longer labels would run into the next day's
                ax.text(
                    x,
                    total + top * 0.015,
                    label,
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    fontweight="bold",
                    rotation=0 if upright else 90,
                )
        ax.set_xlim(0.5, (max(xs) if xs else 31) + 0.5)
        ax.set_ylim(0, top)
        ax.set_xticks(xs, [str(x) for x in xs], fontsize=7)
        ax.set_xlabel(f"dag van de maand ({month_name(report['month'])})")
        ax.set_ylabel("minuten binnen servicetijd")
        ax.set_title(title, fontsize=10, fontweight="bold", loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        ax.yaxis.grid(True, color="#d0d0d0", linewidth=0.5, zorder=1)
        ax.set_axisbelow(True)
        handles = [Patch(facecolor=c, edgecolor=INK, hatch=h, label=label) for _k, label, c, h in series]
        handles.append(Patch(facecolor=CLOSED, edgecolor="#9a9a9a", hatch="////", label="buiten servicetijd"))
        figure.legend(
            handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=7.5, handlelength=2.2, handleheight=1.2
        )
        png = png_bytes(figure)
    return Chart(AVAILABILITY_CID, png, title, availability_alt(report))


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


def outcomes_chart(report: dict[str, Any]) -> Chart:
    """Per ticket service level, per priority: met and breached outcomes stacked."""
    levels = report["service_levels"]
    title = f"Meldingen per prioriteit, {month_name(report['month'])}"
    labels = [PRIORITY_NAMES[p] for p in PRIORITIES]
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(7.2, 3.0), dpi=DPI)
        axes = figure.subplots(1, len(TICKET_METRICS), sharey=True)
        figure.subplots_adjust(left=0.07, right=0.99, top=0.77, bottom=0.2, wspace=0.12)
        peak = max(
            [levels[m]["by_priority"].get(p, {}).get("decided", 0) for m in TICKET_METRICS for p in PRIORITIES] + [1]
        )
        top = peak * 1.2 + 0.5
        for ax, metric in zip(axes, TICKET_METRICS):
            level = levels[metric]
            counts = [_counts(level, p) for p in PRIORITIES]
            xs = list(range(len(PRIORITIES)))
            met = [c[0] for c in counts]
            breached = [c[1] for c in counts]
            ax.bar(xs, met, 0.65, color=MET, edgecolor=INK, linewidth=0.6, zorder=2)
            _hatched_bars(ax, xs, breached, met, 0.65, DOWN, "////")
            for x, m, b in zip(xs, met, breached):
                if m + b == 0:
                    ax.text(x, top * 0.02, "geen", ha="center", va="bottom", fontsize=7, color=MUTED)
                    continue
                label = f"{m}" if not b else f"{m} + {b}"
                ax.text(x, m + b + top * 0.02, label, ha="center", va="bottom", fontsize=7.5, fontweight="bold")
            ax.set_xticks(xs, labels, fontsize=7)
            ax.set_ylim(0, top)
            ax.set_title(
                f"{LEVEL_NAMES[metric]}\n{percent(level['value'])} (norm {percent(level['norm'])})", fontsize=8.5
            )
            ax.spines[["top", "right"]].set_visible(False)
            ax.yaxis.grid(True, color="#d0d0d0", linewidth=0.5)
            ax.set_axisbelow(True)
        axes[0].set_ylabel("aantal meldingen")
        figure.suptitle(title, fontsize=10, fontweight="bold", x=0.07, ha="left")
        handles = [
            Patch(facecolor=MET, edgecolor=INK, label="binnen streeftijd (eerste getal)"),
            Patch(facecolor=DOWN, edgecolor=INK, hatch="////", label="overschreden (tweede getal)"),
        ]
        figure.legend(
            handles=handles, loc="lower center", ncol=2, frameon=False, fontsize=7.5, handlelength=2.2, handleheight=1.2
        )
        png = png_bytes(figure)
    return Chart(OUTCOMES_CID, png, title, outcomes_alt(report))


def charts(report: dict[str, Any]) -> tuple[Chart, Chart, Chart]:
    """The report's charts, each rendered once (Agg): availability per day, outcomes, trend."""
    return availability_chart(report), outcomes_chart(report), trend_chart(report)

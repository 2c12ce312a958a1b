"""The trend chart (SLA §9: norms are judged over a year): per service level each month's value against its norm.

The values are the ones of ``trailing_12_months.by_month`` (from minutes and
counts of each month, never averages). Months without a value (not measured,
no decided ticket) get a dash, never a point, and only neighbouring months are
joined by a line. Same style as the other charts (:mod:`sla_app.documents.charts`):
Okabe-Ito colours, a :class:`~sla_app.documents.chart_draw.Canvas` compiled by Typst.
"""

from __future__ import annotations

from typing import Any

from sla_app.documents.chart_draw import Axes, Canvas, frame, nice_ticks, rgb, tick_decimals
from sla_app.documents.chart_style import DOWN, INK, MET, MUTED, WIDTH
from sla_app.documents.format_nl import month_short_nl
from sla_core.report_text import LEVEL_NAMES, month_name, number, percent
from sla_core.verdict import meets_norm
from sla_core.vocabulary import LEVELS


def _trend_value(item: dict[str, Any], metric: str) -> float | None:
    return item[metric]["value"]


def _trend_words(item: dict[str, Any], metric: str) -> str:
    level = item[metric]
    if metric == "availability":
        return "niet gemeten" if level["value"] is None else percent(level["value"])
    if not level["decided"]:
        return "geen meldingen"
    return f"{percent(level['value'])} ({level['within']} van {level['decided']})"


def trend_alt(report: dict[str, Any]) -> str:
    """The text alternative of the trend chart: every month's value per service level, and the norm."""
    months = report["trailing_12_months"].get("by_month") or []
    parts = [
        f"Lijndiagrammen van de maandwaarde per service level over het voortschrijdend jaar "
        f"({len(months)} maanden, t/m {month_name(report['month'])}), met de norm als stippellijn."
    ]
    for metric in LEVELS:
        norm = percent(report["service_levels"][metric]["norm"])
        values = "; ".join(f"{month_name(m['month'])} {_trend_words(m, metric)}" for m in months)
        parts.append(f"{LEVEL_NAMES[metric]} (norm {norm}): {values}.")
    return " ".join(parts)


def trend_title(report: dict[str, Any]) -> str:
    return f"Verloop per maand, voortschrijdend jaar t/m {month_name(report['month'])}"


def _panel(canvas: Canvas, axes: Axes, report: dict[str, Any], metric: str, x_labels: list[str]) -> None:
    """One service level: grid, norm line, the months' values (a dash where there is none)."""
    months = report["trailing_12_months"].get("by_month") or []
    norm = report["service_levels"][metric]["norm"]
    ticks = nice_ticks(axes.y_min, 100, most=5)
    decimals = tick_decimals(ticks)
    frame(canvas, axes, [(t, number(t, decimals)) for t in ticks], list(enumerate(x_labels)), INK, MUTED, 6.5)
    canvas.text(axes.left, axes.top - 8, f"{LEVEL_NAMES[metric]} (norm {percent(norm)})", 8.5, INK, h="left")
    canvas.line(axes.left, axes.y(norm), axes.left + axes.width, axes.y(norm), DOWN, 1.2, "(4pt, 2pt)")
    values = [_trend_value(m, metric) for m in months]
    for x, (a, b) in enumerate(zip(values, values[1:])):  # only neighbouring months are joined
        if a is not None and b is not None:
            canvas.line(axes.x(x), axes.y(a), axes.x(x + 1), axes.y(b), MET, 1.4)
    for x, value in enumerate(values):
        if value is None:
            canvas.text(axes.x(x), axes.bottom - 3, "–", 8, MUTED)
            continue
        canvas.dot(axes.x(x), axes.y(value), 2.2, MET)
        short = not meets_norm(metric, value, norm)
        y, label = axes.y(value), number(value, 2)
        above, below = (y - 4 - 8, y - 4), (y + 5, y + 5 + 8)  # the label's band either way, in points
        if len(values) > 8:  # too narrow for a label per month on one side: alternate, the latest month above
            band = above if (len(values) - 1 - x) % 2 == 0 else below
        else:  # off the line to the point, then off the norm line
            spots = [below, above] if _line_from_above(values, x) else [above, below]
            band = next((b for b in spots if not b[0] <= axes.y(norm) <= b[1]), spots[0])
        v = "bottom" if band == above else "top"
        edge = band[1] if band == above else band[0]
        canvas.text(axes.x(x), edge, label, 6, DOWN if short else INK, v=v, bold=short, backing=True)


def _line_from_above(values: list[float | None], x: int) -> bool:
    """Whether a joined neighbour is higher than month x (a label above the point would sit on the line)."""
    neighbours = [values[i] for i in (x - 1, x + 1) if 0 <= i < len(values)]
    value = values[x]
    return value is not None and any(n is not None and n > value for n in neighbours)


def trend_canvas(report: dict[str, Any]) -> Canvas:
    """Per service level the value of each month of the trailing year against its norm (from counts)."""
    months = report["trailing_12_months"].get("by_month") or []
    canvas = Canvas(WIDTH, 331.2)
    canvas.text(40, 16, trend_title(report), 10, INK, h="left", bold=True)
    labels = [month_short_nl(m["month"]) + "\n" + m["month"][2:4] for m in months]
    width, gap = (WIDTH - 40 - 8 - 40) / 2, 40.0
    for i, metric in enumerate(LEVELS):
        norm = report["service_levels"][metric]["norm"]
        known = [v for m in months if (v := _trend_value(m, metric)) is not None]
        floor = min(known + [norm])
        low = max(0.0, floor - max((100.0 - floor) * 0.6, 0.3 if metric == "availability" else 3.0))
        row, column = divmod(i, 2)
        top = 54 + row * 132
        axes = Axes(
            40 + column * (width + gap),
            top,
            width,
            94,
            -0.75,  # room for the first month's label beside the axis
            max(len(months) - 0.5, 0.5),
            low,
            100 + (100 - low) * 0.18,
        )
        _panel(canvas, axes, report, metric, labels if row == 1 else [""] * len(months))
        if column == 0:
            canvas.text(10, top + 47, "%", 8, INK, v="horizon")
    line = f"line(length: 20pt, stroke: 1.4pt + {rgb(MET)})"
    dot = f"circle(radius: 2.2pt, fill: {rgb(MET)})"
    norm_line = f"line(length: 20pt, stroke: (paint: {rgb(DOWN)}, thickness: 1.2pt, dash: (4pt, 2pt)))"
    dash = f'text(size: 8pt, fill: {rgb(MUTED)}, "–")'
    entries = [
        (
            f"box(width: 20pt, height: 8pt, baseline: 1.5pt, {{ place(horizon, {line}); place(center + horizon, {dot}) }})",
            "waarde van de maand",
        ),
        (f"box(width: 20pt, height: 8pt, baseline: 1.5pt, place(horizon, {norm_line}))", "norm"),
        (f"box(width: 8pt, height: 8pt, align(center + horizon, {dash}))", "niet gemeten / geen meldingen"),
    ]
    canvas.legend(canvas.height - 6, entries, INK)
    return canvas

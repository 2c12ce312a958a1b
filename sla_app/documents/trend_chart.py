"""The trend chart (SLA §9: norms are judged over a year): per service level each month's value against its norm.

The values are the ones of ``trailing_12_months.by_month`` (from minutes and
counts of each month, never averages). Months without a value (not measured,
no decided ticket) get a dash, never a point. Same style as the other charts
(:mod:`sla_app.documents.charts`): Okabe-Ito colours, Agg canvas, no stamp.
"""

from __future__ import annotations

from typing import Any

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sla_app.documents.chart_style import DOWN, DPI, INK, MET, MUTED, RC, TREND_CID, Chart, png_bytes
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


def trend_chart(report: dict[str, Any]) -> Chart:
    """Per service level the value of each month of the trailing year against its norm (from counts)."""
    months = report["trailing_12_months"].get("by_month") or []
    title = f"Verloop per maand, voortschrijdend jaar t/m {month_name(report['month'])}"
    labels = [month_short_nl(m["month"]) + "\n" + m["month"][2:4] for m in months]
    with matplotlib.rc_context(RC):
        figure = Figure(figsize=(7.2, 4.6), dpi=DPI)
        axes = figure.subplots(2, 2, sharex=True).flatten()
        figure.subplots_adjust(left=0.08, right=0.99, top=0.86, bottom=0.15, wspace=0.22, hspace=0.42)
        xs = list(range(len(months)))
        for ax, metric in zip(axes, LEVELS):
            norm = report["service_levels"][metric]["norm"]
            values = [_trend_value(m, metric) for m in months]
            known = [v for v in values if v is not None]
            floor = min(known + [norm])
            span = 100.0 - floor
            low = max(0.0, floor - max(span * 0.6, 0.3 if metric == "availability" else 3.0))
            ax.axhline(norm, color=DOWN, linestyle=(0, (4, 2)), linewidth=1.2, zorder=1)
            points = [(x, v) for x, v in zip(xs, values) if v is not None]
            if points:
                ax.plot(
                    [x for x, _ in points],
                    [v for _, v in points],
                    color=MET,
                    marker="o",
                    markersize=4,
                    linewidth=1.4,
                    zorder=3,
                )
            for x, v in zip(xs, values):
                if v is None:
                    ax.text(x, low + (100 - low) * 0.04, "–", ha="center", va="bottom", fontsize=8, color=MUTED)
                else:
                    below = not meets_norm(metric, v, norm)
                    ax.text(
                        x,
                        v + (100 - low) * 0.03,
                        number(v, 2),
                        ha="center",
                        va="bottom",
                        fontsize=6,
                        color=DOWN if below else INK,
                        fontweight="bold" if below else None,
                    )
            ax.set_ylim(low, 100 + (100 - low) * 0.18)
            ax.set_xlim(-0.5, max(len(months) - 0.5, 0.5))
            ax.set_xticks(xs, labels, fontsize=6.5)
            ax.set_title(f"{LEVEL_NAMES[metric]} (norm {percent(norm)})", fontsize=8.5, loc="left")
            decimals = 1 if metric == "availability" else 0
            ax.yaxis.set_major_formatter(lambda v, _pos, d=decimals: number(v, d))
            ax.spines[["top", "right"]].set_visible(False)
            ax.yaxis.grid(True, color="#d0d0d0", linewidth=0.5)
            ax.set_axisbelow(True)
        axes[0].set_ylabel("%")
        axes[2].set_ylabel("%")
        figure.suptitle(title, fontsize=10, fontweight="bold", x=0.08, ha="left")
        handles = [
            Line2D([0], [0], color=MET, marker="o", markersize=4, label="waarde van de maand"),
            Line2D([0], [0], color=DOWN, linestyle=(0, (4, 2)), label="norm"),
            Line2D([0], [0], color="none", label="– niet gemeten / geen meldingen"),
        ]
        figure.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=7.5)
        png = png_bytes(figure)
    return Chart(TREND_CID, png, title, trend_alt(report))

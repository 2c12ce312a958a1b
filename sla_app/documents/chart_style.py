"""The report charts' shared style: palette, matplotlib settings, content ids, and PNG output.

Colours are the Okabe-Ito palette (colour-blind safe); they never carry
meaning alone (see ``charts.py``). Used by ``charts.py`` and ``trend_chart.py``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 150
INK = "#1a1a1a"
MUTED = "#4d4d4d"
CLOSED = "#e6e6e6"
# Okabe-Ito: vermillion, sky blue, bluish green, blue.
DOWN, UNKNOWN, EXCLUDED, MET = "#D55E00", "#56B4E9", "#009E73", "#0072B2"
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "svg.hashsalt": "sla-monitor",
    "hatch.linewidth": 0.8,
    "axes.titley": 1.0,  # fixed (nothing is drawn above the axes): skips matplotlib's costly auto placement
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "text.color": INK,
}
AVAILABILITY_CID = "beschikbaarheid@servicerapportage"
OUTCOMES_CID = "meldingen@servicerapportage"
TREND_CID = "verloop@servicerapportage"


@dataclass(frozen=True)
class Chart:
    """One chart: its content id in the e-mail, PNG bytes, title and Dutch text alternative."""

    content_id: str
    png: bytes
    title: str
    alt: str


def png_bytes(figure: Figure) -> bytes:
    """The figure as PNG bytes (Agg canvas, fixed DPI, no software stamp: the same chart gives the same bytes)."""
    FigureCanvasAgg(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return buffer.getvalue()

"""The report charts' shared style: palette, sizes, content ids, and the chart record.

Colours are the Okabe-Ito palette (colour-blind safe); they never carry
meaning alone (see ``charts.py``). Used by ``charts.py`` and ``trend_chart.py``;
the drawing itself is ``chart_draw.py`` (Typst markup, PNG).
"""

from __future__ import annotations

from dataclasses import dataclass

INK = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#d0d0d0"
CLOSED = "#e6e6e6"
CLOSED_HATCH = "#9a9a9a"
# Okabe-Ito: vermillion, sky blue, bluish green, blue.
DOWN, UNKNOWN, EXCLUDED, MET = "#D55E00", "#56B4E9", "#009E73", "#0072B2"
WIDTH = 518.4  # pt: every chart is 7.2 in wide (1080 px at chart_draw.PPI)
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

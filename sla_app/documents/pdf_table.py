"""Column widths and line breaks of the PDF's long evidence tables, decided before Typst lays them out.

Typst lays out a table with ``auto`` columns or ``auto`` rows by measuring
every cell first (the month-end evidence tables have ~650 rows × 7 cells:
most of the PDF's compile time). Here the widths of the strings are summed
from the shipped font's advance widths (asked of Typst once per process, in
points per 1000 pt of text), so that the columns are just wide enough for
their widest cell (capped; longer cells are wrapped here at spaces), the
flexible column takes the rest of the 180 mm text width, and every row's
number of lines is known: the template gives each row a fixed height and
Typst measures nothing. Widths are estimated without kerning and with a
margin, so a line never needs Typst to break it again; an unknown character
counts as the widest glyph of the font.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import typst

#: the characters measured once per process (printable ASCII, Latin-1, Latin Extended-A, typography)
CHARSET = [chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x180)] + list("–—‘’‚“”„…•€✔✘")
TEXT_WIDTH_PT = 510.0  # A4 (595.28 pt) less 2 × 15 mm margins (85.04 pt), rounded down
MARGIN = 1.03  # widths are summed without kerning; 3 % more keeps a line from being broken again

_MEASURE = """#set text(font: "DejaVu Sans", size: 1000pt)
#let chars = json("chars.json")
#context [#metadata((
  regular: chars.map(c => measure(text(c)).width.pt()),
  bold: chars.map(c => measure(text(weight: "bold", c)).width.pt()),
))<metrics>]
"""


@dataclass(frozen=True, eq=False)
class Metrics:
    """Advance widths in points per 1000 pt of text, regular and bold, and the widest of each."""

    regular: dict[str, float]
    bold: dict[str, float]

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """The width of one line of ``text`` at ``size`` points, in points (no kerning, never less)."""
        return _advance(self, text, bold) * size / 1000.0 * MARGIN


@lru_cache(maxsize=65536)
def _advance(m: Metrics, text: str, bold: bool) -> float:
    """The sum of the advances of ``text`` per 1000 pt (cached: the tables repeat many strings)."""
    table = m.bold if bold else m.regular
    widest = max(table.values())
    return sum(table.get(c, widest) for c in text)


@lru_cache(maxsize=1)
def metrics() -> Metrics:
    """The shipped font's advance widths, measured by Typst itself (once per process, ~30 ms)."""
    from sla_app.documents.pdf_report import fonts

    with tempfile.TemporaryDirectory(prefix="sla-pdf-metrics-") as scratch:
        root = Path(scratch)
        (root / "chars.json").write_text(json.dumps(CHARSET), encoding="utf-8")
        (root / "metrics.typ").write_text(_MEASURE, encoding="utf-8")
        found = typst.query(
            str(root / "metrics.typ"),
            "<metrics>",
            field="value",
            root=str(root),
            font_paths=fonts(),
            ignore_system_fonts=True,
        )
    (value,) = json.loads(found)
    return Metrics(dict(zip(CHARSET, value["regular"], strict=True)), dict(zip(CHARSET, value["bold"], strict=True)))


def wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken at spaces (and at its own newlines) into lines no wider than ``width`` points.

    A single word wider than ``width`` (a ticket id longer than its column's
    cap) is cut between characters, so no line is ever wider than ``width``.
    """
    m = metrics()
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if m.width(paragraph, size, bold) <= width:
            lines.append(paragraph)
            continue
        line = ""
        for word in _cut(m, paragraph.split(" "), width, size, bold):
            candidate = f"{line} {word}" if line else word
            if line and m.width(candidate, size, bold) > width:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _cut(m: Metrics, words: list[str], width: float, size: float, bold: bool) -> list[str]:
    """``words`` with each word wider than ``width`` points cut into pieces that fit (at least one character each)."""
    pieces: list[str] = []
    for word in words:
        while m.width(word, size, bold) > width and len(word) > 1:
            cut = 1
            while cut < len(word) - 1 and m.width(word[: cut + 1], size, bold) <= width:
                cut += 1
            pieces.append(word[:cut])
            word = word[cut:]
        pieces.append(word)
    return pieces


@dataclass(frozen=True)
class Column:
    """One column: its header, the widest it may get (points, text only), and its text style."""

    header: str
    cap: float | None = None  # None: the flexible column, which takes what the others leave
    bold: bool = False


def fixed_table(columns: list[Column], rows: list[list[str]], size: float, inset_x: float) -> dict[str, Any]:
    """Widths (points, insets included), the cells with their line breaks, and each row's number of lines.

    A column is as wide as its widest line, at most its cap, and at least
    its widest header word (header in bold); longer cells wrap at spaces and a
    word wider than the cap is cut (:func:`wrap`), so the fixed columns never
    exceed their caps. The flexible column gets the rest of :data:`TEXT_WIDTH_PT`.
    """
    m = metrics()
    text_widths: list[float] = []
    for i, column in enumerate(columns):
        header_word = max(m.width(w, size, True) for w in column.header.split())
        if column.cap is None:
            text_widths.append(header_word)
            continue
        widest_line = max((m.width(line, size, column.bold) for r in rows for line in r[i].split("\n")), default=0.0)
        text_widths.append(max(header_word, min(widest_line, column.cap)))
    text_widths = [math.ceil(w * 100) / 100 for w in text_widths]  # never rounded below what a line needs
    flexible = [i for i, c in enumerate(columns) if c.cap is None]
    fixed = sum(w + 2 * inset_x for i, w in enumerate(text_widths) if i not in flexible)
    for i in flexible:
        share = math.floor(((TEXT_WIDTH_PT - fixed) / len(flexible) - 2 * inset_x) * 100) / 100
        text_widths[i] = max(text_widths[i], share)  # the caps leave it room: see pdf_report's columns
    cells = [
        ["\n".join(wrap(cell, text_widths[i], size, columns[i].bold)) for i, cell in enumerate(row)] for row in rows
    ]
    return {
        "widths": [w + 2 * inset_x for w in text_widths],
        "header": [c.header for c in columns],
        "rows": cells,
        "lines": [max(cell.count("\n") + 1 for cell in row) for row in cells],
    }

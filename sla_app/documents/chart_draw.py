"""A small drawing vocabulary for the report charts, written as Typst markup, and its compilation to PNG.

A chart is a :class:`Canvas`: a page of a fixed size in points (1 pt = 1/72 in),
origin top left, y growing downwards, on which rectangles, lines, dots and
texts are placed at absolute positions. Building a canvas is pure (no Typst,
no I/O): the chart modules turn the report JSON into a canvas and tests read
its ``texts`` and ``rects``. :func:`compile_pngs` lays out the canvases of a
report as the pages of one Typst document, once, and returns one PNG per page
at :data:`PPI` (Typst renders with the shipped DejaVu fonts only, so the bytes
are the same on every machine and carry no software or date stamp).

Every string from the report is written as a Typst string literal
(:func:`typst_str`), never as markup, so no text can change the drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import floor, log10

import typst

from sla_app.documents.pdf_report import fonts

PPI = 150  # pixels per inch of the PNGs: a 7.2 in chart is 1080 px, sharp at 720 CSS px on high-DPI screens
PREAMBLE = (
    '#set text(font: "DejaVu Sans", size: 8pt, lang: "nl", hyphenate: false)\n'
    "#set page(margin: 0pt, fill: white)\n"
    "#set par(leading: 0.35em)\n"
)
HATCH_STEP = 3.6  # pt between the lines of a hatch


def typst_str(value: str) -> str:
    """``value`` as a Typst string literal (quotes and backslashes escaped; a newline is a line break)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\t", " ")
    return '"' + escaped.replace("\n", "\\n") + '"'


def pt(value: float) -> str:
    """A length in points as Typst writes it."""
    return f"{value:.2f}pt"


def rgb(hex_colour: str) -> str:
    """A colour such as ``#D55E00`` as a Typst paint."""
    return f'rgb("{hex_colour}")'


def hatched(colour: str, pattern: str, ink: str) -> str:
    """A fill of ``colour`` with a hatch in ``ink``: ``/`` diagonal lines, ``x`` crossed lines, ``.`` dots."""
    step = HATCH_STEP
    stroke = f"0.5pt + {rgb(ink)}"
    marks = [f"place(rect(width: {pt(step)}, height: {pt(step)}, fill: {rgb(colour)}, stroke: none))"]
    if pattern in ("/", "x"):  # lines run past the tile's corners (the tile clips them), so they join seamlessly
        marks.append(f"place(line(start: (-1pt, {pt(step + 1)}), end: ({pt(step + 1)}, -1pt), stroke: {stroke}))")
    if pattern == "x":
        marks.append(f"place(line(start: (-1pt, -1pt), end: ({pt(step + 1)}, {pt(step + 1)}), stroke: {stroke}))")
    if pattern == ".":
        marks.append(
            f"place(dx: {pt(step / 2 - 0.6)}, dy: {pt(step / 2 - 0.6)}, circle(radius: 0.6pt, fill: {rgb(ink)}))"
        )
    return f"tiling(size: ({pt(step)}, {pt(step)}), {{ {' ; '.join(marks)} }})"


@dataclass(frozen=True)
class Rect:
    """A rectangle as drawn: position and size in points, and its fill (a Typst paint)."""

    x: float
    y: float
    width: float
    height: float
    fill: str


@dataclass
class Canvas:
    """One chart page: ``width`` x ``height`` points of placed marks (see the module docstring)."""

    width: float
    height: float
    body: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)

    def place(self, x: float, y: float, content: str, h: str = "left", v: str = "top") -> None:
        """``content`` with its ``h`` edge (left/center/right) at x and its ``v`` edge (top/horizon/bottom) at y."""
        dx = {"left": x, "center": x - self.width / 2, "right": x - self.width}[h]
        dy = {"top": y, "horizon": y - self.height / 2, "bottom": y - self.height}[v]
        self.body.append(f"place({v} + {h}, dx: {pt(dx)}, dy: {pt(dy)}, {content})")

    def define(self, name: str, expression: str) -> str:
        """Bind a Typst expression (e.g. a hatched fill) to ``name`` once per chart; returns the name."""
        self.body.append(f"let {name} = {expression}")
        return name

    def rect(self, x: float, y: float, width: float, height: float, fill: str, stroke: str | None = None) -> None:
        """A rectangle with its top left corner at (x, y); ``fill`` and ``stroke`` are Typst paints/strokes."""
        self.rects.append(Rect(x, y, width, height, fill))
        box = f"rect(width: {pt(width)}, height: {pt(height)}, fill: {fill}, stroke: {stroke or 'none'})"
        self.place(x, y, box)

    def line(self, x1: float, y1: float, x2: float, y2: float, colour: str, width: float, dash: str = "") -> None:
        """A straight line; ``dash`` is a Typst dash pattern such as ``(4pt, 2pt)``."""
        stroke = f"(paint: {rgb(colour)}, thickness: {pt(width)}" + (f", dash: {dash})" if dash else ")")
        self.body.append(f"place(line(start: ({pt(x1)}, {pt(y1)}), end: ({pt(x2)}, {pt(y2)}), stroke: {stroke}))")

    def dot(self, x: float, y: float, radius: float, colour: str) -> None:
        """A filled circle centred on (x, y)."""
        self.place(x - radius, y - radius, f"circle(radius: {pt(radius)}, fill: {rgb(colour)})")

    def text(
        self,
        x: float,
        y: float,
        value: str,
        size: float,
        colour: str,
        h: str = "center",
        v: str = "bottom",
        bold: bool = False,
        upright: bool = True,
        backing: bool = False,
    ) -> None:
        """Text anchored like :meth:`place` (bottom = baseline); not upright: turned to read upwards.

        ``backing``: on a white patch, so that a line passing behind does not run through the text.
        """
        self.texts.append(value)
        weight = ', weight: "bold"' if bold else ""
        content = f"text(size: {pt(size)}, fill: {rgb(colour)}{weight}, {typst_str(value)})"
        if "\n" in value:
            content = f"align(center, {content})"
        if backing:
            content = f"box(fill: white, outset: (x: 1pt, y: 1.5pt), {content})"
        if not upright:
            content = f"rotate(-90deg, reflow: true, {content})"
        self.place(x, y, content, h, v)

    def legend(self, y: float, entries: Sequence[tuple[str, str]], colour: str, size: float = 7.5) -> None:
        """A centred row of (swatch markup, label) entries with its bottom at y."""
        self.texts.extend(label for _, label in entries)
        items = [
            f"box({swatch}) + h(4pt) + box(text(size: {pt(size)}, fill: {rgb(colour)}, {typst_str(label)}))"
            for swatch, label in entries
        ]
        self.place(self.width / 2, y, f"stack(dir: ltr, spacing: 16pt, {', '.join(items)})", "center", "bottom")

    def markup(self) -> str:
        """The canvas as one Typst page."""
        marks = "\n  ".join(self.body)
        return f"#page(width: {pt(self.width)}, height: {pt(self.height)}, {{\n  {marks}\n}})\n"


def swatch(fill: str, stroke: str, width: float = 20.0, height: float = 9.0) -> str:
    """A legend swatch: a small filled rectangle."""
    return f"rect(width: {pt(width)}, height: {pt(height)}, fill: {fill}, stroke: {stroke})"


@dataclass(frozen=True)
class Axes:
    """A plot area on a canvas (points) and the data range it shows; ``x``/``y`` map data to points."""

    left: float
    top: float
    width: float
    height: float
    x_min: float
    x_max: float
    y_min: float
    y_max: float

    def x(self, value: float) -> float:
        return self.left + (value - self.x_min) / (self.x_max - self.x_min) * self.width

    def y(self, value: float) -> float:
        return self.top + self.height - (value - self.y_min) / (self.y_max - self.y_min) * self.height

    @property
    def bottom(self) -> float:
        return self.top + self.height


def nice_ticks(low: float, high: float, most: int = 8, whole: bool = False) -> list[float]:
    """Round tick values from ``low`` to ``high`` (steps of 1, 2, 2.5 or 5 times a power of ten), at most ``most``."""
    if high <= low:
        return [low]
    raw = (high - low) / max(most - 1, 1)
    magnitude = 10 ** floor(log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole:
        step = max(1.0, float(round(step)))
    first = -(-low // step) * step
    count = int((high - first) / step + 1e-9) + 1
    return [round(first + i * step, 10) for i in range(count)]


def tick_decimals(ticks: Sequence[float]) -> int:
    """The fewest decimals (up to 3) that write every tick exactly: 97.5 needs 1, 99.25 needs 2."""
    return next((d for d in range(4) if all(abs(round(t, d) - t) < 1e-9 for t in ticks)), 3)


def frame(
    canvas: Canvas,
    axes: Axes,
    y_ticks: Sequence[tuple[float, str]],
    x_ticks: Sequence[tuple[float, str]],
    ink: str,
    muted: str,
    tick_size: float = 7.0,
) -> None:
    """Grid lines and labelled ticks on the y axis, labelled ticks on the x axis, left and bottom spines."""
    for value, label in y_ticks:
        y = axes.y(value)
        canvas.line(axes.left, y, axes.left + axes.width, y, "#d0d0d0", 0.5)
        canvas.line(axes.left - 3, y, axes.left, y, muted, 0.6)
        if label:
            canvas.text(axes.left - 5, y, label, tick_size, ink, h="right", v="horizon")
    for value, label in x_ticks:
        x = axes.x(value)
        canvas.line(x, axes.bottom, x, axes.bottom + 3, muted, 0.6)
        if label:
            canvas.text(x, axes.bottom + 5, label, tick_size, ink, v="top")
    canvas.line(axes.left, axes.top, axes.left, axes.bottom, muted, 0.8)
    canvas.line(axes.left, axes.bottom, axes.left + axes.width, axes.bottom, muted, 0.8)


def compile_pngs(canvases: Sequence[Canvas]) -> list[bytes]:
    """Each canvas as a PNG at :data:`PPI`: all laid out in one Typst run, as the pages of one document."""
    source = PREAMBLE + "".join(c.markup() for c in canvases)
    pages = typst.compile(source.encode(), font_paths=fonts(), ignore_system_fonts=True, format="png", ppi=PPI)
    result = pages if isinstance(pages, list) else [pages]
    assert len(result) == len(canvases), "one page per chart"
    return [bytes(p) for p in result]

"""Bijlage A's tables laid out before Typst: widths from the shipped font, line breaks, lines per row.

The template gives every row a fixed height from its number of lines, so a
line that Typst would have to break again would overflow into the next row:
the estimated width must never be less than what Typst measures.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import typst

from sla_app.documents import pdf_report
from sla_app.documents.pdf_report import EVIDENCE, INSET_X, pdf_data
from sla_app.documents.pdf_table import TEXT_WIDTH_PT, Column, fixed_table, metrics, wrap


def typst_widths(lines: list[str], size: float, bold: bool) -> list[float]:
    """What Typst measures for each line (points), with the template's font."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "lines.json").write_text(json.dumps(lines), encoding="utf-8")
        weight = "bold" if bold else "regular"
        (root / "m.typ").write_text(
            f'#set text(font: "DejaVu Sans", size: {size}pt, weight: "{weight}", lang: "nl")\n'
            '#context [#metadata(json("lines.json").map(l => measure(text(l)).width.pt()))<w>]\n',
            encoding="utf-8",
        )
        found = typst.query(
            str(root / "m.typ"),
            "<w>",
            field="value",
            root=str(root),
            font_paths=pdf_report.fonts(),
            ignore_system_fonts=True,
        )
    (widths,) = json.loads(found)
    return widths


@pytest.mark.parametrize("tenant", ["almelo", "enschede", "hengelo"])
def test_evidence_lines_fit_their_columns_as_typst_measures_them(tenant: str, reports: dict[str, Any]) -> None:
    data = pdf_data(reports[tenant], ())
    size, columns = EVIDENCE
    tables = [g["table"] for g in data["evidence"]] + [t for t in data["tables"].values() if t]
    assert all(t is not None for t in tables) and len(tables) >= 5
    assert sum(len(g["table"]["rows"]) for g in data["evidence"]) == len(reports[tenant]["outcomes"])
    for group in data["evidence"]:
        assert len(group["table"]["rows"]) == len(group["table"]["met"])
    for table in tables:
        assert len(table["rows"]) == len(table["lines"])
        assert sum(table["widths"]) == pytest.approx(TEXT_WIDTH_PT, abs=0.1)
        for i, column in enumerate(columns if table["size"] == size else [Column("")] * len(table["widths"])):
            lines = sorted({line for row in table["rows"] for line in row[i].split("\n")})
            room = table["widths"][i] - 2 * INSET_X
            measured = typst_widths(lines, table["size"], column.bold)
            assert all(w <= room for w in measured), (column.header, max(zip(measured, lines)))
        for row, lines in zip(table["rows"], table["lines"], strict=True):
            assert lines == max(cell.count("\n") + 1 for cell in row)


def test_estimates_are_never_below_typst_even_with_kerning_pairs_and_unknown_characters() -> None:
    samples = ["AVATAR Te Yo LT", "1 oktober 2026 05:04", "loopt nog, meer dan 8 u 00 min", "✔ ja", "Ωμέγα 漢字"]
    for bold in (False, True):
        for line, width in zip(samples, typst_widths(samples, 10.0, bold), strict=True):
            assert metrics().width(line, 10.0, bold) >= width, line


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("geen", 50.0, ["geen"]),
        ("loopt nog, meer dan 8 u 00 min", 80.0, ["loopt nog, meer dan", "8 u 00 min"]),
        ("a – b\nc – d", 500.0, ["a – b", "c – d"]),
        ("MMMM", 10.0, ["M", "M", "M", "M"]),
    ],
    ids=[
        "a short cell stays one line",
        "a long cell breaks at a space",
        "own newlines are kept",
        "a word wider than the column is cut between characters",
    ],
)
def test_wrap(text: str, width: float, expected: list[str]) -> None:
    assert wrap(text, width, 7.4) == expected


def test_columns_are_as_wide_as_their_widest_line_and_the_flexible_one_takes_the_rest() -> None:
    columns = [Column("Melding", cap=80), Column("Toelichting"), Column("Op", cap=200)]
    rows = [["M2605-0039-LANG", "een heel lange toelichting " * 10, "1 mei"], ["M1", "kort", "31 december 2026"]]
    table = fixed_table(columns, rows, 8.0, 4.0)
    assert table["widths"][0] - 8.0 == pytest.approx(metrics().width("M2605-0039-LANG", 8.0), abs=0.01)
    assert table["widths"][2] - 8.0 == pytest.approx(metrics().width("31 december 2026", 8.0), abs=0.01)
    assert sum(table["widths"]) == pytest.approx(TEXT_WIDTH_PT, abs=0.1)
    assert table["lines"][0] > 1 and table["lines"][1] == 1


def test_the_widest_allowed_ids_and_unbroken_pauses_never_push_a_table_past_the_page() -> None:
    """Identifiers may be 200 characters (measurement §8.3); a cell without spaces is cut, not overflowed."""
    columns = [Column("Melding", cap=80), Column("Pauzes"), Column("Beoordeeld op", cap=100)]
    rows = [["W" * 200, "W" * 300, "1 mei 2026 om 10:00"]]
    table = fixed_table(columns, rows, 7.4, 4.0)
    assert sum(table["widths"]) == pytest.approx(TEXT_WIDTH_PT, abs=0.1)
    for width, cell in zip(table["widths"], table["rows"][0], strict=True):
        assert all(metrics().width(line, 7.4) <= width - 8.0 for line in cell.split("\n"))
    assert table["rows"][0][0].replace("\n", "") == "W" * 200, "nothing of the id is lost"

"""The report as PDF/A-2b and PDF/UA-1 (tagged), laid out by Typst (the ``typst`` wheel: no system libraries).

The template ``templates/report.typ`` reads the same display-ready Dutch
strings as the e-mail (:func:`~sla_app.documents.content.context`) from
``data.json`` and the chart PNGs from files, in a scratch folder that is the
Typst root (nothing outside it can be read). Only the fonts shipped in
``fonts/`` (DejaVu Sans, licence in ``fonts/LICENSE_DEJAVU``) are used: system
fonts and Typst's embedded fonts are ignored, so the PDF looks the same on
every machine. The document's title, language (``nl``), alt text of every
figure and the creation date (the report's ``as_of``, so the bytes do not
depend on when the PDF was made) are set; Typst writes the XMP identification
of both standards.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import typst

from sla_app.documents.chart_style import Chart
from sla_app.documents.content import context
from sla_app.documents.pdf_table import Column, fixed_table

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "templates" / "report.typ"
FONTS = HERE / "fonts"
PDF_STANDARDS = ["a-2b", "ua-1"]
INSET_X = 4.0  # pt, left and right of each cell of the long tables (the template's inset)
# The long tables, laid out in Python (pdf_table): (text size in pt, columns); a column without cap is flexible.
EVIDENCE = (
    7.4,
    [
        Column("Melding", cap=80),
        Column("Prioriteit", cap=60),
        Column("Verstreken", cap=80),
        Column("Streeftijd", cap=60),
        Column("Binnen streeftijd", cap=50, bold=True),
        Column("Pauzes"),
        Column("Beoordeeld op", cap=100),
    ],
)
BREACHED = (
    8.3,
    [
        Column("Melding", cap=80),
        Column("Service level"),
        Column("Prioriteit", cap=60),
        Column("Werkelijke tijd", cap=90),
        Column("Streeftijd", cap=60),
        Column("Overschreden op", cap=110),
    ],
)
PENDING = (
    7.6,
    [
        Column("Melding", cap=80),
        Column("Service level"),
        Column("Prioriteit", cap=60),
        Column("Verstreken", cap=90),
        Column("Streeftijd", cap=60),
    ],
)
NOT_COUNTED = (
    8.3,
    [Column("Melding", cap=80), Column("Prioriteit", cap=60), Column("Geopend", cap=110), Column("Reden")],
)


@lru_cache(maxsize=1)
def fonts() -> typst.Fonts:
    """The shipped fonts only (loaded once per process)."""
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)])


def pdf_data(report: dict[str, Any], charts: tuple[Chart, ...], contact: str | None = None) -> dict[str, Any]:
    """What the template shows: the documents' shared context, charts as file names.

    The long tables are laid out here (see :mod:`~sla_app.documents.pdf_table`):
    each group of Bijlage A gets ``table`` (column widths, cells with their
    line breaks, lines per row, ``met`` per row) and ``tables`` holds the
    breached, pending and not-counted ones; ``None`` when a table has no rows.
    Their rows are then dropped from the context (the template reads each once).
    """
    data = context(report, {c.content_id: f"chart-{i}.png" for i, c in enumerate(charts)}, charts, contact)
    for group in data["evidence"]:
        group["table"] = _table(EVIDENCE, [_evidence_cells(o) for o in group["rows"]])
        if group["table"]:
            group["table"]["met"] = [o["met"] for o in group["rows"]]
    basis = data["basis"]
    tables = {
        "breached": _table(
            BREACHED, [_cells(o, "ticket metric priority elapsed target decided_at") for o in data["breached"]]
        ),
        "pending": _table(PENDING, [_cells(o, "ticket metric priority elapsed target") for o in basis["pending"]]),
        "not_counted": _table(
            NOT_COUNTED, [_cells(n, "ticket priority opened_at reason") for n in basis["not_counted"]]
        ),
    }
    # the rows are in the tables now: the template need not parse them twice
    for group in data["evidence"]:
        del group["rows"]
    del data["breached"], basis["pending"], basis["not_counted"]
    return data | {"tables": tables}


def _table(spec: tuple[float, list[Column]], rows: list[list[str]]) -> dict[str, Any] | None:
    size, columns = spec
    return fixed_table(columns, rows, size, INSET_X) | {"size": size, "inset_x": INSET_X} if rows else None


def _cells(item: dict[str, Any], keys: str) -> list[str]:
    return [item[k] for k in keys.split()]


def _evidence_cells(outcome: dict[str, Any]) -> list[str]:
    pauses = "\n".join(outcome["pauses"]) or "geen"
    met = "✔ ja" if outcome["met"] else "✘ nee"
    return [
        outcome["ticket"],
        outcome["priority"],
        outcome["elapsed"],
        outcome["target"],
        met,
        pauses,
        outcome["decided_at"],
    ]


def pdf_bytes(report: dict[str, Any], charts: tuple[Chart, ...], contact: str | None = None) -> bytes:
    """The PDF/A-2b + PDF/UA-1 document."""
    created = report.get("as_of")
    with tempfile.TemporaryDirectory(prefix="sla-pdf-") as scratch:
        root = Path(scratch)
        (root / "report.typ").write_bytes(TEMPLATE.read_bytes())
        (root / "data.json").write_text(json.dumps(pdf_data(report, charts, contact)), encoding="utf-8")
        for i, chart in enumerate(charts):
            (root / f"chart-{i}.png").write_bytes(chart.png)
        compiler = typst.Compiler(
            str(root / "report.typ"), root=str(root), font_paths=fonts(), ignore_system_fonts=True
        )
        data = compiler.compile(
            format="pdf",
            pdf_standards=PDF_STANDARDS,
            timestamp=datetime.fromisoformat(created) if created else None,
        )
    assert isinstance(data, bytes)
    return data

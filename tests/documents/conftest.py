"""Fixtures for the report document tests: the sample month's report JSON, rendered once per session.

The reports are computed by the core straight from ``samples/`` exactly as
``make demo`` does (``tools/demo.py``'s ``core_reports``: as_of 5 June 2026,
May 2026), so the documents are checked against the real model. ``edge_report``
is a derived report with nothing decided, nothing measured and hostile text,
for the paths the sample month does not reach.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from sla_app.documents import RenderedReport
from sla_app.documents.render import render
from sla_cli.files import load_inputs
from sla_core.business_calendar import to_us
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_json import report_json

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
TENANTS = ("almelo", "enschede", "hengelo")
HOSTILE = '<script>alert("x")</script> & "Vtlb" <b>storing</b>'


@pytest.fixture(scope="session")
def reports() -> dict[str, dict[str, Any]]:
    """Each sample municipality's May 2026 report JSON (as tools.demo.core_reports)."""
    inputs = load_inputs(
        SAMPLES / "events.jsonl", SAMPLES / "availability.csv", SAMPLES / "exclusions.json", SAMPLES / "contract.json"
    )
    reporter = Reporter(
        inputs.contract, inputs.results, inputs.exclusions, to_us(datetime.fromisoformat("2026-06-05T00:00:00+02:00"))
    )
    return {t: report_json(reporter.report(t, Month(2026, 5), inputs.events)) for t in inputs.contract.tenants}


@pytest.fixture(scope="session")
def rendered(reports: dict[str, dict[str, Any]]) -> dict[str, RenderedReport]:
    """Each sample report rendered once."""
    return {tenant: render(report) for tenant, report in reports.items()}


def make_edge_report(base: dict[str, Any]) -> dict[str, Any]:
    """A report with no decided outcome, availability not measured, no holidays, no name, hostile text."""
    report = copy.deepcopy(base)
    report["tenant_name"] = None
    report["outcomes"] = []
    report["pending"] = []
    report["closed_dates"] = []
    report["incomplete_tickets"] = [{"ticket_id": "M2605-9999", "reason": "geen opened-gebeurtenis"}]
    levels = report["service_levels"]
    for metric in ("response_time", "restore_time_platform", "restore_time_application"):
        levels[metric] |= {"decided": 0, "within": 0, "value": None, "met": True, "by_priority": {}}
    availability = levels["availability"]
    for day in availability["by_day"]:
        day |= {
            "unknown_minutes": day["scheduled_minutes"],
            "down_minutes": 0.0,
            "excluded_minutes": 0.0,
            "value": None,
        }
    availability |= {"value": None, "met": None, "coverage": 0.0, "insufficiently_measured": True, "down_periods": []}
    availability |= {"unknown_minutes": availability["scheduled_minutes"], "down_minutes": 0.0}
    report["exclusions"] = [dict(report["exclusions"][0], reason=HOSTILE)]
    report["service_levels"]["load_time"] |= {"value": None, "samples": 0, "p95_seconds": None}
    return report


@pytest.fixture(scope="session")
def edge_report(reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return make_edge_report(reports["enschede"])


@pytest.fixture(scope="session")
def edge_rendered(edge_report: dict[str, Any]) -> RenderedReport:
    return render(edge_report)


class Page(HTMLParser):
    """A parsed HTML document: its text, tables (rows of cell texts), images and every start tag."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.tables: list[dict[str, Any]] = []
        self._stack: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self.feed(html)
        self.text = normalize(" ".join(self.chunks))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "table":
            self._stack.append({"caption": "", "rows": []})
        elif tag == "tr" and self._stack:
            self._stack[-1]["rows"].append([])
        elif tag in ("td", "th") and self._stack:
            self._cell = []
        elif tag == "caption":
            self._in_caption = True
        elif tag == "br":
            self.chunks.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._stack:
            self.tables.append(self._stack.pop())
        elif tag in ("td", "th") and self._cell is not None and self._stack:
            self._stack[-1]["rows"][-1].append(normalize(" ".join(self._cell)))
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._in_caption and self._stack:
            self._stack[-1]["caption"] += data

    def table(self, caption_start: str) -> dict[str, Any]:
        """The one table whose caption starts with the text given."""
        found = [t for t in self.tables if normalize(t["caption"]).startswith(caption_start)]
        assert len(found) == 1, f"tables with caption {caption_start!r}: {[t['caption'] for t in self.tables]}"
        return found[0]


def normalize(text: str) -> str:
    """Whitespace collapsed to single spaces (line breaks in PDF text and HTML source do not matter)."""
    return re.sub(r"\s+", " ", text).strip()


def pdf_image_sizes(data: bytes) -> list[tuple[int, int]]:
    """(width, height) in pixels of every image a PDF's pages draw, page by page, without decoding any.

    Walks each page's XObject resources and the form XObjects inside them, so the tests need no
    imaging library (pypdf's ``page.images`` wants Pillow, which the app does not ship).
    """
    import io

    from pypdf import PdfReader

    sizes: list[tuple[int, int]] = []

    def walk(resources: Any) -> None:
        xobjects = resources.get("/XObject") if resources else None
        for ref in (xobjects or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Image":
                sizes.append((int(xobject["/Width"]), int(xobject["/Height"])))
            elif xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in PdfReader(io.BytesIO(data)).pages:
        walk(page.get("/Resources"))
    return sizes

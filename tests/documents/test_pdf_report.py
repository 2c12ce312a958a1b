"""The PDF attachment (Typst): PDF/A-2b and PDF/UA-1 markers, shipped fonts only, and the same content as the e-mail.

Checked with pypdf on the document itself: the XMP identification of both
standards, the structure tree (tagged PDF, every figure with its alt text,
tables with header cells), language ``nl``, title, the fonts embedded, and
the text (not pixels) against the report JSON.
"""

from __future__ import annotations

import copy
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from pypdf import PdfReader

from sla_app.documents import RenderedReport, pdf_report
from sla_app.documents.charts import charts
from sla_app.documents.pdf_report import pdf_bytes
from tests.documents.conftest import TENANTS, normalize, pdf_image_sizes
from tests.documents.expectations import check_content

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
PDFUAID = "{http://www.aiim.org/pdfua/ns/id/}"


def pdf_of(result: RenderedReport) -> bytes:
    (pdf,) = [a for a in result.attachments if a.content_type == "application/pdf"]
    return pdf.data


def pdf_text(data: bytes) -> str:
    return normalize(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def identification(reader: PdfReader, namespace: str) -> dict[str, str]:
    """The properties of one XMP namespace (as attributes or as elements), e.g. ``pdfaid:part``."""
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    found: dict[str, str] = {}
    for element in ET.fromstring(xmp).iter():
        for key, value in element.attrib.items():
            if key.startswith(namespace):
                found[key[len(namespace) :]] = value
        if element.tag.startswith(namespace) and element.text:
            found[element.tag[len(namespace) :]] = element.text.strip()
    return found


def structure(reader: PdfReader) -> list[dict[str, Any]]:
    """Every structure element of the tag tree: its type and alt text, depth first."""
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if "/S" in node:
                found.append({"type": str(node["/S"]), "alt": node.get("/Alt")})
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return found


def fonts_used(reader: PdfReader) -> set[str]:
    names: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                names.add(str(descendant["/BaseFont"]).split("+")[-1])
                assert "/FontFile2" in descendant["/FontDescriptor"] or "/FontFile3" in descendant["/FontDescriptor"]
    return names


@pytest.mark.parametrize("tenant", TENANTS)
def test_pdf_says_everything_in_dutch(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    check_content(pdf_text(pdf_of(rendered[tenant])), reports[tenant])


def test_pdf_is_pdfa_2b_and_pdfua_1_with_title_language_and_tags(rendered: dict[str, RenderedReport]) -> None:
    result = rendered["enschede"]
    data = pdf_of(result)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert identification(reader, PDFAID) == {"part": "2", "conformance": "B"}
    assert identification(reader, PDFUAID) == {"part": "1"}
    assert reader.metadata.title == result.subject == "Servicerapportage Gemeente Enschede — mei 2026"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert "/OutputIntents" in root, "PDF/A needs an output intent"
    assert bool(root["/MarkInfo"]["/Marked"]), "tagged PDF"
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]), "PDF/UA: the title, not the file name"
    assert str(reader.metadata["/CreationDate"]).startswith("D:20260604220000"), "as_of, not the clock"


def test_every_figure_has_its_alt_text_and_tables_have_header_cells(
    reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    reader = PdfReader(io.BytesIO(pdf_of(rendered["enschede"])))
    elements = structure(reader)
    figures = [e for e in elements if e["type"] == "/Figure"]
    expected = [chart.alt for chart in charts(reports["enschede"])]
    assert [str(f["alt"]) for f in figures] == expected and all(len(a) > 80 for a in expected)
    types = {e["type"] for e in elements}
    assert {"/Document", "/H1", "/H2", "/Table", "/TH", "/TD", "/Caption"} <= types
    assert len(pdf_image_sizes(pdf_of(rendered["enschede"]))) == 3


def test_only_the_shipped_fonts_are_used_and_embedded(rendered: dict[str, RenderedReport]) -> None:
    reader = PdfReader(io.BytesIO(pdf_of(rendered["enschede"])))
    assert fonts_used(reader) <= {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"}
    assert pdf_report.fonts().families() == ["DejaVu Sans"], "system and Typst's own fonts are ignored"
    assert (pdf_report.FONTS / "LICENSE_DEJAVU").exists()


def test_pdf_shows_actual_time_trend_not_counted_and_contact(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    text = pdf_text(pdf_bytes(report, charts(report), "Servicedesk Stratech, 053 480 00 00"))
    assert "M2605-0039 Functiehersteltijd platform Hoog 6 u 10 min 4 u 00 min" in text
    assert "Verloop over het voortschrijdend jaar" in text and "Waarde per maand" in text
    assert "M2605-0057 Urgent" in text and "niet aan Leverancier toerekenbaar" in text
    assert "Vragen over deze rapportage: Servicedesk Stratech, 053 480 00 00" in text
    assert "– onvoldoende gemeten" in text


def test_provisional_pdf_is_marked(reports: dict[str, Any]) -> None:
    report = copy.deepcopy(reports["enschede"]) | {"status": "provisional", "missing_days": ["2026-05-31"]}
    data = pdf_bytes(report, charts(report))
    text = pdf_text(data)
    assert "VOORLOPIGE SERVICERAPPORTAGE" in text and "Voorlopig." in text and "31 mei" in text
    assert PdfReader(io.BytesIO(data)).metadata.title.startswith("Voorlopige servicerapportage")


def test_edge_report_pdf(edge_report: dict[str, Any], edge_rendered: RenderedReport) -> None:
    text = pdf_text(pdf_of(edge_rendered))
    check_content(text, edge_report)
    assert '<script>alert("x")</script>' in text


def month_end_sized(report: dict[str, Any], outcomes: int = 650) -> dict[str, Any]:
    """The sample report with its decided outcomes repeated (distinct ticket ids) up to a month end's ~650."""
    big = copy.deepcopy(report)
    base = report["outcomes"]
    big["outcomes"] = [
        copy.deepcopy(base[i % len(base)]) | {"ticket_id": f"{base[i % len(base)]['ticket_id']}-{i // len(base)}"}
        for i in range(outcomes)
    ]
    return big


def test_a_month_end_sized_pdf_lists_every_outcome(reports: dict[str, Any]) -> None:
    """Its speed is a benchmark figure (``python -m benchmarks month-end``), not a test."""
    report = month_end_sized(reports["enschede"])
    text = pdf_text(pdf_bytes(report, charts(report)))
    check_content(text, report)

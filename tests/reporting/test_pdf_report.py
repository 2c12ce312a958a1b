"""The PDF attachment: PDF/A-2b metadata, title and language, and the same content as the e-mail (text, not pixels)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from pypdf import PdfReader

from sla_app.reporting import RenderedReport
from tests.reporting.conftest import TENANTS, normalize
from tests.reporting.expectations import check_content

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


def pdf_of(result: RenderedReport) -> bytes:
    (pdf,) = [a for a in result.attachments if a.content_type == "application/pdf"]
    return pdf.data


def pdf_text(data: bytes) -> str:
    return normalize(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def pdfa_identification(reader: PdfReader) -> dict[str, str]:
    """``pdfaid:part`` and ``pdfaid:conformance`` from the XMP packet (as attributes or as elements)."""
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    found: dict[str, str] = {}
    for element in ET.fromstring(xmp).iter():
        for key, value in element.attrib.items():
            if key.startswith(PDFAID):
                found[key[len(PDFAID) :]] = value
        if element.tag.startswith(PDFAID) and element.text:
            found[element.tag[len(PDFAID) :]] = element.text.strip()
    return found


@pytest.mark.parametrize("tenant", TENANTS)
def test_pdf_says_everything_in_dutch(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    check_content(pdf_text(pdf_of(rendered[tenant])), reports[tenant])


def test_pdf_is_pdfa_2b_with_title_and_language(rendered: dict[str, RenderedReport]) -> None:
    result = rendered["enschede"]
    data = pdf_of(result)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert pdfa_identification(reader) == {"part": "2", "conformance": "B"}
    assert reader.metadata.title == result.subject == "Servicerapportage Gemeente Enschede — mei 2026"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert "/OutputIntents" in root, "PDF/A needs an output intent"
    assert root["/MarkInfo"]["/Marked"], "tagged PDF"
    assert str(reader.metadata["/CreationDate"]).startswith("D:20260605")


def test_pdf_embeds_the_charts(rendered: dict[str, RenderedReport]) -> None:
    reader = PdfReader(io.BytesIO(pdf_of(rendered["enschede"])))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) >= 2


def test_edge_report_pdf(edge_report: dict[str, Any], edge_rendered: RenderedReport) -> None:
    text = pdf_text(pdf_of(edge_rendered))
    check_content(text, edge_report)
    assert '<script>alert("x")</script>' in text

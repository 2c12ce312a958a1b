"""``render(report)``: subject, plain text, inline images and attachments with names and MIME types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from sla_app.documents import RenderedReport
from sla_app.documents.render import render
from sla_core.report_text import report_text

ROOT = Path(__file__).resolve().parents[2]


def test_rendered_report(reports: dict[str, Any], rendered: dict[str, RenderedReport]) -> None:
    result = rendered["enschede"]
    assert result.subject == "Servicerapportage Gemeente Enschede — mei 2026"
    assert result.text == report_text(reports["enschede"])
    assert set(result.inline_images) == {
        "beschikbaarheid@servicerapportage",
        "meldingen@servicerapportage",
        "verloop@servicerapportage",
    }
    assert [(a.name, a.content_type) for a in result.attachments] == [
        ("servicerapportage-enschede-2026-05.pdf", "application/pdf"),
        ("servicerapportage-enschede-2026-05.ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ]
    assert result.attachments[0].data.startswith(b"%PDF-")
    assert result.attachments[1].data.startswith(b"PK")


def test_every_tenant_gets_its_own_subject_and_files(rendered: dict[str, RenderedReport]) -> None:
    subjects = {tenant: result.subject for tenant, result in rendered.items()}
    assert subjects == {
        "almelo": "Servicerapportage Gemeente Almelo — mei 2026",
        "enschede": "Servicerapportage Gemeente Enschede — mei 2026",
        "hengelo": "Servicerapportage Gemeente Hengelo — mei 2026",
    }
    for tenant, result in rendered.items():
        assert all(a.name.startswith(f"servicerapportage-{tenant}-2026-05.") for a in result.attachments)


def test_the_package_face_hands_on_the_records_and_loads_no_renderer() -> None:
    code = "import sys, sla_app.documents as d; print(d.RenderedReport.__name__, 'typst' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["RenderedReport", "False"]


def test_contact_is_in_every_document_and_reply_to_goes_to_the_mailer(reports: dict[str, Any]) -> None:
    contact = "Servicedesk Stratech, 053 480 00 00"
    result = render(reports["almelo"], contact=contact, reply_to="servicedesk@stratech.example")
    assert result.reply_to == "servicedesk@stratech.example"
    assert result.text.endswith(f"Vragen over deze rapportage: {contact}")
    assert f"Vragen over deze rapportage: {contact}" in result.html
    import io
    import zipfile

    from pypdf import PdfReader

    pdf, ods = result.attachments
    assert contact in " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert contact.encode() in zipfile.ZipFile(io.BytesIO(ods.data)).read("content.xml")
    assert render(reports["almelo"]).reply_to is None


def test_the_charts_are_drawn_once_and_the_email_and_pdf_show_the_same_pictures(
    reports: dict[str, Any], monkeypatch: Any
) -> None:
    from sla_app.documents import chart_draw, charts
    from tests.documents.conftest import pdf_image_sizes

    runs: list[int] = []
    compile_pngs = chart_draw.compile_pngs

    def counted(canvases: Any) -> list[bytes]:
        runs.append(len(canvases))
        return compile_pngs(canvases)

    monkeypatch.setattr(charts, "compile_pngs", counted)
    result = render(reports["hengelo"])
    assert runs == [3], "one Typst run for the three charts"
    shown = pdf_image_sizes(result.attachments[0].data)
    inline = [png_size(png) for png in result.inline_images.values()]
    assert shown == inline and all(width == 1080 for width, _ in inline)


def png_size(png: bytes) -> tuple[int, int]:
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")

"""The report as PDF/A-2b: the same template as the e-mail, with print styles, rendered by WeasyPrint.

Charts are embedded as data URIs. The document title comes from ``<title>``,
the language from ``<html lang="nl">``; the creation date is the report's
``as_of``, so the metadata does not depend on when the PDF was made.
"""

from __future__ import annotations

from typing import Any

from weasyprint import HTML

from sla_app.reporting.charts import Chart
from sla_app.reporting.html_report import TEMPLATES, data_uri, render_template
from sla_app.reporting.styles import PRINT

PDF_VARIANT = "pdf/a-2b"


def pdf_html(report: dict[str, Any], charts: tuple[Chart, ...]) -> str:
    """The HTML that is laid out as the PDF."""
    return render_template(
        "pdf.html.j2",
        report,
        charts,
        {c.content_id: data_uri(c.png) for c in charts},
        s=PRINT,
        stylesheet=(TEMPLATES / "print.css").read_text(encoding="utf-8"),
        created=report.get("as_of"),
    )


def pdf_bytes(report: dict[str, Any], charts: tuple[Chart, ...]) -> bytes:
    """The PDF/A-2b document."""
    document = HTML(string=pdf_html(report, charts), base_url=str(TEMPLATES))
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)

"""``render(report)``: one tenant-month report JSON as e-mail body, plain text, PDF and ODS."""

from __future__ import annotations

from typing import Any

from sla_app.documents.charts import charts
from sla_app.documents.content import subject
from sla_app.documents.html_report import email_html
from sla_app.documents.ods_report import MIME_TYPE as ODS_TYPE
from sla_app.documents.ods_report import ods_bytes
from sla_app.documents.pdf_report import pdf_bytes
from sla_app.documents.rendered import Attachment, RenderedReport
from sla_core.report_text import report_text

PDF_TYPE = "application/pdf"


def file_stem(report: dict[str, Any]) -> str:
    """``servicerapportage-enschede-2026-05``: the attachments' name without extension."""
    return f"servicerapportage-{report['tenant']}-{report['month']}"


def plain_text(report: dict[str, Any], contact: str | None = None) -> str:
    """The plain-text part of the e-mail: the summary, then whom to ask."""
    text = report_text(report)
    return f"{text}\n\nVragen over deze rapportage: {contact}" if contact else text


def render(report: dict[str, Any], contact: str | None = None, reply_to: str | None = None) -> RenderedReport:
    """The report as documents: subject, HTML body with inline chart images, text, PDF and ODS attachments.

    Each chart is drawn once (three Typst pages compiled to PNG in one run, ``charts.py``); the same PNG
    bytes are the e-mail's inline ``cid:`` images and the PDF's figures. ``contact`` (setting
    ``SLA_REPORT_CONTACT``) is printed in every document; ``reply_to`` (``SLA_REPLY_TO``) goes to the mailer.
    """
    figures = charts(report)
    stem = file_stem(report)
    return RenderedReport(
        subject=subject(report),
        html=email_html(report, figures, contact),
        text=plain_text(report, contact),
        inline_images={chart.content_id: chart.png for chart in figures},
        attachments=(
            Attachment(f"{stem}.pdf", PDF_TYPE, pdf_bytes(report, figures, contact)),
            Attachment(f"{stem}.ods", ODS_TYPE, ods_bytes(report, contact)),
        ),
        reply_to=reply_to,
    )

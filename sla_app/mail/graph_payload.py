"""The Graph ``message`` resource of a rendered report and its ``#microsoft.graph.fileAttachment`` objects.

What is sent, not how: the HTML body, the To recipients and the delivery
header (:data:`~sla_app.mail.message.DELIVERY_HEADER`), and the files of a
report as Graph attachments: the inline chart images first (``isInline``,
``contentId`` = the ``cid:`` the HTML refers to), then the attachments, each
with base64 ``contentBytes``. :class:`~sla_app.mail.graph_mail.GraphMailer`
sends them; :class:`~sla_app.mail.outbox.Outbox` writes the same files into
an ``.eml``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sla_app.mail.message import DELIVERY_HEADER, Envelope

if TYPE_CHECKING:
    from sla_app.documents import RenderedReport


@dataclass(frozen=True)
class _File:
    """One attachment as sent: inline images carry their content id."""

    name: str
    content_type: str
    data: bytes
    content_id: str | None = None


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.lstrip().startswith((b"<svg", b"<?xml")):
        return "image/svg+xml"
    return "image/png"  # RenderedReport.inline_images holds PNG bytes


def _extension(content_type: str) -> str:
    return {"image/jpeg": "jpg", "image/svg+xml": "svg"}.get(content_type, "png")


def report_files(report: RenderedReport) -> list[_File]:
    """The inline images (first) and the attachments of a rendered report."""
    files = []
    for cid, data in report.inline_images.items():
        content_type = _image_type(data)
        files.append(_File(f"{cid}.{_extension(content_type)}", content_type, data, cid))
    files.extend(_File(a.name, a.content_type, a.data) for a in report.attachments)
    return files


def file_attachment(item: _File) -> dict[str, Any]:
    """A ``#microsoft.graph.fileAttachment`` with base64 ``contentBytes``."""
    attachment: dict[str, Any] = {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": item.name,
        "contentType": item.content_type,
        "contentBytes": base64.b64encode(item.data).decode("ascii"),
    }
    if item.content_id is not None:
        attachment.update({"isInline": True, "contentId": item.content_id})
    return attachment


def graph_message(envelope: Envelope, report: RenderedReport, files: list[_File] | None) -> dict[str, Any]:
    """The Graph ``message`` resource: HTML body, To recipients, the delivery header, optionally the files."""
    message: dict[str, Any] = {
        "subject": report.subject,
        "body": {"contentType": "HTML", "content": report.html},
        "toRecipients": [{"emailAddress": {"address": address}} for address in envelope.recipients],
        "internetMessageHeaders": [{"name": DELIVERY_HEADER, "value": envelope.tag}],
    }
    if getattr(report, "reply_to", None):
        message["replyTo"] = [{"emailAddress": {"address": report.reply_to}}]
    if files:
        message["attachments"] = [file_attachment(f) for f in files]
    return message

"""The monthly report as documents (SLA §9): an accessible HTML e-mail body, a PDF and an ODS spreadsheet.

Everything here is rendered from the report JSON (``sla_core.report_json``),
the stable interface, so a stored report renders the same as a fresh one.
:func:`render` is the entry point used by delivery and the demo.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Attachment:
    """A file attached to the e-mail."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class RenderedReport:
    """One tenant-month report as documents.

    ``html`` is the e-mail body; it refers to its chart images as
    ``cid:<content id>``, whose PNG bytes are in ``inline_images``.
    ``attachments`` holds the PDF and the ODS. ``reply_to`` is the address
    replies should go to (setting ``SLA_REPLY_TO``), None for the sender.
    """

    subject: str
    html: str
    text: str
    inline_images: dict[str, bytes] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = None


from sla_app.documents.render import render as render  # noqa: E402 — re-exported after the dataclasses render.py imports

"""What rendering a report gives: the e-mail's parts and its attachments (see ``render.py``)."""

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

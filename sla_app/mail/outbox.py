"""The local mailer: writes each message as a standard ``.eml`` file (``SLA_MAIL_MODE=outbox``).

The message is what a mail client would send::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain                      (the text version)
    │   └── multipart/related
    │       ├── text/html                   (refers to images as cid:<id>)
    │       └── image/png  Content-ID: <id> (inline, one per chart)
    ├── application/pdf                     (attachment)
    └── application/vnd.oasis.opendocument.spreadsheet (attachment)

The file is ``<outbox_dir>/<tenant>-<month>-v<version>.eml`` (other kinds:
``<tenant>-<month>-<kind>-v<version>.eml``); it is created
exclusively, never overwritten: a forced resend of the same version gets a
``-2``, ``-3``… suffix. Open it with any mail client, or with
``email.parser.BytesParser(policy=email.policy.default)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from sla_app.mail.graph_payload import report_files
from sla_app.mail.message import (
    DELIVERY_HEADER,
    NOT_SENT,
    Envelope,
    MailError,
    Receipt,
)

if TYPE_CHECKING:
    from sla_app.documents import RenderedReport

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
MAX_COPIES = 100


def build_message(envelope: Envelope, report: RenderedReport, sender: str, now: datetime) -> EmailMessage:
    """The report as one MIME message (text + HTML alternative, inline images by Content-ID, attachments)."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = ", ".join(envelope.recipients)
    message["Subject"] = report.subject
    if getattr(report, "reply_to", None):
        message["Reply-To"] = report.reply_to
    message["Date"] = format_datetime(now.astimezone(UTC))
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=envelope.delivery_id[:16] or None, domain=domain)
    message[DELIVERY_HEADER] = envelope.tag
    message.set_content(report.text, subtype="plain", charset="utf-8")
    message.add_alternative(report.html, subtype="html", charset="utf-8")
    html_part = message.get_payload()[1]
    files = report_files(report)
    for item in files:
        if item.content_id is None:
            continue
        maintype, _, subtype = item.content_type.partition("/")
        html_part.add_related(
            item.data,
            maintype=maintype,
            subtype=subtype,
            cid=f"<{item.content_id}>",
            disposition="inline",
            filename=item.name,
        )
    for item in files:
        if item.content_id is not None:
            continue
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(
            item.data, maintype=maintype or "application", subtype=subtype or "octet-stream", filename=item.name
        )
    return message


def file_stem(envelope: Envelope) -> str:
    """``<tenant>-<month>-v<version>`` with anything but letters, digits, ``._-`` replaced by ``_``."""
    kind = "" if envelope.kind == "report" else f"-{envelope.kind}"
    stem = f"{envelope.tenant}-{envelope.month}{kind}-v{envelope.version}"
    return _UNSAFE.sub("_", stem).lstrip(".") or "report"


class Outbox:
    """Writes messages into a folder instead of sending them."""

    mode = "outbox"

    def __init__(
        self, directory: str | Path, sender: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.directory = Path(directory)
        self.sender = sender
        self._clock = clock

    def send(self, envelope: Envelope, report: RenderedReport) -> Receipt:
        """Write ``<tenant>-<month>-v<version>.eml``; the receipt's reference is its path."""
        if not envelope.recipients:
            raise MailError("no recipients", outcome=NOT_SENT)
        data = build_message(envelope, report, self.sender, self._clock()).as_bytes()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            stem = file_stem(envelope)
            for copy in range(1, MAX_COPIES + 1):
                path = self.directory / (f"{stem}.eml" if copy == 1 else f"{stem}-{copy}.eml")
                try:
                    with path.open("xb") as handle:  # exclusive: an earlier message is never overwritten
                        handle.write(data)
                except FileExistsError:
                    continue
                return Receipt(mode="outbox", reference=str(path), detail={"eml_path": str(path), "bytes": len(data)})
        except OSError as exc:
            raise MailError(f"outbox {self.directory}: {exc}", outcome=NOT_SENT) from exc
        raise MailError(f"outbox {self.directory}: more than {MAX_COPIES} copies of {stem}.eml", outcome=NOT_SENT)

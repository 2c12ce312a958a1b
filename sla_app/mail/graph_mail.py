"""Send a rendered report with Microsoft Graph (application permissions ``Mail.Send``; ``Mail.ReadWrite`` for drafts).

Endpoints (Graph v1.0, relative to the base URL ``https://graph.microsoft.com/v1.0``):

* ``POST /users/{sender}/sendMail`` with ``{"message": …, "saveToSentItems": true}``
  → ``202 Accepted``. Used when every file is under 3 MB and the JSON request
  stays within Graph's 4 MB request limit: attachments are
  ``#microsoft.graph.fileAttachment`` objects with base64 ``contentBytes``;
  the chart images are inline (``isInline: true``, ``contentId`` = the
  ``cid:`` the HTML refers to).
* Otherwise a draft: ``POST /users/{sender}/messages`` (``201``, the draft's
  ``id``); files under 3 MB ``POST …/messages/{id}/attachments`` (``201``);
  larger files ``POST …/messages/{id}/attachments/createUploadSession`` with
  an ``AttachmentItem`` (``attachmentType: file``, ``name``, ``size``,
  ``contentType``, for inline images also ``isInline``/``contentId``) →
  ``201`` with an ``uploadUrl``, to which the bytes are PUT in order in
  chunks (``Content-Range: bytes {start}-{end}/{total}``,
  ``application/octet-stream``, at most 4 MB each; here a multiple of
  320 KiB) *without* an ``Authorization`` header (the URL is
  pre-authenticated); the last chunk answers ``201``. Then
  ``POST …/messages/{id}/send`` (``202``). A draft whose attachments failed is
  deleted (best effort).

The token, the retries and the errors: :mod:`sla_app.mail.graph_client`;
the message resource and its attachments: :mod:`sla_app.mail.graph_payload`.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import httpx

from sla_app.mail.graph_client import GraphClient
from sla_app.mail.graph_payload import _File, file_attachment, graph_message, report_files
from sla_app.mail.message import NOT_SENT, Envelope, MailError, Receipt

if TYPE_CHECKING:
    from sla_app.documents import RenderedReport

LARGE_ATTACHMENT = 3_000_000  # bytes; from here on an upload session (Graph: files "between 3 MB and 150 MB")
MAX_JSON_REQUEST = 4_000_000  # bytes; Graph's request size limit is 4 MB

_log = logging.getLogger("sla_app.mail.graph")


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_JSON = {"Content-Type": "application/json"}


class GraphMailer(GraphClient):
    """Sends reports from one mailbox (``SLA_MAIL_SENDER``) through Microsoft Graph."""

    mode = "graph"

    # -- sending ------------------------------------------------------------------

    def send(self, envelope: Envelope, report: RenderedReport) -> Receipt:
        """Send one report; a Receipt (with Graph's request id) or MailError."""
        if not envelope.recipients:
            raise MailError("no recipients", outcome=NOT_SENT)
        files = report_files(report)
        if all(len(f.data) < LARGE_ATTACHMENT for f in files):
            body = _json({"message": graph_message(envelope, report, files), "saveToSentItems": True})
            if len(body) <= MAX_JSON_REQUEST:
                response = self._call(
                    "sendMail",
                    "POST",
                    self._url("sendMail"),
                    content=body,
                    headers=_JSON,
                    expected=(202,),
                    sends_mail=True,
                )
                return self._receipt(response, "sendMail")
        return self._send_draft(envelope, report, files)

    def _send_draft(self, envelope: Envelope, report: RenderedReport, files: list[_File]) -> Receipt:
        draft = self._call(
            "create draft",
            "POST",
            self._url("messages"),
            content=_json(graph_message(envelope, report, None)),
            headers=_JSON,
            expected=(201,),
        )
        try:
            message_id = str(draft.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise MailError("create draft: the answer has no message id", outcome=NOT_SENT) from exc
        try:
            for item in files:
                if len(item.data) < LARGE_ATTACHMENT:
                    self._call(
                        f"attach {item.name}",
                        "POST",
                        self._message_url(message_id, "/attachments"),
                        content=_json(file_attachment(item)),
                        headers=_JSON,
                        expected=(201,),
                    )
                else:
                    self._upload(message_id, item)
            response = self._call(
                "send draft",
                "POST",
                self._message_url(message_id, "/send"),
                content=b"",
                expected=(202,),
                sends_mail=True,
            )
        except MailError as exc:
            if not exc.unknown:
                self._discard(message_id)
            raise
        return self._receipt(response, "draft", message_id=message_id)

    def _upload(self, message_id: str, item: _File) -> None:
        """Attach a large file through an upload session, chunk by chunk."""
        attachment_item: dict[str, Any] = {
            "attachmentType": "file",
            "name": item.name,
            "size": len(item.data),
            "contentType": item.content_type,
        }
        if item.content_id is not None:
            attachment_item.update({"isInline": True, "contentId": item.content_id})
        session = self._call(
            f"upload session for {item.name}",
            "POST",
            self._message_url(message_id, "/attachments/createUploadSession"),
            content=_json({"AttachmentItem": attachment_item}),
            headers=_JSON,
            expected=(201,),
        )
        try:
            upload_url = str(session.json()["uploadUrl"])
        except (ValueError, KeyError, TypeError) as exc:
            raise MailError(f"upload session for {item.name}: no uploadUrl", outcome=NOT_SENT) from exc
        total, offset = len(item.data), 0
        for _ in range(2 * (total // self._chunk + 1) + 2):
            end = min(offset + self._chunk, total)
            response = self._call(
                f"upload {item.name} bytes {offset}-{end - 1}",
                "PUT",
                upload_url,
                content=item.data[offset:end],
                headers={
                    "Content-Type": "application/octet-stream",
                    "Content-Range": f"bytes {offset}-{end - 1}/{total}",
                },
                expected=(200, 201),
                auth=False,
            )
            if response.status_code == 201:
                return
            offset = self._next_offset(response, end)
            if offset >= total:
                break
        raise MailError(f"upload of {item.name}: the upload session did not complete", outcome=NOT_SENT)

    @staticmethod
    def _next_offset(response: httpx.Response, default: int) -> int:
        """The start of the first of ``nextExpectedRanges`` (``"2097152"`` or ``"2097152-"``), else ``default``."""
        try:
            ranges = response.json().get("nextExpectedRanges") or []
            return int(str(ranges[0]).split("-")[0])
        except (ValueError, AttributeError, IndexError, TypeError):
            return default

    def _discard(self, message_id: str) -> None:
        try:
            self._call("delete draft", "DELETE", self._message_url(message_id), expected=(204,))
        except MailError as exc:
            _log.warning("could not delete draft %s: %s", message_id, exc)

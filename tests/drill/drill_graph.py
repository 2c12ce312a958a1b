"""Microsoft Graph for the drill: the local fake Graph with faults per tenant, and its Sent Items.

A request that sends mail (``sendMail``, or a draft's ``send``) is either
*accepted* — the message is in the sender's Sent Items and on its way, it
counts as delivered — or not, independently of the answer the client gets.
That is what makes the faults below different:

========================  =========  =========================================
fault                     accepted   answer
========================  =========  =========================================
``429``                   no         429 with ``Retry-After: 3``
``429x4``                 no         429 four times: the client gives up
``503``                   no         503 (Graph failed before accepting)
``504-after``             yes        504 (a gateway lost Graph's 202)
``timeout-after``         yes        202, but later than the client waits
``reset-after``           yes        the connection is reset instead of 202
``reset-before``          no         the connection is reset, nothing sent
========================  =========  =========================================

Each tenant's faults apply to its successive send requests; afterwards Graph
answers normally. The drill renders reports with :func:`drill_render`, which
embeds the report's figures in the HTML, so every accepted mail can be
compared with the CLI.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sla_app.documents import Attachment, RenderedReport
from sla_app.mail.message import DELIVERY_HEADER
from tests.support.fake_graph import Answer, FakeGraph, Seen

FIGURES = ("service_levels", "outcomes", "trailing_12_months", "pending", "incomplete_tickets", "not_measured")
FIGURES_ATTACHMENT = "drill-figures.json"
TIMEOUT_SECONDS = 2.0  # the drill's GraphMailer waits this long for an answer
_MARK = re.compile(r"<!--drill:(\{.*?\})-->", re.S)
_FAULTS: dict[str, tuple[bool, list[Answer]]] = {
    "429": (False, [Answer(429, {"Retry-After": "3"})]),
    "503": (False, [Answer(503)]),
    "429x4": (False, [Answer(429, {"Retry-After": "3"})] * 4),
    "504-after": (True, [Answer(504)]),
    "timeout-after": (True, [Answer(202, delay=TIMEOUT_SECONDS + 1.0)]),
    "reset-after": (True, [Answer(0, reset=True)]),
    "reset-before": (False, [Answer(0, reset=True)]),
}
FAULTS = tuple(_FAULTS)


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """The figures of a report JSON that the drill compares (no instants of computation)."""
    return {key: report.get(key) for key in FIGURES}


def digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def drill_render(report: dict[str, Any], *args: Any, **kwargs: Any) -> RenderedReport:
    """A cheap stand-in for the PDF/ODS renderer (25 s a report): the figures travel as a JSON attachment.

    (An attachment, because a correction e-mail has its own body but carries the corrected report's files.)
    """
    mark = {
        "tenant": report.get("tenant"),
        "month": report.get("month"),
        "status": report.get("status"),
        "missing_days": report.get("missing_days"),
        "figures": figures(report),
    }
    text = f"SLA-rapportage {report.get('month')} {report.get('tenant')}"
    html = f"<html><body><p>{text}</p><!--drill:{json.dumps(mark, sort_keys=True)}--></body></html>"
    data = json.dumps(mark, sort_keys=True).encode()
    return RenderedReport(
        subject=text, html=html, text=text, attachments=(Attachment(FIGURES_ATTACHMENT, "application/json", data),)
    )


@dataclass(frozen=True)
class Mail:
    """One accepted message (in Sent Items)."""

    tenant: str
    month: str
    version: int | None
    tag: str
    subject: str
    recipients: tuple[str, ...]
    status: str | None
    figures: dict[str, Any] | None
    accepted_at: datetime  # on the simulated clock

    @property
    def digest(self) -> str:
        return digest(self.figures)


def _marked(message: dict[str, Any]) -> dict[str, Any]:
    """The drill's figures from the attachment (or, for a draft without attachments yet, the HTML comment)."""
    for attachment in message.get("attachments") or []:
        if attachment.get("name") == FIGURES_ATTACHMENT:
            return dict(json.loads(base64.b64decode(attachment["contentBytes"])))
    mark = _MARK.search((message.get("body") or {}).get("content") or "")
    return dict(json.loads(mark.group(1))) if mark else {}


def _mail(seen: Seen, at: datetime) -> Mail | None:
    try:
        message = seen.json()["message"]
    except (ValueError, KeyError, TypeError):
        return None
    headers = {h.get("name"): h.get("value") for h in message.get("internetMessageHeaders") or []}
    tag = str(headers.get(DELIVERY_HEADER) or "")
    parts = tag.split("/")
    data = _marked(message)
    version = next((int(p[1:]) for p in parts if re.fullmatch(r"v\d+", p)), None)
    return Mail(
        tenant=str(data.get("tenant") or (parts[0] if parts else "")),
        month=str(data.get("month") or (parts[1] if len(parts) > 1 else "")),
        version=version,
        tag=tag,
        subject=str(message.get("subject") or ""),
        recipients=tuple(r["emailAddress"]["address"] for r in message.get("toRecipients") or []),
        status=data.get("status"),
        figures=data.get("figures") if data else None,
        accepted_at=at,
    )


class DrillGraph(FakeGraph):
    """The fake Graph with per-tenant faults on sending requests; ``sent`` is the Sent Items folder."""

    def __init__(self, clock: Callable[[], datetime], faults: dict[str, list[str]]) -> None:
        super().__init__()
        self._clock = clock
        self._plans = {
            tenant: [(_FAULTS[f][0], a) for f in names for a in _FAULTS[f][1]] for tenant, names in faults.items()
        }
        self.sent: list[Mail] = []
        self.faults_applied: list[tuple[str, str]] = []  # (tenant, status or "reset")
        self._drafts: dict[str, Mail | None] = {}
        self._mail_lock = threading.Lock()

    def answer(self, seen: Seen) -> Answer:
        path = seen.path.split("?")[0]
        if seen.method == "POST" and path.endswith("/sendMail"):
            mail = _mail(seen, self._clock())
        elif seen.method == "POST" and path.endswith("/send"):
            mail = self._drafts.get(path.rsplit("/", 2)[-2])
        else:
            answer = super().answer(seen)
            if seen.method == "POST" and path.endswith("/messages") and answer.status == 201:
                self._drafts[json.loads(answer.body)["id"]] = _mail(
                    Seen(seen.method, seen.path, seen.headers, json.dumps({"message": seen.json()}).encode()),
                    self._clock(),
                )
            return answer
        with self._mail_lock:
            self.requests.append(seen)
            plan = self._plans.get(mail.tenant, []) if mail is not None else []
            accepted, answer = plan.pop(0) if plan else (True, Answer(202))
            if mail is not None and (answer.status != 202 or answer.reset or answer.delay):
                self.faults_applied.append((mail.tenant, "reset" if answer.reset else str(answer.status)))
            if accepted and mail is not None:
                self.sent.append(replace(mail, accepted_at=self._clock()))
        return self._with_ids(answer)

    def mails_for(self, month: str) -> list[Mail]:
        """Accepted messages of one month, in the order they were accepted."""
        return [m for m in self.sent if m.month == month]

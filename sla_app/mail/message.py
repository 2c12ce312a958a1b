"""The types shared by the mailers and the delivery service: envelope, receipt, error, the Mailer protocol."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:  # the documents package imports the renderers; mail needs only the data class
    from sla_app.documents import RenderedReport

DELIVERY_HEADER = "X-SLA-Delivery"  # carried by every message: tenant/month/version/claim, for manual checks

NOT_SENT: Literal["not_sent"] = "not_sent"
UNKNOWN: Literal["unknown"] = "unknown"


@dataclass(frozen=True)
class Envelope:
    """Who gets one tenant-month report, and the delivery it belongs to."""

    tenant: str
    month: str
    version: int
    recipients: tuple[str, ...]
    delivery_id: str  # the claim id of the delivery record
    kind: str = "report"  # report | correction | at_risk | overview

    @property
    def tag(self) -> str:
        """The ``X-SLA-Delivery`` header: ``<tenant>/<month>/v<version>/<claim id>``, other kinds after the month."""
        kind = "" if self.kind == "report" else f"{self.kind}/"
        return f"{self.tenant}/{self.month}/{kind}v{self.version}/{self.delivery_id}"


@dataclass(frozen=True)
class Receipt:
    """What a mailer did: ``reference`` is Graph's request id or the path of the ``.eml`` file."""

    mode: str
    reference: str
    detail: dict[str, Any] = field(default_factory=dict)


class MailError(Exception):
    """Sending failed. ``outcome``: ``not_sent`` (certainly not sent) or ``unknown`` (may have been sent)."""

    def __init__(
        self,
        message: str,
        *,
        outcome: Literal["not_sent", "unknown"] = NOT_SENT,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.status = status
        self.code = code
        self.request_id = request_id
        self.attempts = attempts

    @property
    def unknown(self) -> bool:
        """Whether the message may have been sent."""
        return self.outcome == UNKNOWN

    def to_json(self) -> dict[str, Any]:
        """For the audit log."""
        return {
            "error": str(self)[:500],
            "outcome": self.outcome,
            "status": self.status,
            "code": self.code,
            "request_id": self.request_id,
            "attempts": self.attempts,
        }


class Mailer(Protocol):
    """Sends one rendered report to the envelope's recipients."""

    mode: str

    def send(self, envelope: Envelope, report: RenderedReport) -> Receipt: ...

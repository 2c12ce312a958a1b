"""What a delivery run did for one e-mail: :class:`DeliveryOutcome` and the names of its outcomes.

The delivery services answer one outcome per e-mail (a tenant's report, a
correction, a supplier's notice); the HTTP handlers answer them as JSON
(:meth:`DeliveryOutcome.to_json`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sla_app.records import REPORT, DeliveryRecord

# Outcomes of one e-mail in a run.
SENT_NOW, ALREADY_SENT, IN_PROGRESS = "sent", "already_sent", "in_progress"
FAILED_NOW, UNKNOWN_NOW, NEEDS_MANUAL_CHECK = "failed", "unknown", "needs_manual_check"
DEFERRED, ERROR = "deferred", "error"


@dataclass(frozen=True)
class DeliveryOutcome:
    """What a run did for one e-mail of a tenant-month (or of the supplier)."""

    tenant: str
    month: str
    outcome: str
    state: str | None = None
    version: int | None = None
    detail: str = ""
    kind: str = REPORT

    def to_json(self) -> dict[str, Any]:
        """As API JSON."""
        return {
            "tenant": self.tenant,
            "month": self.month,
            "kind": self.kind,
            "outcome": self.outcome,
            "state": self.state,
            "version": self.version,
            "detail": self.detail or None,
        }


def outcome_of(record: DeliveryRecord, outcome: str, detail: str = "") -> DeliveryOutcome:
    """The outcome ``outcome`` of the e-mail ``record`` stands for."""
    return DeliveryOutcome(
        record.tenant, record.month, outcome, record.state, record.report_version, detail, record.kind
    )

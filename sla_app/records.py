"""The domain records the services work with, whichever store keeps them (below services and storage alike).

Storage modules import these records and map them to and from their entities;
services, handlers and the portal never need a storage module to name one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, get_args


@dataclass(frozen=True)
class TenantRecord:
    """A tenant as stored."""

    tenant: str
    go_live: date
    contract_end: date | None = None
    name: str | None = None
    contract_override: dict[str, Any] = field(default_factory=dict)
    recipients: tuple[str, ...] = ()
    etag: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The tenant as API JSON."""
        return {
            "tenant": self.tenant,
            "go_live": self.go_live.isoformat(),
            "contract_end": None if self.contract_end is None else self.contract_end.isoformat(),
            "name": self.name,
            "contract_override": self.contract_override,
            "recipients": list(self.recipients),
        }


# -- report versions -------------------------------------------------------------------


@dataclass(frozen=True)
class StoredReport:
    """One stored version of a tenant-month report."""

    tenant: str
    month: str
    version: int
    content_hash: str
    inputs_fingerprint: str
    computed_at: str
    body: dict[str, Any]
    status: str = "final"  # "final" | "provisional" (measurement §8.5)
    watermark: str = ""  # RFC 3339 UTC: latest event-received / availability-ingested instant of the inputs
    changes: dict[str, Any] | None = None  # v >= 2: {"service_levels", "outcomes", "cause"} vs the previous version

    @property
    def has_changes(self) -> bool:
        """Whether ``changes`` holds any entry (a correction to send once a report was delivered)."""
        return bool(self.changes) and any(self.changes.get(k) for k in ("service_levels", "outcomes", "cause"))


# -- deliveries (one record per e-mail; the state machine: services.delivery_once and .delivery_month) ---

# The states of a delivery record; "not_needed": a correction that changed no figure, nothing to mail.
DeliveryState = Literal["sending", "sent", "failed", "no_recipients", "no_report", "not_final", "not_needed"]
STATES: tuple[str, ...] = get_args(DeliveryState)
SENDING, SENT, FAILED, NO_RECIPIENTS, NO_REPORT, NOT_FINAL, NOT_NEEDED = STATES

# Which e-mail of a tenant-month a record is about.
DeliveryKind = Literal["report", "correction", "at_risk", "overview"]
KINDS: tuple[str, ...] = get_args(DeliveryKind)
REPORT, CORRECTION, AT_RISK, OVERVIEW = KINDS
SUPPLIER = "~supplier"  # the partition of the supplier's notices ("~" is not allowed in tenant ids)


class DeliveryConflict(Exception):
    """Another writer created or changed the record first (409 on insert, 412 on a conditional replace)."""


@dataclass(frozen=True)
class DeliveryRecord:
    """The delivery state of one tenant-month report."""

    tenant: str
    month: str
    state: str
    attempts: int = 0
    report_version: int | None = None
    recipients: tuple[str, ...] = ()
    claim_id: str = ""
    claimed_at: str = ""  # RFC 3339 UTC, when the current/last claim was taken
    sent_at: str = ""
    mode: str = ""  # graph | outbox
    request_id: str = ""  # Graph request-id of the accepted send
    eml_path: str = ""  # outbox file
    error: str = ""
    needs_manual_check: bool = False  # failed with an unknown outcome: never resent automatically
    forced: bool = False  # this claim was an admin's forced resend
    updated_at: str = ""
    actor: str = ""
    kind: str = REPORT  # report | correction | at_risk | overview
    report_status: str = ""  # final | provisional: what the sent report said
    note: str = ""  # the operator's note when an outcome-unknown send was confirmed (sent or not sent)
    etag: str | None = field(default=None, compare=False)

    @property
    def row_key(self) -> str:
        """The RowKey of this e-mail (see the module docstring)."""
        return row_key(self.month, self.kind, self.report_version)

    def to_json(self) -> dict[str, Any]:
        """As API JSON (without the ETag)."""
        return {
            "tenant": self.tenant,
            "month": self.month,
            "kind": self.kind,
            "report_status": self.report_status or None,
            "state": self.state,
            "attempts": self.attempts,
            "report_version": self.report_version,
            "recipients": list(self.recipients),
            "claim_id": self.claim_id or None,
            "claimed_at": self.claimed_at or None,
            "sent_at": self.sent_at or None,
            "mode": self.mode or None,
            "request_id": self.request_id or None,
            "eml_path": self.eml_path or None,
            "error": self.error or None,
            "needs_manual_check": self.needs_manual_check,
            "forced": self.forced,
            "updated_at": self.updated_at or None,
            "actor": self.actor or None,
            "note": self.note or None,
        }


def row_key(month: str, kind: str = REPORT, version: int | None = None) -> str:
    """``YYYY-MM`` for the report e-mail, ``YYYY-MM|correction|v0003``, ``YYYY-MM|at_risk``, ``YYYY-MM|overview``."""
    if kind not in KINDS:
        raise ValueError(f"unknown delivery kind {kind!r}")
    if kind == REPORT:
        return month
    if kind == CORRECTION:
        if version is None:
            raise ValueError("a correction record needs the report version")
        return f"{month}|{CORRECTION}|v{version:04d}"
    return f"{month}|{kind}"

"""The bodies of the monthly run, delivery, availability backfill, report and audit routes.

Reports are immutable and versioned (SLA §9; provisional and final,
measurement §8.5; the changes of a new version, measurement §8.6); the audit
log is SLA §10.1. Field types come from :mod:`sla_app.http.api_fields`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from sla_app.http.api_fields import TEXT_SCHEMA, RequestBody, ResponseBody, Text
from sla_app.records import DeliveryKind, DeliveryState
from sla_core.vocabulary import OutcomeKind, ReportStatus

# -- monthly run -------------------------------------------------------------


class MonthRunResult(ResponseBody):
    """The tenants enqueued for a month."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    enqueued: list[str]


class MonthlyOutcome(ResponseBody):
    """What a recomputation did."""

    tenant: str
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    version: int = Field(ge=1)
    stored: bool = Field(description="true: the report differed and was stored as this new version.")


# -- delivery ------------------------------------------------------------------


class DeliveryOutcome(ResponseBody):
    """What a delivery run did for one tenant-month."""

    tenant: str
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    kind: DeliveryKind | None = None
    outcome: Literal[
        "sent",
        "already_sent",
        "in_progress",
        "failed",
        "unknown",
        "needs_manual_check",
        "no_recipients",
        "no_report",
        "not_final",
        "not_needed",
        "not_due",
        "deferred",
        "error",
    ]
    state: DeliveryState | None
    version: int | None = Field(ge=1)
    detail: str | None


class MonthDeliveryResult(ResponseBody):
    """The outcomes of delivering a month."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    force: bool
    outcomes: list[DeliveryOutcome]


class Delivery(ResponseBody):
    """The delivery record of one e-mail: a tenant-month's report, a correction, or a supplier notice."""

    tenant: str
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    kind: DeliveryKind
    report_status: ReportStatus | None = None
    state: DeliveryState
    attempts: int = Field(ge=0)
    report_version: int | None = Field(ge=1)
    recipients: list[str]
    claim_id: str | None = Field(
        default=None, description="The last send attempt: the end of its X-SLA-Delivery header (Sent Items search)."
    )
    claimed_at: str | None = Field(json_schema_extra={"format": "date-time"})
    sent_at: str | None = Field(json_schema_extra={"format": "date-time"})
    mode: Literal["graph", "outbox"] | None
    request_id: str | None
    eml_path: str | None
    error: str | None
    needs_manual_check: bool
    forced: bool
    updated_at: str | None = Field(json_schema_extra={"format": "date-time"})
    actor: str | None
    note: str | None = Field(default=None, description="The operator's note when an unknown outcome was confirmed.")


class DeliveryConfirmation(RequestBody):
    """An operator settles an e-mail flagged needs_manual_check (outcome unknown) after searching Sent Items."""

    sent: bool = Field(description="true: found in Sent Items, it counts as sent; false: not sent, send it again.")
    note: Text = Field(
        min_length=1,
        max_length=500,
        description="Where the operator looked and what was found.",
        json_schema_extra=TEXT_SCHEMA,
    )
    kind: DeliveryKind = Field(default="report", description="Which e-mail of the tenant-month.")
    version: int | None = Field(
        default=None, ge=1, description="The report version of a correction e-mail (only, and required, for it)."
    )


# -- availability --------------------------------------------------------------
# Mirrors sla_app.services.availability_days (parse_backfill_request, IngestRun.to_json).


class AvailabilityBackfillRequest(RequestBody):
    """The local days ``[start, end)`` to (re-)ingest from the configured results source."""

    start: date = Field(description="First local day (contract timezone).")
    end: date = Field(description="Day after the last one (exclusive); at most today.")


class AvailabilityDayOutcome(ResponseBody):
    """What happened to one local day."""

    day: date
    outcome: Literal["stored", "kept", "failed"] = Field(
        description="stored; kept: the stored day was more complete; failed: the source failed (audited)."
    )
    complete: bool
    rows: int = Field(ge=0)
    note: str


class AvailabilityBackfillResult(ResponseBody):
    """What a backfill did, day by day."""

    start: date
    end: date
    days: list[AvailabilityDayOutcome]
    complete: int = Field(ge=0, description="Days stored or kept complete.")
    incomplete: int = Field(ge=0)
    failed: int = Field(ge=0)


# -- reports -----------------------------------------------------------------


class ServiceLevelChange(ResponseBody):
    """A service level value before and after (percent, unrounded; None: n.v.t.)."""

    metric: str
    before: float | None
    after: float | None


class OutcomeChange(ResponseBody):
    """A ticket outcome counted in the month before and after (None: not counted in this month)."""

    ticket_id: str
    metric: str
    before: OutcomeKind | None
    after: OutcomeKind | None


class ReportChanges(ResponseBody):
    """What changed against the previous version (measurement §8.6)."""

    service_levels: list[ServiceLevelChange]
    outcomes: list[OutcomeChange]
    cause: list[str] = Field(description="What explains the changes, in Dutch, as far as derivable.")


class ReportVersion(ResponseBody):
    """One stored version of a tenant-month report (without its body)."""

    version: int = Field(ge=1)
    computed_at: str = Field(json_schema_extra={"format": "date-time"})
    content_hash: str = Field(description="SHA-256 of the report without as_of.")
    inputs_fingerprint: str = Field(description="SHA-256 of the inputs it was computed from (evidence).")
    status: ReportStatus = Field(
        default="final", description="Measurement §8.5: provisional while days of the month are not complete."
    )
    watermark: str | None = Field(
        default=None, description="Latest event-received / availability-ingested instant among its inputs (UTC)."
    )
    changes: ReportChanges | None = Field(
        default=None, description="Measurement §8.6: version 2 and later, the changes against the previous version."
    )


class Report(ReportVersion):
    """A stored tenant-month report."""

    tenant: str
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    report: dict[str, Any] = Field(description="The monthly report as JSON (measurement measurement §7).")


# -- audit -------------------------------------------------------------------


class AuditEntry(ResponseBody):
    """One audit log entry (SLA §10.1)."""

    at: str = Field(json_schema_extra={"format": "date-time"})
    actor: str = Field(description="Who: the signed-in name, or 'system'.")
    action: str = Field(description="What, e.g. tenant.updated, exclusion.added, report.computed.")
    tenant: str = Field(description="The tenant concerned, _all, or empty.")
    detail: dict[str, Any]

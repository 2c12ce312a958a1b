"""Request and response bodies of every HTTP route, as pydantic models.

These models are the single description of the HTTP API: the admin handlers
validate request bodies with them and :mod:`sla_app.http.openapi` generates
the OpenAPI document from their JSON schemas. Models of routes owned by other
modules describe what those handlers accept and return; where the real format
belongs to a third party (TOPdesk, Jira) the body is a free-form object.

Request models forbid unknown keys (a typo is a 422 naming the key), except
the canonical ticket event, whose extra keys the core drops (free text and
personal data are never stored).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from sla_app.http.contract_schema import contract_override_schema
from sla_app.records import DeliveryKind, DeliveryState
from sla_core.events import ID_PATTERN, MAX_STATUS_LENGTH, UNSTORABLE
from sla_core.instants import FIRST_YEAR, LAST_YEAR, InstantError, parse_rfc3339
from sla_core.vocabulary import EventKind, OutcomeKind, Priority, ReportStatus, Scope, TicketType

MAX_RECIPIENTS = 50
MAX_REASON_LENGTH = 500
MAX_NAME_LENGTH = 200
TENANT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"

# A pragmatic check of an e-mail address (dot-atom local part @ DNS host name
# with a letter-only top-level domain); quoted local parts and address
# literals are not accepted. Length limits as in RFC 5321 §4.5.3.1.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")


def check_email(value: str) -> str:
    """The address unchanged when it looks valid; ValueError otherwise."""
    local, _, _ = value.partition("@")
    if len(value) > 254 or len(local) > 64 or not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not a valid e-mail address")
    return value


def _unique_addresses(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value.lower() in seen:
            raise ValueError(f"{value!r} is listed more than once")
        seen.add(value.lower())
    return values


EmailAddress = Annotated[
    str,
    AfterValidator(check_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


def check_instant(value: str) -> str:
    """The text unchanged when it is an RFC 3339 instant with an offset in 2000–2099 (measurement §8.2)."""
    try:
        parse_rfc3339(value)
    except InstantError as exc:
        raise ValueError(str(exc)) from exc
    return value


def check_text(value: str) -> str:
    """The text unchanged when it holds nothing Table Storage refuses (controls, lone surrogates)."""
    if UNSTORABLE.search(value):
        raise ValueError("control characters or lone surrogates are not allowed")
    return value


# RFC 3339 with an offset, years 2000–2099 (measurement §8.2); the validator also checks the calendar.
INSTANT_PATTERN = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
DAY_PATTERN = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
TEXT_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
Instant = Annotated[
    str,
    Field(
        min_length=1, description="RFC 3339 instant with Z or an offset, in 2000–2099, e.g. 2026-10-05T09:00:00+02:00."
    ),
    AfterValidator(check_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]
Day = Annotated[
    date,
    Field(ge=date(FIRST_YEAR, 1, 1), le=date(LAST_YEAR, 12, 31)),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
Identifier = Annotated[
    str,
    Field(pattern=ID_PATTERN, description="Letters, digits and . _ : - + (first a letter or digit), at most 200."),
]
Text = Annotated[str, AfterValidator(check_text)]
_TEXT = {"pattern": TEXT_PATTERN}  # the JSON schema of Text: no control characters


def _no_default(schema: dict[str, Any]) -> None:
    """Drop ``default: null`` of an optional key that is left out rather than sent as null."""
    schema.pop("default", None)


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Response(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- shared ----------------------------------------------------------------


class ProblemDetails(_Response):
    """An error (RFC 9457), sent as ``application/problem+json``."""

    type: str = Field(default="about:blank", description="Problem type URI; about:blank: see the status code.")
    title: str = Field(description="Short summary of the status, e.g. 'Unprocessable content'.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str = Field(description="What is wrong, naming the input and field.")
    instance: str = Field(description="The request path.")
    field: Annotated[str | None, WithJsonSchema({"type": "string"})] = Field(
        default=None,
        description="The offending input field (dotted path), when there is one; omitted otherwise.",
        json_schema_extra=_no_default,
    )


# -- tickets ---------------------------------------------------------------


class CanonicalTicketEvent(BaseModel):
    """One canonical ticket event (measurement measurement §6); keys outside this set are dropped, never stored."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    event_id: Identifier = Field(
        description="With tenant, the event's identity: the same content again is stored once; other content "
        "or another ticket is a 409 (measurement §8.1)."
    )
    tenant: Identifier = Field(description="A known tenant id.")
    ticket_id: Identifier
    occurred_at: Instant
    kind: EventKind
    type: TicketType | None = None
    priority: Priority | None = None
    status: Text | None = Field(default=None, min_length=1, max_length=MAX_STATUS_LENGTH, json_schema_extra=_TEXT)
    scope: Scope | None = None
    attributable: bool | None = Field(default=None, description="false: the cause is not attributable to the supplier.")


class TopdeskIncident(BaseModel):
    """A TOPdesk incident as TOPdesk's action sequence sends it (TOPdesk's own format)."""

    model_config = ConfigDict(extra="allow")


class JiraIssueEvent(BaseModel):
    """A Jira Service Management issue webhook body (Atlassian's own format)."""

    model_config = ConfigDict(extra="allow")


class IngestResult(_Response):
    """What a ticket webhook stored."""

    received: int = Field(ge=0, description="Events in the request.")
    unique: int = Field(ge=0, description="Distinct events (by event_id) in the request.")
    tickets: int = Field(ge=0, description="Distinct tickets touched.")


# -- monthly run -------------------------------------------------------------


class MonthRunResult(_Response):
    """The tenants enqueued for a month."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    enqueued: list[str]


class MonthlyOutcome(_Response):
    """What a recomputation did."""

    tenant: str
    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    version: int = Field(ge=1)
    stored: bool = Field(description="true: the report differed and was stored as this new version.")


# -- delivery ------------------------------------------------------------------


class DeliveryOutcome(_Response):
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


class MonthDeliveryResult(_Response):
    """The outcomes of delivering a month."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$")
    force: bool
    outcomes: list[DeliveryOutcome]


class Delivery(_Response):
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


class DeliveryConfirmation(_Request):
    """An operator settles an e-mail flagged needs_manual_check (outcome unknown) after searching Sent Items."""

    sent: bool = Field(description="true: found in Sent Items, it counts as sent; false: not sent, send it again.")
    note: Text = Field(
        min_length=1,
        max_length=500,
        description="Where the operator looked and what was found.",
        json_schema_extra=_TEXT,
    )
    kind: DeliveryKind = Field(default="report", description="Which e-mail of the tenant-month.")
    version: int | None = Field(
        default=None, ge=1, description="The report version of a correction e-mail (only, and required, for it)."
    )


# -- availability --------------------------------------------------------------
# Mirrors sla_app.services.availability_ingest (parse_backfill_request, IngestRun.to_json).


class AvailabilityBackfillRequest(_Request):
    """The local days ``[start, end)`` to (re-)ingest from the configured results source."""

    start: date = Field(description="First local day (contract timezone).")
    end: date = Field(description="Day after the last one (exclusive); at most today.")


class AvailabilityDayOutcome(_Response):
    """What happened to one local day."""

    day: date
    outcome: Literal["stored", "kept", "failed"] = Field(
        description="stored; kept: the stored day was more complete; failed: the source failed (audited)."
    )
    complete: bool
    rows: int = Field(ge=0)
    note: str


class AvailabilityBackfillResult(_Response):
    """What a backfill did, day by day."""

    start: date
    end: date
    days: list[AvailabilityDayOutcome]
    complete: int = Field(ge=0, description="Days stored or kept complete.")
    incomplete: int = Field(ge=0)
    failed: int = Field(ge=0)


# -- tenants -----------------------------------------------------------------


# Validated as a whole by the admin service (merged over the default contract); the schema documents it.
ContractOverride = Annotated[dict[str, Any], WithJsonSchema(contract_override_schema())]


class TenantWrite(_Request):
    """A tenant as PUT: the whole record (fields left out get their default)."""

    tenant: str | None = Field(default=None, description="Optional; when given it must equal the id in the path.")
    go_live: Day = Field(description="Go-live date (2000–2099); measured from the month after it (SLA §7).")
    contract_end: Day | None = Field(default=None, description="Contract end (2000–2099); must be after go_live.")
    name: Text | None = Field(
        default=None, min_length=1, max_length=MAX_NAME_LENGTH, description="Display name.", json_schema_extra=_TEXT
    )
    contract_override: ContractOverride = Field(default_factory=dict)
    recipients: Annotated[list[EmailAddress], AfterValidator(_unique_addresses)] = Field(
        default_factory=list, max_length=MAX_RECIPIENTS, description="Report recipients (e-mail addresses)."
    )


class Tenant(_Response):
    """A tenant as stored."""

    tenant: str
    go_live: date
    contract_end: date | None
    name: str | None
    contract_override: ContractOverride
    recipients: list[str]


# -- exclusions --------------------------------------------------------------


class ExclusionWrite(_Request):
    """An interval in which down time is not attributable to the supplier (SLA §7.1)."""

    start: Instant
    end: Instant
    reason: Text = Field(
        min_length=1, max_length=MAX_REASON_LENGTH, description="Why the interval is excluded.", json_schema_extra=_TEXT
    )


class Exclusion(_Response):
    """A stored exclusion, with who recorded it and when."""

    id: str
    applies_to: str = Field(description="The tenant id, or _all for every tenant.")
    start: str = Field(json_schema_extra={"format": "date-time"})
    end: str = Field(json_schema_extra={"format": "date-time"})
    reason: str
    recorded_by: str | None = None
    recorded_at: str | None = Field(default=None, json_schema_extra={"format": "date-time"})


# -- reports -----------------------------------------------------------------


class ServiceLevelChange(_Response):
    """A service level value before and after (percent, unrounded; None: n.v.t.)."""

    metric: str
    before: float | None
    after: float | None


class OutcomeChange(_Response):
    """A ticket outcome counted in the month before and after (None: not counted in this month)."""

    ticket_id: str
    metric: str
    before: OutcomeKind | None
    after: OutcomeKind | None


class ReportChanges(_Response):
    """What changed against the previous version (measurement §8.6)."""

    service_levels: list[ServiceLevelChange]
    outcomes: list[OutcomeChange]
    cause: list[str] = Field(description="What explains the changes, in Dutch, as far as derivable.")


class ReportVersion(_Response):
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


class AuditEntry(_Response):
    """One audit log entry (SLA §10.1)."""

    at: str = Field(json_schema_extra={"format": "date-time"})
    actor: str = Field(description="Who: the signed-in name, or 'system'.")
    action: str = Field(description="What, e.g. tenant.updated, exclusion.added, report.computed.")
    tenant: str = Field(description="The tenant concerned, _all, or empty.")
    detail: dict[str, Any]

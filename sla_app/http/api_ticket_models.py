"""The ticket webhooks' bodies: the canonical ticket event, TOPdesk and Jira snapshots, what was stored.

The canonical event follows measurement §6; its ``event_id`` is its identity
(measurement §8.1). TOPdesk's and Jira's bodies are their own formats, free-form
objects here. Field types come from :mod:`sla_app.http.api_fields`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from sla_app.http.api_fields import TEXT_SCHEMA, Identifier, Instant, ResponseBody, Text
from sla_core.events import MAX_STATUS_LENGTH
from sla_core.vocabulary import EventKind, Priority, Scope, TicketType


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
    status: Text | None = Field(default=None, min_length=1, max_length=MAX_STATUS_LENGTH, json_schema_extra=TEXT_SCHEMA)
    scope: Scope | None = None
    attributable: bool | None = Field(default=None, description="false: the cause is not attributable to the supplier.")


class TopdeskIncident(BaseModel):
    """A TOPdesk incident as TOPdesk's action sequence sends it (TOPdesk's own format)."""

    model_config = ConfigDict(extra="allow")


class JiraIssueEvent(BaseModel):
    """A Jira Service Management issue webhook body (Atlassian's own format)."""

    model_config = ConfigDict(extra="allow")


class IngestResult(ResponseBody):
    """What a ticket webhook stored."""

    received: int = Field(ge=0, description="Events in the request.")
    unique: int = Field(ge=0, description="Distinct events (by event_id) in the request.")
    tickets: int = Field(ge=0, description="Distinct tickets touched.")

"""Ticket events in: canonical events (ticket-tool snapshots: :mod:`sla_app.services.tool_history`).

Canonical events (measurement §6) are validated strictly and stored, all or
nothing: every event of a request is validated (instants, identifiers, values
Table Storage would refuse; measurement §8.2–8.3) before anything is written. An
event is identified by ``(tenant, event_id)`` (measurement §8.1): the same event again
is stored once; the same identity with other content or on another ticket is
a 409 naming ``event_id``, and nothing of that request is kept. Only canonical
fields are kept (data minimisation, SLA §5.2.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from sla_app.errors import Conflict, PayloadTooLarge, Unprocessable
from sla_app.services.tool_history import status_classes, validated_events
from sla_core.events import EventConflict, TicketEvent
from sla_core.status_class import classed

MAX_EVENTS_PER_REQUEST = 1000


class EventStore(Protocol):
    """Where canonical events are kept."""

    def save(self, events: Iterable[TicketEvent]) -> int: ...


class TenantDirectory(Protocol):
    """Which tenants exist."""

    def tenant(self, tenant: str) -> object | None: ...


@dataclass(frozen=True)
class IngestResult:
    """Outcome of one request: events received, unique among them, and stored."""

    received: int
    unique: int
    tickets: int

    def to_json(self) -> dict[str, int]:
        """Response body."""
        return {"received": self.received, "unique": self.unique, "tickets": self.tickets}


class TicketIngestService:
    """Validates and stores ticket events."""

    def __init__(self, events: EventStore, tenants: TenantDirectory) -> None:
        self._events = events
        self._tenants = tenants

    def _validated(self, items: list[Any], where: str) -> list[TicketEvent]:
        events = validated_events(items, where)
        classes = {}
        for tenant in sorted({e.tenant for e in events}):
            record = self._tenants.tenant(tenant)
            if record is None:
                raise Unprocessable(f"unknown tenant {tenant!r}", field="tenant")
            classes[tenant] = status_classes(record)
        return classed(events, classes)  # a status is stored only as its class (measurement §8.3)

    def _save(self, events: list[TicketEvent]) -> None:
        """Store events insert-only; an identity conflict is a 409 naming ``event_id`` (nothing kept)."""
        try:
            self._events.save(events)
        except EventConflict as exc:
            raise Conflict(str(exc), field="event_id") from exc

    def ingest_canonical(self, payload: Any) -> IngestResult:
        """Store one canonical event object or a list of up to 1,000; all or nothing."""
        items = payload if isinstance(payload, list) else [payload]
        if not items:
            raise Unprocessable("body: an empty list holds no events", field="body")
        if len(items) > MAX_EVENTS_PER_REQUEST:
            raise PayloadTooLarge(f"at most {MAX_EVENTS_PER_REQUEST} events per request, got {len(items)}")
        events = self._validated(items, "body")
        self._save(events)
        unique = {(e.tenant, e.event_id) for e in events}
        return IngestResult(len(events), len(unique), len({(e.tenant, e.ticket_id) for e in events}))

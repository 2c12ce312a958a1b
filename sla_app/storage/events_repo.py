"""Ticket events in Table Storage: table ``ticketevents``.

PartitionKey: tenant (the monthly report reads one tenant's events; a
webhook reads one ticket's events as a RowKey range). RowKey:
``<ticket_id>|<event_id>``, both escaped. Writing the same event again
replaces the same entity: a duplicate is stored once. Only the canonical
fields are stored (data minimisation, SLA §5.2.1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sla_app.storage.tables import TableStore, escape_key, prefix_filter
from sla_core.events import TicketEvent, parse_event

TABLE = "ticketevents"
_FIELDS = ("type", "priority", "status", "scope", "attributable")


def to_entity(event: TicketEvent) -> dict[str, Any]:
    """The entity of an event: keys plus the canonical fields, nothing else."""
    entity: dict[str, Any] = {
        "PartitionKey": escape_key(event.tenant),
        "RowKey": f"{escape_key(event.ticket_id)}|{escape_key(event.event_id)}",
        "tenant": event.tenant,
        "ticket_id": event.ticket_id,
        "event_id": event.event_id,
        "occurred_at": event.occurred_at.isoformat(),
        "kind": event.kind,
    }
    for name in _FIELDS:
        value = getattr(event, name)
        if value is not None:
            entity[name] = value
    return entity


def from_entity(entity: dict[str, Any]) -> TicketEvent:
    """The event of a stored entity (validated again, like any input)."""
    data = {k: entity[k] for k in ("event_id", "tenant", "ticket_id", "occurred_at", "kind", *_FIELDS) if k in entity}
    return parse_event(data, f"{TABLE}/{entity['PartitionKey']}/{entity['RowKey']}")


class EventRepository:
    """Stores and reads canonical ticket events."""

    def __init__(self, store: TableStore) -> None:
        self._store = store

    def save(self, events: Iterable[TicketEvent]) -> int:
        """Upsert events (batched per tenant, ≤ 100 per transaction); returns requests made."""
        return self._store.upsert_many(TABLE, (to_entity(e) for e in events))

    def of_tenant(self, tenant: str) -> list[TicketEvent]:
        """All events of a tenant (RowKeys from ``~`` on hold ticket-tool readings, not events)."""
        return [from_entity(e) for e in self._rows(tenant)]

    def _rows(self, tenant: str) -> Any:
        """The event rows of a tenant's partition (from ``~`` on: ticket-tool readings, not events)."""
        return self._store.query(TABLE, "PartitionKey eq @pk and RowKey lt @end", {"pk": escape_key(tenant), "end": "~"})

    def of_ticket(self, tenant: str, ticket_id: str) -> list[TicketEvent]:
        """All events of one ticket (a RowKey range inside the tenant's partition)."""
        query, params = prefix_filter(f"{escape_key(ticket_id)}|")
        return [from_entity(e) for e in self._store.query(TABLE, query, {"pk": escape_key(tenant), **params})]

    def of_tenant_received(self, tenant: str) -> list[tuple[TicketEvent, datetime]]:
        """All events of a tenant with the instant each was stored (the entity's service ``Timestamp``, UTC)."""
        found = []
        for entity in self._rows(tenant):
            stamp = (getattr(entity, "metadata", None) or {}).get("timestamp")
            found.append((from_entity(entity), stamp.astimezone(UTC) if stamp else datetime.min.replace(tzinfo=UTC)))
        return found

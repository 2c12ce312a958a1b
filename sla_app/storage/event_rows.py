"""One ticket event as a row of table ``ticketevents`` (measurement §8.1): the entity, the event read back, its receipt.

PartitionKey = tenant, RowKey = event_id (through ``escape_key``, the
identity for identifiers of :data:`sla_core.events.ID_PATTERN`); only the
canonical fields are stored (data minimisation, SLA §5.2.1). ``received_at``
is the app's clock at the row's first write, RFC 3339 UTC with microseconds
(:func:`stamp`); a row from before it existed reads as received at its
``Timestamp`` (:func:`received`). The rows are written by
:mod:`sla_app.storage.events_repo` (insert-only, one row per identity; its
docstring has the rules) and :mod:`sla_app.storage.history_repo`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sla_app.storage.tables import escape_key, timestamp
from sla_core.events import TicketEvent, parse_event

TABLE = "ticketevents"
RECEIVED = "received_at"  # the app clock's instant of the first write (RFC 3339 UTC, µs)
_FIELDS = ("type", "priority", "status", "scope", "attributable")


def to_entity(event: TicketEvent) -> dict[str, Any]:
    """The entity of an event: keys plus the canonical fields, nothing else."""
    entity: dict[str, Any] = {
        "PartitionKey": escape_key(event.tenant),
        "RowKey": escape_key(event.event_id),
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


def stamp(at: datetime) -> str:
    """An instant as stored in ``received_at``: RFC 3339 in UTC with microseconds (one width: sorts as text too)."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def received(entity: dict[str, Any]) -> datetime:
    """When a stored event was received: its ``received_at`` (app clock), else its ``Timestamp`` (older rows).

    Neither readable: the oldest instant (the event then counts as received before any report).
    """
    text = entity.get(RECEIVED)
    if isinstance(text, str):
        try:
            return datetime.fromisoformat(text).astimezone(UTC)
        except ValueError:
            pass
    value = entity.get("Timestamp") or getattr(entity, "metadata", {}).get("timestamp")  # plain JSON, or the SDK's
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return timestamp(value if isinstance(value, str) else None) or datetime.min.replace(tzinfo=UTC)


def from_entity(entity: dict[str, Any]) -> TicketEvent:
    """The event of a stored entity (validated again, like any input)."""
    data = {k: entity[k] for k in ("event_id", "tenant", "ticket_id", "occurred_at", "kind", *_FIELDS) if k in entity}
    return parse_event(data, f"{TABLE}/{entity['PartitionKey']}/{entity['RowKey']}")

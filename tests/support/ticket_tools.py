"""Helpers shared by the tests of the ticket-tool adapters (TOPdesk, Jira) and the events webhook.

A :class:`ToolStory` runs a tool's payloads through its reader and the shared
snapshot history exactly as the service does, so each tool's tests only state
their payloads and the events they expect. The stored-entity helpers read the
``ticketevents`` table of a test's Azurite-backed application context.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from sla_app.adapters.snapshots import Reading, history
from sla_core.contract import default_contract
from sla_core.events import parse_event
from sla_core.status_class import StatusClasses
from tests.support.core import AMSTERDAM

TENANT = "enschede"
CLASSES = StatusClasses(default_contract().known_statuses, default_contract().pause_patterns)
#: The only columns a stored ticket event may have: its keys, the canonical fields (no free text) and the instant the
#: app received it (``received_at``, the input watermark's clock).
STORED_EVENT_COLUMNS = frozenset(
    {
        "PartitionKey",
        "RowKey",
        "tenant",
        "ticket_id",
        "event_id",
        "occurred_at",
        "kind",
        "type",
        "priority",
        "status",
        "scope",
        "attributable",
        "received_at",
    }
)


class _Reader(Protocol):
    source: str

    def read(self, payload: Any, classes: StatusClasses) -> Any: ...


class _ReaderType(Protocol):
    def default(self) -> _Reader: ...


class ToolStory:
    """One tool's payloads turned into readings and events, the reader built on first use."""

    def __init__(self, reader_type: _ReaderType) -> None:
        self._reader_type = reader_type

    def reader(self) -> Any:
        """The tool's reader with the shipped mapping."""
        return self._reader_type.default()

    def readings(self, payloads: list[dict[str, Any]]) -> list[Reading]:
        """The stored readings of the payloads that carry a snapshot (as the service keeps them)."""
        reader = self.reader()
        found = [reader.read(p, CLASSES) for p in payloads]
        return [Reading.from_json(r.to_json()) for r in found if r is not None]

    def events_of(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The ticket's history derived from all payloads."""
        return history(self.reader().source, TENANT, self.readings(payloads))

    def derive_all(self, payloads: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
        """Per payload, in the order given, the events it adds to the history of those before it."""
        added = []
        for index in range(len(payloads)):
            before = {json.dumps(e, sort_keys=True) for e in self.events_of(payloads[:index])}
            after = self.events_of(payloads[: index + 1])
            added.append([e for e in after if json.dumps(e, sort_keys=True) not in before])
        return added


def summary(events: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """Events as (kind, local time, canonical fields), validated by the core's strict parser."""
    rows = []
    for item in events:
        parsed = parse_event(item, "derived")
        fields = {k: item[k] for k in ("type", "priority", "status", "scope", "attributable") if k in item}
        rows.append((parsed.kind, parsed.occurred_at.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M"), fields))
    return rows


def stored_events(ctx: Any, tenant: str = TENANT) -> list[dict[str, Any]]:
    """The tenant's stored ticket events (snapshot readings and heads left out)."""
    return [e for e in ctx.store.partition("ticketevents", tenant) if not e["RowKey"].startswith("~")]


def stored_readings(ctx: Any, tenant: str = TENANT) -> list[dict[str, Any]]:
    """The tenant's stored snapshot readings and heads (row keys starting with ``~``)."""
    return [e for e in ctx.store.partition("ticketevents", tenant) if e["RowKey"].startswith("~")]

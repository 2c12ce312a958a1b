"""Ticket-tool snapshots and the events derived from them, committed atomically.

Everything of one tenant lives in its partition of table ``ticketevents``, so
one entity group transaction can change it all at once:

* events: RowKey ``<ticket_id>|<event_id>`` (the rows of
  :mod:`sla_app.storage.events_repo`); an event written (new, or its content
  changed) gets ``received_at`` from the app clock, an unchanged one keeps its own;
* the reading of each snapshot: RowKey ``~s|<source>|<ticket_id>|<seen>|<digest>``,
  property ``reading`` (canonical JSON, no free text);
* one head per ticket and tool: RowKey ``~h|<source>|<ticket_id>``, properties
  ``snapshots`` (how many readings) and ``digest`` (of their keys).

RowKeys starting with ``~`` sort after every event row (identifiers never
contain ``~``, measurement §8.3) and are not events. A commit writes the new reading,
the head (created, or replaced only if its ETag is unchanged since it was read)
and the changed events in one transaction: it happens completely or not at
all, and a commit based on a stale read fails as a whole (:class:`HistoryConflict`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.data.tables import TableTransactionError, UpdateMode

from sla_app.adapters.snapshots import CANONICAL_FIELDS, Reading, instant_key
from sla_app.storage.event_rows import RECEIVED, TABLE, stamp, to_entity
from sla_app.storage.tables import MAX_BATCH, TableStore, escape_key, prefix_filter
from sla_core.events import TicketEvent

SNAPSHOT, HEAD = "~s|", "~h|"
STATE_TABLE = "ticketstate"  # last-seen state of the first release (no longer written; removed with the tenant)
_EVENT_KEYS = ("tenant", "ticket_id", "event_id", "occurred_at", "kind", *CANONICAL_FIELDS)


class HistoryConflict(Exception):
    """The ticket's history changed since it was read; read again and retry."""


@dataclass(frozen=True)
class StoredHistory:
    """What is stored of one ticket from one tool, as read under the head's ETag."""

    etag: str | None  # None: no head yet
    readings: dict[str, Reading]  # by RowKey
    events: dict[str, dict[str, Any]]  # RowKey → the event's stored properties


def snapshot_key(source: str, reading: Reading) -> str:
    """The RowKey of a reading: by ticket, then the tool's modification instant, then content."""
    return (
        f"{SNAPSHOT}{escape_key(source)}|{escape_key(reading.ticket_id)}|{instant_key(reading.seen)}|{reading.digest()}"
    )


def _head_key(source: str, ticket_id: str) -> str:
    return f"{HEAD}{escape_key(source)}|{escape_key(ticket_id)}"


def _event_prefix(source: str, ticket_id: str) -> str:
    """Events are keyed on their id (measurement §8.1); a tool's derived ids start with ``<source>:<ticket_id>:``."""
    return escape_key(f"{source}:{ticket_id}:")


def _content(entity: dict[str, Any]) -> dict[str, Any]:
    return {k: entity[k] for k in _EVENT_KEYS if entity.get(k) is not None}


class HistoryRepository:
    """Reads and commits the snapshot histories of ticket-tool tickets."""

    def __init__(self, store: TableStore, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    def read(self, tenant: str, source: str, ticket_id: str) -> StoredHistory:
        """The head's ETag, then the readings and derived events (read after the head, so a commit checks them)."""
        pk = escape_key(tenant)
        heads = list(
            self._store.query(
                TABLE, "PartitionKey eq @pk and RowKey eq @rk", {"pk": pk, "rk": _head_key(source, ticket_id)}
            )
        )
        etag = heads[0].metadata["etag"] if heads else None
        query, params = prefix_filter(f"{SNAPSHOT}{escape_key(source)}|{escape_key(ticket_id)}|")
        readings = {
            e["RowKey"]: Reading.from_json(json.loads(e["reading"]))
            for e in self._store.query(TABLE, query, {"pk": pk, **params})
        }
        query, params = prefix_filter(_event_prefix(source, ticket_id))
        events = {e["RowKey"]: _content(e) for e in self._store.query(TABLE, query, {"pk": pk, **params})}
        return StoredHistory(etag, readings, events)

    def commit(
        self, tenant: str, source: str, current: StoredHistory, reading: Reading, events: Iterable[TicketEvent]
    ) -> int:
        """Store ``reading`` and make the ticket's derived events exactly ``events``; returns the events written.

        Raises :class:`HistoryConflict` when the head changed since ``current``
        was read (nothing is written then).
        """
        pk = escape_key(tenant)
        new = {e["RowKey"]: e for e in map(to_entity, events)}
        now = stamp(self._clock())
        writes = [
            ("upsert", {**row, RECEIVED: now}, {"mode": UpdateMode.REPLACE})
            for key, row in new.items()
            if current.events.get(key) != _content(row)
        ]
        deletes = [("delete", {"PartitionKey": pk, "RowKey": key}) for key in current.events if key not in new]
        keys = sorted({*current.readings, snapshot_key(source, reading)})
        head = {
            "PartitionKey": pk,
            "RowKey": _head_key(source, reading.ticket_id),
            "snapshots": len(keys),
            "digest": hashlib.sha256("\n".join(keys).encode()).hexdigest(),
        }
        snapshot = {
            "PartitionKey": pk,
            "RowKey": snapshot_key(source, reading),
            "reading": json.dumps(reading.to_json(), sort_keys=True),
        }
        if current.etag is None:
            guard: tuple[Any, ...] = ("create", head)
        else:
            guard = (
                "update",
                head,
                {"mode": UpdateMode.REPLACE, "etag": current.etag, "match_condition": MatchConditions.IfNotModified},
            )
        operations: list[tuple[Any, ...]] = [*writes, *deletes]
        # The last transaction carries the reading and the guarded head; a history whose change needs more than
        # one transaction (over 98 events at once, never seen in practice) writes the rest first.
        final = [("upsert", snapshot, {"mode": UpdateMode.REPLACE}), guard]
        room = MAX_BATCH - len(final)
        client = self._store.table(TABLE)
        try:
            while len(operations) > room:
                client.submit_transaction(operations[:MAX_BATCH])
                self._store.requests += 1
                operations = operations[MAX_BATCH:]
            client.submit_transaction([*operations, *final])
            self._store.requests += 1
        except TableTransactionError as exc:
            if exc.status_code in (404, 409, 412):  # a row created, changed or removed since the read
                raise HistoryConflict(f"{source} ticket {reading.ticket_id} changed concurrently") from exc
            raise
        return len(writes)

    def delete_tenant(self, tenant: str) -> int:
        """Remove every ticket event, reading, head and first-release state of a tenant; returns how many."""
        removed = 0
        for table in (TABLE, STATE_TABLE):
            keys = [
                (e["PartitionKey"], e["RowKey"])
                for e in self._store.query(
                    table, "PartitionKey eq @pk", {"pk": escape_key(tenant)}, ["PartitionKey", "RowKey"]
                )
            ]
            removed += self._store.delete_many(table, keys)
        return removed

"""Ticket events in Table Storage: table ``ticketevents``, one row per event identity (measurement §8.1).

Layout: PartitionKey = tenant, RowKey = event_id. The key *is* the identity
``(tenant, event_id)``, so Table Storage itself enforces it: rows are written
insert-only (``create`` in entity-group transactions of at most 100 rows of
one tenant), never upserted. A create that meets an existing row fails
atomically; the row is then read and compared:

* the same event (same ticket and content) — the row is *confirmed* by a
  conditional merge (If-Match its ETag) in the same transaction as the rest,
  which moves its ETag on;
* another ticket or other content — :class:`~sla_core.events.EventConflict`.
  Rows this call created before are deleted again, each only if its ETag is
  still the one written (a concurrent request that confirmed the same event
  moved it on, and keeps it). So a conflicting request leaves nothing behind,
  also under concurrency, and no acknowledged event is ever removed.

Every row carries ``received_at``: the app's clock (RFC 3339 UTC, µs) when the
row was first written, the same clock as the availability ``ingested_at`` and
a report's ``computed_at``, so a report's input watermark compares like with
like (the Table service's ``Timestamp`` is the storage server's clock, and
Azurite's is the host's). A confirmation keeps it: the event was received
once. Rows written before ``received_at`` existed read as received at their
``Timestamp`` (the best instant known of them); a confirmation writes that
instant into the row, so it no longer moves. The instant is read just before
the transaction is sent: an event whose write is still in flight while a run
reads the partition is not counted by that run, and is named by the next one
unless another input of the first run was stamped later than it (a window of
one request, with its retries; app instances' clocks agree to NTP precision).

Identifiers match :data:`sla_core.events.ID_PATTERN`, so keys need no
escaping (``escape_key`` is applied anyway and is the identity for them). Only
the canonical fields are stored (data minimisation, SLA §5.2.1).

Migration from the first layout (RowKey ``<ticket_id>|<event_id>``, upserted):
reads accept both layouts (a ``|`` before any ``~`` marks a legacy row; RowKeys from ``~`` on
are ticket-tool readings, not events); :meth:`EventRepository.migrate_keys`
(``python -m tools.migrate_event_keys``) moves legacy rows to the identity key
and lists rows it cannot move (conflicts between tickets, or values the strict
parser now refuses), which stay where they are and are skipped by reads.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from azure.data.tables import TableTransactionError, UpdateMode

from sla_app.errors import ServiceUnavailable
from sla_app.storage.event_rows import RECEIVED, TABLE, from_entity, received, stamp, to_entity
from sla_app.storage.tables import MAX_BATCH, TableStore, escape_key
from sla_core.errors import InputError
from sla_core.events import EventConflict, TicketEvent, conflict_reason

LEGACY_SEPARATOR = "|"
_RETRIES_PER_ROW = 8  # a row is re-read at most this often per call (concurrent confirmations); then 503
_log = logging.getLogger("sla_app.storage.events")


def _conflict(event: TicketEvent, reason: str) -> EventConflict:
    return EventConflict(
        f"event_id {event.event_id!r} of tenant {event.tenant!r} is already stored {reason}; an event id "
        "identifies one event (send the same content, or a new event_id)",
        event.tenant,
        event.event_id,
    )


@dataclass
class _Chunk:
    """Up to 100 rows of one partition being written: new ones created, existing ones confirmed."""

    events: dict[str, TicketEvent]
    confirm: dict[str, str] = field(default_factory=dict)  # RowKey -> ETag of an identical stored row
    backfill: dict[str, str] = field(default_factory=dict)  # RowKey -> received_at of a confirmed row that has none
    reads: dict[str, int] = field(default_factory=dict)


@dataclass
class Migration:
    """What :meth:`EventRepository.migrate_keys` did."""

    moved: int = 0
    refused: list[str] = field(default_factory=list)  # "<PartitionKey>/<RowKey>: why"


class EventRepository:
    """Stores and reads canonical ticket events; one row per identity ``(tenant, event_id)``."""

    def __init__(self, store: TableStore, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    # -- writing ----------------------------------------------------------------------

    def save(self, events: Iterable[TicketEvent], received_at: datetime | None = None) -> int:
        """Insert events, insert-only; returns requests made.

        New rows get ``received_at`` = ``received_at`` or the app clock at the
        write. Identical events already stored are kept (and confirmed, their
        ``received_at`` unchanged); an event whose identity is stored with
        another ticket or other content raises :class:`EventConflict` and
        nothing this call wrote remains.
        """
        by_partition: dict[str, dict[str, TicketEvent]] = defaultdict(dict)
        for event in events:
            rows = by_partition[escape_key(event.tenant)]
            key = escape_key(event.event_id)
            kept = rows.get(key)
            if kept is not None:
                reason = conflict_reason(kept, event)
                if reason is not None:
                    raise EventConflict(
                        f"event_id {event.event_id!r} of tenant {event.tenant!r} appears twice in the request {reason}",
                        event.tenant,
                        event.event_id,
                    )
                continue
            rows[key] = event
        client = self._store.table(TABLE)
        created: list[tuple[str, str, str]] = []  # (PartitionKey, RowKey, ETag) written by this call
        before = self._store.requests
        try:
            for partition, rows in by_partition.items():
                keys = sorted(rows)
                for i in range(0, len(keys), MAX_BATCH):
                    chunk = _Chunk({k: rows[k] for k in keys[i : i + MAX_BATCH]})
                    created += self._write_chunk(client, partition, chunk, received_at)
        except EventConflict:
            self._undo(client, created)
            raise
        return self._store.requests - before

    def _write_chunk(
        self, client: Any, partition: str, chunk: _Chunk, received_at: datetime | None
    ) -> list[tuple[str, str, str]]:
        while True:
            now = stamp(received_at or self._clock())  # read at each attempt: as close to the write as it gets
            ops: list[Any] = []
            for key, event in chunk.events.items():
                entity = to_entity(event)
                if key in chunk.confirm:
                    if key in chunk.backfill:  # a row from before received_at: keep the instant it was written
                        entity[RECEIVED] = chunk.backfill[key]
                    condition = {
                        "mode": UpdateMode.MERGE,
                        "etag": chunk.confirm[key],
                        "match_condition": MatchConditions.IfNotModified,
                    }
                    ops.append(("update", entity, condition))  # a merge: the stored received_at stays
                else:
                    ops.append(("create", {**entity, RECEIVED: now}))
            self._store.requests += 1
            try:
                results = client.submit_transaction(ops)
            except TableTransactionError as exc:
                failed = list(chunk.events)[exc.index] if 0 <= exc.index < len(ops) else None
                if failed is None or exc.status_code not in (404, 409, 412):
                    raise
                if failed in chunk.confirm:  # another request confirmed rows too: refresh every confirmation
                    keys = list(chunk.confirm)
                    time.sleep(random.uniform(0, 0.02))
                elif not chunk.reads:  # a first clash: most likely a redelivery, so read the whole chunk once
                    keys = [k for k in chunk.events if k not in chunk.confirm]
                else:
                    keys = [failed]
                self._recheck(client, partition, chunk, keys)
                continue
            return [
                (partition, key, result.get("etag", ""))
                for key, result in zip(chunk.events, results)
                if key not in chunk.confirm
            ]

    def _recheck(self, client: Any, partition: str, chunk: _Chunk, keys: list[str]) -> None:
        """Re-read rows that made the transaction fail: each is created anew, confirmed, or a conflict."""
        for key in keys:
            chunk.reads[key] = chunk.reads.get(key, 0) + 1
            if chunk.reads[key] > _RETRIES_PER_ROW:
                raise ServiceUnavailable(f"event {key!r} of tenant {partition!r} kept changing concurrently; retry")
            self._store.requests += 1
            try:
                stored = client.get_entity(partition, key)
            except ResourceNotFoundError:
                chunk.confirm.pop(key, None)  # gone (a conflicting request undid it): create it
                chunk.backfill.pop(key, None)
                continue
            event = chunk.events[key]
            try:
                reason = conflict_reason(from_entity(stored), event)
            except InputError:
                reason = "with content that is no longer valid"
            if reason is not None:
                raise _conflict(event, reason)
            chunk.confirm[key] = stored.metadata["etag"]
            if RECEIVED not in stored:
                chunk.backfill[key] = stamp(received(stored))
            else:
                chunk.backfill.pop(key, None)

    def _undo(self, client: Any, created: list[tuple[str, str, str]]) -> None:
        """Delete the rows this call created, each only while nobody confirmed it since."""
        for partition, key, etag in created:
            self._store.requests += 1
            try:
                client.delete_entity(partition, key, etag=etag, match_condition=MatchConditions.IfNotModified)
            except (ResourceModifiedError, ResourceNotFoundError):
                continue  # confirmed by a concurrent identical request (it keeps it), or gone already

    # -- reading ------------------------------------------------------------------------

    def _events(self, rows: Iterable[dict[str, Any]]) -> list[TicketEvent]:
        events = []
        for entity in rows:
            try:
                events.append(from_entity(entity))
            except InputError as exc:  # stored before the strict rules; never lets a computation fail
                _log.error("skipping a stored ticket event that is no longer valid: %s", exc)
        return events

    def of_tenant(self, tenant: str) -> list[TicketEvent]:
        """All events of a tenant (RowKeys from ``~`` on hold ticket-tool readings, not events).

        Rows the strict parser refuses (stored before the strict input rules of docs/input.md) are skipped and logged.
        """
        rows = self._store.query_plain(
            TABLE, "PartitionKey eq @pk and RowKey lt @end", {"pk": escape_key(tenant), "end": "~"}
        )
        return self._events(rows)

    def of_ticket(self, tenant: str, ticket_id: str) -> list[TicketEvent]:
        """All valid events of one ticket (a filter inside the tenant's partition)."""
        query = "PartitionKey eq @pk and RowKey lt @end and ticket_id eq @ticket"
        return self._events(
            self._store.query(TABLE, query, {"pk": escape_key(tenant), "end": "~", "ticket": ticket_id})
        )

    def of_tenant_received(self, tenant: str) -> list[tuple[TicketEvent, datetime]]:
        """All valid events of a tenant with the instant each was received (:func:`received`: the app clock, UTC).

        An identical event delivered again keeps its instant: it is counted once, as received the first time.
        """
        found = []
        rows = self._store.query_plain(  # plain JSON: ~8x less CPU than the SDK's typed entities
            TABLE, "PartitionKey eq @pk and RowKey lt @end", {"pk": escape_key(tenant), "end": "~"}
        )
        for entity in rows:
            try:
                event = from_entity(entity)
            except InputError as exc:  # stored before the strict rules; never lets a computation fail
                _log.error("skipping a stored ticket event that is no longer valid: %s", exc)
                continue
            found.append((event, received(entity)))
        return found

    # -- migration ----------------------------------------------------------------------

    def migrate_keys(self) -> Migration:
        """Move rows of the first layout (RowKey ``<ticket>|<event>``) to the identity key; idempotent."""
        client = self._store.table(TABLE)
        done = Migration()
        legacy = [
            e
            for e in client.query_entities("RowKey lt @end", parameters={"end": "~"})
            if LEGACY_SEPARATOR in e["RowKey"]
        ]
        self._store.requests += 1
        for entity in legacy:
            where = f"{entity['PartitionKey']}/{entity['RowKey']}"
            try:
                event = from_entity(entity)
                self.save([event], received_at=received(entity))  # moved, not received anew
            except EventConflict as exc:
                done.refused.append(f"{where}: {exc}")
                continue
            except InputError as exc:
                done.refused.append(f"{where}: {exc}")
                continue
            self._store.requests += 1
            client.delete_entity(entity["PartitionKey"], entity["RowKey"])
            done.moved += 1
        return done

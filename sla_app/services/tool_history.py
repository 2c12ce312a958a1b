"""Ticket-tool snapshots in: keep each reading, derive the ticket's history from all of them.

One delivery is one snapshot of one ticket. Its reading (canonical values,
the status as its class, the tool's flags and dates; no free text) is stored
next to the readings received before, and the ticket's events are derived
again from all of them (:func:`sla_app.adapters.snapshots.history`). The
reading, the head guarding the ticket and the changed events are committed in
one transaction that fails as a whole when another delivery of the same ticket
committed first; the service then reads again and retries with a short random
back-off. After :data:`ATTEMPTS` lost attempts the answer is ``503`` with
``Retry-After`` (never a 422, which senders do not retry), and nothing of the
request is stored.

A snapshot already received changes nothing (its reading is in the set), so a
redelivery or a replay is answered with ``received: 0``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any, Protocol

from sla_app.adapters.snapshots import Reading, history
from sla_app.errors import ServiceUnavailable, Unprocessable
from sla_app.services.monthly_reports import tenant_contract
from sla_app.storage.history_repo import HistoryConflict, HistoryRepository, snapshot_key
from sla_core.errors import InputError
from sla_core.events import TicketEvent, parse_event
from sla_core.status_class import StatusClasses

ATTEMPTS = 25
BACKOFF_SECONDS = (0.005, 0.05)  # random back-off before attempt n: n × uniform(first, second), at most 0.5 s
RETRY_AFTER_SECONDS = 2


class SnapshotReader(Protocol):
    """A ticket tool's field mapping: a payload → the snapshot's reading (None: no snapshot in it)."""

    source: str

    def read(self, payload: Any, classes: StatusClasses) -> Reading | None: ...


class TenantDirectory(Protocol):
    """Which tenants exist, with their contract overrides."""

    def tenant(self, tenant: str) -> Any | None: ...


def status_classes(record: Any) -> StatusClasses:
    """The status classes under a tenant's contract (measurement §8.3): its known statuses and pause patterns."""
    contract = tenant_contract(record)
    return StatusClasses(contract.known_statuses, contract.pause_patterns)


def validated_events(items: list[Any], source: str) -> list[TicketEvent]:
    """Canonical events from decoded JSON items; a bad one is a 422 naming ``source[index]`` and its field."""
    events = []
    for index, item in enumerate(items):
        try:
            events.append(parse_event(item, f"{source}[{index}]"))
        except InputError as exc:
            raise Unprocessable(str(exc), field=exc.field) from exc
    return events


class ToolHistoryService:
    """Receives ticket-tool snapshots and keeps each ticket's derived events."""

    def __init__(
        self,
        histories: HistoryRepository,
        tenants: TenantDirectory,
        sleep: Callable[[float], None] = time.sleep,
        attempts: int = ATTEMPTS,
    ) -> None:
        self._histories = histories
        self._tenants = tenants
        self._sleep = sleep
        self._attempts = attempts

    def classes(self, tenant: str) -> StatusClasses:
        """The status classes of a tenant's contract; 422 naming ``tenant`` when it is unknown."""
        record = self._tenants.tenant(tenant)
        if record is None:
            raise Unprocessable(f"unknown tenant {tenant!r}", field="tenant")
        return status_classes(record)

    def receive(self, reader: SnapshotReader, tenant: str, payload: Any) -> dict[str, int]:
        """Store one snapshot and re-derive its ticket's events; the response body (events written)."""
        fresh = reader.read(payload, self.classes(tenant))
        if fresh is None:
            return {"received": 0, "unique": 0, "tickets": 0}
        reading = Reading.from_json(fresh.to_json())  # as stored: the same instants however they were sent
        key = snapshot_key(reader.source, reading)
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(min(0.5, attempt * random.uniform(*BACKOFF_SECONDS)))
            current = self._histories.read(tenant, reader.source, reading.ticket_id)
            if key in current.readings:
                return {"received": 0, "unique": 0, "tickets": 1}  # received before: its events are stored
            derived = history(reader.source, tenant, [*current.readings.values(), reading])
            events = validated_events(derived, reader.source)
            try:
                written = self._histories.commit(tenant, reader.source, current, reading, events)
            except HistoryConflict:
                continue
            return {"received": written, "unique": written, "tickets": 1}
        raise ServiceUnavailable(
            f"{reader.source}: ticket {reading.ticket_id} is being changed by other deliveries; retry",
            retry_after=RETRY_AFTER_SECONDS,
        )

"""Last-seen state of tickets from ticket tools (TOPdesk, Jira), for deriving events by comparison.

Table ``ticketstate``: PartitionKey = tenant, RowKey = ``<source>|<ticket_id>``;
property ``state`` is a JSON object of canonical fields only (no free text).
Updates use ETags: a concurrent change makes :meth:`StateRepository.put`
raise :class:`StateConflict`, and the caller reads again and retries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError, ResourceModifiedError, ResourceNotFoundError

from sla_app.storage.tables import TableStore, escape_key

TABLE = "ticketstate"


class StateConflict(Exception):
    """The stored state changed since it was read."""


@dataclass(frozen=True)
class TicketState:
    """A stored snapshot and its ETag (None: not stored yet)."""

    state: dict[str, Any]
    etag: str | None


class StateRepository:
    """Reads and writes ticket snapshots with optimistic concurrency."""

    def __init__(self, store: TableStore) -> None:
        self._store = store

    @staticmethod
    def _keys(tenant: str, source: str, ticket_id: str) -> tuple[str, str]:
        return escape_key(tenant), f"{escape_key(source)}|{escape_key(ticket_id)}"

    def get(self, tenant: str, source: str, ticket_id: str) -> TicketState:
        """The stored snapshot, or an empty one."""
        pk, rk = self._keys(tenant, source, ticket_id)
        self._store.requests += 1
        try:
            entity = self._store.table(TABLE).get_entity(pk, rk)
        except ResourceNotFoundError:
            return TicketState({}, None)
        return TicketState(json.loads(entity["state"]), entity.metadata["etag"])

    def put(self, tenant: str, source: str, ticket_id: str, state: dict[str, Any], etag: str | None) -> None:
        """Store a snapshot: insert when ``etag`` is None, else replace only if unchanged."""
        pk, rk = self._keys(tenant, source, ticket_id)
        entity = {"PartitionKey": pk, "RowKey": rk, "state": json.dumps(state, sort_keys=True)}
        table = self._store.table(TABLE)
        self._store.requests += 1
        try:
            if etag is None:
                table.create_entity(entity)
            else:
                table.update_entity(entity, etag=etag, match_condition=MatchConditions.IfNotModified)
        except (ResourceExistsError, ResourceModifiedError) as exc:
            raise StateConflict(f"{source} ticket {ticket_id} changed concurrently") from exc

"""Thin helpers over azure-data-tables: keys, chunked batch writes, request counting.

Batch transactions hold at most 100 operations, all in one partition; writes
are grouped by PartitionKey and chunked here. Keys may not contain ``/ \\ # ?``
or control characters, so ids from outside are escaped with
:func:`escape_key`. Every request made through :class:`TableStore` is counted
(for the benchmark's requests-per-event figure).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote, unquote

from azure.core.exceptions import ResourceExistsError
from azure.data.tables import TableClient, TableServiceClient, UpdateMode

MAX_BATCH = 100
_UNSAFE = "/\\#?%|"


def escape_key(text: str) -> str:
    """A string safe as (part of) a PartitionKey/RowKey; ``|`` is kept free as a separator."""
    return "".join(quote(ch, safe="") if ch in _UNSAFE or ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)


def unescape_key(text: str) -> str:
    """The inverse of :func:`escape_key`."""
    return unquote(text)


def prefix_filter(prefix: str) -> tuple[str, dict[str, str]]:
    """A RowKey range filter for keys starting with ``prefix`` (spaces around @params: Azurite)."""
    return (
        "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
        {"lo": prefix, "hi": prefix[:-1] + chr(ord(prefix[-1]) + 1)},
    )


class TableStore:
    """The app's tables in one storage account; creates tables on first use."""

    def __init__(self, service: TableServiceClient, prefix: str = "") -> None:
        self._service = service
        self._prefix = prefix
        self._clients: dict[str, TableClient] = {}
        self.requests = 0

    def table(self, name: str) -> TableClient:
        """The client of table ``prefix + name``, created if missing."""
        client = self._clients.get(name)
        if client is None:
            full = self._prefix + name
            try:
                client = self._service.create_table(full)
                self.requests += 1
            except ResourceExistsError:
                client = self._service.get_table_client(full)
            self._clients[name] = client
        return client

    def upsert_many(
        self, name: str, entities: Iterable[Mapping[str, Any]], mode: UpdateMode = UpdateMode.REPLACE
    ) -> int:
        """Upsert entities in transactions of at most 100 per partition; returns requests made."""
        by_partition: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        for entity in entities:
            by_partition[entity["PartitionKey"]].append(entity)
        made = 0
        client = self.table(name)
        for rows in by_partition.values():
            unique = list({row["RowKey"]: row for row in rows}.values())  # one op per entity per transaction
            for i in range(0, len(unique), MAX_BATCH):
                client.submit_transaction([("upsert", row, {"mode": mode}) for row in unique[i : i + MAX_BATCH]])
                made += 1
        self.requests += made
        return made

    def delete_many(self, name: str, keys: Iterable[tuple[str, str]]) -> int:
        """Delete entities by (PartitionKey, RowKey) in transactions; returns how many were deleted."""
        by_partition: dict[str, list[str]] = defaultdict(list)
        for pk, rk in keys:
            by_partition[pk].append(rk)
        client = self.table(name)
        count = 0
        for pk, rks in by_partition.items():
            for i in range(0, len(rks), MAX_BATCH):
                chunk = rks[i : i + MAX_BATCH]
                client.submit_transaction([("delete", {"PartitionKey": pk, "RowKey": rk}) for rk in chunk])
                self.requests += 1
                count += len(chunk)
        return count

    def query(
        self, name: str, query_filter: str, parameters: Mapping[str, Any], select: list[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Entities matching a parameterised filter (pages are fetched lazily)."""
        self.requests += 1
        yield from self.table(name).query_entities(query_filter, parameters=dict(parameters), select=select)

    def partition(self, name: str, partition_key: str) -> Iterator[dict[str, Any]]:
        """All entities of one partition."""
        return self.query(name, "PartitionKey eq @pk", {"pk": partition_key})

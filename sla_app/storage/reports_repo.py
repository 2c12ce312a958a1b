"""Monthly reports in Table Storage, immutable and versioned.

Table ``reports``: PartitionKey = tenant, RowKey = ``<YYYY-MM>|v<0001>``. A
report is never changed: a recomputation whose content is the same is not
stored again; one that differs is stored as the next
version (created with insert-only semantics, so two writers cannot both take
the same version number). The JSON body is gzip-compressed and split over
binary properties of at most 64 KiB.

Two hashes are kept: ``inputs_fingerprint`` (what the report was computed
from: contract, events up to ``as_of``, results, exclusions) as evidence, and
``content_hash`` (the report without ``as_of``), which decides whether a
recomputation differs: later events that change nothing in a closed month do
not make a new version.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import ResourceExistsError

from sla_app.storage.tables import TableStore, escape_key, prefix_filter

TABLE = "reports"
_PART = 60_000  # bytes per binary property (limit 64 KiB)


@dataclass(frozen=True)
class StoredReport:
    """One stored version of a tenant-month report."""

    tenant: str
    month: str
    version: int
    content_hash: str
    inputs_fingerprint: str
    computed_at: str
    body: dict[str, Any]


class ReportRepository:
    """Stores report versions and reads the latest."""

    def __init__(self, store: TableStore) -> None:
        self._store = store

    def _versions(self, tenant: str, month: str) -> list[dict[str, Any]]:
        query, params = prefix_filter(f"{month}|v")
        rows = self._store.query(TABLE, query, {"pk": escape_key(tenant), **params})
        return sorted(rows, key=lambda e: e["RowKey"])

    def latest(self, tenant: str, month: str) -> StoredReport | None:
        """The newest version, or None."""
        rows = self._versions(tenant, month)
        return self._decode(rows[-1]) if rows else None

    def versions(self, tenant: str, month: str) -> list[StoredReport]:
        """Every version, oldest first."""
        return [self._decode(e) for e in self._versions(tenant, month)]

    def save(
        self, tenant: str, month: str, content_hash: str, inputs_fingerprint: str, computed_at: str, body: dict[str, Any]
    ) -> tuple[StoredReport, bool]:
        """Store a new version unless the latest has the same content; returns (report, stored)."""
        for _ in range(5):
            latest = self.latest(tenant, month)
            if latest is not None and latest.content_hash == content_hash:
                return latest, False
            version = 1 if latest is None else latest.version + 1
            packed = gzip.compress(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8"), mtime=0)
            entity: dict[str, Any] = {
                "PartitionKey": escape_key(tenant),
                "RowKey": f"{month}|v{version:04d}",
                "tenant": tenant,
                "month": month,
                "version": version,
                "content_hash": content_hash,
                "inputs_fingerprint": inputs_fingerprint,
                "computed_at": computed_at,
                "parts": max(1, -(-len(packed) // _PART)),
            }
            for index in range(entity["parts"]):
                entity[f"body_{index}"] = packed[index * _PART : (index + 1) * _PART]
            try:
                self._store.table(TABLE).create_entity(entity)
                self._store.requests += 1
            except ResourceExistsError:
                continue  # another writer took this version: look again
            return StoredReport(tenant, month, version, content_hash, inputs_fingerprint, computed_at, body), True
        raise RuntimeError(f"could not store report {tenant} {month}: too many concurrent writers")

    @staticmethod
    def _decode(entity: dict[str, Any]) -> StoredReport:
        packed = b"".join(bytes(entity[f"body_{i}"]) for i in range(int(entity["parts"])))
        return StoredReport(
            tenant=entity["tenant"],
            month=entity["month"],
            version=int(entity["version"]),
            content_hash=entity["content_hash"],
            inputs_fingerprint=entity["inputs_fingerprint"],
            computed_at=entity["computed_at"],
            body=json.loads(gzip.decompress(packed)),
        )

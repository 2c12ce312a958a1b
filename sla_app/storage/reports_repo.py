"""Monthly reports in Table Storage, immutable and versioned.

Table ``reports``: PartitionKey = tenant, RowKey = ``<YYYY-MM>|v<0001>``. A
report is never changed: a recomputation whose content is the same is not
stored again; one that differs is stored as the next
version (created with insert-only semantics, so two writers cannot both take
the same version number). The JSON body is gzip-compressed and split over
binary properties of at most 64 KiB.

Each version also keeps its ``status`` (``final`` / ``provisional``, rules
§8.5), its input ``watermark`` (RFC 3339 UTC: the latest event-received or
availability-ingested instant among its inputs) and, from version 2 on, its
``changes`` against the previous version (measurement §8.6, gzip JSON). A
computation never replaces one made from newer inputs: :meth:`save` compares
``(watermark, computed_at)`` with the latest version's under the insert-only
creation of the next version number, so a computation from older inputs that
finishes last is not stored.

Restatement checks (measurement §8.6): next to the versions of a
month, one row ``<YYYY-MM>|check`` (it sorts before ``|v…``; readers of
versions select ``|v`` keys) keeps the *figures key* of the last computation
that agreed with the latest version (``figures_key``, ``checked_version``,
``checked_at``). :meth:`heads` reads the latest version number and that check of
a range of months in one query, without the bodies, so a monthly run can skip a
restated month whose inputs did not change.

Two hashes are kept: ``inputs_fingerprint`` (what the report was computed
from: contract, events up to ``as_of``, results, exclusions) as evidence, and
``content_hash`` (the report without ``as_of``), which decides whether a
recomputation differs: later events that change nothing in a closed month do
not make a new version.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import ResourceExistsError

from sla_app.records import StoredReport
from sla_app.storage.tables import TableStore, escape_key, prefix_filter

TABLE = "reports"
_PART = 60_000  # bytes per binary property (limit 64 KiB)


@dataclass(frozen=True)
class Head:
    """A tenant-month's latest version number and the check of its last computation that agreed with it."""

    version: int = 0  # 0: no version stored
    figures_key: str = ""  # what that computation's figures were computed from (the service's key)
    checked_version: int = 0  # the latest version when that computation was compared with it
    checked_at: str = ""  # that computation's as-of instant (RFC 3339)


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

    def heads(self, tenant: str, first: str, last: str) -> dict[str, Head]:
        """Per month ``first``..``last`` (``YYYY-MM``, inclusive) that has a version or a check: one query, no bodies."""
        rows = self._store.query(
            TABLE,
            "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
            {"pk": escape_key(tenant), "lo": f"{first}|", "hi": f"{last}|~"},
            ["RowKey", "version", "figures_key", "checked_version", "checked_at"],
        )
        versions: dict[str, int] = {}
        checks: dict[str, Head] = {}
        for entity in rows:
            month, _, rest = str(entity["RowKey"]).partition("|")
            if rest == "check":
                checks[month] = Head(
                    0,
                    entity.get("figures_key") or "",
                    int(entity.get("checked_version") or 0),
                    entity.get("checked_at") or "",
                )
            elif rest.startswith("v") and rest[1:].isdigit():
                versions[month] = max(versions.get(month, 0), int(rest[1:]))
        return {
            m: replace(checks.get(m, Head()), version=versions.get(m, 0))
            for m in sorted(versions.keys() | checks.keys())
        }

    def mark_checked(self, tenant: str, marks: dict[str, tuple[str, int, str]]) -> None:
        """Record per month ``(figures_key, checked_version, checked_at)`` of a computation (one transaction)."""
        self._store.upsert_many(
            TABLE,
            [
                {
                    "PartitionKey": escape_key(tenant),
                    "RowKey": f"{month}|check",
                    "figures_key": key,
                    "checked_version": version,
                    "checked_at": at,
                }
                for month, (key, version, at) in marks.items()
            ],
        )

    def versions(self, tenant: str, month: str) -> list[StoredReport]:
        """Every version, oldest first."""
        return [self._decode(e) for e in self._versions(tenant, month)]

    def save(
        self,
        tenant: str,
        month: str,
        content_hash: str,
        inputs_fingerprint: str,
        computed_at: str,
        body: dict[str, Any],
        *,
        watermark: str | None = None,
        changes: Callable[[StoredReport], dict[str, Any]] | None = None,
        worth_storing: Callable[[StoredReport], bool] | None = None,
        first_version: bool = True,
    ) -> tuple[StoredReport | None, bool]:
        """Store a new version unless the latest has the same content or newer inputs; returns (report, stored).

        ``watermark`` defaults to ``computed_at``. ``changes(previous)`` gives the changes of a version >= 2;
        ``worth_storing(previous)`` may refuse a version whose differences do not matter (restatement).
        ``first_version=False`` is a month recomputed later: it never creates a first version (None when
        none exists).
        """
        watermark = watermark or computed_at
        status = str(body.get("status", "final"))
        for _ in range(5):
            latest = self.latest(tenant, month)
            if latest is None and not first_version:
                return None, False
            if latest is not None and latest.content_hash == content_hash:
                return latest, False
            if latest is not None and _order(watermark, computed_at) < _order(latest.watermark, latest.computed_at):
                return latest, False  # computed from older inputs than the latest: never replaces it
            if latest is not None and worth_storing is not None and not worth_storing(latest):
                return latest, False
            diff = None if latest is None or changes is None else changes(latest)
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
                "status": status,
                "watermark": watermark,
                "parts": max(1, -(-len(packed) // _PART)),
            }
            for index in range(entity["parts"]):
                entity[f"body_{index}"] = packed[index * _PART : (index + 1) * _PART]
            if diff is not None:
                entity["changes"] = _pack_changes(diff)
            try:
                self._store.table(TABLE).create_entity(entity)
                self._store.requests += 1
            except ResourceExistsError:
                continue  # another writer took this version: look again (and compare with its watermark)
            report = StoredReport(
                tenant, month, version, content_hash, inputs_fingerprint, computed_at, body, status, watermark, diff
            )
            return report, True
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
            status=entity.get("status") or "final",
            watermark=entity.get("watermark") or "",
            changes=json.loads(gzip.decompress(bytes(entity["changes"]))) if entity.get("changes") else None,
        )


def instant(text: str) -> datetime:
    """A stored RFC 3339 instant (``watermark``, ``computed_at``, ``checked_at``); unreadable or missing: the oldest."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _order(watermark: str, computed_at: str) -> tuple[datetime, datetime]:
    """Sort key of a version's inputs: watermark, then computation instant (missing: the oldest)."""
    return instant(watermark), instant(computed_at)


def _pack_changes(changes: dict[str, Any]) -> bytes:
    """The changes as gzip JSON within one binary property; an overlong cause list is shortened, never dropped."""
    data = dict(changes)
    while True:
        packed = gzip.compress(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"), mtime=0)
        causes = list(data.get("cause") or ())
        if len(packed) <= _PART or len(causes) <= 1:
            return packed
        keep = len(causes) // 2
        data["cause"] = [*causes[:keep], f"… en {len(causes) - keep} andere oorzaken"]

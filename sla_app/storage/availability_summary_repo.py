"""Daily availability summaries in Table Storage (measurement §3, §4): what every report reads.

Table ``availabilitysummary``, two partitions, RowKey = local date
(``YYYY-MM-DD``) of the contract timezone:

* ``a`` — the day's availability summary (:func:`sla_core.day_summary.encode_day`):
  per test and location, which minutes reported and which failed; ~0.2–2 KB.
* ``l`` — the day's load-time samples (:func:`~sla_core.day_summary.encode_load`);
  ~5–10 KB for 3 tests × 5 locations every 5 minutes.

The bytes are split over binary properties ``b0``, ``b1``… of at most
:data:`CHUNK` bytes (the Table limit for one binary property is 64 KiB), at
most :data:`PER_ENTITY` per entity (~480 KB); a larger blob continues in entities
``<date>+1``, ``<date>+2``… (which sort between the day and the next one).
Every entity carries ``sha256`` of the whole blob and ``parts``.

A tenant-month with 12 months of history reads one range query over ``a``
(~400 entities, one page) and one over ``l`` (the month's ~31 days): two
requests and ~0.5 MB instead of 29,293 entities / 43 MB of raw rows. The
summaries are platform facts, the same for every tenant: a repository (one per
worker process) keeps the blobs it read by their SHA-256, first reads only the
hashes of a range (``$select``, ~100 bytes a day) and then the blobs of the
days it has not seen with that hash (per tenant after the first, two
small queries instead of ~1.6 MB). A day
written again replaces its summary (re-ingestion); summaries are platform
facts without personal data and are kept when the raw rows expire.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sla_app.storage.tables import TableStore
from sla_core.availability import SlotStates
from sla_core.availability_summary import SummarisedAvailability
from sla_core.business_calendar import US_PER_MINUTE
from sla_core.day_summary import DaySummary, LoadDay, StoredDay, decode_load, encode_day, encode_load
from sla_core.periods import day_bounds

TABLE = "availabilitysummary"
AVAILABILITY, LOAD = "a", "l"
CHUNK = 60_000
PER_ENTITY = 8  # 480 KB raw, ~640 KB as base64: under the 1 MiB entity limit (Azurite counts base64)


def _entities(partition: str, day: date, blob: bytes) -> list[dict[str, Any]]:
    chunks = [blob[i : i + CHUNK] for i in range(0, len(blob), CHUNK)] or [b""]
    groups = [chunks[i : i + PER_ENTITY] for i in range(0, len(chunks), PER_ENTITY)]
    sha = hashlib.sha256(blob).hexdigest()
    entities = []
    for n, group in enumerate(groups):
        entity: dict[str, Any] = {
            "PartitionKey": partition,
            "RowKey": day.isoformat() if n == 0 else f"{day.isoformat()}+{n}",
            "sha256": sha,
            "parts": len(groups),
        }
        entity.update({f"b{k}": chunk for k, chunk in enumerate(group)})
        entities.append(entity)
    return entities


def _blobs(entities: Iterator[dict[str, Any]]) -> Iterator[tuple[str, bytes, str]]:
    """(day, whole blob, sha256) per day, from entities in RowKey order."""
    current: str | None = None
    parts: list[bytes] = []
    sha = ""
    for entity in entities:
        day = entity["RowKey"].split("+")[0]
        if day != current:
            if current is not None:
                yield current, b"".join(parts), sha
            current, parts, sha = day, [], entity["sha256"]
        for k in range(PER_ENTITY):
            chunk = entity.get(f"b{k}")
            if chunk is None:
                break
            parts.append(bytes(chunk))
    if current is not None:
        yield current, b"".join(parts), sha


_SELECT = ["RowKey", "sha256", *(f"b{k}" for k in range(PER_ENTITY))]
_HASHES = ["RowKey", "sha256"]
CACHED_DAYS = {"a": 1_000, "l": 100}  # days kept per worker: ~2 KB per availability blob, ~40 KB per decoded load day


class AvailabilitySummaryRepository:
    """Writes a day's summaries and reads the summaries of a range of days."""

    def __init__(self, store: TableStore, zone: ZoneInfo) -> None:
        self._store = store
        self._zone = zone
        self._memo: dict[tuple, SlotStates] = {}  # per worker process: see SummarisedAvailability
        self._blobs: dict[str, dict[tuple[str, str], Any]] = {AVAILABILITY: {}, LOAD: {}}  # (day, sha256) -> blob
        self._lock = threading.Lock()

    def save(self, day: date, summary: DaySummary, load: LoadDay) -> None:
        """Replace the summaries of ``day`` (4 requests: an upsert and a stale-continuation query per partition)."""
        entities = _entities(AVAILABILITY, day, encode_day(summary)) + _entities(LOAD, day, encode_load(load))
        if len(entities) == 2:
            self._store.upsert_many(TABLE, entities)
        else:  # a spilled blob: one entity per transaction (a transaction carries at most 4 MiB)
            for entity in entities:
                self._store.upsert_many(TABLE, [entity])
        keep = {(e["PartitionKey"], e["RowKey"]) for e in entities}
        query = "PartitionKey eq @pk and RowKey gt @lo and RowKey lt @hi"
        stale = [
            (e["PartitionKey"], e["RowKey"])
            for partition in (AVAILABILITY, LOAD)
            for e in self._store.query(
                TABLE,
                query,
                {"pk": partition, "lo": f"{day.isoformat()}+", "hi": f"{day.isoformat()}+~"},
                ["PartitionKey", "RowKey"],
            )
            if (e["PartitionKey"], e["RowKey"]) not in keep
        ]
        if stale:
            self._store.delete_many(TABLE, stale)

    def save_new(self, days: Iterable[tuple[date, DaySummary, LoadDay]]) -> None:
        """Write summaries of days that have none yet, 100 per transaction (seeding, benchmarks)."""
        days = list(days)
        entities = [e for day, summary, _ in days for e in _entities(AVAILABILITY, day, encode_day(summary))]
        entities += [e for day, _, load in days for e in _entities(LOAD, day, encode_load(load))]
        if any(e["parts"] > 1 for e in entities):
            raise ValueError("save_new writes small summaries only; use save()")
        self._store.upsert_many(TABLE, entities)

    def _range(self, partition: str, first: date, end: date) -> Iterator[tuple[str, bytes, str]]:
        query = "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi"
        params = {"pk": partition, "lo": first.isoformat(), "hi": end.isoformat()}
        return _blobs(self._store.query(TABLE, query, params, _SELECT))  # $select: no Timestamp to parse

    def _hashes(self, partition: str, first: date, end: date) -> dict[str, str]:
        query = "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi"
        params = {"pk": partition, "lo": first.isoformat(), "hi": end.isoformat()}
        rows = self._store.query_plain(TABLE, query, params, _HASHES)  # text only: plain JSON
        return {e["RowKey"].split("+")[0]: e["sha256"] for e in rows}

    def _cached(
        self, partition: str, first: date, end: date, decode: Callable[[bytes], Any]
    ) -> list[tuple[str, str, Any]]:
        """``(day, sha256, decoded blob)`` of the days in ``[first, end)``: hashes first, then only unseen blobs."""
        if end <= first:
            return []
        hashes = self._hashes(partition, first, end)
        cache = self._blobs[partition]
        with self._lock:
            known = {d: cache[d, sha] for d, sha in hashes.items() if (d, sha) in cache}
        unseen = sorted(d for d in hashes if d not in known)
        fetched: dict[str, tuple[str, Any]] = {}
        if unseen:
            last = date.fromisoformat(unseen[-1]) + timedelta(days=1)
            for day, blob, sha in self._range(partition, date.fromisoformat(unseen[0]), last):
                fetched[day] = (sha, decode(blob))
            with self._lock:
                if len(cache) + len(fetched) > CACHED_DAYS[partition]:
                    cache.clear()
                cache.update({(d, sha): value for d, (sha, value) in fetched.items()})
        return [
            (day, *fetched[day]) if day in fetched else (day, hashes[day], known[day])
            for day in sorted(known.keys() | fetched.keys())
        ]

    def days(self, first: date, end: date) -> list[date]:
        """The days in ``[first, end)`` that have an availability summary."""
        query = "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi"
        params = {"pk": AVAILABILITY, "lo": first.isoformat(), "hi": end.isoformat()}
        return sorted(
            {date.fromisoformat(e["RowKey"].split("+")[0]) for e in self._store.query(TABLE, query, params, ["RowKey"])}
        )

    def read(self, first: date, end: date, load_first: date | None = None) -> SummarisedAvailability:
        """Availability summaries of the days ``[first, end)`` and load-time samples of ``[load_first, end)``.

        Two range queries. ``fingerprint`` is the SHA-256 over the days' blob hashes (changes when any
        summary read changes); ``digests`` / ``load_digests`` give the blob hash per local day.
        """
        digest = hashlib.sha256()
        days, digests = [], {}
        for day, sha, blob in self._cached(AVAILABILITY, first, end, bytes):
            start, stop = day_bounds(date.fromisoformat(day), self._zone)
            days.append(StoredDay(start // US_PER_MINUTE, (stop - start) // US_PER_MINUTE, sha, blob))
            digests[date.fromisoformat(day)] = sha
            digest.update(f"a{day}{sha}".encode())
        loads, load_digests = self.load_days(load_first or first, end)
        for key, sha in sorted(load_digests.items()):
            digest.update(f"l{key.isoformat()}{sha}".encode())
        return SummarisedAvailability(days, loads, digest.hexdigest(), digests, self._memo, digests, load_digests)

    def load_days(self, first: date, end: date) -> tuple[list[LoadDay], dict[date, str]]:
        """The load-time samples of the days ``[first, end)`` and their blob hashes (one range query)."""
        found = self._cached(LOAD, first, end, decode_load)
        return [load for _, _, load in found], {date.fromisoformat(day): sha for day, sha, _ in found}

    def load_digests(self, first: date, end: date) -> dict[date, str]:
        """The blob hash of each day's load-time samples in ``[first, end)``, without the samples (one small query)."""
        if end <= first:
            return {}
        return {date.fromisoformat(day): sha for day, sha in self._hashes(LOAD, first, end).items()}

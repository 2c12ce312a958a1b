"""Availability test results in Table Storage, compact, per local day.

Table ``availability``: PartitionKey = local date (contract timezone) of the
results, RowKey = ``<test>|<location>`` (escaped); property ``rows`` holds
every result of that test and location that day as
``<ms since the day's start>:<1|0>:<duration ms>`` joined by ``;`` (split over
``rows_1``, ``rows_2``… when long). This keeps every field the engine needs, so
any month can be recomputed after Log Analytics' retention has dropped the raw
rows, with ~15 entities a day instead of ~4,300.

Table ``availabilitydays``: PartitionKey ``day``, RowKey = local date; whether
the day was ingested completely, how many rows, and when. A day stored again
replaces its entities (idempotent re-ingestion). The day status is its own
small entity (:meth:`AvailabilityRepository.record_status`), independent of how
the results themselves are stored. Measurement §8.5: a day is ``complete`` once it
was ingested after the day ended plus the Monitor ingestion delay without a
partial result (the ingestion service decides that); ``partial`` when it was
ingested but is not complete; ``missing`` when it was never ingested or
nothing of it is stored.

With every day stored, its summaries are written too
(:mod:`sla_app.storage.availability_summary_repo`), before the status: reports
read those, never the rows. Retention removes rows and statuses, not summaries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sla_app.storage.availability_summary_repo import AvailabilitySummaryRepository
from sla_app.storage.tables import TableStore, escape_key
from sla_core.availability_input import TestResult
from sla_core.availability_summary import SummarisedAvailability, summarise_day
from sla_core.day_summary import LoadDay
from sla_core.periods import day_bounds

TABLE = "availability"
DAYS_TABLE = "availabilitydays"
_CHUNK = 30_000  # characters per string property (limit: 64 KiB as UTF-16)
_US_PER_MS = 1000


@dataclass(frozen=True)
class DayStatus:
    """Ingestion state of one local day."""

    day: date
    complete: bool
    rows: int
    ingested_at: str
    note: str = ""

    @property
    def state(self) -> str:
        """``complete``, ``partial`` (some rows, not complete) or ``missing`` (nothing stored)."""
        if self.complete:
            return "complete"
        return "partial" if self.rows > 0 else "missing"


def _number(value: float) -> str:
    """The shortest text that reads back as exactly ``value`` (``:g`` alone rounds to 6 digits)."""
    text = f"{value:g}"
    return text if float(text) == value else repr(value)


def _encode(results: list[TestResult], day_start: int) -> str:
    return ";".join(
        f"{(r.at - day_start) // _US_PER_MS}.{(r.at - day_start) % _US_PER_MS:03d}:{int(r.success)}:{_number(r.duration_ms)}"
        for r in sorted(results, key=lambda r: r.at)
    )


def _decode(text: str, day_start: int, name: str, location: str) -> list[TestResult]:
    results = []
    for item in filter(None, text.split(";")):
        offset, success, duration = item.split(":")
        ms, _, micro = offset.partition(".")
        at = day_start + int(ms) * _US_PER_MS + int(micro or 0)
        results.append(TestResult(at, name, location, success == "1", float(duration)))
    return results


class AvailabilityRepository:
    """Stores results per local day and reads them back per period."""

    def __init__(self, store: TableStore, zone: ZoneInfo) -> None:
        self._store = store
        self._zone = zone
        self.summaries = AvailabilitySummaryRepository(store, zone)

    def save_day(
        self, day: date, results: Iterable[TestResult], *, complete: bool, ingested_at: str, note: str = ""
    ) -> int:
        """Replace a day's results and record its status; returns the number of rows stored."""
        start, end = day_bounds(day, self._zone)
        groups: dict[tuple[str, str], list[TestResult]] = defaultdict(list)
        kept: list[TestResult] = []
        for result in results:
            if start <= result.at < end:
                groups[(result.name, result.location)].append(result)
                kept.append(result)
        count = len(kept)
        stale = {(e["PartitionKey"], e["RowKey"]) for e in self._store.partition(TABLE, day.isoformat())}
        entities = []
        for (name, location), rows in groups.items():
            text = _encode(rows, start)
            entity: dict[str, Any] = {
                "PartitionKey": day.isoformat(),
                "RowKey": f"{escape_key(name)}|{escape_key(location)}",
                "test": name,
                "location": location,
                "count": len(rows),
            }
            chunks = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)] or [""]
            entity["rows"] = chunks[0]
            for index, chunk in enumerate(chunks[1:], start=1):
                entity[f"rows_{index}"] = chunk
            entities.append(entity)
            stale.discard((entity["PartitionKey"], entity["RowKey"]))
        self._store.upsert_many(TABLE, entities)
        if stale:
            self._store.delete_many(TABLE, stale)
        self.summaries.save(day, *summarise_day(kept, start, end))  # what every report reads
        self.record_status(DayStatus(day, complete, count, ingested_at, note))
        return count

    def record_status(self, status: DayStatus) -> None:
        """Record (replace) one day's ingestion status."""
        entity = {
            "PartitionKey": "day",
            "RowKey": status.day.isoformat(),
            "complete": status.complete,
            "rows": status.rows,
            "ingested_at": status.ingested_at,
            "note": status.note,
        }
        self._store.upsert_many(DAYS_TABLE, [entity])

    def day_status(self, day: date) -> str:
        """``complete``, ``partial`` or ``missing`` (never ingested) for one local day (measurement §8.5)."""
        status = self.statuses(day, day + timedelta(days=1)).get(day)
        return "missing" if status is None else status.state

    def incomplete_days(self, first: date, last: date) -> list[date]:
        """The local days ``first`` to ``last`` (both included) that are not complete, in order."""
        statuses = self.statuses(first, last + timedelta(days=1))
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [d for d in days if d not in statuses or not statuses[d].complete]

    def results(self, start_day: date, end_day: date) -> list[TestResult]:
        """All stored results of the local days ``[start_day, end_day)`` (one paged range query)."""
        found: list[TestResult] = []
        if end_day <= start_day:
            return found
        starts: dict[str, int] = {}
        query = "PartitionKey ge @lo and PartitionKey lt @hi"
        for entity in self._store.query(TABLE, query, {"lo": start_day.isoformat(), "hi": end_day.isoformat()}):
            key = entity["PartitionKey"]
            if key not in starts:
                starts[key] = day_bounds(date.fromisoformat(key), self._zone)[0]
            index, parts = 1, [entity.get("rows", "")]
            while f"rows_{index}" in entity:
                parts.append(entity[f"rows_{index}"])
                index += 1
            found.extend(_decode("".join(parts), starts[key], entity["test"], entity["location"]))
        return found

    def summarised(self, first_day: date, end_day: date, load_first_day: date | None = None) -> SummarisedAvailability:
        """The day summaries of ``[first_day, end_day)`` (load-time samples from ``load_first_day``): 2 requests (4 for days this worker has not read).

        A day stored with rows but without a summary (ingested before summaries existed) is
        summarised from its rows first, once, so no report ever reads a day as unmeasured by mistake
        (one more request, only while some day of the range has no summary).
        """
        found = self.summaries.read(first_day, end_day, load_first_day)
        if len(found.covered) == (end_day - first_day).days:
            return found
        missing = [d for d, s in self.statuses(first_day, end_day).items() if s.rows and d not in found.covered]
        for day in sorted(missing):
            start, end = day_bounds(day, self._zone)
            self.summaries.save(day, *summarise_day(self.results(day, day + timedelta(days=1)), start, end))
        return self.summaries.read(first_day, end_day, load_first_day) if missing else found

    def load_days(self, first_day: date, end_day: date) -> tuple[list[LoadDay], dict[date, str]]:
        """The load-time samples of ``[first_day, end_day)`` and their digests per day (one request)."""
        return self.summaries.load_days(first_day, end_day)

    def load_digests(self, first_day: date, end_day: date) -> dict[date, str]:
        """The digest of each day's load-time samples in ``[first_day, end_day)``, without the samples (one request)."""
        return self.summaries.load_digests(first_day, end_day)

    def statuses(self, start_day: date, end_day: date) -> dict[date, DayStatus]:
        """Ingestion status of the days in ``[start_day, end_day)`` that have one."""
        query = "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi"
        params = {"pk": "day", "lo": start_day.isoformat(), "hi": end_day.isoformat()}
        return {
            date.fromisoformat(e["RowKey"]): DayStatus(
                date.fromisoformat(e["RowKey"]),
                bool(e["complete"]),
                int(e["rows"]),
                e["ingested_at"],
                e.get("note", ""),
            )
            for e in self._store.query_plain(DAYS_TABLE, query, params)  # text, numbers, booleans: plain JSON
        }

    def delete_days_before(self, cutoff: date) -> int:
        """Remove raw rows and the status of days before ``cutoff`` (retention); returns result entities removed."""
        old = [
            (e["PartitionKey"], e["RowKey"])
            for e in self._store.query(
                TABLE, "PartitionKey lt @cutoff", {"cutoff": cutoff.isoformat()}, ["PartitionKey", "RowKey"]
            )
        ]
        removed = self._store.delete_many(TABLE, old)
        statuses = [("day", day.isoformat()) for day in self.statuses(date(1970, 1, 1), cutoff)]
        self._store.delete_many(DAYS_TABLE, statuses)
        return removed

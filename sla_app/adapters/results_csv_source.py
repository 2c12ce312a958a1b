"""CSV source: the availability results of an interval from a CSV export, for local runs (measurement §7).

The file is the export of the KQL query (header
``TimeGenerated,Name,Location,Success,DurationMs``), parsed strictly by
``sla_core.availability_input.parse_results_csv``. It stands in for Azure
Monitor when the app runs locally; in Azure the source is always Log
Analytics (the choice is made from the settings, never by a request).

The file is read once, and again whenever it changed (its modification time
or size; the app keeps one source per process, and a local run may write a
new export between two ingestions). An
interval without a single row in the export is reported *incomplete*: an
export says nothing about the time it does not cover, so such a day stays
visible as not measured instead of being stored as an empty, complete day.
"""

from __future__ import annotations

import bisect
from pathlib import Path

from sla_core.availability_input import TestResult, parse_results_csv


class CsvResultsSource:
    """Results of ``[start_us, end_us)`` from a results CSV file (a ``ResultsSource``)."""

    name = "csv"

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        # (mtime ns, size) of the file as read, its rows by instant and their instants: replaced as one
        self._loaded: tuple[tuple[int, int], list[TestResult], list[int]] | None = None

    def _load(self) -> tuple[list[TestResult], list[int]]:
        stat = self._path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
        loaded = self._loaded
        if loaded is None or loaded[0] != version:
            with self._path.open(encoding="utf-8", newline="") as handle:
                rows = sorted(parse_results_csv(handle, self._path.name), key=lambda r: r.at)
            loaded = self._loaded = (version, rows, [r.at for r in rows])
        return loaded[1], loaded[2]

    def fetch(self, start_us: int, end_us: int) -> tuple[list[TestResult], bool, str]:
        """The rows in ``[start_us, end_us)``; incomplete when the export has none there."""
        rows, instants = self._load()
        found = rows[bisect.bisect_left(instants, start_us) : bisect.bisect_left(instants, end_us)]
        if not found:
            return [], False, f"no rows in {self._path.name} for this interval"
        return found, True, f"csv export {self._path.name}"

"""What availability ingestion works with and reports, one local day at a time (measurement §3, §8.5).

The ports :class:`sla_app.services.availability_ingest.AvailabilityIngestService`
needs (:class:`ResultsSource`: Azure Monitor or a CSV export; :class:`DayStore`:
the stored results per local day with their status; :class:`AuditLog`), what
happened to one day (:class:`DayOutcome`) and to one run (:class:`IngestRun`),
both with their API JSON, and the body of a backfill request
(:func:`parse_backfill_request`, ``[start, end)`` local days).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, Protocol

from sla_app.errors import BadRequest, Unprocessable
from sla_app.storage.availability_repo import DayStatus
from sla_core.availability_input import TestResult
from sla_core.periods import Month

Outcome = Literal["stored", "kept", "failed"]


class ResultsSource(Protocol):
    """Where availability test results come from (Azure Monitor, a CSV export)."""

    def fetch(self, start_us: int, end_us: int) -> tuple[list[TestResult], bool, str]:
        """The results in ``[start_us, end_us)``, whether that answer is complete, and a note."""
        ...


class DayStore(Protocol):
    """Stored results per local day, with their ingestion status."""

    def save_day(
        self, day: date, results: Iterable[TestResult], *, complete: bool, ingested_at: str, note: str = ""
    ) -> int: ...

    def results(self, start_day: date, end_day: date) -> list[TestResult]: ...

    def statuses(self, start_day: date, end_day: date) -> dict[date, DayStatus]: ...

    def incomplete_days(self, first: date, last: date) -> list[date]: ...


class AuditLog(Protocol):
    """The audit log."""

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None: ...


@dataclass(frozen=True)
class DayOutcome:
    """What happened to one day: ``stored``, ``kept`` (the stored day was better) or ``failed`` (source error)."""

    day: date
    outcome: Outcome
    complete: bool
    rows: int
    note: str = ""
    completed: bool = False  # this ingestion turned an incomplete (or never ingested) day complete
    changed: bool = False  # this ingestion replaced a complete day with different complete content

    def to_json(self) -> dict[str, Any]:
        """The outcome as API JSON."""
        return {
            "day": self.day.isoformat(),
            "outcome": self.outcome,
            "complete": self.complete,
            "rows": self.rows,
            "note": self.note,
        }


@dataclass(frozen=True)
class IngestRun:
    """The days one run handled, in date order."""

    days: list[DayOutcome] = field(default_factory=list)
    months_ready: list[Month] = field(default_factory=list)  # months whose computation this run triggered

    @property
    def incomplete(self) -> list[date]:
        """Days that are stored as incomplete after the run."""
        return [d.day for d in self.days if not d.complete]

    def to_json(self) -> dict[str, Any]:
        """The run as API JSON."""
        return {
            "days": [d.to_json() for d in self.days],
            "complete": sum(d.complete for d in self.days),
            "incomplete": len(self.incomplete),
            "failed": sum(d.outcome == "failed" for d in self.days),
        }


def _day_field(data: dict[str, Any], key: str) -> date:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Unprocessable(f"field {key}: required, a date YYYY-MM-DD", field=key)
    try:
        if len(value.strip()) != 10:
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise Unprocessable(f"field {key}: not a date YYYY-MM-DD: {value!r}", field=key) from exc


def parse_backfill_request(data: Any) -> tuple[date, date]:
    """``{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`` (end exclusive) as dates; nothing else is accepted.

    The results source is not a request field: it follows from the app's settings.
    """
    if not isinstance(data, dict):
        raise BadRequest('request body must be a JSON object {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}')
    for key in data:
        if key not in ("start", "end"):
            why = "the results source follows from the app's settings" if key == "source" else "unknown field"
            raise Unprocessable(f"field {key}: not allowed ({why})", field=str(key))
    return _day_field(data, "start"), _day_field(data, "end")

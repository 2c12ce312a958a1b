"""One tenant's inputs of a monthly run, read once per message, and the key that lets a restatement be skipped.

A queue message computes a month and restates the previous 12 (measurement
§8.6). The tenant's events, exclusions, day statuses and availability
summaries are read once and shared by every month of the message
(:class:`MonthInputs`); each month's report is computed from them.

Restating a month whose figures cannot have changed is wasted work, and at a
month end that is almost every restated month. :meth:`MonthInputs.figures_key`
names everything the *figures* of a month depend on (what
:func:`sla_core.restatement.figures_changed` compares: its status and missing
days, its availability and load time, the outcomes decided in it):

* the computing code (a digest of ``sla_core``'s sources: a deployment that
  changes a rule restates every month once) and the tenant's contract;
* the month's day summaries (availability and load-time samples, by their
  stored hashes) and its incomplete days;
* the exclusions overlapping the month;
* the events of every ticket that has an event before the month's end (a
  ticket whose every event lies after the month cannot have an outcome
  decided in it; a late event of an older ticket changes the key).

The key holds only when the computation that produced it ran after the month
ended (before that, time alone decides outcomes): the service checks that.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sla_core
from sla_app.storage.reports_repo import instant
from sla_core.availability_input import Exclusion
from sla_core.availability_summary import SummarisedAvailability
from sla_core.business_calendar import to_us
from sla_core.contract import Contract
from sla_core.day_summary import LoadDay
from sla_core.events import TicketEvent
from sla_core.periods import MeasurementWindow, Month, trailing_months
from sla_core.report import Reporter
from sla_core.report_json import report_json


def digest(value: Any) -> str:
    """SHA-256 of a value's canonical JSON (sorted keys)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@cache
def core_digest() -> str:
    """SHA-256 over the sources of ``sla_core`` (read once per process): the code that computes a report."""
    sha = hashlib.sha256()
    root = Path(sla_core.__file__).parent
    for path in sorted(root.rglob("*.py")):
        sha.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def _days_of(month: Month) -> list[date]:
    day, end, days = month.first_day(), month.shift(1).first_day(), []
    while day < end:
        days.append(day)
        day = date.fromordinal(day.toordinal() + 1)
    return days


@dataclass
class MonthInputs:
    """One tenant's inputs, read once for a month and its restated predecessors."""

    tenant: str
    contract: Contract
    window: MeasurementWindow
    computed_at: str
    as_of: int  # µs
    summaries: SummarisedAvailability
    received: list[tuple[TicketEvent, datetime]]
    statuses: dict[date, Any]
    exclusions: list[Exclusion]
    load_digests: dict[date, str] = field(default_factory=dict)  # also of days whose samples were not read
    reporter: Reporter = field(init=False)
    _events_json: list[str] = field(default_factory=list, init=False)
    _tickets: list[tuple[int, str]] = field(default_factory=list, init=False)  # (first event µs, digest)

    def __post_init__(self) -> None:
        self.load_digests = {**self.load_digests, **self.summaries.load_digests}
        self.reporter = Reporter(self.contract, (), self.exclusions, self.as_of, summaries=self.summaries)
        by_ticket: dict[str, list[tuple[int, str]]] = {}
        for event, _ in self.received:
            text = json.dumps(event.to_json(), sort_keys=True)
            self._events_json.append(text)
            by_ticket.setdefault(event.ticket_id, []).append((event.at, text))
        self._events_json.sort()
        self._tickets = sorted(
            (min(at for at, _ in items), digest(sorted(text for _, text in items))) for items in by_ticket.values()
        )

    def add_load(self, load_days: list[LoadDay], load_digests: dict[date, str]) -> None:
        """Add the load-time samples of more days (restated months read after the check)."""
        self.summaries = self.summaries.with_load(load_days, load_digests)
        self.load_digests = {**self.load_digests, **load_digests}
        self.reporter = Reporter(self.contract, (), self.exclusions, self.as_of, summaries=self.summaries)

    @property
    def events(self) -> list[TicketEvent]:
        """The tenant's events (as of the computation)."""
        return [e for e, _ in self.received]

    def missing_days(self, month: Month) -> list[date]:
        """The local days of ``month`` whose availability is not complete (measurement §8.5)."""
        return [d for d in _days_of(month) if (s := self.statuses.get(d)) is None or not s.complete]

    def _month_days(self, month: Month) -> list[list[str]]:
        availability = self.summaries.digests
        return [[d.isoformat(), availability.get(d, ""), self.load_digests.get(d, "")] for d in _days_of(month)]

    def figures_key(self, month: Month) -> str:
        """What the figures of ``month`` depend on (see the module docstring)."""
        start, end = month.bounds(self.contract.zone)
        return digest(
            {
                "code": core_digest(),
                "contract": self.contract.model_dump(mode="json"),
                "days": self._month_days(month),
                "missing_days": [d.isoformat() for d in self.missing_days(month)],
                "exclusions": [e.to_json() for e in self.exclusions if e.start < end and e.end > start],
                "tickets": [sha for first, sha in self._tickets if first < end],
            }
        )

    def settled(self, month: Month, checked_at: str) -> bool:
        """Whether a computation as of ``checked_at`` ran after ``month`` ended (time alone no longer decides)."""
        return to_us(instant(checked_at)) >= month.bounds(self.contract.zone)[1] if checked_at else False

    def report(self, month: Month) -> tuple[dict[str, Any], str, str]:
        """The report body of ``month``, the fingerprint of its inputs and their watermark (RFC 3339 UTC)."""
        months = trailing_months(month, self.window)
        first, end = months[0].first_day(), month.shift(1).first_day()
        missing = self.missing_days(month)
        body = report_json(self.reporter.report(self.tenant, month, self.events, missing))
        marks = [r for _, r in self.received]
        marks += [instant(s.ingested_at) for d, s in self.statuses.items() if first <= d < end]
        watermark = max(marks, default=instant(self.computed_at)).astimezone(UTC).isoformat()
        availability = self.summaries.digests
        fingerprint = digest(
            {
                "contract": self.contract.model_dump(mode="json"),
                "events": digest(self._events_json),
                "results": [
                    digest(sorted((d.isoformat(), sha) for d, sha in availability.items() if Month.of(d) == m))
                    for m in months
                ],
                "load": self._month_days(month),
                "exclusions": [e.to_json() for e in self.exclusions],
                "missing_days": [d.isoformat() for d in missing],
            }
        )
        return body, fingerprint, watermark

    def events_after(self, watermark: str, computed_at: str = "") -> list[dict[str, Any]]:
        """The events (canonical JSON) a version with ``watermark`` and ``computed_at`` did not count.

        Those received after its watermark, and those it left out because they occurred after it was
        computed (a ticket tool whose clock runs ahead of the app's): each received before the watermark.
        """
        after = instant(watermark) if watermark else datetime.min.replace(tzinfo=UTC)
        seen_until = to_us(instant(computed_at)) if computed_at else None
        return [e.to_json() for e, r in self.received if r > after or (seen_until is not None and e.at > seen_until)]

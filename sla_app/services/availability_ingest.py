"""Availability results in: one local day at a time, from a results source into Table Storage (measurement §3).

Days are local days of the contract timezone, ``[local midnight, next local
midnight)`` — 23 or 25 hours on a daylight-saving change. For each day the
source (Azure Monitor in Azure, a CSV export locally) returns the rows,
whether the answer was complete, and a note; the day is stored with that
status, replacing what was stored before (re-ingesting is idempotent), and
every ingestion is written to the audit log.

* :meth:`AvailabilityIngestService.daily` ingests the previous local day and
  retries every day of the last :data:`RETRY_DAYS` days that is incomplete or
  has no status at all: a day is never silently missing.
* Every daily run also ingests the complete days of the last :data:`SETTLE_DAYS`
  days again (late rows); a day whose content changed is replaced and, when its
  month has ended, that month is recomputed (restatement, measurement §8.6); an
  unchanged answer writes nothing and triggers nothing (``kept``).
* An answer without a single row is never complete (either source): tests run
  every few minutes, so an empty day means the data has not arrived yet.
* :meth:`AvailabilityIngestService.backfill` ingests a range of days
  ``[start, end)`` (at most :data:`MAX_BACKFILL_DAYS` per call).
* A source that raises marks the day incomplete with the error in its note
  (audited); the run goes on with the other days.
* Measurement §8.5: a day is complete only when its answer was complete *and* it
  was fetched at or after the day's end plus ``ingestion_delay`` (the Azure
  Monitor ingestion delay, setting ``SLA_INGESTION_DELAY_MINUTES``); fetched
  earlier it is stored as incomplete and retried by the daily run.
* A run that makes a day of an ended month complete, when that day is the
  month's last day or the month is then complete, calls ``on_month_ready``
  with the month (the shell enqueues the monthly fan-out: the computation
  follows the data, the 1st-of-month timer is only the safety net).

Two guards keep stored evidence from being destroyed by a worse answer: a
complete day is never replaced by an incomplete answer or an error, and
stored rows are never replaced by an empty answer (e.g. a backfill of days
older than the workspace's retention). Both are audited as ``kept``.

The ports the service needs and what it reports (a day's and a run's outcome) are in
:mod:`sla_app.services.availability_days`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sla_app.errors import Unprocessable
from sla_app.services.availability_days import AuditLog, DayOutcome, DayStore, IngestRun, ResultsSource
from sla_app.storage.availability_repo import DayStatus
from sla_core.availability_input import TestResult
from sla_core.periods import Month, day_bounds

RETRY_DAYS = 7
SETTLE_DAYS = 3
"""Days back (before today) that every daily run ingests again, even when complete (measurement §8.5, §8.6).

Azure Monitor usually ingests a result within minutes, but in an incident rows can arrive hours or a
day late, after the day was already stored complete with the rows that had arrived. Re-fetching the last
few days catches them: a changed day replaces the stored one and, when its month has ended, the month is
recomputed (restated, with a correction e-mail); an unchanged day is left alone and triggers nothing.
"""
# One HTTP call ingests at most this many days: one Log Analytics query per
# day must finish well inside the 230-second limit of an HTTP-triggered call.
MAX_BACKFILL_DAYS = 31
_NOTE_LIMIT = 500


def _order(result: TestResult) -> tuple[int, str, str, bool, float]:
    return (result.at, result.name, result.location, result.success, result.duration_ms)


class AvailabilityIngestService:
    """Ingests local days of availability results from a source into the day store, with audit entries."""

    def __init__(
        self,
        source: ResultsSource,
        store: DayStore,
        audit: AuditLog,
        clock: Callable[[], datetime],
        zone: ZoneInfo,
        *,
        source_name: str | None = None,
        retry_days: int = RETRY_DAYS,
        settle_days: int = SETTLE_DAYS,
        max_backfill_days: int = MAX_BACKFILL_DAYS,
        retention_days: int | None = None,
        ingestion_delay: timedelta = timedelta(minutes=60),
        on_month_ready: Callable[[Month], None] | None = None,
    ) -> None:
        if retry_days < 1 or max_backfill_days < 1:
            raise ValueError("retry_days and max_backfill_days must be at least 1")
        self._source = source
        self._store = store
        self._audit = audit
        self._clock = clock
        self._zone = zone
        self._source_name = source_name or str(getattr(source, "name", type(source).__name__))
        self._retry_days = retry_days
        self._settle_days = max(1, min(settle_days, retry_days))
        self._max_backfill_days = max_backfill_days
        self._retention_days = retention_days
        self._delay = ingestion_delay
        self._on_month_ready = on_month_ready

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat()

    def today(self) -> date:
        """The local date now (the day in progress, never ingested)."""
        return self._clock().astimezone(self._zone).date()

    def ingest_day(self, day: date, actor: str = "system") -> DayOutcome:
        """Fetch one local day and store it (replacing the stored day, except for the guards above); audited."""
        start_us, end_us = day_bounds(day, self._zone)
        existing = self._store.statuses(day, day + timedelta(days=1)).get(day)
        fetched_at = self._clock().astimezone(UTC)
        try:
            rows, complete, note = self._source.fetch(start_us, end_us)
        except Exception as exc:  # noqa: BLE001 — any source failure is recorded on the day, never lost
            return self._failed(day, existing, f"{type(exc).__name__}: {exc}"[:_NOTE_LIMIT], actor)
        rows = [r for r in rows if start_us <= r.at < end_us]
        settled = datetime.fromtimestamp(end_us / 1e6, UTC) + self._delay
        if complete and not rows:
            complete = False  # tests run every few minutes: an empty day has not arrived yet
            note = f"no rows in the answer: the day's data has not arrived; {note or ''}"
        if complete and fetched_at < settled:
            complete = False
            note = f"fetched before the day ended plus the ingestion delay ({settled.isoformat()}); {note or ''}"
        note = (note or "")[:_NOTE_LIMIT]
        keep_reason = None
        if existing is not None and existing.complete and not complete:
            keep_reason = f"stored complete day kept; the new answer was incomplete ({note})"
        elif existing is not None and existing.rows > 0 and not rows:
            keep_reason = f"stored {existing.rows} rows kept; the new answer had none ({note or 'empty'})"
        elif (
            existing is not None
            and existing.complete
            and existing.rows == len(rows)
            and sorted(rows, key=_order) == sorted(self._store.results(day, day + timedelta(days=1)), key=_order)
        ):
            keep_reason = "unchanged: the stored complete day equals the new answer"
        if keep_reason is not None:
            assert existing is not None
            outcome = DayOutcome(day, "kept", existing.complete, existing.rows, keep_reason[:_NOTE_LIMIT])
        else:
            count = self._store.save_day(day, rows, complete=complete, ingested_at=self._now(), note=note)
            completed = complete and (existing is None or not existing.complete)
            changed = complete and existing is not None and existing.complete
            outcome = DayOutcome(day, "stored", complete, count, note, completed, changed)
        self._audit.audit(
            self._now(),
            actor,
            "availability.ingested",
            None,
            day=day.isoformat(),
            outcome=outcome.outcome,
            complete=outcome.complete,
            rows=outcome.rows,
            fetched=len(rows),
            note=outcome.note,
            source=self._source_name,
        )
        return outcome

    def _failed(self, day: date, existing: DayStatus | None, error: str, actor: str) -> DayOutcome:
        if existing is not None and existing.complete:
            outcome = DayOutcome(day, "failed", True, existing.rows, f"stored complete day kept; {error}")
        else:
            kept = self._store.results(day, day + timedelta(days=1)) if existing is not None and existing.rows else []
            count = self._store.save_day(day, kept, complete=False, ingested_at=self._now(), note=error)
            outcome = DayOutcome(day, "failed", False, count, error)
        self._audit.audit(
            self._now(),
            actor,
            "availability.ingest_failed",
            None,
            day=day.isoformat(),
            complete=outcome.complete,
            rows=outcome.rows,
            error=error,
            source=self._source_name,
        )
        return outcome

    def daily(self, now: datetime | None = None) -> IngestRun:
        """The last ``settle_days`` local days, plus every day of the last ``retry_days`` that is incomplete or missing."""
        today = (now or self._clock()).astimezone(self._zone).date()
        first = today - timedelta(days=self._retry_days)
        settling = today - timedelta(days=self._settle_days)
        statuses = self._store.statuses(first, today)
        window = [first + timedelta(days=n) for n in range(self._retry_days)]
        days = [d for d in window if d >= settling or d not in statuses or not statuses[d].complete]
        return self._finish([self.ingest_day(d) for d in days], today)

    def _finish(self, outcomes: list[DayOutcome], today: date) -> IngestRun:
        """The run, after triggering the months it made ready (see the module docstring)."""
        ready: list[Month] = []
        for month in sorted({Month.of(o.day) for o in outcomes if o.completed or o.changed}, key=str):
            last = month.shift(1).first_day() - timedelta(days=1)
            if last >= today:
                continue  # the month has not ended
            last_completed = any(o.completed and o.day == last for o in outcomes)
            restated = any(o.changed and Month.of(o.day) == month for o in outcomes)  # measurement §8.6
            if last_completed or restated or not self._store.incomplete_days(month.first_day(), last):
                ready.append(month)
        failure: Exception | None = None
        for month in ready:
            last = month.shift(1).first_day() - timedelta(days=1)
            incomplete = [d.isoformat() for d in self._store.incomplete_days(month.first_day(), last)]
            self._audit.audit(
                self._now(), "system", "availability.month_ready", None, month=str(month), incomplete=incomplete
            )
            if self._on_month_ready is None:
                continue
            try:
                self._on_month_ready(month)
            except Exception as exc:  # noqa: BLE001 — audited, the other months still go; re-raised below
                failure = exc
                self._audit.audit(
                    self._now(),
                    "system",
                    "availability.month_ready_failed",
                    None,
                    month=str(month),
                    error=f"{type(exc).__name__}: {exc}"[:_NOTE_LIMIT],
                )
        if failure is not None:
            raise failure  # the days are stored; an admin re-runs the month (POST /api/admin/months/{month}/run)
        return IngestRun(outcomes, ready)

    def check_range(self, start: date, end: date) -> None:
        """Raise Unprocessable (naming the field) unless ``[start, end)`` is a range of ended days within limits."""
        today = self.today()
        if end <= start:
            raise Unprocessable("field end: must be after start (end is exclusive)", field="end")
        if end > today:
            raise Unprocessable(
                f"field end: at most {today.isoformat()} (end is exclusive; the local day in progress cannot be"
                " ingested)",
                field="end",
            )
        if (end - start).days > self._max_backfill_days:
            raise Unprocessable(f"field end: at most {self._max_backfill_days} days per call", field="end")
        if self._retention_days is not None and start < today - timedelta(days=self._retention_days):
            oldest = today - timedelta(days=self._retention_days)
            raise Unprocessable(
                f"field start: before the retention period (oldest day {oldest.isoformat()})", field="start"
            )

    def backfill(self, start: date, end: date, actor: str = "system") -> IngestRun:
        """Ingest the local days ``[start, end)``; a failing day does not stop the others."""
        self.check_range(start, end)
        run = self._finish(
            [self.ingest_day(start + timedelta(days=n), actor) for n in range((end - start).days)], self.today()
        )
        summary = run.to_json()
        self._audit.audit(
            self._now(),
            actor,
            "availability.backfill",
            None,
            start=start.isoformat(),
            end=end.isoformat(),
            complete=summary["complete"],
            incomplete=summary["incomplete"],
            failed=summary["failed"],
            source=self._source_name,
        )
        return run

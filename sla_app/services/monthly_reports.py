"""The monthly run (SLA §9): one message per tenant, one stored report per tenant-month.

``fan_out`` lists the tenants whose measurement window contains the month and
enqueues one message each; ``compute`` (run per message, on any instance)
gathers that tenant's inputs, computes the report with the core and stores it
as a new version only when its content differs from the latest. Re-running a
month is therefore idempotent.

Rules §8.5: the local days of the month whose availability is not complete
are passed to the core, which marks the report ``provisional`` with those
``missing_days``; the fan-out may therefore run before the data is complete
(the 1st-of-month timer) and runs again when the ingestion completes the
month. Each version carries its input watermark (the latest event-received
or availability-ingested instant among its inputs); the repository never lets
a computation from older inputs replace a newer one.

Rules §8.6: with ``restate=True`` (every monthly run from the queue) the
previous :data:`RESTATE_MONTHS` months of the tenant inside its measurement
window are recomputed from the same inputs; a month whose figures changed
gets a new version with its list of changes (:mod:`sla_core.restatement`).
Only months that already have a stored report are restated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sla_app.errors import NotFound, Unprocessable
from sla_core.availability_input import Exclusion, TestResult
from sla_core.availability_summary import SummarisedAvailability
from sla_core.business_calendar import to_us
from sla_core.contract import Contract, contract_from_mapping
from sla_core.errors import InputError
from sla_core.events import TicketEvent
from sla_core.periods import MeasurementWindow, Month, trailing_months
from sla_core.report import Reporter
from sla_core.report_json import report_json
from sla_core.restatement import figures_changed, restatement

RESTATE_MONTHS = 12


class Tenant(Protocol):
    """A tenant's record, as far as the monthly run needs it."""

    tenant: str
    go_live: date
    contract_end: date | None
    name: str | None
    contract_override: dict[str, Any]


class Admin(Protocol):
    """Tenants, exclusions, audit."""

    def tenants(self) -> list[Any]: ...

    def tenant(self, tenant: str) -> Any | None: ...

    def exclusions(self, tenant: str) -> list[Exclusion]: ...

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None: ...


class Events(Protocol):
    """A tenant's ticket events."""

    def of_tenant(self, tenant: str) -> list[TicketEvent]: ...

    def of_tenant_received(self, tenant: str) -> list[tuple[TicketEvent, datetime]]: ...


class Results(Protocol):
    """Stored availability results per local day."""

    def results(self, start_day: date, end_day: date) -> list[TestResult]: ...

    def statuses(self, start_day: date, end_day: date) -> dict[date, Any]: ...

    def summarised(
        self, first_day: date, end_day: date, load_first_day: date | None = None
    ) -> SummarisedAvailability: ...


class Reports(Protocol):
    """Versioned report storage."""

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
        changes: Any = None,
        worth_storing: Any = None,
    ) -> tuple[Any, bool]: ...

    def restate(
        self,
        tenant: str,
        month: str,
        content_hash: str,
        inputs_fingerprint: str,
        computed_at: str,
        body: dict[str, Any],
        *,
        watermark: str,
        changes: Any,
        worth_storing: Any,
    ) -> tuple[Any | None, bool]: ...


def tenant_contract(tenant: Tenant) -> Contract:
    """The default contract with the tenant's override and measurement window."""
    data = dict(tenant.contract_override)
    data["tenants"] = {
        tenant.tenant: {
            "go_live": tenant.go_live.isoformat(),
            "contract_end": None if tenant.contract_end is None else tenant.contract_end.isoformat(),
            "name": tenant.name,
        }
    }
    try:
        return contract_from_mapping(data, source=f"contract of {tenant.tenant}")
    except InputError as exc:
        raise Unprocessable(str(exc), field=exc.field) from exc


def tenant_window(tenant: Tenant) -> MeasurementWindow:
    """The tenant's measurement window under its contract (raises Unprocessable for an invalid override)."""
    return MeasurementWindow.of(tenant_contract(tenant).tenants[tenant.tenant])


def digest(value: Any) -> str:
    """SHA-256 of a value's canonical JSON (sorted keys)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class MonthlyOutcome:
    """What ``compute`` did."""

    tenant: str
    month: str
    version: int
    stored: bool
    restated: tuple[str, ...] = ()  # earlier months that got a new version (measurement §8.6)

    def to_json(self) -> dict[str, Any]:
        """As API/queue JSON (``restated`` only when a restatement stored something)."""
        data: dict[str, Any] = {
            "tenant": self.tenant,
            "month": self.month,
            "version": self.version,
            "stored": self.stored,
        }
        if self.restated:
            data["restated"] = list(self.restated)
        return data


class MonthlyReportService:
    """Fan-out and per-tenant computation of monthly reports."""

    def __init__(
        self, admin: Admin, events: Events, results: Results, reports: Reports, clock: Callable[[], datetime]
    ) -> None:
        self._admin = admin
        self._events = events
        self._results = results
        self._reports = reports
        self._clock = clock

    def fan_out(self, month: Month, enqueue: Callable[[dict[str, str]], None]) -> list[str]:
        """Enqueue one message per tenant measured in ``month``; returns the tenants."""
        chosen = []
        for tenant in self._admin.tenants():
            if tenant_window(tenant).contains(month):
                enqueue({"tenant": tenant.tenant, "month": str(month)})
                chosen.append(tenant.tenant)
        self._admin.audit(self._now(), "system", "monthly.fan_out", month=str(month), tenants=chosen)
        return chosen

    def _now(self) -> str:
        return self._clock().isoformat()

    def compute(self, tenant_id: str, month: Month, actor: str = "system", *, restate: bool = False) -> MonthlyOutcome:
        """Compute and store one tenant-month report (a new version only when it differs and is not stale).

        ``restate``: also recompute the previous 12 months inside the window (measurement §8.6).
        """
        tenant = self._admin.tenant(tenant_id)
        if tenant is None:
            raise NotFound(f"unknown tenant {tenant_id!r}")
        contract = tenant_contract(tenant)
        window = MeasurementWindow.of(contract.tenants[tenant_id])
        if not window.contains(month):
            raise Unprocessable(f"month {month} is outside the measurement window of {tenant_id}", field="month")
        earlier = [m for m in (month.shift(-n) for n in range(1, RESTATE_MONTHS + 1)) if window.contains(m)]
        inputs = self._inputs(tenant_id, contract, window, [month, *(earlier if restate else [])])
        stored, created = self._store(inputs, month, first=True)
        assert stored is not None
        self._admin.audit(
            inputs.computed_at,
            actor,
            "report.computed",
            tenant_id,
            month=str(month),
            version=stored.version,
            new=created,
            status=stored.status,
            watermark=stored.watermark,
        )
        restated = []
        for m in earlier if restate else []:
            again, changed = self._store(inputs, m, first=False)
            if changed and again is not None:
                restated.append(str(m))
                self._admin.audit(
                    inputs.computed_at,
                    actor,
                    "report.restated",
                    tenant_id,
                    month=str(m),
                    version=again.version,
                    changes=again.changes,
                )
        return MonthlyOutcome(tenant_id, str(month), stored.version, created, tuple(restated))

    def _inputs(self, tenant: str, contract: Contract, window: MeasurementWindow, months: list[Month]) -> _Inputs:
        """The tenant's inputs as of now, for ``months`` and their trailing windows (read once)."""
        now = self._clock()
        as_of = to_us(now)
        first_day = min(trailing_months(m, window)[0] for m in months).first_day()
        end_day = max(months).shift(1).first_day()
        # Issue 11: the day summaries (2 range queries), never the raw rows; load-time samples of the
        # computed months only.
        summaries = self._results.summarised(first_day, end_day, min(months).first_day())
        statuses = self._results.statuses(first_day, end_day)
        exclusions = self._admin.exclusions(tenant)
        received = [(e, r) for e, r in self._events.of_tenant_received(tenant) if e.at <= as_of]
        events = [e for e, _ in received]
        grouped: dict[Month, list[tuple[str, str]]] = {}
        for day, sha in sorted(summaries.digests.items()):
            grouped.setdefault(Month.of(day), []).append((day.isoformat(), sha))
        return _Inputs(
            tenant=tenant,
            contract=contract,
            window=window,
            computed_at=now.isoformat(),
            reporter=Reporter(contract, (), exclusions, as_of, summaries=summaries),
            events=events,
            received=received,
            statuses=statuses,
            results_by_month={m: digest(rows) for m, rows in grouped.items()},
            events_digest=digest(sorted(json.dumps(e.to_json(), sort_keys=True) for e in events)),
            exclusions_json=[e.to_json() for e in exclusions],
        )

    def _store(self, inputs: _Inputs, month: Month, *, first: bool) -> tuple[Any | None, bool]:
        """Compute ``month`` from ``inputs`` and store it: a first computation, or a restatement."""
        body, fingerprint, watermark = inputs.report(month)
        content = digest({k: v for k, v in body.items() if k != "as_of"})

        def changes(previous: Any) -> dict[str, Any]:
            return restatement(previous.body, body, inputs.events_after(previous.watermark))

        args = (inputs.tenant, str(month), content, fingerprint, inputs.computed_at, body)
        if first:
            return self._reports.save(*args, watermark=watermark, changes=changes)
        return self._reports.restate(
            *args,
            watermark=watermark,
            changes=changes,
            worth_storing=lambda previous: figures_changed(previous.body, body),
        )


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class _Inputs:
    """One tenant's inputs, read once for a month and its restated predecessors."""

    tenant: str
    contract: Contract
    window: MeasurementWindow
    computed_at: str
    reporter: Reporter
    events: list[TicketEvent]
    received: list[tuple[TicketEvent, datetime]]
    statuses: dict[date, Any]
    results_by_month: dict[Month, str]  # month -> digest of its days' summaries
    events_digest: str
    exclusions_json: list[dict[str, Any]]

    def report(self, month: Month) -> tuple[dict[str, Any], str, str]:
        """The report body of ``month``, the fingerprint of its inputs and their watermark (RFC 3339 UTC)."""
        months = trailing_months(month, self.window)
        first, end = months[0].first_day(), month.shift(1).first_day()
        day, missing = month.first_day(), []
        while day < end:
            status = self.statuses.get(day)
            if status is None or not status.complete:
                missing.append(day)
            day = date.fromordinal(day.toordinal() + 1)
        body = report_json(self.reporter.report(self.tenant, month, self.events, missing))
        marks = [r for _, r in self.received]
        marks += [_instant(s.ingested_at) for d, s in self.statuses.items() if first <= d < end]
        watermark = max(marks, default=_instant(self.computed_at)).astimezone(UTC).isoformat()
        fingerprint = digest(
            {
                "contract": self.contract.model_dump(mode="json"),
                "events": self.events_digest,
                "results": [self.results_by_month.get(m, "") for m in months],
                "exclusions": self.exclusions_json,
                "missing_days": [d.isoformat() for d in missing],
            }
        )
        return body, fingerprint, watermark

    def events_after(self, watermark: str) -> list[dict[str, Any]]:
        """The events (canonical JSON) received after ``watermark``."""
        after = _instant(watermark) if watermark else datetime.min.replace(tzinfo=UTC)
        return [e.to_json() for e, r in self.received if r > after]

"""The monthly run (SLA §9): one message per tenant, one stored report per tenant-month.

``fan_out`` lists the tenants whose measurement window contains the month and
enqueues one message each; ``compute`` (run per message, on any instance)
gathers that tenant's inputs, computes the report with the core and stores it
as a new version only when its content differs from the latest. Re-running a
month is therefore idempotent.

Measurement §8.5: the local days of the month whose availability is not complete
are passed to the core, which marks the report ``provisional`` with those
``missing_days``; the fan-out may therefore run before the data is complete
(the 1st-of-month timer) and runs again when the ingestion completes the
month. Each version carries its input watermark (the latest event-received
or availability-ingested instant among its inputs); the repository never lets
a computation from older inputs replace a newer one.

Measurement §8.6: with ``restate=True`` (every monthly run from the queue) the
previous :data:`RESTATE_MONTHS` months of the tenant inside its measurement
window are recomputed from the same inputs; a month whose figures changed
gets a new version with its list of changes (:mod:`sla_core.restatement`).
Only months that already have a stored report are restated, and only when
their figures may have changed: one query reads the latest version numbers of
the 13 months and the check of their last computation
(:meth:`ReportRepository.heads`); a month whose figures key
(:meth:`MonthInputs.figures_key`) equals the one checked against its latest
version after the month ended is skipped, and its load-time samples are not
read. Each month a restating run compares is checked again (one write).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sla_app.errors import NotFound, Unprocessable
from sla_app.services.monthly_inputs import MonthInputs, digest
from sla_core.availability_input import Exclusion, TestResult
from sla_core.availability_summary import SummarisedAvailability
from sla_core.business_calendar import to_us
from sla_core.contract import Contract, contract_from_mapping
from sla_core.day_summary import LoadDay
from sla_core.errors import InputError
from sla_core.events import TicketEvent
from sla_core.periods import MeasurementWindow, Month, trailing_months
from sla_core.restatement import figures_changed, restatement

__all__ = ["MonthlyOutcome", "MonthlyReportService", "digest", "tenant_contract", "tenant_window"]

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

    def load_days(self, first_day: date, end_day: date) -> tuple[list[LoadDay], dict[date, str]]: ...

    def load_digests(self, first_day: date, end_day: date) -> dict[date, str]: ...


class Head(Protocol):
    """A month's latest version number and the check of the last computation that agreed with it."""

    version: int
    figures_key: str
    checked_version: int
    checked_at: str


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
        first_version: bool = True,
    ) -> tuple[Any | None, bool]: ...

    def heads(self, tenant: str, first: str, last: str) -> dict[str, Head]: ...

    def mark_checked(self, tenant: str, marks: dict[str, tuple[str, int, str]]) -> None: ...


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

        ``restate``: also recompute those of the previous 12 months inside the window that have a stored
        report and whose figures may have changed (measurement §8.6).
        """
        tenant = self._admin.tenant(tenant_id)
        if tenant is None:
            raise NotFound(f"unknown tenant {tenant_id!r}")
        contract = tenant_contract(tenant)
        window = MeasurementWindow.of(contract.tenants[tenant_id])
        if not window.contains(month):
            raise Unprocessable(f"month {month} is outside the measurement window of {tenant_id}", field="month")
        earlier = [m for m in (month.shift(-n) for n in range(1, RESTATE_MONTHS + 1)) if window.contains(m)]
        heads = self._reports.heads(tenant_id, str(earlier[-1]), str(earlier[0])) if restate and earlier else {}
        stored_before = [m for m in earlier if getattr(heads.get(str(m)), "version", 0)]
        inputs = self._inputs(tenant_id, contract, window, month, stored_before)
        restating = [m for m in stored_before if not _unchanged(inputs, m, heads[str(m)])]
        if restating:
            inputs.add_load(*self._results.load_days(min(restating).first_day(), month.first_day()))
        marks: dict[str, tuple[str, int, str]] = {}
        stored, created = self._store(inputs, month, marks, first=True)
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
        for m in sorted(restating, reverse=True):
            again, changed = self._store(inputs, m, marks, first=False)
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
        if restate and marks:
            self._reports.mark_checked(tenant_id, marks)
        return MonthlyOutcome(tenant_id, str(month), stored.version, created, tuple(restated))

    def _inputs(
        self, tenant: str, contract: Contract, window: MeasurementWindow, month: Month, earlier: list[Month]
    ) -> MonthInputs:
        """The tenant's inputs as of now for ``month`` and the trailing windows of ``earlier`` (read once).

        Issue 11: the day summaries (by hash, blobs only when the worker has not read them), never the raw rows;
        load-time samples of ``month`` only, and the hashes of those of ``earlier`` to decide what to restate.
        """
        now = self._clock()
        as_of = to_us(now)
        months = [month, *earlier]
        first_day = min(trailing_months(m, window)[0] for m in months).first_day()
        end_day = month.shift(1).first_day()
        summaries = self._results.summarised(first_day, end_day, month.first_day())
        load_digests = self._results.load_digests(min(earlier).first_day(), month.first_day()) if earlier else {}
        return MonthInputs(
            tenant=tenant,
            contract=contract,
            window=window,
            computed_at=now.isoformat(),
            as_of=as_of,
            summaries=summaries,
            received=[(e, r) for e, r in self._events.of_tenant_received(tenant) if e.at <= as_of],
            statuses=self._results.statuses(first_day, end_day),
            exclusions=self._admin.exclusions(tenant),
            load_digests=load_digests,
        )

    def _store(
        self, inputs: MonthInputs, month: Month, marks: dict[str, tuple[str, int, str]], *, first: bool
    ) -> tuple[Any | None, bool]:
        """Compute ``month`` from ``inputs`` and store it: a first computation, or a restatement.

        When the latest version then holds these figures, ``marks`` gets the month's check.
        """
        body, fingerprint, watermark = inputs.report(month)
        content = digest({k: v for k, v in body.items() if k != "as_of"})

        def changes(previous: Any) -> dict[str, Any]:
            return restatement(previous.body, body, inputs.events_after(previous.watermark, previous.computed_at))

        args = (inputs.tenant, str(month), content, fingerprint, inputs.computed_at, body)
        latest, changed = self._reports.save(
            *args,
            watermark=watermark,
            changes=changes,
            worth_storing=None if first else lambda previous: figures_changed(previous.body, body),
            first_version=first,
        )
        if latest is not None and (changed or latest.content_hash == content or not figures_changed(latest.body, body)):
            marks[str(month)] = (inputs.figures_key(month), latest.version, inputs.computed_at)
        return latest, changed


def _unchanged(inputs: MonthInputs, month: Month, head: Head) -> bool:
    """Whether the last check of ``month`` agreed with its latest version, after it ended, on the same figures key."""
    return (
        head.checked_version == head.version
        and inputs.settled(month, head.checked_at)
        and head.figures_key == inputs.figures_key(month)
    )

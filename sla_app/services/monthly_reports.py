"""The monthly run (SLA §9): one message per tenant, one stored report per tenant-month.

``fan_out`` lists the tenants whose measurement window contains the month and
enqueues one message each; ``compute`` (run per message, on any instance)
gathers that tenant's inputs, computes the report with the core and stores it
as a new version only when its content differs from the latest. Re-running a
month is therefore idempotent.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sla_app.errors import NotFound, Unprocessable
from sla_core.availability_input import Exclusion, TestResult
from sla_core.business_calendar import to_us
from sla_core.contract import Contract, contract_from_mapping
from sla_core.errors import InputError
from sla_core.events import TicketEvent
from sla_core.periods import MeasurementWindow, Month, trailing_months
from sla_core.report import Reporter
from sla_core.report_json import report_json


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


class Results(Protocol):
    """Stored availability results per local day."""

    def results(self, start_day: date, end_day: date) -> list[TestResult]: ...


class Reports(Protocol):
    """Versioned report storage."""

    def save(
        self, tenant: str, month: str, content_hash: str, inputs_fingerprint: str, computed_at: str, body: dict[str, Any]
    ) -> tuple[Any, bool]: ...


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

    def to_json(self) -> dict[str, Any]:
        """As API/queue JSON."""
        return {"tenant": self.tenant, "month": self.month, "version": self.version, "stored": self.stored}


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

    def compute(self, tenant_id: str, month: Month, actor: str = "system") -> MonthlyOutcome:
        """Compute and store one tenant-month report (a new version only when it differs)."""
        tenant = self._admin.tenant(tenant_id)
        if tenant is None:
            raise NotFound(f"unknown tenant {tenant_id!r}")
        contract = tenant_contract(tenant)
        window = MeasurementWindow.of(contract.tenants[tenant_id])
        if not window.contains(month):
            raise Unprocessable(f"month {month} is outside the measurement window of {tenant_id}", field="month")
        now = self._clock()
        as_of = to_us(now)
        months = trailing_months(month, window)
        first_day, end_day = months[0].first_day(), month.shift(1).first_day()
        results = self._results.results(first_day, end_day)
        exclusions = self._admin.exclusions(tenant_id)
        events = [e for e in self._events.of_tenant(tenant_id) if e.at <= as_of]
        report = Reporter(contract, results, exclusions, as_of).report(tenant_id, month, events)
        body = report_json(report)
        content = {k: v for k, v in body.items() if k != "as_of"}
        inputs = {
            "contract": contract.model_dump(mode="json"),
            "events": sorted(json.dumps(e.to_json(), sort_keys=True) for e in events),
            "results": digest(sorted((r.at, r.name, r.location, r.success, r.duration_ms) for r in results)),
            "exclusions": [e.to_json() for e in exclusions],
        }
        stored, created = self._reports.save(
            tenant_id, str(month), digest(content), digest(inputs), now.isoformat(), body
        )
        self._admin.audit(
            now.isoformat(), actor, "report.computed", tenant_id, month=str(month), version=stored.version, new=created
        )
        return MonthlyOutcome(tenant_id, str(month), stored.version, created)


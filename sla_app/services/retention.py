"""Retention: the audit log and the raw availability rows are deleted after a fixed period (SLA §10.1),
and a tenant's ticket data one month after its contract ended (SLA §6.4).

Run daily. With ``N = audit_retention_days`` the audit entries of UTC days
before ``today (UTC) − N`` are removed: the last N whole days and today are
kept. With ``M = availability_retention_days`` the stored results of local
days before ``today (local) − M`` are removed. What was removed (counts and
cutoffs) is itself written to the audit log, after the deletion, so the
entry that records a run is never removed by that run.

Ticket data (events, ticket-tool readings and their heads) of a tenant whose
contract ended is removed once the local date reaches one calendar month after
``contract_end`` (the first day no longer under contract; a day that does not
exist in that month is the month's last day): SLA §6.4 lets the municipality
ask for its data within one month after the end, after which the supplier
removes it. The tenant record and its reports stay (they hold no personal
data, measurement §8.3).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo


class AuditStore(Protocol):
    """The audit log, with its retention operation."""

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None: ...

    def delete_audit_before(self, cutoff: date) -> int: ...


class TicketDataStore(Protocol):
    """Stored ticket data, removable per tenant."""

    def delete_tenant(self, tenant: str) -> int: ...


class TenantDirectory(Protocol):
    """The tenants, with their contract end (``contract_end``: date or None)."""

    def tenants(self) -> list[Any]: ...


def one_month_after(day: date) -> date:
    """The same day one calendar month later (clamped to that month's last day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class ResultStore(Protocol):
    """Stored availability results, with their retention operation."""

    def delete_days_before(self, cutoff: date) -> int: ...


@dataclass(frozen=True)
class RetentionRun:
    """What one retention run removed."""

    audit_cutoff: date
    audit_removed: int
    availability_cutoff: date
    availability_removed: int
    tickets_removed: dict[str, int] | None = None  # tenant → ticket entities removed (None: not configured)

    def to_json(self) -> dict[str, Any]:
        """The run as JSON (also the audit entry's detail)."""
        data: dict[str, Any] = {
            "audit_cutoff": self.audit_cutoff.isoformat(),
            "audit_entries_removed": self.audit_removed,
            "availability_cutoff": self.availability_cutoff.isoformat(),
            "availability_entities_removed": self.availability_removed,
        }
        if self.tickets_removed is not None:
            data["ticket_entities_removed"] = dict(sorted(self.tickets_removed.items()))
        return data


class RetentionService:
    """Deletes audit entries and availability rows older than their retention periods."""

    def __init__(
        self,
        audit: AuditStore,
        results: ResultStore,
        clock: Callable[[], datetime],
        zone: ZoneInfo,
        *,
        audit_retention_days: int,
        availability_retention_days: int,
        tickets: TicketDataStore | None = None,
        tenants: TenantDirectory | None = None,
    ) -> None:
        if audit_retention_days < 1 or availability_retention_days < 1:
            raise ValueError("retention periods must be at least one day")
        self._audit = audit
        self._results = results
        self._clock = clock
        self._zone = zone
        self._audit_days = audit_retention_days
        self._availability_days = availability_retention_days
        self._tickets = tickets
        self._tenants = tenants

    def cutoffs(self, now: datetime) -> tuple[date, date]:
        """(audit cutoff as a UTC date, availability cutoff as a local date): everything before is removed."""
        audit_cutoff = now.astimezone(UTC).date() - timedelta(days=self._audit_days)
        availability_cutoff = now.astimezone(self._zone).date() - timedelta(days=self._availability_days)
        return audit_cutoff, availability_cutoff

    def ended_tenants(self, now: datetime) -> list[str]:
        """Tenants whose contract ended at least one month before today (local): their ticket data goes."""
        if self._tenants is None:
            return []
        today = now.astimezone(self._zone).date()
        return sorted(
            t.tenant
            for t in self._tenants.tenants()
            if t.contract_end is not None and today >= one_month_after(t.contract_end)
        )

    def run(self, actor: str = "system") -> RetentionRun:
        """Remove what is older than the retention periods and audit the counts."""
        now = self._clock()
        audit_cutoff, availability_cutoff = self.cutoffs(now)
        run = RetentionRun(
            audit_cutoff=audit_cutoff,
            audit_removed=self._audit.delete_audit_before(audit_cutoff),
            availability_cutoff=availability_cutoff,
            availability_removed=self._results.delete_days_before(availability_cutoff),
            tickets_removed=None
            if self._tickets is None
            else {tenant: self._tickets.delete_tenant(tenant) for tenant in self.ended_tenants(now)},
        )
        self._audit.audit(
            now.astimezone(UTC).isoformat(),
            actor,
            "retention.applied",
            None,
            audit_retention_days=self._audit_days,
            availability_retention_days=self._availability_days,
            **run.to_json(),
        )
        return run

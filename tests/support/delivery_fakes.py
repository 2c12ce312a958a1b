"""In-memory stand-ins for the ports of :class:`sla_app.services.delivery.DeliveryService`.

For fast unit tests of the delivery state machine (no Azurite): tenants and
the audit log (:class:`MemoryAdmin`), stored report versions
(:class:`MemoryReports`), delivery records with the repository's write rules
(:class:`MemoryDeliveries`: insert-only create, ETag-conditional replace,
:class:`~sla_app.storage.deliveries_repo.DeliveryConflict` otherwise) and a
mailer that records or fails (:class:`MemoryMailer`). The Azurite tests in
``tests/app/`` keep the real repositories honest;
``tests/app/test_delivery_fakes.py`` runs one contract over both.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sla_app.mail.message import Envelope, Receipt
from sla_app.records import DeliveryConflict, DeliveryRecord, StoredReport, TenantRecord


@dataclass
class MemoryAdmin:
    """Tenants by id and the audit log as a list of ``(action, tenant, actor, detail)``."""

    records: dict[str, TenantRecord] = field(default_factory=dict)
    entries: list[tuple[str, str | None, str, dict[str, Any]]] = field(default_factory=list)

    def add(self, tenant: str, go_live: date, *recipients: str) -> TenantRecord:
        self.records[tenant] = TenantRecord(tenant=tenant, go_live=go_live, recipients=tuple(recipients))
        return self.records[tenant]

    def tenants(self) -> list[TenantRecord]:
        return [self.records[t] for t in sorted(self.records)]

    def tenant(self, tenant: str) -> TenantRecord | None:
        return self.records.get(tenant)

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None:
        self.entries.append((action, tenant, actor, detail))

    def actions(self, prefix: str = "delivery.") -> list[str]:
        """The audited actions starting with ``prefix``, in order (runs left out)."""
        return [a for a, *_ in self.entries if a.startswith(prefix) and a != "delivery.run"]


@dataclass
class MemoryReports:
    """Report versions per tenant-month, oldest first."""

    stored: dict[tuple[str, str], list[StoredReport]] = field(default_factory=dict)

    def save(
        self, tenant: str, month: str, *, status: str = "final", changes: dict[str, Any] | None = None
    ) -> StoredReport:
        versions = self.stored.setdefault((tenant, month), [])
        body = {"tenant": tenant, "month": month, "status": status, "missing_days": [] if status == "final" else ["x"]}
        report = StoredReport(tenant, month, len(versions) + 1, "h", "i", "", body, status=status, changes=changes)
        versions.append(report)
        return report

    def latest(self, tenant: str, month: str) -> StoredReport | None:
        versions = self.stored.get((tenant, month))
        return versions[-1] if versions else None

    def versions(self, tenant: str, month: str) -> list[StoredReport]:
        return list(self.stored.get((tenant, month), []))


class MemoryDeliveries:
    """Delivery records by (tenant, row key), each write giving a new ETag."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], DeliveryRecord] = {}
        self._etags = itertools.count(1)

    def _stored(self, record: DeliveryRecord) -> DeliveryRecord:
        stored = replace(record, etag=f'W/"{next(self._etags)}"')
        self.rows[(record.tenant, record.row_key)] = stored
        return stored

    def get(self, tenant: str, month: str, kind: str = "report", version: int | None = None) -> DeliveryRecord | None:
        probe = DeliveryRecord(tenant, month, "sent", kind=kind, report_version=version)
        return self.rows.get((tenant, probe.row_key))

    def create(self, record: DeliveryRecord) -> DeliveryRecord:
        if (record.tenant, record.row_key) in self.rows:
            raise DeliveryConflict(f"delivery {record.tenant} {record.month} exists already")
        return self._stored(record)

    def create_many(self, records: list[DeliveryRecord]) -> list[DeliveryRecord]:
        if any((r.tenant, r.row_key) in self.rows for r in records):
            raise DeliveryConflict(f"a delivery of {records[0].tenant} exists already")
        return [self._stored(r) for r in records]

    def replace(self, record: DeliveryRecord, etag: str | None) -> DeliveryRecord:
        if not etag:
            raise ValueError("a conditional replace needs the ETag read with the record")
        current = self.rows.get((record.tenant, record.row_key))
        if current is None or current.etag != etag:
            raise DeliveryConflict(f"delivery {record.tenant} {record.month} changed concurrently")
        return self._stored(record)

    def put(self, record: DeliveryRecord) -> DeliveryRecord:
        return self._stored(record)

    def of_month(self, month: str) -> list[DeliveryRecord]:
        return sorted((r for r in self.rows.values() if r.month == month), key=lambda r: (r.tenant, r.row_key))

    def of_tenant(self, tenant: str, first: str, last: str) -> list[DeliveryRecord]:
        return sorted(
            (r for r in self.rows.values() if r.tenant == tenant and first <= r.month <= last), key=lambda r: r.row_key
        )


class MemoryMailer:
    """Records each envelope it is asked to send; raises the queued errors first, one per send."""

    mode = "graph"

    def __init__(self, *errors: Exception) -> None:
        self.sent: list[tuple[Envelope, Any]] = []
        self.errors = list(errors)

    def send(self, envelope: Envelope, report: Any) -> Receipt:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append((envelope, report))
        return Receipt("graph", f"request-{len(self.sent)}", {})

    def kinds(self) -> list[tuple[str, str, int]]:
        """``(tenant, kind, version)`` of every e-mail sent, in order."""
        return [(e.tenant, e.kind, e.version) for e, _ in self.sent]

"""What one delivery message reads once: the tenant's records, its report keys, the tenant; audits written together.

A delivery queue message names one tenant and up to 13 months
(:func:`sla_app.services.delivery_runs.deliver_tenant`). Its two opening
queries — the tenant's delivery records of those months (each with its ETag)
and the keys of its stored report versions — already say what the per-month
steps would read again, so :class:`MessageView` answers those reads from them:

* ``deliveries.get`` / ``of_tenant`` of the tenant's months: from the records
  read, kept current with every write made through the view. A record read at
  the start of the message is as good as one read a moment before the write:
  every write is insert-only or conditional on the ETag read, so a concurrent
  change still makes the write lose (the once-only protocol,
  :mod:`sla_app.services.delivery_once`);
* ``reports.latest`` of a month without a stored version: None, unread (a
  version stored after the keys were read is seen by the next run);
* ``admin.tenant``: read once per message;
* ``admin.audit``: collected and written in one transaction per UTC day when
  an e-mail was sent or failed (so the evidence of a send is written as soon
  as the send is recorded) and at the end of the message (:meth:`flush`).

Everything else goes to the real ports unchanged.
"""

from __future__ import annotations

from typing import Any

from sla_app.records import DeliveryRecord, row_key

_UNREAD = object()
_WRITE_NOW = ("delivery.sent", "delivery.failed")  # evidence of a send: written together with what waited


class _Deliveries:
    """The tenant's delivery records of the message's months, read once; writes go through and are remembered."""

    def __init__(self, inner: Any, tenant: str, first: str, last: str, records: list[DeliveryRecord]) -> None:
        self._inner, self._tenant, self._first, self._last = inner, tenant, first, last
        self._known = {r.row_key: r for r in records}

    def _covers(self, tenant: str, first: str, last: str) -> bool:
        return tenant == self._tenant and self._first <= first and last <= self._last

    def get(self, tenant: str, month: str, kind: str = "report", version: int | None = None) -> DeliveryRecord | None:
        if not self._covers(tenant, month, month):
            return self._inner.get(tenant, month, kind, version)
        return self._known.get(row_key(month, kind, version))

    def of_tenant(self, tenant: str, first: str, last: str) -> list[DeliveryRecord]:
        if not self._covers(tenant, first, last):
            return self._inner.of_tenant(tenant, first, last)
        return sorted((r for r in self._known.values() if first <= r.month <= last), key=lambda r: r.row_key)

    def _remember(self, record: DeliveryRecord) -> DeliveryRecord:
        if record.tenant == self._tenant:
            self._known[record.row_key] = record
        return record

    def create(self, record: DeliveryRecord) -> DeliveryRecord:
        return self._remember(self._inner.create(record))

    def create_many(self, records: list[DeliveryRecord]) -> list[DeliveryRecord]:
        return [self._remember(r) for r in self._inner.create_many(records)]

    def replace(self, record: DeliveryRecord, etag: str | None) -> DeliveryRecord:
        return self._remember(self._inner.replace(record, etag))

    def put(self, record: DeliveryRecord) -> DeliveryRecord:
        return self._remember(self._inner.put(record))

    def of_month(self, month: str) -> list[DeliveryRecord]:
        return self._inner.of_month(month)


class _Reports:
    """Stored versions: a month whose keys show no version has none (not read again)."""

    def __init__(self, inner: Any, tenant: str, versions: dict[str, int]) -> None:
        self._inner, self._tenant, self._versions = inner, tenant, versions

    def latest(self, tenant: str, month: str) -> Any | None:
        if tenant == self._tenant and month not in self._versions:
            return None
        return self._inner.latest(tenant, month)

    def versions(self, tenant: str, month: str) -> list[Any]:
        return self._inner.versions(tenant, month)


class _Admin:
    """The tenant read once; audit entries collected and written together."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._tenants: dict[str, Any] = {}
        self._entries: list[tuple[str, str, str, str | None, dict[str, Any]]] = []

    def tenants(self) -> list[Any]:
        return self._inner.tenants()

    def tenant(self, tenant: str) -> Any | None:
        found = self._tenants.get(tenant, _UNREAD)
        if found is _UNREAD:
            found = self._tenants[tenant] = self._inner.tenant(tenant)
        return found

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None:
        self._entries.append((at, actor, action, tenant, detail))
        if action in _WRITE_NOW:
            self.flush()

    def flush(self) -> None:
        entries, self._entries = self._entries, []
        if not entries:
            return
        write_many = getattr(self._inner, "audit_many", None)
        if write_many is not None:
            write_many(entries)
            return
        for at, actor, action, tenant, detail in entries:
            self._inner.audit(at, actor, action, tenant, **detail)


class MessageView:
    """The ports of one delivery message over ``tenant``'s months ``first``..``last`` (see the module docstring)."""

    def __init__(
        self,
        admin: Any,
        reports: Any,
        deliveries: Any,
        tenant: str,
        first: str,
        last: str,
        records: list[DeliveryRecord],
        versions: dict[str, int],
    ) -> None:
        self.admin = _Admin(admin)
        self.reports = _Reports(reports, tenant, versions)
        self.deliveries = _Deliveries(deliveries, tenant, first, last, records)

    def flush(self) -> None:
        """Write the audit entries still collected."""
        self.admin.flush()

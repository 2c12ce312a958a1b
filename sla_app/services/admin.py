"""What the admin API reads and changes: tenants, exclusions, report versions and the audit log.

Every change is written to the audit log with who, when and why. A tenant
carries a strong entity tag (derived from the storage ETag, :func:`etag`):
``If-Match`` is checked against the current record (412 when stale) and the
write itself is conditional on the record read (409 when another writer came
in between, RFC 9110 §13.1.1–13.1.2). An exclusion names the role that
recorded it, never the person (measurement §8.3); the person is in the audit
log, which only SLA.Admin reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError

from sla_app.errors import Conflict, NotFound, PreconditionFailed, Unprocessable
from sla_app.records import TenantRecord
from sla_app.services.monthly_reports import tenant_contract
from sla_app.storage.admin_repo import ALL_TENANTS, RECORDER_ROLE
from sla_core.availability_input import parse_exclusions
from sla_core.errors import InputError

_EXCLUSION_KEYS = ("start", "end", "reason", "recorded_by", "recorded_at")
_TENANT_FIELDS = ("go_live", "contract_end", "name", "contract_override", "recipients")


class AdminStore(Protocol):
    """Tenants, exclusions and the audit log (:class:`~sla_app.storage.admin_repo.AdminRepository`)."""

    def tenants(self) -> list[TenantRecord]: ...

    def tenant(self, tenant: str) -> TenantRecord | None: ...

    def put_tenant(self, record: TenantRecord) -> TenantRecord: ...

    def exclusion_rows(self, scope: str) -> list[dict[str, Any]]: ...

    def add_exclusion(self, tenant: str | None, data: dict[str, Any]) -> str: ...

    def audit(self, at: str, actor: str, action: str, tenant: str | None, **detail: Any) -> None: ...

    def audit_entries(self, day: date) -> list[dict[str, Any]]: ...


class ReportVersions(Protocol):
    """Stored report versions (:class:`~sla_app.storage.reports_repo.ReportRepository`)."""

    def latest(self, tenant: str, month: str) -> Any: ...

    def versions(self, tenant: str, month: str) -> list[Any]: ...


@dataclass(frozen=True)
class Preconditions:
    """A request's ``If-Match`` / ``If-None-Match`` header values (None: absent)."""

    if_match: str | None = None
    if_none_match: str | None = None


@dataclass(frozen=True)
class SavedTenant:
    """A tenant after a write: the record, whether it was created, and its entity tag."""

    record: TenantRecord
    created: bool

    @property
    def etag(self) -> str:
        """The strong entity tag of the saved record."""
        return etag(self.record)


def etag(record: TenantRecord) -> str:
    """The tenant's strong HTTP entity tag (changes with every write)."""
    return '"' + hashlib.sha256((record.etag or "").encode()).hexdigest()[:32] + '"'


def check_preconditions(conditions: Preconditions, current: TenantRecord | None) -> None:
    """RFC 9110 §13.1.1–13.1.2 for one tenant; 412 when a condition does not hold."""
    if conditions.if_match is not None:
        tags = {tag.strip() for tag in conditions.if_match.split(",")}
        if current is None:
            raise PreconditionFailed("If-Match given but the tenant does not exist", field="If-Match")
        if "*" not in tags and etag(current) not in tags:
            raise PreconditionFailed("the tenant was changed since it was read (ETag does not match)", field="If-Match")
    if conditions.if_none_match is not None and current is not None:
        tags = {tag.strip() for tag in conditions.if_none_match.split(",")}
        if "*" in tags or etag(current) in tags:
            raise PreconditionFailed("the tenant already exists", field="If-None-Match")


def _contract_error(exc: Unprocessable, tenant: str) -> Unprocessable:
    """A contract error from :func:`tenant_contract`, naming the field of the PUT body."""
    field = exc.field or "(root)"
    window = f"tenants.{tenant}"
    if field == window:
        named = "contract_end"  # the window's own check: contract_end after go_live
    elif field.startswith(window + "."):
        named = field[len(window) + 1 :]
    else:
        named = f"contract_override.{field}"
    return Unprocessable(f"field {named}: the contract is not valid: {exc.detail}", field=named)


def _version_state(stored: Any) -> dict[str, Any]:
    """Status, input watermark and changes of a stored version (measurement §8.5, §8.6)."""
    return {"status": stored.status, "watermark": stored.watermark or None, "changes": stored.changes}


class AdminService:
    """Tenants, exclusions, report versions and the audit log, for SLA.Admin (and readers of their reports)."""

    def __init__(self, admin: AdminStore, reports: ReportVersions, clock: Callable[[], datetime]) -> None:
        self._admin = admin
        self._reports = reports
        self._clock = clock

    # -- tenants ---------------------------------------------------------------------

    def tenants(self) -> list[TenantRecord]:
        """Every tenant."""
        return self._admin.tenants()

    def tenant(self, tenant: str) -> TenantRecord:
        """One tenant; 404 when there is none (``_all`` names no tenant)."""
        record = None if tenant == ALL_TENANTS else self._admin.tenant(tenant)
        if record is None:
            raise NotFound(f"unknown tenant {tenant!r}", field="tenant")
        return record

    def put_tenant(self, record: TenantRecord, conditions: Preconditions, actor: str) -> SavedTenant:
        """Create or replace a tenant under the request's preconditions; audited with the fields that changed.

        The body is judged first (a contract that is not valid is refused whatever the preconditions say),
        then the preconditions against the stored tenant.
        """
        try:
            tenant_contract(record)
        except Unprocessable as exc:
            raise _contract_error(exc, record.tenant) from exc
        current = self._admin.tenant(record.tenant)
        check_preconditions(conditions, current)
        conditional = current is not None and conditions.if_match is not None
        record = TenantRecord(
            tenant=record.tenant,
            go_live=record.go_live,
            contract_end=record.contract_end,
            name=record.name,
            contract_override=record.contract_override,
            recipients=record.recipients,
            etag=current.etag if conditional and current is not None else None,
        )
        try:
            saved = self._admin.put_tenant(record)
        except (ResourceModifiedError, ResourceNotFoundError) as exc:
            raise Conflict("the tenant was changed concurrently; read it again and retry") from exc
        before = {} if current is None else current.to_json()
        after = saved.to_json()
        changed = [k for k in _TENANT_FIELDS if current is None or before.get(k) != after.get(k)]
        self._admin.audit(
            self._clock().isoformat(),
            actor,
            "tenant.created" if current is None else "tenant.updated",
            record.tenant,
            changed=changed,
            values={k: after[k] for k in changed},
        )
        return SavedTenant(saved, created=current is None)

    # -- exclusions --------------------------------------------------------------------

    def known_scope(self, scope: str) -> str:
        """``scope`` when it is ``_all`` or an existing tenant; 404 otherwise."""
        if scope != ALL_TENANTS and self._admin.tenant(scope) is None:
            raise NotFound(f"unknown tenant {scope!r}", field="tenant")
        return scope

    def exclusions(self, scope: str) -> list[dict[str, Any]]:
        """The exclusions that apply to a tenant (its own and every tenant's), or ``_all``'s, by start."""
        self.known_scope(scope)
        rows = []
        for applies_to in [ALL_TENANTS] if scope == ALL_TENANTS else [ALL_TENANTS, scope]:
            for entity in self._admin.exclusion_rows(applies_to):
                data = {k: entity[k] for k in _EXCLUSION_KEYS if entity.get(k) is not None}
                [parsed] = parse_exclusions([data], "stored exclusion")
                row = {"id": entity["RowKey"], "applies_to": applies_to, **parsed.to_json()}
                rows.append(((parsed.start, parsed.end), row))
        return [row for _, row in sorted(rows, key=lambda r: r[0])]

    def _within_window(self, scope: str, start: datetime, end: datetime) -> None:
        """A tenant's exclusion must overlap its measurement window, go-live to contract end (422 otherwise)."""
        record = None if scope == ALL_TENANTS else self._admin.tenant(scope)
        if record is None:
            return
        first = datetime.combine(record.go_live, datetime.min.time(), UTC) - timedelta(days=1)
        if end <= first:
            raise Unprocessable(
                f"field end: the exclusion ends before the tenant's go-live {record.go_live}", field="end"
            )
        if record.contract_end is not None:
            last = datetime.combine(record.contract_end, datetime.min.time(), UTC) + timedelta(days=2)
            if start >= last:
                raise Unprocessable(
                    f"field start: the exclusion starts after the tenant's contract end {record.contract_end}",
                    field="start",
                )

    def add_exclusion(self, scope: str, start: str, end: str, reason: str, actor: str) -> dict[str, Any]:
        """Record an exclusion for a tenant (or ``_all``); audited with who recorded it."""
        self.known_scope(scope)
        self._within_window(scope, datetime.fromisoformat(start), datetime.fromisoformat(end))
        now = self._clock().isoformat()
        data = {"start": start, "end": end, "reason": reason, "recorded_by": RECORDER_ROLE, "recorded_at": now}
        try:
            exclusion_id = self._admin.add_exclusion(None if scope == ALL_TENANTS else scope, data)
        except InputError as exc:
            raise Unprocessable(str(exc), field=exc.field) from exc
        self._admin.audit(now, actor, "exclusion.added", scope, id=exclusion_id, start=start, end=end, reason=reason)
        return {"id": exclusion_id, "applies_to": scope, **data}

    # -- reports and the audit log -----------------------------------------------------

    def report(self, tenant: str, month: str, version: int | None = None) -> dict[str, Any]:
        """A stored report, latest version or ``version``; 404 when there is none."""
        if version is None:
            stored = self._reports.latest(tenant, month)
        else:
            stored = next((r for r in self._reports.versions(tenant, month) if r.version == version), None)
        if stored is None:
            which = "no report" if version is None else f"no version {version} of the report"
            raise NotFound(f"{which} for {tenant} {month}")
        return {
            "tenant": stored.tenant,
            "month": stored.month,
            "version": stored.version,
            "computed_at": stored.computed_at,
            "content_hash": stored.content_hash,
            "inputs_fingerprint": stored.inputs_fingerprint,
            "report": stored.body,
            **_version_state(stored),
        }

    def report_versions(self, tenant: str, month: str) -> list[dict[str, Any]]:
        """The stored versions of a report, oldest first; 404 when there is none."""
        versions = self._reports.versions(tenant, month)
        if not versions:
            raise NotFound(f"no report for {tenant} {month}")
        return [
            {
                "version": v.version,
                "computed_at": v.computed_at,
                "content_hash": v.content_hash,
                "inputs_fingerprint": v.inputs_fingerprint,
                **_version_state(v),
            }
            for v in versions
        ]

    def system_event(self, action: str, *, at: datetime | None = None, **detail: Any) -> None:
        """An audit entry written by ``system`` (a timer or a queue trigger), at ``at`` or now."""
        self._admin.audit((at or self._clock()).isoformat(), "system", action, None, **detail)

    def queue_failure(
        self, action: str, body: bytes, error: BaseException | None = None, dequeue_count: int | None = None
    ) -> None:
        """A queue message that failed (with the error and its dequeue count) or was poisoned (without):
        audited with the first 500 characters of the message and of the error."""
        detail: dict[str, Any] = {"message": body.decode("utf-8", "replace")[:500]}
        if error is not None:
            detail |= {"error": str(error)[:500], "dequeue_count": dequeue_count}
        self.system_event(action, **detail)

    def audit_day(self, day: date) -> list[dict[str, Any]]:
        """The audit entries of one UTC day, oldest first."""
        return self._admin.audit_entries(day)

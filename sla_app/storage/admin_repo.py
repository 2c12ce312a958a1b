"""Tenants, exclusions and the audit log in Table Storage.

* ``tenants``: PartitionKey ``tenant``, RowKey = tenant id; go-live, contract
  end, display name, contract override (JSON), report recipients (JSON).
* ``exclusions``: PartitionKey = tenant id or ``_all`` (every tenant), RowKey
  = exclusion id; start, end, reason, who recorded it and when (SLA §7.1).
* ``audit``: PartitionKey = UTC date (retention removes whole days), RowKey =
  ``<UTC instant>|<id>``; actor, action, tenant and a JSON detail.
"""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import date
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceNotFoundError

from sla_app import telemetry
from sla_app.records import TenantRecord
from sla_app.storage.tables import TableStore, escape_key
from sla_core.availability_input import Exclusion, parse_exclusions

TENANTS, EXCLUSIONS, AUDIT = "tenants", "exclusions", "audit"
ALL_TENANTS = "_all"
RECORDER_ROLE = "SLA.Admin"  # who records exclusions, as reports name it
_SEQUENCE = itertools.count()  # orders audit entries written at the same instant by this process


class AdminRepository:
    """Tenants, exclusions and audit entries."""

    def __init__(self, store: TableStore) -> None:
        self._store = store

    # -- tenants -----------------------------------------------------------

    def tenants(self) -> list[TenantRecord]:
        """All tenants, by id."""
        return sorted((self._tenant(e) for e in self._store.partition(TENANTS, "tenant")), key=lambda t: t.tenant)

    def tenant(self, tenant: str) -> TenantRecord | None:
        """One tenant, or None."""
        try:
            entity = self._store.table(TENANTS).get_entity("tenant", escape_key(tenant))
        except ResourceNotFoundError:
            return None
        self._store.requests += 1
        return self._tenant(entity)

    def put_tenant(self, record: TenantRecord) -> TenantRecord:
        """Create or replace a tenant; with ``record.etag`` only if unchanged since read (else raises)."""
        entity = {
            "PartitionKey": "tenant",
            "RowKey": escape_key(record.tenant),
            "tenant": record.tenant,
            "go_live": record.go_live.isoformat(),
            "contract_end": "" if record.contract_end is None else record.contract_end.isoformat(),
            "name": record.name or "",
            "contract_override": json.dumps(record.contract_override, ensure_ascii=False),
            "recipients": json.dumps(list(record.recipients)),
        }
        table = self._store.table(TENANTS)
        if record.etag:
            table.update_entity(entity, etag=record.etag, match_condition=MatchConditions.IfNotModified)
        else:
            table.upsert_entity(entity)
        self._store.requests += 1
        saved = self.tenant(record.tenant)
        assert saved is not None
        return saved

    @staticmethod
    def _tenant(entity: Any) -> TenantRecord:
        metadata = getattr(entity, "metadata", {}) or {}
        return TenantRecord(
            tenant=entity["tenant"],
            go_live=date.fromisoformat(entity["go_live"]),
            contract_end=date.fromisoformat(entity["contract_end"]) if entity.get("contract_end") else None,
            name=entity.get("name") or None,
            contract_override=json.loads(entity.get("contract_override") or "{}"),
            recipients=tuple(json.loads(entity.get("recipients") or "[]")),
            etag=metadata.get("etag"),
        )

    # -- exclusions --------------------------------------------------------

    def add_exclusion(self, tenant: str | None, data: dict[str, Any]) -> str:
        """Store one exclusion (validated like the CLI's file); returns its id."""
        parse_exclusions([data], "exclusion")  # raises InputError naming the field
        exclusion_id = uuid.uuid4().hex
        entity = {"PartitionKey": escape_key(tenant or ALL_TENANTS), "RowKey": exclusion_id, **data}
        self._store.upsert_many(EXCLUSIONS, [entity])
        return exclusion_id

    def exclusion_rows(self, scope: str) -> list[dict[str, Any]]:
        """The stored exclusions of one scope (a tenant id, or ``_all`` for every tenant), as entities."""
        return list(self._store.partition(EXCLUSIONS, escape_key(scope)))

    def exclusions(self, tenant: str) -> list[Exclusion]:
        """Exclusions that apply to a tenant: its own and those for every tenant."""
        scopes = [ALL_TENANTS] if tenant == ALL_TENANTS else [ALL_TENANTS, escape_key(tenant)]
        rows = [row for scope in scopes for row in self._store.partition(EXCLUSIONS, scope)]
        keys = ("start", "end", "reason", "recorded_at")
        # Reports show the recorder's role, never a person (measurement §8.3), also for exclusions stored before.
        return parse_exclusions(
            [{k: r[k] for k in keys if k in r} | {"recorded_by": RECORDER_ROLE} for r in rows], EXCLUSIONS
        )

    # -- audit ---------------------------------------------------------------

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None:
        """Append an audit entry; ``at`` is an RFC 3339 UTC instant."""
        self.audit_many([(at, actor, action, tenant, detail)])

    def audit_many(self, entries: list[tuple[str, str, str, str | None, dict[str, Any]]]) -> None:
        """Append ``(at, actor, action, tenant, detail)`` entries in order: one transaction per UTC day."""
        entities = [
            {
                "PartitionKey": at[:10],
                "RowKey": f"{at}|{next(_SEQUENCE):012d}|{uuid.uuid4().hex[:12]}",
                "at": at,
                "actor": actor,
                "action": action,
                "tenant": tenant or "",
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
            }
            for at, actor, action, tenant, detail in entries
        ]
        self._store.upsert_many(AUDIT, entities)
        for _, _, action, tenant, detail in entries:
            telemetry.audited(action, tenant, detail)  # an event per audit action (alerts, counters)

    def audit_entries(self, day: date) -> list[dict[str, Any]]:
        """The audit entries of one UTC day, oldest first."""
        return [
            {k: e[k] for k in ("at", "actor", "action", "tenant")} | {"detail": json.loads(e["detail"])}
            for e in self._store.partition(AUDIT, day.isoformat())
        ]

    def delete_audit_before(self, cutoff: date) -> int:
        """Remove audit entries of UTC days before ``cutoff`` (SLA §10.1); returns how many."""
        old = [
            (e["PartitionKey"], e["RowKey"])
            for e in self._store.query(
                AUDIT, "PartitionKey lt @cutoff", {"cutoff": cutoff.isoformat()}, ["PartitionKey", "RowKey"]
            )
        ]
        return self._store.delete_many(AUDIT, old)

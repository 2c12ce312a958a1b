"""Delivery records in Table Storage: one per e-mail, the claim that makes sending exactly-once.

Table ``deliveries``: PartitionKey = tenant (escaped; the supplier's notices
under :data:`SUPPLIER`), RowKey by kind of e-mail:

* ``YYYY-MM`` — the month's report e-mail (final, or provisional after the deadline);
* ``YYYY-MM|correction|v0003`` — the correction e-mail for report version 3;
* ``YYYY-MM|at_risk`` and ``YYYY-MM|overview`` — the supplier's notices.

States (see :mod:`sla_app.services.delivery_once` and :mod:`sla_app.services.delivery_month`)::

    (none) ──claim──▶ sending ──▶ sent                     (final)
                         │   └──▶ failed                   (retried by the next run)
                         └──(stale: crashed)──▶ failed, needs_manual_check (resent only with force)
    failed, needs_manual_check ──confirm sent──▶ sent         (an operator found it in Sent Items)
                               └─confirm not sent──▶ failed   (released: the next run sends it)
    no_report / no_recipients / not_final: flagged, looked at again by the next run

Every write that changes the state is conditional: the first claim is an
insert (``create_entity``, or :meth:`create_many` for a tenant's months
flagged together in one transaction: a second writer gets 409 and loses), later ones
replace the record only if its ETag is unchanged since it was read (412:
the other writer won). :meth:`put` (unconditional) exists only to record a
send that certainly happened after the claim was lost.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import TableTransactionError, UpdateMode

from sla_app.records import (
    REPORT,
    STATES,
    DeliveryConflict,
    DeliveryRecord,
    row_key,
)
from sla_app.storage.tables import MAX_BATCH, TableStore, escape_key

TABLE = "deliveries"

REPORTS_TABLE = "reports"  # read only for its keys: ``<YYYY-MM>|v<0001>`` per tenant partition

_TEXT = (
    "claim_id",
    "claimed_at",
    "sent_at",
    "mode",
    "request_id",
    "eml_path",
    "error",
    "updated_at",
    "actor",
    "report_status",
    "note",
)


def _month_range(first: str, last: str) -> dict[str, str]:
    return {"lo": first, "hi": last + "}"}  # "}" sorts after "|": every row key of the months first..last


def _entity(record: DeliveryRecord) -> dict[str, Any]:
    if record.state not in STATES:
        raise ValueError(f"unknown delivery state {record.state!r}")
    entity: dict[str, Any] = {
        "PartitionKey": escape_key(record.tenant),
        "RowKey": record.row_key,
        "tenant": record.tenant,
        "month": record.month,
        "kind": record.kind,
        "state": record.state,
        "attempts": record.attempts,
        "recipients": json.dumps(list(record.recipients)),
        "needs_manual_check": record.needs_manual_check,
        "forced": record.forced,
        **{name: getattr(record, name) for name in _TEXT},
    }
    if record.report_version is not None:
        entity["report_version"] = record.report_version
    return entity


def _record(entity: Any) -> DeliveryRecord:
    metadata = getattr(entity, "metadata", {}) or {}
    version = entity.get("report_version")
    return DeliveryRecord(
        tenant=entity["tenant"],
        month=entity["month"],
        state=entity["state"],
        attempts=int(entity.get("attempts") or 0),
        report_version=None if version is None else int(version),
        recipients=tuple(json.loads(entity.get("recipients") or "[]")),
        needs_manual_check=bool(entity.get("needs_manual_check")),
        forced=bool(entity.get("forced")),
        kind=str(entity.get("kind") or REPORT),
        etag=metadata.get("etag"),
        **{name: str(entity.get(name) or "") for name in _TEXT},
    )


def _precondition_failed(exc: HttpResponseError) -> bool:
    return exc.status_code in (409, 412)


class DeliveryRepository:
    """Reads and conditionally writes delivery records."""

    def __init__(self, store: TableStore) -> None:
        self._store = store

    def get(self, tenant: str, month: str, kind: str = REPORT, version: int | None = None) -> DeliveryRecord | None:
        """The record of one e-mail (by default the tenant-month's report), with its ETag; None when there is none."""
        try:
            entity = self._store.table(TABLE).get_entity(escape_key(tenant), row_key(month, kind, version))
        except ResourceNotFoundError:
            return None
        finally:
            self._store.requests += 1
        return _record(entity)

    def create(self, record: DeliveryRecord) -> DeliveryRecord:
        """Insert a new record; DeliveryConflict when one exists already."""
        try:
            metadata = self._store.table(TABLE).create_entity(_entity(record))
        except ResourceExistsError as exc:
            raise DeliveryConflict(f"delivery {record.tenant} {record.month} exists already") from exc
        finally:
            self._store.requests += 1
        return self._with_etag(record, metadata)

    def create_many(self, records: list[DeliveryRecord]) -> list[DeliveryRecord]:
        """Insert new records of one tenant in one transaction (at most 100); DeliveryConflict, and none written,
        when any of them exists already."""
        if not records:
            return []
        if len(records) > MAX_BATCH or len({r.tenant for r in records}) != 1:
            raise ValueError(f"one transaction holds at most {MAX_BATCH} records of one tenant")
        try:
            results = self._store.table(TABLE).submit_transaction([("create", _entity(r)) for r in records])
        except TableTransactionError as exc:
            if exc.status_code == 409:
                raise DeliveryConflict(f"a delivery of {records[0].tenant} exists already") from exc
            raise
        finally:
            self._store.requests += 1
        return [self._with_etag(r, m) for r, m in zip(records, results, strict=True)]

    def replace(self, record: DeliveryRecord, etag: str | None) -> DeliveryRecord:
        """Replace the record only if its ETag is still ``etag``; DeliveryConflict otherwise."""
        if not etag:
            raise ValueError("a conditional replace needs the ETag read with the record")
        try:
            metadata = self._store.table(TABLE).update_entity(
                _entity(record), mode=UpdateMode.REPLACE, etag=etag, match_condition=MatchConditions.IfNotModified
            )
        except (ResourceModifiedError, ResourceNotFoundError) as exc:
            raise DeliveryConflict(f"delivery {record.tenant} {record.month} changed concurrently") from exc
        except HttpResponseError as exc:
            if _precondition_failed(exc):
                raise DeliveryConflict(f"delivery {record.tenant} {record.month} changed concurrently") from exc
            raise
        finally:
            self._store.requests += 1
        return self._with_etag(record, metadata)

    def put(self, record: DeliveryRecord) -> DeliveryRecord:
        """Create or replace unconditionally (only to record a send that happened after the claim was lost)."""
        try:
            metadata = self._store.table(TABLE).upsert_entity(_entity(record), mode=UpdateMode.REPLACE)
        finally:
            self._store.requests += 1
        return self._with_etag(record, metadata)

    def of_month(self, month: str) -> list[DeliveryRecord]:
        """Every record of one month (report e-mails, corrections, notices), by tenant and row key."""
        rows = self._store.query(TABLE, "RowKey ge @lo and RowKey lt @hi", _month_range(month, month))
        return sorted((_record(e) for e in rows), key=lambda r: (r.tenant, r.row_key))

    def of_tenant(self, tenant: str, first: str, last: str) -> list[DeliveryRecord]:
        """A tenant's records of the months ``first``..``last`` (``YYYY-MM``, inclusive), in one query."""
        rows = self._store.query(
            TABLE,
            "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
            {"pk": escape_key(tenant), **_month_range(first, last)},
        )
        return sorted((_record(e) for e in rows), key=lambda r: r.row_key)

    def report_versions(self, tenant: str, first: str, last: str) -> dict[str, int]:
        """The latest stored report version per month ``first``..``last``, from the keys of the reports table only."""
        rows = self._store.query(
            REPORTS_TABLE,
            "PartitionKey eq @pk and RowKey ge @lo and RowKey lt @hi",
            {"pk": escape_key(tenant), **_month_range(first, last)},
            select=["RowKey"],
        )
        latest: dict[str, int] = {}
        for entity in rows:
            month, _, version = str(entity["RowKey"]).partition("|v")
            if version.isdigit():
                latest[month] = max(latest.get(month, 0), int(version))
        return latest

    def _with_etag(self, record: DeliveryRecord, metadata: Any) -> DeliveryRecord:
        etag = metadata.get("etag") if isinstance(metadata, dict) else None
        if etag:
            return replace(record, etag=etag)
        fresh = self.get(record.tenant, record.month, record.kind, record.report_version)
        return fresh if fresh is not None else record

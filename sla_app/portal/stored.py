"""What the portal reads from storage: the stores it reads through, and the cells made of stored reports.

The protocols are the ports :class:`sla_app.portal.service.PortalService` is
built with (tenants, exclusions and the audit log; ticket events; availability
day summaries; report versions; delivery records). :func:`level_cell` turns a
stored report body's service level into a table cell (percentages unrounded;
the templates truncate for display, measurement §8.8), and
:func:`sent_versions` tells which report versions went out by e-mail (SLA §9).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from sla_app.records import CORRECTION, REPORT, SENT


class Admin(Protocol):
    """Tenants, exclusions and the audit log."""

    def tenants(self) -> list[Any]: ...

    def tenant(self, tenant: str) -> Any | None: ...

    def put_tenant(self, record: Any) -> Any: ...

    def exclusions(self, tenant: str) -> list[Any]: ...

    def add_exclusion(self, tenant: str | None, data: dict[str, Any]) -> str: ...

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None: ...

    def audit_entries(self, day: date) -> list[dict[str, Any]]: ...


class Events(Protocol):
    """A tenant's ticket events."""

    def of_tenant(self, tenant: str) -> list[Any]: ...


class Results(Protocol):
    """Availability per local day: its summaries (the stored days end before now: no row lies after ``as_of``)."""

    def summarised(self, first_day: date, end_day: date, load_first_day: date | None = None) -> Any: ...


class Reports(Protocol):
    """Stored report versions."""

    def versions(self, tenant: str, month: str) -> list[Any]: ...

    def latest(self, tenant: str, month: str) -> Any | None: ...


class Deliveries(Protocol):
    """Delivery records: one per e-mail (report, correction) with the report version it carried."""

    def of_tenant(self, tenant: str, first: str, last: str) -> list[Any]: ...


def sent_versions(records: list[Any]) -> dict[str, set[int]]:
    """Per month, the report versions that went out (as the report e-mail or a correction)."""
    sent: dict[str, set[int]] = {}
    for record in records:
        if record.state == SENT and record.report_version is not None and record.kind in (REPORT, CORRECTION):
            sent.setdefault(record.month, set()).add(record.report_version)
    return sent


def level_cell(body: dict[str, Any], metric: str) -> dict[str, Any]:
    """The cell of one service level of a stored report body: norm, value, met, and coverage or counts."""
    level = (body.get("service_levels") or {}).get(metric) or {}
    cell = {"norm": level.get("norm"), "value": level.get("value"), "met": level.get("met")}
    if metric == "availability":
        cell["coverage"] = level.get("coverage")
        cell["insufficiently_measured"] = bool(level.get("insufficiently_measured"))
    else:
        cell["decided"] = level.get("decided", 0)
        cell["within"] = level.get("within", 0)
    return cell

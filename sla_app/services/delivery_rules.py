"""What delivery goes by: the deadline policy, what a stored report says, which tenants a month concerns.

Shared by the delivery of one tenant-month (:mod:`sla_app.services.delivery_month`),
the delivery runs (:mod:`sla_app.services.delivery` and
:mod:`sla_app.services.delivery_runs`) and the health view (:mod:`sla_app.health`):

* :class:`DeliveryPolicy` — a *provisional* report waits until the delivery
  deadline, by default the 3rd working day of the next month, 12:00 local
  (settings ``SLA_DELIVERY_DEADLINE_WORKDAY``/``_TIME``; SLA §9,
  measurement §8.5); and where the supplier's notices go
  (``SLA_SUPPLIER_MAILBOX``);
* :func:`report_status` and :func:`report_changes` — ``StoredReport.status``
  and ``.changes``, read defensively: a report without them is final and has
  no changes;
* :func:`measured` — whether a tenant's measurement window contains a month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time as clock_time
from typing import Any

from sla_app.errors import Unprocessable
from sla_app.services.monthly_reports import tenant_window
from sla_core.periods import Month
from sla_core.vocabulary import FINAL, PROVISIONAL


@dataclass(frozen=True)
class DeliveryPolicy:
    """When a provisional report may go out, and where the supplier's notices go."""

    deadline_workday: int = 3
    deadline_time: clock_time = clock_time(12, 0)
    supplier_mailbox: str | None = None

    @classmethod
    def of(cls, settings: Any) -> DeliveryPolicy:
        """From the app settings."""
        hours, minutes = (int(part) for part in settings.delivery_deadline_time.split(":"))
        return cls(settings.delivery_deadline_workday, clock_time(hours, minutes), settings.supplier_mailbox or None)


def report_status(report: Any) -> str:
    """``final`` or ``provisional``; a stored report that does not say is final."""
    status = getattr(report, "status", None) or (report.body.get("status") if isinstance(report.body, dict) else None)
    return PROVISIONAL if status == PROVISIONAL else FINAL


def report_changes(report: Any) -> dict[str, Any] | None:
    """The list of changes of a version against the previous one (``StoredReport.changes``); None when it has none.

    Until every stored report carries the attribute, a ``changes`` object in the body is read too.
    """
    changes = getattr(report, "changes", None)
    if changes is None and isinstance(report.body, dict):
        changes = report.body.get("changes")
    return changes if isinstance(changes, dict) else None


def measured(tenant: Any, month: Month) -> bool:
    """Whether the tenant's measurement window contains ``month`` (an invalid contract counts as measured)."""
    try:
        return tenant_window(tenant).contains(month)
    except Unprocessable:
        return True  # an invalid contract must not hide a missing delivery: look, and flag what is missing

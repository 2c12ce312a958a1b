"""Monthly report delivery over tenants: :class:`DeliveryService` (SLA §9, §4; measurement §8.5, §8.6).

What one tenant-month sends — the report e-mail once, a correction once per
changed final version, the provisional report after the deadline — is
:class:`sla_app.services.delivery_month.MonthDelivery`; sending itself
(claims, at-most-once, outcome unknown) is
:class:`sla_app.services.delivery_once.OnceSender`. The service runs those
over the tenants of a month:

* :meth:`DeliveryService.deliver_month` — every tenant measured in the month
  (or with a stored report), or the tenants named; a tenant after the run
  budget (:data:`RUN_BUDGET`, default 5 minutes) is ``deferred`` to the next
  run; a storage error of one tenant is its ``error`` outcome; the run is
  audited (``delivery.run``) with the outcomes counted;
* :meth:`DeliveryService.flag_without_report` — a tenant's months without a
  record or a report flagged ``no_report`` together, :data:`FLAG_BATCH` a
  transaction;
* :meth:`DeliveryService.confirm` — an operator settles an unknown outcome
  (:mod:`sla_app.services.delivery_confirm`).

The supplier's notices and the queue messages are :mod:`sla_app.services.delivery_runs`.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sla_app.documents.typst_cache import release_document_caches
from sla_app.errors import NotFound
from sla_app.http.api_fields import TENANT_ID_PATTERN
from sla_app.mail.message import Mailer
from sla_app.records import NO_REPORT, SUPPLIER, DeliveryRecord
from sla_app.services.delivery_confirm import Confirmation, confirm
from sla_app.services.delivery_month import Admin, MonthDelivery, Reports
from sla_app.services.delivery_once import STALE_AFTER, OnceSender
from sla_app.services.delivery_outcome import DEFERRED, ERROR, DeliveryOutcome
from sla_app.services.delivery_ports import Deliveries
from sla_app.services.delivery_rules import DeliveryPolicy, measured
from sla_core.periods import Month

RUN_BUDGET = timedelta(minutes=5)
FLAG_BATCH = 100  # records of one tenant per transaction (the Table service's limit)
_TENANT_ID = re.compile(TENANT_ID_PATTERN)
_DEFAULT_POLICY = DeliveryPolicy()  # frozen: one shared default


_log = logging.getLogger("sla_app.mail")


class DeliveryService:
    """Sends each tenant's monthly report once, and a correction once per changed final version."""

    def __init__(
        self,
        admin: Admin,
        reports: Reports,
        deliveries: Deliveries,
        mailer: Mailer,
        render: Callable[[dict[str, Any]], Any],
        clock: Callable[[], datetime],
        *,
        stale_after: timedelta = STALE_AFTER,
        budget: timedelta = RUN_BUDGET,
        monotonic: Callable[[], float] = time.monotonic,
        policy: DeliveryPolicy = _DEFAULT_POLICY,
    ) -> None:
        self.admin = admin
        self.reports = reports
        self.deliveries = deliveries
        self.policy = policy
        self.sender = OnceSender(admin, deliveries, mailer, clock, stale_after)
        self.tenant_month = MonthDelivery(admin, reports, deliveries, self.sender, render, clock, policy)
        self._mailer = mailer
        self._render = render
        self._clock = clock
        self._stale_after = stale_after
        self._budget = budget
        self._monotonic = monotonic

    def scoped(self, admin: Admin, reports: Reports, deliveries: Deliveries) -> DeliveryService:
        """The same service over other ports (one message's view of them, :mod:`sla_app.services.delivery_view`)."""
        return DeliveryService(
            admin,
            reports,
            deliveries,
            self._mailer,
            self._render,
            self._clock,
            stale_after=self._stale_after,
            budget=self._budget,
            monotonic=self._monotonic,
            policy=self.policy,
        )

    # -- runs ---------------------------------------------------------------------

    def deliver_month(
        self, month: Month, *, actor: str = "system", force: bool = False, tenants: Iterable[str] | None = None
    ) -> list[DeliveryOutcome]:
        """Deliver ``month`` to every tenant measured in it (or to ``tenants``); one outcome per tenant."""
        chosen = self._chosen(month, tenants)
        started = self._monotonic()
        outcomes = []
        for tenant in chosen:
            if self._monotonic() - started > self._budget.total_seconds():
                outcomes.append(DeliveryOutcome(tenant, str(month), DEFERRED, detail="run budget used up; next run"))
                continue
            outcomes.append(self.deliver_safely(tenant, month, actor=actor, force=force))
            release_document_caches()  # Typst's cache would keep ~75 MB per tenant rendered
        counts = Counter(o.outcome for o in outcomes)
        self.admin.audit(
            self.sender.now(),
            actor,
            "delivery.run",
            None,
            month=str(month),
            force=force,
            outcomes=dict(sorted(counts.items())),
        )
        return outcomes

    def deliver_safely(
        self, tenant: str, month: Month, *, actor: str = "system", force: bool = False
    ) -> DeliveryOutcome:
        """:meth:`deliver`, with a storage error of one tenant turned into an ``error`` outcome."""
        try:
            return self.deliver(tenant, month, actor=actor, force=force)
        except NotFound:
            raise
        except Exception as exc:  # noqa: BLE001 — recorded on the delivery and audited, never lost
            _log.exception("delivery of %s %s failed", tenant, month)
            return DeliveryOutcome(tenant, str(month), ERROR, detail=str(exc)[:500])

    def records(self, month: Month) -> list[DeliveryRecord]:
        """The delivery records of a month."""
        return self.deliveries.of_month(str(month))

    def confirm(self, tenant_id: str, month: Month, confirmation: Confirmation, *, actor: str) -> DeliveryRecord:
        """An operator settles an e-mail whose outcome is unknown: sent (found in Sent Items) or not sent.

        ``tenant_id`` is a tenant or :data:`SUPPLIER` (the supplier's notices); 404 when unknown, 409 when
        the e-mail does not wait for a manual check (see :mod:`sla_app.services.delivery_confirm`).
        """
        if tenant_id != SUPPLIER and (not _TENANT_ID.match(tenant_id) or self.admin.tenant(tenant_id) is None):
            raise NotFound(f"unknown tenant {tenant_id[:40]!r}", field="tenant")
        return confirm(self.sender, self.deliveries, tenant_id, str(month), confirmation, actor)

    def _chosen(self, month: Month, tenants: Iterable[str] | None) -> list[str]:
        if tenants is not None:
            wanted = sorted(set(tenants))
            for tenant in wanted:
                if self.admin.tenant(tenant) is None:
                    raise NotFound(f"unknown tenant {tenant!r}")
            return wanted
        return [
            r.tenant
            for r in self.admin.tenants()
            if measured(r, month) or self.reports.latest(r.tenant, str(month)) is not None
        ]

    def deadline(self, tenant: Any, month: Month) -> datetime:
        """The delivery deadline of ``month`` under the tenant's contract calendar (:meth:`MonthDelivery.deadline`)."""
        return self.tenant_month.deadline(tenant, month)

    # -- one tenant-month -----------------------------------------------------------

    def deliver(self, tenant_id: str, month: Month, *, actor: str = "system", force: bool = False) -> DeliveryOutcome:
        """Send what is due for one tenant-month: the report e-mail, else a correction, else nothing
        (:meth:`MonthDelivery.deliver`)."""
        return self.tenant_month.deliver(tenant_id, month, actor=actor, force=force)

    def flag_without_report(self, tenant_id: str, months: list[str], *, actor: str = "system") -> list[DeliveryOutcome]:
        """Months with neither a delivery record nor a stored report: ``no_report`` together, as :meth:`deliver`
        would flag each, in transactions of :data:`FLAG_BATCH` months; the outcomes of those flagged. A batch
        of which any month got a record meanwhile writes nothing (:meth:`deliver` looks at each month)."""
        self.tenant_month.tenant(tenant_id)
        outcomes: list[DeliveryOutcome] = []
        for start in range(0, len(months), FLAG_BATCH):
            chunk = [DeliveryRecord(tenant_id, m, NO_REPORT) for m in months[start : start + FLAG_BATCH]]
            flagged = self.sender.flag_new(chunk, "delivery.skipped_no_report", actor)
            if flagged is None:
                return outcomes
            outcomes += flagged
        return outcomes

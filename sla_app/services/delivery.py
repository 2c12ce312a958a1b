"""Monthly report delivery, each e-mail exactly once (SLA §9, §4; measurement §8.5, §8.6).

Per tenant-month, :meth:`DeliveryService.deliver` sends what is due:

* **the report e-mail**, once: the latest stored version when it is *final*
  (every day of the month complete). A *provisional* version waits
  (``not_final``, audited ``delivery.waiting_final``) until the delivery
  deadline — by default the 3rd working day of the next month, 12:00 local
  (settings ``SLA_DELIVERY_DEADLINE_WORKDAY``/``_TIME``; working days from the
  tenant's contract calendar) — after which it is sent marked as provisional
  in subject and body. No stored report → ``no_report``; no recipients →
  ``no_recipients`` (both audited, looked at again by the next run);
* **a correction e-mail** (``Correctie servicerapportage <maand>``) once per
  later *final* version, after the report e-mail was sent, when its figures
  changed against what was last mailed (the ``changes`` of the versions in
  between, combined) — and always for the first final version after a
  provisional one was mailed. A newer version without changes is recorded
  ``not_needed`` so it is not looked at again.

Sending itself — claims, at-most-once, outcome unknown — is
:class:`sla_app.services.delivery_once.OnceSender`; an operator settles an
unknown outcome with :meth:`DeliveryService.confirm`
(:mod:`sla_app.services.delivery_confirm`). ``StoredReport.status``
and ``.changes`` are read defensively: a report without them is final and
has no changes. The supplier's notices are :mod:`sla_app.services.delivery_runs`.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any, Protocol

from sla_app.documents.typst_cache import release_document_caches
from sla_app.errors import NotFound, Unprocessable
from sla_app.http.api_models import TENANT_ID_PATTERN
from sla_app.mail.content import (
    combine_changes,
    correction_email,
    has_changes,
    mark_provisional,
)
from sla_app.mail.message import Mailer
from sla_app.records import (
    CORRECTION,
    NO_RECIPIENTS,
    NO_REPORT,
    NOT_FINAL,
    NOT_NEEDED,
    REPORT,
    SENDING,
    SENT,
    SUPPLIER,
    DeliveryRecord,
)
from sla_app.services.delivery_confirm import Confirmation, confirm
from sla_app.services.delivery_once import (
    ALREADY_SENT,
    DEFERRED,
    ERROR,
    STALE_AFTER,
    Deliveries,
    DeliveryOutcome,
    OnceSender,
    outcome_of,
)
from sla_app.services.monthly_reports import tenant_contract, tenant_window
from sla_core.contract import Contract
from sla_core.delivery_deadline import delivery_deadline
from sla_core.periods import Month
from sla_core.vocabulary import FINAL, PROVISIONAL

RUN_BUDGET = timedelta(minutes=5)
FLAG_BATCH = 100  # records of one tenant per transaction (the Table service's limit)
_TENANT_ID = re.compile(TENANT_ID_PATTERN)


_log = logging.getLogger("sla_app.mail")


class Admin(Protocol):
    """Tenants and the audit log."""

    def tenants(self) -> list[Any]: ...

    def tenant(self, tenant: str) -> Any | None: ...

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None: ...


class Reports(Protocol):
    """Stored report versions."""

    def latest(self, tenant: str, month: str) -> Any | None: ...

    def versions(self, tenant: str, month: str) -> list[Any]: ...


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
        policy: DeliveryPolicy = DeliveryPolicy(),
    ) -> None:
        self.admin = admin
        self.reports = reports
        self.deliveries = deliveries
        self.policy = policy
        self.sender = OnceSender(admin, deliveries, mailer, clock, stale_after)
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
        """The delivery deadline of ``month`` under the tenant's contract calendar (the default one when invalid)."""
        try:
            contract = tenant_contract(tenant)
        except Unprocessable:
            contract = Contract()
        return delivery_deadline(month, contract, self.policy.deadline_workday, self.policy.deadline_time)

    # -- one tenant-month -----------------------------------------------------------

    def deliver(self, tenant_id: str, month: Month, *, actor: str = "system", force: bool = False) -> DeliveryOutcome:
        """Send what is due for one tenant-month: the report e-mail, else a correction, else nothing."""
        record = self.deliveries.get(tenant_id, str(month))
        if record is not None and record.state == SENT:
            return self._correction(record, tenant_id, month, actor, force)
        return self._report(record, tenant_id, month, actor, force)

    def flag_without_report(self, tenant_id: str, months: list[str], *, actor: str = "system") -> list[DeliveryOutcome]:
        """Months with neither a delivery record nor a stored report: ``no_report`` together, as :meth:`deliver`
        would flag each, in transactions of :data:`FLAG_BATCH` months; the outcomes of those flagged. A batch
        of which any month got a record meanwhile writes nothing (:meth:`deliver` looks at each month)."""
        self._tenant(tenant_id)
        outcomes: list[DeliveryOutcome] = []
        for start in range(0, len(months), FLAG_BATCH):
            chunk = [DeliveryRecord(tenant_id, m, NO_REPORT) for m in months[start : start + FLAG_BATCH]]
            flagged = self.sender.flag_new(chunk, "delivery.skipped_no_report", actor)
            if flagged is None:
                return outcomes
            outcomes += flagged
        return outcomes

    def _tenant(self, tenant_id: str) -> Any:
        tenant = self.admin.tenant(tenant_id)
        if tenant is None:
            raise NotFound(f"unknown tenant {tenant_id!r}")
        return tenant

    def _report(
        self, record: DeliveryRecord | None, tenant_id: str, month: Month, actor: str, force: bool
    ) -> DeliveryOutcome:
        record, early = self.sender.precheck(record, actor, force)
        if early is not None:
            return early
        key = str(month)
        tenant = self._tenant(tenant_id)
        report = self.reports.latest(tenant_id, key)
        if report is None:
            return self.sender.flag(
                record, DeliveryRecord(tenant_id, key, NO_REPORT), "delivery.skipped_no_report", actor
            )
        status = report_status(report)
        if status != FINAL and self._clock() < self.deadline(tenant, month):
            missing = list(report.body.get("missing_days") or [])
            return self.sender.flag(
                record,
                DeliveryRecord(tenant_id, key, NOT_FINAL, report_version=report.version),
                "delivery.waiting_final",
                actor,
                missing_days=missing,
                deadline=self.deadline(tenant, month).isoformat(),
            )
        recipients = tuple(tenant.recipients)
        if not recipients:
            return self.sender.flag(
                record,
                DeliveryRecord(tenant_id, key, NO_RECIPIENTS, report_version=report.version),
                "delivery.skipped_no_recipients",
                actor,
            )

        def build() -> Any:
            rendered = self._render(report.body)
            return rendered if status == FINAL else mark_provisional(rendered, report.body)

        template = DeliveryRecord(tenant_id, key, SENDING, report_version=report.version, report_status=status)
        return self.sender.send(record, template, recipients, build, actor, force)

    def _correction(
        self, sent: DeliveryRecord, tenant_id: str, month: Month, actor: str, force: bool
    ) -> DeliveryOutcome:
        key = str(month)
        latest = self.reports.latest(tenant_id, key)
        if latest is None or latest.version <= (sent.report_version or 0) or report_status(latest) != FINAL:
            return outcome_of(sent, ALREADY_SENT)
        mails = [
            r
            for r in self.deliveries.of_tenant(tenant_id, key, key)
            if r.month == key and r.kind in (REPORT, CORRECTION)
        ]
        covered = max((r.report_version or 0) for r in mails if r.state in (SENT, NOT_NEEDED))
        if latest.version <= covered:
            return outcome_of(sent, ALREADY_SENT)
        last = max((r for r in mails if r.state == SENT), key=lambda r: r.report_version or 0)
        record, early = self.sender.precheck(
            self.deliveries.get(tenant_id, key, CORRECTION, latest.version), actor, force
        )
        if early is not None:
            return early
        between = [
            v for v in self.reports.versions(tenant_id, key) if (last.report_version or 0) < v.version <= latest.version
        ]
        changes = combine_changes([report_changes(v) for v in between])
        template = DeliveryRecord(
            tenant_id, key, SENDING, report_version=latest.version, report_status=FINAL, kind=CORRECTION
        )
        if not has_changes(changes) and last.report_status != PROVISIONAL:
            return self.sender.flag(
                record,
                DeliveryRecord(tenant_id, key, NOT_NEEDED, report_version=latest.version, kind=CORRECTION),
                "delivery.correction_not_needed",
                actor,
            )
        tenant = self._tenant(tenant_id)
        recipients = tuple(tenant.recipients)
        if not recipients:
            return self.sender.flag(
                record,
                DeliveryRecord(tenant_id, key, NO_RECIPIENTS, report_version=latest.version, kind=CORRECTION),
                "delivery.skipped_no_recipients",
                actor,
            )
        previous = {
            "status": last.report_status or FINAL,
            "sent_on": _date_nl(last.sent_at),
            "new_version": latest.version,
        }

        def build() -> Any:
            return correction_email(self._render(latest.body), latest.body, changes, previous)

        return self.sender.send(record, template, recipients, build, actor, force)


def measured(tenant: Any, month: Month) -> bool:
    """Whether the tenant's measurement window contains ``month`` (an invalid contract counts as measured)."""
    try:
        return tenant_window(tenant).contains(month)
    except Unprocessable:
        return True  # an invalid contract must not hide a missing delivery: look, and flag what is missing


def _date_nl(instant: str) -> str:
    from sla_app.documents.format_nl import date_nl

    try:
        return date_nl(datetime.fromisoformat(instant).date())
    except ValueError:
        return ""

"""One tenant-month's e-mails, each exactly once (SLA §9, §4; measurement §8.5, §8.6).

Per tenant-month, :meth:`MonthDelivery.deliver` sends what is due:

* **the report e-mail**, once: the latest stored version when it is *final*
  (every day of the month complete). A *provisional* version waits
  (``not_final``, audited ``delivery.waiting_final``) until the delivery
  deadline — by default the 3rd working day of the next month, 12:00 local
  (settings ``SLA_DELIVERY_DEADLINE_WORKDAY``/``_TIME``,
  :class:`~sla_app.services.delivery_rules.DeliveryPolicy`; working days from the
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
:class:`sla_app.services.delivery_once.OnceSender`. ``StoredReport.status``
and ``.changes`` are read defensively (:mod:`sla_app.services.delivery_rules`).
The runs over tenants are :class:`sla_app.services.delivery.DeliveryService`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sla_app.errors import NotFound, Unprocessable
from sla_app.mail.content import (
    combine_changes,
    correction_email,
    has_changes,
    mark_provisional,
)
from sla_app.records import (
    CORRECTION,
    NO_RECIPIENTS,
    NO_REPORT,
    NOT_FINAL,
    NOT_NEEDED,
    REPORT,
    SENDING,
    SENT,
    DeliveryRecord,
)
from sla_app.services.delivery_once import OnceSender
from sla_app.services.delivery_outcome import ALREADY_SENT, DeliveryOutcome, outcome_of
from sla_app.services.delivery_ports import Deliveries
from sla_app.services.delivery_rules import DeliveryPolicy, report_changes, report_status
from sla_app.services.monthly_reports import tenant_contract
from sla_core.contract import Contract
from sla_core.delivery_deadline import delivery_deadline
from sla_core.periods import Month
from sla_core.vocabulary import FINAL, PROVISIONAL


class Admin(Protocol):
    """Tenants and the audit log."""

    def tenants(self) -> list[Any]: ...

    def tenant(self, tenant: str) -> Any | None: ...

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None: ...


class Reports(Protocol):
    """Stored report versions."""

    def latest(self, tenant: str, month: str) -> Any | None: ...

    def versions(self, tenant: str, month: str) -> list[Any]: ...


class MonthDelivery:
    """What is due for one tenant-month: the report e-mail once, a correction once per changed final version."""

    def __init__(
        self,
        admin: Admin,
        reports: Reports,
        deliveries: Deliveries,
        sender: OnceSender,
        render: Callable[[dict[str, Any]], Any],
        clock: Callable[[], datetime],
        policy: DeliveryPolicy,
    ) -> None:
        self.admin = admin
        self.reports = reports
        self.deliveries = deliveries
        self.sender = sender
        self.policy = policy
        self._render = render
        self._clock = clock

    def deliver(self, tenant_id: str, month: Month, *, actor: str = "system", force: bool = False) -> DeliveryOutcome:
        """Send what is due for one tenant-month: the report e-mail, else a correction, else nothing."""
        record = self.deliveries.get(tenant_id, str(month))
        if record is not None and record.state == SENT:
            return self._correction(record, tenant_id, month, actor, force)
        return self._report(record, tenant_id, month, actor, force)

    def deadline(self, tenant: Any, month: Month) -> datetime:
        """The delivery deadline of ``month`` under the tenant's contract calendar (the default one when invalid)."""
        try:
            contract = tenant_contract(tenant)
        except Unprocessable:
            contract = Contract()
        return delivery_deadline(month, contract, self.policy.deadline_workday, self.policy.deadline_time)

    def tenant(self, tenant_id: str) -> Any:
        """The tenant record; 404 when unknown."""
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
        tenant = self.tenant(tenant_id)
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
        tenant = self.tenant(tenant_id)
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


def _date_nl(instant: str) -> str:
    from sla_app.documents.format_nl import date_nl

    try:
        return date_nl(datetime.fromisoformat(instant).date())
    except ValueError:
        return ""

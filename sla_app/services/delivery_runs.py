"""Delivery runs: timers only enqueue, one queue message per tenant; the supplier's notices.

* :func:`fan_out` (the delivery timers): one message per tenant,
  ``{"tenant": t, "months": [...]}``, naming every month of the last
  :data:`LOOKBACK_MONTHS` in its measurement window — so a month stays
  looked at until its report and every correction went out (a restatement
  reaches 12 months back), and nothing is lost when the calendar moves on to
  the next month; plus the supplier's notices, ``{"notice": "overview" |
  "at_risk", "month": …}``. The messages are spread over instances by the
  queue trigger, so 400 municipalities are delivered the same morning.
* :func:`deliver_tenant` (one message): two queries tell which months have
  anything to do (the tenant's delivery records and the keys of its stored
  reports); :meth:`DeliveryService.deliver` runs only for those, over a
  :class:`~sla_app.services.delivery_view.MessageView` that answers from
  those two queries what the months would read again (records, absent
  reports, the tenant) and writes the message's audit entries together. A storage
  error in one month does not stop the others; it is raised at the end so the
  host retries the message (duplicates are harmless: every e-mail is claimed
  before it is sent) and finally poisons it (audited).
* :func:`deliver_notice`: the mid-month at-risk notice (due from the 15th,
  as of 06:00 UTC that day, until the month ends) and the supplier overview
  of a month (due from the month's delivery deadline), each e-mailed once to
  ``SLA_SUPPLIER_MAILBOX`` through the same :class:`OnceSender`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sla_app.documents.typst_cache import release_document_caches
from sla_app.errors import BadRequest
from sla_app.records import (
    AT_RISK,
    CORRECTION,
    NO_RECIPIENTS,
    NO_REPORT,
    NOT_NEEDED,
    OVERVIEW,
    REPORT,
    SENDING,
    SENT,
    SUPPLIER,
    DeliveryRecord,
)
from sla_app.services.delivery import DeliveryService
from sla_app.services.delivery_outcome import DeliveryOutcome
from sla_app.services.delivery_rules import measured
from sla_app.services.delivery_view import MessageView
from sla_core.contract import Contract
from sla_core.delivery_deadline import delivery_deadline
from sla_core.errors import InputError
from sla_core.periods import Month

LOOKBACK_MONTHS = 13  # the previous month and the 12 a monthly run may restate
AT_RISK_DAY, AT_RISK_HOUR_UTC = 15, 6  # the at-risk timer's instant: 06:00 UTC on the 15th
NOTICES = (AT_RISK, OVERVIEW)
NOT_DUE = "not_due"

_log = logging.getLogger("sla_app.mail")

Enqueue = Callable[[dict[str, Any]], None]
NoticeBuilder = Callable[[str, Month, datetime], Any]  # (kind, month, as_of) -> RenderedReport


def lookback(now: datetime, zone: ZoneInfo) -> list[Month]:
    """The months a run looks at: the :data:`LOOKBACK_MONTHS` before the local month of ``now``, oldest first."""
    current = Month.of(now.astimezone(zone).date())
    return [current.shift(-k) for k in range(LOOKBACK_MONTHS, 0, -1)]


def fan_out(
    service: DeliveryService, now: datetime, zone: ZoneInfo, enqueue: Enqueue, actor: str = "system"
) -> list[dict[str, Any]]:
    """Enqueue one message per tenant with its months to look at, and the supplier's notices; returns them."""
    months = lookback(now, zone)
    messages: list[dict[str, Any]] = []
    for record in service.admin.tenants():
        wanted = [str(m) for m in months if measured(record, m)]
        if wanted:
            messages.append({"tenant": record.tenant, "months": wanted})
    current = months[-1].shift(1)
    messages.append({"notice": OVERVIEW, "month": str(months[-1])})
    if now.astimezone(zone).day >= AT_RISK_DAY:
        messages.append({"notice": AT_RISK, "month": str(current)})
    for message in messages:
        enqueue(message)
    tenants = sum(1 for m in messages if "tenant" in m)
    service.admin.audit(
        now.isoformat(),
        actor,
        "delivery.fan_out",
        None,
        tenants=tenants,
        notices=[m["notice"] for m in messages if "notice" in m],
        months=[str(months[0]), str(months[-1])],
    )
    return messages


def parse_message(body: bytes) -> dict[str, Any]:
    """A delivery queue message, checked: ``{"tenant", "months"}`` (or ``"month"``) or ``{"notice", "month"}``."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest(f"delivery message is not JSON: {exc}", field="message") from exc
    if not isinstance(data, dict):
        raise BadRequest("delivery message must be a JSON object", field="message")
    try:
        if "notice" in data:
            if data["notice"] not in NOTICES:
                raise BadRequest(f"unknown notice {data['notice']!r}", field="notice")
            return {"notice": data["notice"], "month": Month.parse(str(data["month"]))}
        months = data.get("months", [data.get("month")])
        if not isinstance(months, list) or not months:
            raise BadRequest("months must be a non-empty list", field="months")
        return {"tenant": str(data["tenant"]), "months": sorted({Month.parse(str(m)) for m in months})}
    except KeyError as exc:
        raise BadRequest(f"delivery message without {exc.args[0]!r}", field=str(exc.args[0])) from exc
    except InputError as exc:
        raise BadRequest(str(exc), field="month") from exc


def _covered(records: list[DeliveryRecord]) -> dict[str, int]:
    """Per month: the newest report version already mailed (or found to need no correction)."""
    covered: dict[str, int] = {}
    for record in records:
        if record.kind in (REPORT, CORRECTION) and record.state in (SENT, NOT_NEEDED):
            covered[record.month] = max(covered.get(record.month, 0), record.report_version or 0)
    return covered


def deliver_tenant(
    service: DeliveryService, tenant: str, months: list[Month], actor: str = "system"
) -> list[DeliveryOutcome]:
    """Send what is due for a tenant over ``months``; raises the first storage error after trying every month."""
    first, last = str(months[0]), str(months[-1])
    records = service.deliveries.of_tenant(tenant, first, last)
    reports = service.deliveries.report_versions(tenant, first, last)
    covered = _covered(records)
    report_records = {r.month: r for r in records if r.kind == REPORT}
    view = MessageView(service.admin, service.reports, service.deliveries, tenant, first, last, records, reports)
    scoped = service.scoped(view.admin, view.reports, view.deliveries)
    done: dict[str, DeliveryOutcome] = {}
    failure: Exception | None = None
    try:
        unreported = [str(m) for m in months if str(m) not in reports and str(m) not in report_records]
        if unreported:  # never looked at and nothing to send: flagged together (else one by one below)
            try:
                done = {o.month: o for o in scoped.flag_without_report(tenant, unreported, actor=actor)}
            except Exception:  # noqa: BLE001 — each month is tried (and its error raised) below
                _log.exception("flagging %s %s..%s without a report failed", tenant, unreported[0], unreported[-1])
        for month in months:
            key = str(month)
            if key in done:
                continue
            record = report_records.get(key)
            if record is not None and record.state == SENT and reports.get(key, 0) <= covered.get(key, 0):
                continue  # mailed, and no newer version since
            if record is not None and record.state == NO_REPORT and key not in reports:
                continue  # still no report: flagged already
            try:
                done[key] = scoped.deliver(tenant, month, actor=actor)
            except Exception as exc:  # noqa: BLE001 — recorded on the delivery and audited, never lost
                _log.exception("delivery of %s %s failed", tenant, key)
                failure = failure or exc
    finally:
        view.flush()
    outcomes = [done[str(m)] for m in months if str(m) in done]
    if failure is not None:
        raise failure
    return outcomes


def at_risk_as_of(month: Month) -> datetime:
    """The instant the at-risk notice of ``month`` describes: the at-risk timer's, 06:00 UTC on the 15th."""
    return datetime(month.year, month.month, AT_RISK_DAY, AT_RISK_HOUR_UTC, tzinfo=UTC)


def notice_due(service: DeliveryService, kind: str, month: Month, now: datetime, zone: ZoneInfo) -> bool:
    """At-risk: from the 15th until the month ends; overview: from the month's delivery deadline on."""
    if kind == AT_RISK:
        return at_risk_as_of(month) <= now and Month.of(now.astimezone(zone).date()) == month
    contract = Contract(timezone=zone.key)
    return now >= delivery_deadline(month, contract, service.policy.deadline_workday, service.policy.deadline_time)


def deliver_notice(
    service: DeliveryService,
    kind: str,
    month: Month,
    build: NoticeBuilder,
    now: datetime,
    zone: ZoneInfo,
    *,
    actor: str = "system",
    force: bool = False,
) -> DeliveryOutcome:
    """E-mail the supplier's notice ``kind`` of ``month`` once, when it is due."""
    key = str(month)
    record, early = service.sender.precheck(service.deliveries.get(SUPPLIER, key, kind), actor, force)
    if early is not None:
        return early
    if not notice_due(service, kind, month, now, zone):
        return DeliveryOutcome(SUPPLIER, key, NOT_DUE, kind=kind)
    mailbox = service.policy.supplier_mailbox
    if not mailbox:
        return service.sender.flag(
            record, DeliveryRecord(SUPPLIER, key, NO_RECIPIENTS, kind=kind), "delivery.skipped_no_recipients", actor
        )
    as_of = at_risk_as_of(month) if kind == AT_RISK else now
    template = DeliveryRecord(SUPPLIER, key, SENDING, kind=kind)
    return service.sender.send(record, template, (mailbox,), lambda: build(kind, month, as_of), actor, force)


def deliver_message(
    service: DeliveryService, body: bytes, build: NoticeBuilder, now: datetime, zone: ZoneInfo, *, actor: str = "system"
) -> list[DeliveryOutcome]:
    """One delivery queue message (:func:`parse_message`): a tenant's months, or a supplier notice.

    Afterwards, whatever happened, the PDF compiler's cache is released: Typst keeps what its last ten
    compilations used (~45 MB per month-end report), and a worker runs several messages at once.
    """
    message = parse_message(body)
    try:
        if "notice" in message:
            return [deliver_notice(service, message["notice"], message["month"], build, now, zone, actor=actor)]
        return deliver_tenant(service, message["tenant"], message["months"], actor=actor)
    finally:
        release_document_caches()

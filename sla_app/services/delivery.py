"""Monthly report delivery, exactly once per tenant-month (SLA §9; issue 5 §3, §4).

``deliver_month(month)`` goes over every tenant measured in the month (and
any other tenant that has a stored report for it) and, per tenant:

1. reads the delivery record: ``sent`` → skip (never sent twice); a fresh
   ``sending`` → skip (another run is at it); a ``sending`` older than
   ``stale_after`` (30 minutes) → the run that claimed it died, possibly
   *after* Graph accepted the message: it becomes ``failed`` with
   ``needs_manual_check`` (audited ``delivery.failed``, outcome unknown) and
   is **not** resent automatically; a ``failed`` record with
   ``needs_manual_check`` is resent only with ``force`` (admin endpoint);
2. no stored report → record ``no_report`` (audited
   ``delivery.skipped_no_report``); no recipients → ``no_recipients``
   (audited ``delivery.skipped_no_recipients``). Both are looked at again by
   the next run, so adding recipients later is enough;
3. claims the record before sending: an insert when there is none, else a
   replace conditional on the ETag read in step 1. Of two runs (or
   instances) only one claim succeeds; the other skips (``in_progress``);
4. renders the latest stored report version and sends it; then records
   ``sent`` (report version, recipients, Graph request id or .eml path,
   sent_at; audited ``delivery.sent``) or ``failed`` (error, attempts;
   audited ``delivery.failed``).

**At-most-once.** The issue demands that no report is ever sent twice, so
the crash window between a successful send and writing ``sent`` resolves to
"not resent": a send whose outcome is unknown (the process died, or Graph
gave no answer to the send request) is flagged for a manual check — the
message carries ``X-SLA-Delivery: <tenant>/<month>/v<version>/<claim>`` and
is saved to the sender's Sent Items, so an admin can see whether it went —
and resent only by ``POST /api/admin/months/{month}/deliver?force=true``.
A send that certainly did not happen (an error answer from Graph, a render
failure, no token) is ``failed`` and retried by the next (daily) run.

``stale_after`` must exceed the longest a delivery can take (the Function
timeout is 10 minutes; the Graph client's waits are bounded), so a live
claim is never mistaken for a dead one. ``deliver_month`` starts no new
delivery after ``budget`` (5 minutes), leaving the rest to the next run.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sla_app.delivery.message import Envelope, Mailer, MailError, Receipt
from sla_app.errors import NotFound, Unprocessable
from sla_app.services.monthly_reports import tenant_window
from sla_app.storage.deliveries_repo import (
    FAILED,
    NO_RECIPIENTS,
    NO_REPORT,
    SENDING,
    SENT,
    DeliveryConflict,
    DeliveryRecord,
)  # fmt: skip
from sla_core.periods import Month

STALE_AFTER = timedelta(minutes=30)
RUN_BUDGET = timedelta(minutes=5)
UNKNOWN_OUTCOME = "outcome unknown: the message may have been sent; check the sender's Sent Items, resend with force"

# Outcomes of one tenant-month in a run.
SENT_NOW, ALREADY_SENT, IN_PROGRESS = "sent", "already_sent", "in_progress"
FAILED_NOW, UNKNOWN_NOW, NEEDS_MANUAL_CHECK = "failed", "unknown", "needs_manual_check"
DEFERRED, ERROR = "deferred", "error"

_log = logging.getLogger("sla_app.delivery")


class Admin(Protocol):
    """Tenants and the audit log."""

    def tenants(self) -> list[Any]: ...

    def tenant(self, tenant: str) -> Any | None: ...

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None: ...


class Reports(Protocol):
    """The latest stored report version."""

    def latest(self, tenant: str, month: str) -> Any | None: ...


class Deliveries(Protocol):
    """Delivery records (see :class:`sla_app.storage.deliveries_repo.DeliveryRepository`)."""

    def get(self, tenant: str, month: str) -> DeliveryRecord | None: ...

    def create(self, record: DeliveryRecord) -> DeliveryRecord: ...

    def replace(self, record: DeliveryRecord, etag: str | None) -> DeliveryRecord: ...

    def put(self, record: DeliveryRecord) -> DeliveryRecord: ...

    def of_month(self, month: str) -> list[DeliveryRecord]: ...


@dataclass(frozen=True)
class DeliveryOutcome:
    """What a run did for one tenant-month."""

    tenant: str
    month: str
    outcome: str
    state: str | None = None
    version: int | None = None
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        """As API JSON."""
        return {"tenant": self.tenant, "month": self.month, "outcome": self.outcome, "state": self.state,
                "version": self.version, "detail": self.detail or None}  # fmt: skip


class DeliveryService:
    """Sends each tenant's monthly report once."""

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
    ) -> None:
        self._admin = admin
        self._reports = reports
        self._deliveries = deliveries
        self._mailer = mailer
        self._render = render
        self._clock = clock
        self._stale_after = stale_after
        self._budget = budget.total_seconds()
        self._monotonic = monotonic

    # -- runs ---------------------------------------------------------------------

    def deliver_month(
        self, month: Month, *, actor: str = "system", force: bool = False, tenants: Iterable[str] | None = None
    ) -> list[DeliveryOutcome]:
        """Deliver ``month`` to every tenant measured in it (or to ``tenants``); one outcome per tenant."""
        chosen = self._chosen(month, tenants)
        started = self._monotonic()
        outcomes = []
        for tenant in chosen:
            if self._monotonic() - started > self._budget:
                outcomes.append(DeliveryOutcome(tenant, str(month), DEFERRED, detail="run budget used up; next run"))
                continue
            try:
                outcomes.append(self.deliver(tenant, month, actor=actor, force=force))
            except Exception as exc:  # noqa: BLE001 — one tenant's storage error must not stop the others
                _log.exception("delivery of %s %s failed", tenant, month)
                outcomes.append(DeliveryOutcome(tenant, str(month), ERROR, detail=str(exc)[:500]))
        counts = Counter(o.outcome for o in outcomes)
        self._audit(actor, "delivery.run", None, month=str(month), force=force, outcomes=dict(sorted(counts.items())))
        return outcomes

    def records(self, month: Month) -> list[DeliveryRecord]:
        """The delivery records of a month."""
        return self._deliveries.of_month(str(month))

    def _chosen(self, month: Month, tenants: Iterable[str] | None) -> list[str]:
        if tenants is not None:
            wanted = sorted(set(tenants))
            for tenant in wanted:
                if self._admin.tenant(tenant) is None:
                    raise NotFound(f"unknown tenant {tenant!r}")
            return wanted
        chosen = []
        for record in self._admin.tenants():
            if self._measured(record, month) or self._reports.latest(record.tenant, str(month)) is not None:
                chosen.append(record.tenant)
        return chosen

    @staticmethod
    def _measured(tenant: Any, month: Month) -> bool:
        try:
            return tenant_window(tenant).contains(month)
        except Unprocessable:
            return True  # an invalid contract must not hide a missing delivery: look, and flag what is missing

    # -- one tenant-month -----------------------------------------------------------

    def deliver(self, tenant_id: str, month: Month, *, actor: str = "system", force: bool = False) -> DeliveryOutcome:
        """Deliver one tenant-month unless it was delivered, is being delivered, or needs a manual check."""
        key = str(month)
        record = self._deliveries.get(tenant_id, key)
        if record is not None:
            if record.state == SENT:
                return self._outcome(record, ALREADY_SENT)
            if record.state == SENDING:
                if not self._stale(record):
                    return self._outcome(record, IN_PROGRESS)
                record = self._abandon(record, actor)
                if record is None:
                    return DeliveryOutcome(tenant_id, key, IN_PROGRESS, SENDING)
            if record.needs_manual_check and not force:
                return self._outcome(record, NEEDS_MANUAL_CHECK, record.error)
        tenant = self._admin.tenant(tenant_id)
        if tenant is None:
            raise NotFound(f"unknown tenant {tenant_id!r}")
        report = self._reports.latest(tenant_id, key)
        if report is None:
            return self._flag(record, tenant_id, key, NO_REPORT, actor, None, "delivery.skipped_no_report")
        recipients = tuple(tenant.recipients)
        if not recipients:
            return self._flag(
                record, tenant_id, key, NO_RECIPIENTS, actor, report.version, "delivery.skipped_no_recipients"
            )
        claim = self._claim(record, tenant_id, key, report.version, recipients, actor, force)
        if claim is None:
            return DeliveryOutcome(tenant_id, key, IN_PROGRESS, SENDING, report.version, "claimed by another run")
        try:
            rendered = self._render(report.body)
        except Exception as exc:  # noqa: BLE001 — nothing was sent: a plain failure, retried next run
            _log.exception("rendering %s %s v%s failed", tenant_id, key, report.version)
            return self._fail(claim, f"render: {type(exc).__name__}: {exc}", unknown=False, actor=actor)
        envelope = Envelope(tenant_id, key, report.version, recipients, claim.claim_id)
        try:
            receipt = self._mailer.send(envelope, rendered)
        except MailError as exc:
            return self._fail(claim, str(exc), unknown=exc.unknown, actor=actor, mail=exc.to_json())
        except Exception as exc:  # noqa: BLE001 — an unexpected error while sending: assume it may have gone out
            _log.exception("sending %s %s failed unexpectedly", tenant_id, key)
            return self._fail(claim, f"{type(exc).__name__}: {exc}", unknown=True, actor=actor)
        return self._finish(claim, receipt, actor)

    # -- state changes ----------------------------------------------------------------

    def _now(self) -> str:
        return self._clock().isoformat()

    def _audit(self, actor: str, action: str, tenant: str | None, **detail: Any) -> None:
        self._admin.audit(self._now(), actor, action, tenant, **detail)

    @staticmethod
    def _outcome(record: DeliveryRecord, outcome: str, detail: str = "") -> DeliveryOutcome:
        return DeliveryOutcome(record.tenant, record.month, outcome, record.state, record.report_version, detail)

    def _stale(self, record: DeliveryRecord) -> bool:
        try:
            claimed = datetime.fromisoformat(record.claimed_at)
        except ValueError:
            return True  # a claim without a readable time cannot be trusted to be alive
        return self._clock() - claimed > self._stale_after

    def _abandon(self, record: DeliveryRecord, actor: str) -> DeliveryRecord | None:
        """A dead run's claim: failed with an unknown outcome (never resent automatically); None if raced."""
        error = f"interrupted while sending (claimed {record.claimed_at}); {UNKNOWN_OUTCOME}"
        failed = replace(
            record, state=FAILED, error=error, needs_manual_check=True, updated_at=self._now(), actor=actor
        )
        try:
            failed = self._deliveries.replace(failed, record.etag)
        except DeliveryConflict:
            return None
        self._audit(
            actor, "delivery.failed", record.tenant, month=record.month, version=record.report_version,
            attempts=record.attempts, outcome="unknown", needs_manual_check=True, error=error,
            claimed_at=record.claimed_at,
        )  # fmt: skip
        return failed

    def _flag(
        self, record: DeliveryRecord | None, tenant: str, month: str, state: str, actor: str, version: int | None,
        action: str,
    ) -> DeliveryOutcome:  # fmt: skip
        """Record ``no_report``/``no_recipients`` (audited when the state changes)."""
        if record is not None and record.state == state and record.report_version == version:
            return self._outcome(record, state)
        flagged = DeliveryRecord(
            tenant=tenant, month=month, state=state, attempts=record.attempts if record else 0,
            report_version=version, updated_at=self._now(), actor=actor,
        )  # fmt: skip
        try:
            if record is None:
                flagged = self._deliveries.create(flagged)
            else:
                flagged = self._deliveries.replace(flagged, record.etag)
        except DeliveryConflict:
            return DeliveryOutcome(tenant, month, IN_PROGRESS, None, version, "changed by another run")
        self._audit(actor, action, tenant, month=month, version=version)
        return self._outcome(flagged, state)

    def _claim(
        self, record: DeliveryRecord | None, tenant: str, month: str, version: int, recipients: tuple[str, ...],
        actor: str, force: bool,
    ) -> DeliveryRecord | None:  # fmt: skip
        """Take the record for sending (insert-only or ETag-conditional); None when another run took it."""
        now = self._now()
        claim = DeliveryRecord(
            tenant=tenant, month=month, state=SENDING, attempts=(record.attempts if record else 0) + 1,
            report_version=version, recipients=recipients, claim_id=uuid.uuid4().hex, claimed_at=now,
            forced=bool(force and record is not None and record.needs_manual_check), updated_at=now, actor=actor,
        )  # fmt: skip
        try:
            if record is None:
                return self._deliveries.create(claim)
            return self._deliveries.replace(claim, record.etag)
        except DeliveryConflict:
            return None

    def _fail(
        self, claim: DeliveryRecord, error: str, *, unknown: bool, actor: str, mail: dict[str, Any] | None = None
    ) -> DeliveryOutcome:
        text = f"{error}; {UNKNOWN_OUTCOME}" if unknown else error
        failed = replace(claim, state=FAILED, error=text[:1000], needs_manual_check=unknown, updated_at=self._now())
        try:
            failed = self._deliveries.replace(failed, claim.etag)
        except DeliveryConflict:
            _log.warning("delivery %s %s: claim lost before recording the failure", claim.tenant, claim.month)
        self._audit(
            actor, "delivery.failed", claim.tenant, month=claim.month, version=claim.report_version,
            attempts=claim.attempts, outcome="unknown" if unknown else "not_sent", needs_manual_check=unknown,
            error=text[:500], forced=claim.forced, **({"graph": mail} if mail else {}),
        )  # fmt: skip
        return self._outcome(failed, UNKNOWN_NOW if unknown else FAILED_NOW, text[:500])

    def _finish(self, claim: DeliveryRecord, receipt: Receipt, actor: str) -> DeliveryOutcome:
        now = self._now()
        sent = replace(
            claim, state=SENT, sent_at=now, updated_at=now, mode=receipt.mode, error="", needs_manual_check=False,
            request_id=receipt.reference if receipt.mode == "graph" else "",
            eml_path=receipt.reference if receipt.mode == "outbox" else "",
        )  # fmt: skip
        try:
            sent = self._deliveries.replace(sent, claim.etag)
        except DeliveryConflict:
            # The message went out; whatever changed the record meanwhile, the truth is "sent".
            _log.warning("delivery %s %s: claim changed while sending; recording the send", claim.tenant, claim.month)
            sent = self._deliveries.put(sent)
        self._audit(
            actor, "delivery.sent", claim.tenant, month=claim.month, version=claim.report_version,
            recipients=list(claim.recipients), attempts=claim.attempts, mode=receipt.mode, reference=receipt.reference,
            forced=claim.forced, **{k: v for k, v in receipt.detail.items() if k in ("via", "client_request_id")},
        )  # fmt: skip
        return self._outcome(sent, SENT_NOW)

"""Sending one e-mail at most once: the claim, the send and the record.

Every e-mail delivery makes — a tenant's report, a correction, the supplier's
at-risk notice or overview — goes through :class:`OnceSender`, so all share
one set of rules:

1. the delivery record is read: ``sent`` → never again; a fresh ``sending``
   → another run is at it; a ``sending`` older than ``stale_after`` → the run
   that claimed it died, possibly after the mail service accepted the
   message: ``failed`` with ``needs_manual_check`` (audited, outcome
   unknown), **not** resent automatically; a record flagged
   ``needs_manual_check`` is resent only with ``force`` (an admin);
2. the record is *claimed* before sending: an insert when there is none, else
   a replace conditional on the ETag just read. Of two runs, instances or
   duplicate queue messages only one claim succeeds;
3. the message is built (rendered) and sent; then the record becomes
   ``sent`` (audited ``delivery.sent``) or ``failed``. A failure whose outcome
   is *unknown* (a 5xx, a timeout or a reset after the request was sent; any
   unexpected error while sending) is flagged ``needs_manual_check`` and
   never repeated automatically; a failure that certainly sent nothing
   (an error answer before acceptance, a render failure, no token) is retried
   by the next run.

``stale_after`` must exceed the longest a delivery can take (the Function
timeout is 10 minutes; the Graph client's waits are bounded).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from sla_app.mail.message import Envelope, Mailer, MailError, Receipt
from sla_app.records import FAILED, SENDING, SENT, SUPPLIER, DeliveryConflict, DeliveryRecord
from sla_app.services.delivery_outcome import (
    ALREADY_SENT,
    FAILED_NOW,
    IN_PROGRESS,
    NEEDS_MANUAL_CHECK,
    SENT_NOW,
    UNKNOWN_NOW,
    DeliveryOutcome,
    outcome_of,
)
from sla_app.services.delivery_ports import Deliveries

STALE_AFTER = timedelta(minutes=30)
UNKNOWN_OUTCOME = "outcome unknown: the message may have been sent; check the sender's Sent Items, resend with force"

_log = logging.getLogger("sla_app.mail")


class Auditor(Protocol):
    """The audit log."""

    def audit(self, at: str, actor: str, action: str, tenant: str | None = None, **detail: Any) -> None: ...


class OnceSender:
    """Claims, sends and records one e-mail; see the module docstring."""

    def __init__(
        self,
        audit: Auditor,
        deliveries: Deliveries,
        mailer: Mailer,
        clock: Callable[[], datetime],
        stale_after: timedelta = STALE_AFTER,
    ) -> None:
        self._audit_log = audit
        self._deliveries = deliveries
        self._mailer = mailer
        self._clock = clock
        self._stale_after = stale_after

    def now(self) -> str:
        """The clock as RFC 3339."""
        return self._clock().isoformat()

    def audit(self, actor: str, action: str, record: DeliveryRecord, **detail: Any) -> None:
        """Audit ``action`` for the record's e-mail (the supplier's notices have no tenant)."""
        tenant = None if record.tenant == SUPPLIER else record.tenant
        self._audit_log.audit(self.now(), actor, action, tenant, month=record.month, kind=record.kind, **detail)

    # -- before sending ---------------------------------------------------------------

    def precheck(
        self, record: DeliveryRecord | None, actor: str, force: bool
    ) -> tuple[DeliveryRecord | None, DeliveryOutcome | None]:
        """``(record, None)`` when the e-mail may be sent, else ``(record, outcome to report now)``."""
        if record is None:
            return None, None
        if record.state == SENT:
            return record, outcome_of(record, ALREADY_SENT)
        if record.state == SENDING:
            if not self._stale(record):
                return record, outcome_of(record, IN_PROGRESS)
            abandoned = self._abandon(record, actor)
            if abandoned is None:
                return record, outcome_of(record, IN_PROGRESS, "changed by another run")
            record = abandoned
        if record.needs_manual_check and not force:
            return record, outcome_of(record, NEEDS_MANUAL_CHECK, record.error)
        return record, None

    def _stale(self, record: DeliveryRecord) -> bool:
        try:
            claimed = datetime.fromisoformat(record.claimed_at)
        except ValueError:
            return True  # a claim without a readable time cannot be trusted to be alive
        return self._clock() - claimed > self._stale_after

    def _abandon(self, record: DeliveryRecord, actor: str) -> DeliveryRecord | None:
        """A dead run's claim: failed with an unknown outcome (never resent automatically); None if raced."""
        error = f"interrupted while sending (claimed {record.claimed_at}); {UNKNOWN_OUTCOME}"
        failed = replace(record, state=FAILED, error=error, needs_manual_check=True, updated_at=self.now(), actor=actor)
        try:
            failed = self._deliveries.replace(failed, record.etag)
        except DeliveryConflict:
            return None
        self.audit(
            actor,
            "delivery.failed",
            record,
            version=record.report_version,
            attempts=record.attempts,
            outcome="unknown",
            needs_manual_check=True,
            error=error,
            claimed_at=record.claimed_at,
        )
        return failed

    def flag(
        self, record: DeliveryRecord | None, flagged: DeliveryRecord, action: str, actor: str, **detail: Any
    ) -> DeliveryOutcome:
        """Record a state that waits for something (no report, no recipients, not final); audited when it changes."""
        if record is not None and record.state == flagged.state and record.report_version == flagged.report_version:
            return outcome_of(record, record.state)
        flagged = replace(flagged, attempts=record.attempts if record else 0, updated_at=self.now(), actor=actor)
        try:
            if record is None:
                flagged = self._deliveries.create(flagged)
            else:
                flagged = self._deliveries.replace(flagged, record.etag)
        except DeliveryConflict:
            return outcome_of(flagged, IN_PROGRESS, "changed by another run")
        self.audit(actor, action, flagged, version=flagged.report_version, **detail)
        return outcome_of(flagged, flagged.state)

    def flag_new(self, flagged: list[DeliveryRecord], action: str, actor: str) -> list[DeliveryOutcome] | None:
        """:meth:`flag` for e-mails of one tenant without a record yet, inserted together (one transaction);
        None, and nothing written, when any of them has a record by now (the caller flags them one by one)."""
        now = self.now()
        try:
            created = self._deliveries.create_many(
                [replace(f, attempts=0, updated_at=now, actor=actor) for f in flagged]
            )
        except DeliveryConflict:
            return None
        for record in created:
            self.audit(actor, action, record, version=record.report_version)
        return [outcome_of(record, record.state) for record in created]

    # -- sending ----------------------------------------------------------------------

    def send(
        self,
        record: DeliveryRecord | None,
        template: DeliveryRecord,
        recipients: tuple[str, ...],
        build: Callable[[], Any],
        actor: str,
        force: bool,
    ) -> DeliveryOutcome:
        """Claim ``template``'s e-mail, build it, send it once, record what happened."""
        claim = self._claim(record, template, recipients, actor, force)
        if claim is None:
            return outcome_of(template, IN_PROGRESS, "claimed by another run")
        try:
            rendered = build()
        except Exception as exc:  # noqa: BLE001 — recorded on the delivery and audited, never lost
            _log.exception("rendering %s %s %s v%s failed", claim.tenant, claim.month, claim.kind, claim.report_version)
            return self._fail(claim, f"render: {type(exc).__name__}: {exc}", unknown=False, actor=actor)
        envelope = Envelope(
            claim.tenant, claim.month, claim.report_version or 0, recipients, claim.claim_id, claim.kind
        )
        try:
            receipt = self._mailer.send(envelope, rendered)
        except MailError as exc:
            return self._fail(claim, str(exc), unknown=exc.unknown, actor=actor, mail=exc.to_json())
        except Exception as exc:  # noqa: BLE001 — recorded on the delivery and audited, never lost
            _log.exception("sending %s %s %s failed unexpectedly", claim.tenant, claim.month, claim.kind)
            return self._fail(claim, f"{type(exc).__name__}: {exc}", unknown=True, actor=actor)
        return self._finish(claim, receipt, actor)

    def _claim(
        self,
        record: DeliveryRecord | None,
        template: DeliveryRecord,
        recipients: tuple[str, ...],
        actor: str,
        force: bool,
    ) -> DeliveryRecord | None:
        """Take the record for sending (insert-only or ETag-conditional); None when another run took it."""
        now = self.now()
        claim = replace(
            template,
            state=SENDING,
            attempts=(record.attempts if record else 0) + 1,
            recipients=recipients,
            claim_id=uuid.uuid4().hex,
            claimed_at=now,
            error="",
            needs_manual_check=False,
            forced=bool(force and record is not None and record.needs_manual_check),
            updated_at=now,
            actor=actor,
        )
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
        failed = replace(claim, state=FAILED, error=text[:1000], needs_manual_check=unknown, updated_at=self.now())
        try:
            failed = self._deliveries.replace(failed, claim.etag)
        except DeliveryConflict:
            _log.warning(
                "delivery %s %s %s: claim lost before recording the failure", claim.tenant, claim.month, claim.kind
            )
        self.audit(
            actor,
            "delivery.failed",
            claim,
            version=claim.report_version,
            attempts=claim.attempts,
            outcome="unknown" if unknown else "not_sent",
            needs_manual_check=unknown,
            error=text[:500],
            forced=claim.forced,
            **({"graph": mail} if mail else {}),
        )
        return outcome_of(failed, UNKNOWN_NOW if unknown else FAILED_NOW, text[:500])

    def _finish(self, claim: DeliveryRecord, receipt: Receipt, actor: str) -> DeliveryOutcome:
        now = self.now()
        sent = replace(
            claim,
            state=SENT,
            sent_at=now,
            updated_at=now,
            mode=receipt.mode,
            error="",
            needs_manual_check=False,
            request_id=receipt.reference if receipt.mode == "graph" else "",
            eml_path=receipt.reference if receipt.mode == "outbox" else "",
        )
        try:
            sent = self._deliveries.replace(sent, claim.etag)
        except DeliveryConflict:
            # The message went out; whatever changed the record meanwhile, the truth is "sent".
            _log.warning(
                "delivery %s %s %s: claim changed while sending; recording the send",
                claim.tenant,
                claim.month,
                claim.kind,
            )
            sent = self._deliveries.put(sent)
        self.audit(
            actor,
            "delivery.sent",
            claim,
            version=claim.report_version,
            recipients=list(claim.recipients),
            attempts=claim.attempts,
            mode=receipt.mode,
            reference=receipt.reference,
            forced=claim.forced,
            report_status=claim.report_status or None,
            **{k: v for k, v in receipt.detail.items() if k in ("via", "client_request_id")},
        )
        return outcome_of(sent, SENT_NOW)

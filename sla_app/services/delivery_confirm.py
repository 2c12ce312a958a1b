"""Settling an e-mail whose outcome is unknown: an operator's "sent" or "not sent" (measurement §8.5).

A send that may have reached the mail service (a 5xx, a timeout or a reset
after the request went out; a run that died while sending) is recorded
``failed`` with ``needs_manual_check`` and never repeated automatically
(:mod:`sla_app.services.delivery_once`). The operator looks for the message
in the sender's Sent Items (header ``X-SLA-Delivery``) and settles it:

* **sent** — the record becomes ``sent`` (``sent_at``: when the send was
  claimed, the best known instant; ``actor``: the operator; ``note``), so the
  month counts as delivered and later corrections follow automatically;
* **not sent** — the record stays ``failed`` but without the flag, so the
  next delivery run (or ``deliver`` now) sends it, once.

Only a record in that state can be settled (:class:`~sla_app.errors.Conflict`
otherwise); the write is conditional on the ETag just read, and audited
(``delivery.confirmed_sent`` / ``delivery.confirmed_not_sent``) with the
operator, the note and the error that flagged it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sla_app.errors import BadRequest, Conflict, NotFound, Unprocessable
from sla_app.records import CORRECTION, FAILED, KINDS, REPORT, SENT, DeliveryConflict, DeliveryRecord
from sla_app.services.delivery_once import OnceSender
from sla_app.services.delivery_ports import Deliveries
from sla_core.events import UNSTORABLE

MAX_NOTE_LENGTH = 500
_FIELDS = ("sent", "note", "kind", "version")


@dataclass(frozen=True)
class Confirmation:
    """What the operator found: ``sent`` (in Sent Items) or not, why, and which e-mail of the tenant-month."""

    sent: bool
    note: str
    kind: str = REPORT
    version: int | None = None  # the report version of a correction e-mail (required for kind correction)


def parse_confirmation(data: Any) -> Confirmation:
    """``{"sent": bool, "note": str, "kind"?: str, "version"?: int}``; 400 when not an object, 422 naming the field."""
    if not isinstance(data, dict):
        raise BadRequest('request body must be a JSON object {"sent": true|false, "note": "..."}')
    for key in data:
        if key not in _FIELDS:
            raise Unprocessable(f"field {key}: not allowed", field=str(key))
    sent = data.get("sent")
    if not isinstance(sent, bool):
        raise Unprocessable("field sent: required, true or false", field="sent")
    note = data.get("note")
    if not isinstance(note, str) or not note.strip() or len(note) > MAX_NOTE_LENGTH or UNSTORABLE.search(note):
        why = f"required text of 1 to {MAX_NOTE_LENGTH} characters without control characters (where you looked)"
        raise Unprocessable(f"field note: {why}", field="note")
    kind = data.get("kind", REPORT)
    if kind not in KINDS:
        raise Unprocessable(f"field kind: one of {', '.join(KINDS)}", field="kind")
    version = data.get("version")
    if kind == CORRECTION:
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise Unprocessable("field version: the correction's report version (an integer from 1)", field="version")
    elif version is not None:
        raise Unprocessable("field version: only for kind correction", field="version")
    return Confirmation(sent, note.strip(), kind, version)


def confirm(
    sender: OnceSender, deliveries: Deliveries, tenant: str, month: str, confirmation: Confirmation, actor: str
) -> DeliveryRecord:
    """Settle the outcome-unknown e-mail of ``tenant``/``month``; the record as now stored (see the module docstring)."""
    record = deliveries.get(tenant, month, confirmation.kind, confirmation.version)
    if record is None:
        raise NotFound(f"no {confirmation.kind} delivery of {tenant} {month}")
    if record.state != FAILED or not record.needs_manual_check:
        raise Conflict(
            f"the {confirmation.kind} delivery of {tenant} {month} is {record.state}"
            f"{' (flagged)' if record.needs_manual_check else ''}, not waiting for a manual check: nothing to confirm",
            field="sent",
        )
    now = sender.now()
    common: dict[str, Any] = {"needs_manual_check": False, "updated_at": now, "actor": actor, "note": confirmation.note}
    if confirmation.sent:
        settled = replace(record, state=SENT, sent_at=record.claimed_at or now, error="", **common)
    else:
        settled = replace(record, state=FAILED, error=f"confirmed not sent by {actor}; the next run sends it", **common)
    try:
        settled = deliveries.replace(settled, record.etag)
    except DeliveryConflict as exc:
        raise Conflict(f"the delivery of {tenant} {month} changed meanwhile: read it again") from exc
    sender.audit(
        actor,
        "delivery.confirmed_sent" if confirmation.sent else "delivery.confirmed_not_sent",
        record,
        version=record.report_version,
        attempts=record.attempts,
        claimed_at=record.claimed_at,
        flagged=record.error[:500],
        note=confirmation.note,
    )
    return settled

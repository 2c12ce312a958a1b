"""Delivery of the monthly reports and the supplier's notices by e-mail.

* ``delivery_morning`` (06:00 UTC daily, 07:00/08:00 in Amsterdam, after the
  month's reports are computed) and ``delivery_midday`` (11:05 UTC daily,
  just after the default delivery deadline of 12:00 local in both seasons)
  only **enqueue**: one message per tenant naming the last 13 months of its
  measurement window, plus the supplier's notices
  (:func:`sla_app.services.delivery_runs.fan_out`).
* ``delivery_item`` (queue ``SLA_DELIVERY_QUEUE_NAME``): one tenant's due
  e-mails — the report (final; provisional after the deadline) and
  corrections — or one supplier notice. A failure is audited
  (``delivery.message_failed``) and re-raised so the host retries
  (``maxDequeueCount``); ``delivery_poisoned`` audits a message that failed
  every retry (``delivery.poisoned``). Every e-mail is claimed before it is
  sent, so a message delivered twice or two instances racing send it once.
* ``POST /api/admin/months/{month}/deliver`` (SLA.Admin): deliver a month now;
  ``?tenant=<id>`` for one tenant, ``?notice=at_risk|overview`` for a supplier
  notice, ``?force=true`` to resend e-mails flagged ``needs_manual_check``
  (outcome unknown). Answers 202 with one outcome per
  tenant; tenants not started within 60 s are ``deferred``.
* ``GET /api/admin/months/{month}/deliveries`` (SLA.Admin): the records.
* ``POST /api/admin/months/{month}/deliveries/{tenant}/confirm`` (SLA.Admin):
  settle an e-mail flagged ``needs_manual_check`` — ``{"sent": true, "note":
  …}`` when the operator found it in Sent Items (it counts as sent; later
  corrections follow), ``{"sent": false, …}`` to release it for one new send;
  ``kind``/``version`` pick a correction or notice (tenant ``~supplier``).

The mailer follows ``SLA_MAIL_MODE``: ``graph`` → :class:`GraphMailer` from
``SLA_MAIL_SENDER`` (managed identity), ``outbox`` → :class:`Outbox` writing
``.eml`` files into ``SLA_OUTBOX_DIR`` (default ``out/outbox``). Mailer, queue,
renderer and notices are members of :class:`sla_app.bootstrap.AppContext`,
built on first use; tests set their own before the first use.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import azure.functions as func

from sla_app import telemetry
from sla_app.bootstrap import AppContext, context
from sla_app.errors import BadRequest, Unprocessable
from sla_app.http.params import query_param, route_month
from sla_app.http.problem import endpoint, json_response, read_json
from sla_app.services.delivery_confirm import parse_confirmation
from sla_app.services.delivery_outcome import DeliveryOutcome
from sla_app.services.delivery_runs import (
    NOTICES,
    deliver_message,
    deliver_notice,
    fan_out,
)

bp = func.Blueprint()
_log = logging.getLogger("sla_app.mail")

HTTP_BUDGET = timedelta(seconds=60)  # the HTTP route answers well within the 230 s front-end timeout
QUEUE = "%SLA_DELIVERY_QUEUE_NAME%"
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def _log_outcomes(outcomes: list[DeliveryOutcome]) -> None:
    for outcome in outcomes:
        if outcome.outcome not in ("sent", "already_sent", "not_due"):
            _log.warning(
                "delivery %s %s %s: %s %s", outcome.tenant, outcome.month, outcome.kind, outcome.outcome, outcome.detail
            )


def _fan_out() -> None:
    ctx = context()
    messages = fan_out(ctx.delivery, ctx.clock(), ctx.zone, ctx.delivery_queue.send)
    _log.info("delivery: %d messages enqueued", len(messages))


@bp.timer_trigger(arg_name="timer", schedule="0 0 6 * * *", run_on_startup=False)
@telemetry.traced("delivery_morning", schedule="0 0 6 * * *")
def delivery_morning(timer: func.TimerRequest) -> None:
    """Every morning: enqueue one delivery message per tenant, and the supplier's notices."""
    _fan_out()


@bp.timer_trigger(arg_name="timer", schedule="0 5 11 * * *", run_on_startup=False)
@telemetry.traced("delivery_midday", schedule="0 5 11 * * *")
def delivery_midday(timer: func.TimerRequest) -> None:
    """Every day just after the default deadline (12:00 local): the same fan-out, for provisional reports."""
    _fan_out()


def handle(ctx: AppContext, body: bytes, actor: str = "system") -> list[DeliveryOutcome]:
    """One delivery queue message: a tenant's months, or a supplier notice (``deliver_message``)."""
    return deliver_message(ctx.delivery, body, ctx.notices, ctx.clock(), ctx.zone, actor=actor)


@bp.queue_trigger(arg_name="msg", queue_name=QUEUE, connection="AzureWebJobsStorage")
@telemetry.traced("delivery_item")
def delivery_item(msg: func.QueueMessage) -> None:
    """Send what is due for one tenant (or one supplier notice); on failure audit and re-raise for the host's retry."""
    ctx = context()
    try:
        _log_outcomes(handle(ctx, msg.get_body()))
    except Exception as exc:
        ctx.admin_service.queue_failure("delivery.message_failed", msg.get_body(), exc, msg.dequeue_count)
        raise


@bp.queue_trigger(arg_name="msg", queue_name="%SLA_DELIVERY_QUEUE_NAME%-poison", connection="AzureWebJobsStorage")
@telemetry.traced("delivery_poisoned")
def delivery_poisoned(msg: func.QueueMessage) -> None:
    """A delivery message that failed every retry: visible in the audit log (the next run enqueues it again)."""
    ctx = context()
    ctx.admin_service.queue_failure("delivery.poisoned", msg.get_body())


def _force(req: func.HttpRequest) -> bool:
    value = (query_param(req, "force") or "false").lower()
    if value not in _TRUE | _FALSE:
        raise BadRequest("force must be true or false", field="force")
    return value in _TRUE


@bp.route(route="admin/months/{month}/deliver", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("deliver_month_reports")
@endpoint
def deliver_month_reports(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: deliver a month now (idempotent; ``force`` resends e-mails flagged for a manual check)."""
    caller = context().principal(req.headers)
    caller.require_admin()
    month, force = route_month(req), _force(req)
    tenant, notice = query_param(req, "tenant"), query_param(req, "notice")
    ctx = context()
    if notice is not None:
        if notice not in NOTICES:
            raise BadRequest(f"notice must be one of {', '.join(NOTICES)}", field="notice")
        if tenant is not None:  # well-formed, but the two do not go together (the document cannot say so): 422
            raise Unprocessable("a notice goes to the supplier: give notice or tenant, not both", field="notice")
        outcomes = [
            deliver_notice(
                ctx.delivery,
                notice,
                month,
                ctx.notices,
                ctx.clock(),
                ctx.zone,
                actor=caller.name,
                force=force,
            )
        ]
    else:
        outcomes = ctx.delivery_within(HTTP_BUDGET).deliver_month(
            month, actor=caller.name, force=force, tenants=None if tenant is None else [tenant]
        )
    return json_response({"month": str(month), "force": force, "outcomes": [o.to_json() for o in outcomes]}, status=202)


@bp.route(route="admin/months/{month}/deliveries", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def list_month_deliveries(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: the delivery records of a month (report e-mails, corrections, notices), by tenant."""
    caller = context().principal(req.headers)
    caller.require_admin()
    records = context().delivery.records(route_month(req))
    return json_response([r.to_json() for r in records])


@bp.route(
    route="admin/months/{month}/deliveries/{tenant}/confirm", methods=["POST"], auth_level=func.AuthLevel.FUNCTION
)
@telemetry.traced("confirm_delivery")
@endpoint
def confirm_delivery(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: settle an e-mail whose outcome is unknown — found in Sent Items (sent) or not (sent again)."""
    ctx = context()
    caller = ctx.principal(req.headers)
    caller.require_admin()
    month, confirmation = route_month(req), parse_confirmation(read_json(req))
    tenant = (req.route_params.get("tenant") or "").strip()
    record = ctx.delivery.confirm(tenant, month, confirmation, actor=caller.name)
    return json_response(record.to_json())

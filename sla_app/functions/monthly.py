"""The monthly run (SLA §9): a timer fans out one queue message per tenant; a queue trigger computes each.

The timer's schedule is in UTC (02:00 on the 1st, i.e. 03:00 or 04:00 in
Amsterdam) and the handler checks the local date before it acts. It is the
safety net (measurement §8.5): the month's last local day is not ingested yet then,
so it produces provisional reports; the availability ingestion that completes
the month enqueues the same fan-out again, which makes them final. Each
tenant's computation also restates its previous 12 months (measurement §8.6). The queue
spreads tenants over instances; a failing tenant is retried by the host
(``maxDequeueCount`` in host.json) and then lands in the poison queue; every
failure and the poisoning are written to the audit log. Admins can re-run a
month or recompute one tenant-month over HTTP; both are idempotent.
"""

from __future__ import annotations

import json
import logging

import azure.functions as func

from sla_app import telemetry
from sla_app.bootstrap import context
from sla_app.errors import Unprocessable
from sla_app.http.params import local_now, previous_month_if_first, route_month
from sla_app.http.problem import endpoint, json_response
from sla_core.periods import Month

bp = func.Blueprint()
_log = logging.getLogger("sla_app.monthly")
QUEUE = "%SLA_MONTHLY_QUEUE_NAME%"


@bp.timer_trigger(arg_name="timer", schedule="0 0 2 1 * *", run_on_startup=False)
@telemetry.traced("monthly_fan_out", schedule="0 0 2 1 * *")
def monthly_fan_out(timer: func.TimerRequest) -> None:
    """On the 1st (local): enqueue the previous month for every measured tenant."""
    ctx = context()
    local = local_now(ctx)
    month = previous_month_if_first(local)
    if month is None:
        _log.warning("monthly timer fired on local %s, not the 1st: nothing done", local.date())
        return
    ctx.monthly.fan_out(month, ctx.monthly_queue.send)


def _message(body: bytes) -> tuple[str, Month]:
    data = json.loads(body.decode("utf-8"))
    return str(data["tenant"]), Month.parse(str(data["month"]))


@bp.queue_trigger(arg_name="msg", queue_name=QUEUE, connection="AzureWebJobsStorage")
@telemetry.traced("monthly_tenant_report")
def monthly_tenant_report(msg: func.QueueMessage) -> None:
    """Compute one tenant-month; on failure audit it and re-raise so the host retries, then poisons."""
    ctx = context()
    try:
        tenant, month = _message(msg.get_body())
        ctx.monthly.compute(tenant, month, restate=True)  # every monthly run restates the previous 12 months
    except Exception as exc:
        ctx.admin_service.queue_failure("report.failed", msg.get_body(), exc, msg.dequeue_count)
        raise


@bp.queue_trigger(arg_name="msg", queue_name="%SLA_MONTHLY_QUEUE_NAME%-poison", connection="AzureWebJobsStorage")
@telemetry.traced("monthly_poisoned")
def monthly_poisoned(msg: func.QueueMessage) -> None:
    """A tenant-month that failed every retry: make it visible in the audit log."""
    ctx = context()
    ctx.admin_service.queue_failure("report.poisoned", msg.get_body())


@bp.route(route="admin/months/{month}/run", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("run_month")
@endpoint
def run_month(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: enqueue a month for every measured tenant (idempotent)."""
    ctx = context()
    ctx.principal(req.headers).require_admin()
    tenants = ctx.monthly.fan_out(route_month(req), ctx.monthly_queue.send)
    return json_response({"month": str(route_month(req)), "enqueued": tenants}, status=202)


@bp.route(route="tenants/{tenant}/reports/{month}/recompute", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("recompute_report")
@endpoint
def recompute_report(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: recompute one tenant-month now; a new version only when the report differs."""
    caller = context().principal(req.headers)
    caller.require_admin()
    tenant = req.route_params.get("tenant", "")
    if not tenant:
        raise Unprocessable("tenant missing", field="tenant")
    outcome = context().monthly.compute(tenant, route_month(req), actor=caller.name)
    return json_response(outcome.to_json())

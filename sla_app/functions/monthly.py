"""The monthly run (SLA §9): a timer fans out one queue message per tenant; a queue trigger computes each.

The timer's schedule is in UTC (02:00 on the 1st, i.e. 03:00 or 04:00 in
Amsterdam) and the handler checks the local date before it acts. The queue
spreads tenants over instances; a failing tenant is retried by the host
(``maxDequeueCount`` in host.json) and then lands in the poison queue; every
failure and the poisoning are written to the audit log. Admins can re-run a
month or recompute one tenant-month over HTTP; both are idempotent.
"""

from __future__ import annotations

import json
import logging
from zoneinfo import ZoneInfo

import azure.functions as func

from sla_app.bootstrap import services
from sla_app.errors import BadRequest, Unprocessable
from sla_app.http.auth import principal
from sla_app.http.problem import endpoint, json_response
from sla_core.errors import InputError
from sla_core.periods import Month

bp = func.Blueprint()
_log = logging.getLogger("sla_app.monthly")
QUEUE = "%SLA_MONTHLY_QUEUE_NAME%"


def previous_month_if_first(now_local_day: int, month: Month) -> Month | None:
    """The month to report when the local date is the 1st, else None."""
    return month.shift(-1) if now_local_day == 1 else None


@bp.timer_trigger(arg_name="timer", schedule="0 0 2 1 * *", run_on_startup=False)
def monthly_fan_out(timer: func.TimerRequest) -> None:
    """On the 1st (local): enqueue the previous month for every measured tenant."""
    app = services()
    local = app.clock().astimezone(ZoneInfo(app.settings.timezone))
    month = previous_month_if_first(local.day, Month(local.year, local.month))
    if month is None:
        _log.warning("monthly timer fired on local %s, not the 1st: nothing done", local.date())
        return
    app.monthly.fan_out(month, app.queue.send)


def _message(body: bytes) -> tuple[str, Month]:
    data = json.loads(body.decode("utf-8"))
    return str(data["tenant"]), Month.parse(str(data["month"]))


@bp.queue_trigger(arg_name="msg", queue_name=QUEUE, connection="AzureWebJobsStorage")
def monthly_tenant_report(msg: func.QueueMessage) -> None:
    """Compute one tenant-month; on failure audit it and re-raise so the host retries, then poisons."""
    app = services()
    try:
        tenant, month = _message(msg.get_body())
        app.monthly.compute(tenant, month)
    except Exception as exc:
        app.admin.audit(
            app.clock().isoformat(), "system", "report.failed", None,
            message=msg.get_body().decode("utf-8", "replace")[:500], error=str(exc)[:500],
            dequeue_count=msg.dequeue_count,
        )  # fmt: skip
        raise


@bp.queue_trigger(arg_name="msg", queue_name="%SLA_MONTHLY_QUEUE_NAME%-poison", connection="AzureWebJobsStorage")
def monthly_poisoned(msg: func.QueueMessage) -> None:
    """A tenant-month that failed every retry: make it visible in the audit log."""
    app = services()
    app.admin.audit(
        app.clock().isoformat(), "system", "report.poisoned", None, message=msg.get_body().decode("utf-8", "replace")[:500]
    )


def _month(req: func.HttpRequest) -> Month:
    try:
        return Month.parse(req.route_params.get("month", ""))
    except InputError as exc:
        raise BadRequest(str(exc), field="month") from exc


@bp.route(route="admin/months/{month}/run", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def run_month(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: enqueue a month for every measured tenant (idempotent)."""
    caller = principal(req.headers)
    caller.require_admin()
    app = services()
    tenants = app.monthly.fan_out(_month(req), app.queue.send)
    return json_response({"month": str(_month(req)), "enqueued": tenants}, status=202)


@bp.route(route="tenants/{tenant}/reports/{month}/recompute", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def recompute_report(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: recompute one tenant-month now; a new version only when the report differs."""
    caller = principal(req.headers)
    caller.require_admin()
    tenant = req.route_params.get("tenant", "")
    if not tenant:
        raise Unprocessable("tenant missing", field="tenant")
    outcome = services().monthly.compute(tenant, _month(req), actor=caller.name)
    return json_response(outcome.to_json())

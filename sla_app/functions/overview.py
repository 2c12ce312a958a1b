"""The supplier overview and the mid-month at-risk notice.

* ``GET /api/admin/overview/{month}`` (SLA.Admin): the norms missed per tenant
  in a month, the year-to-date position per tenant and totals, from the latest
  stored reports; JSON, or ``?format=html`` / ``?format=text`` in Dutch.
* ``GET /api/admin/at-risk`` (SLA.Admin): every measured tenant's current
  month as of now, with the service levels at risk; same formats.
* A timer on the 15th (06:00 UTC, i.e. 07:00 or 08:00 in Amsterdam) computes
  the at-risk notice, writes it to the audit log (``overview.at_risk``) and
  enqueues it on the delivery queue, which e-mails it once to
  ``SLA_SUPPLIER_MAILBOX`` (:mod:`sla_app.services.delivery_runs`; the daily
  delivery runs enqueue it again until it went out). The handler checks the
  local date before it acts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import azure.functions as func

from sla_app import telemetry
from sla_app.bootstrap import context
from sla_app.errors import BadRequest
from sla_app.http.params import query_param, route_month
from sla_app.http.problem import endpoint, json_response
from sla_app.overview.render import (
    at_risk_html,
    at_risk_text,
    overview_html,
    overview_text,
)

bp = func.Blueprint()
_log = logging.getLogger("sla_app.overview")

MID_MONTH_DAY = 15
FORMATS = ("json", "html", "text")
# Served HTML carries no scripts and loads nothing: only its own inline style.
_HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}

Renderer = Callable[[dict[str, Any]], str]


def _format(req: func.HttpRequest) -> str:
    chosen = (query_param(req, "format") or "json").lower()
    if chosen not in FORMATS:
        raise BadRequest(f"format {chosen!r}: expected one of {', '.join(FORMATS)}", field="format")
    return chosen


def _reply(data: dict[str, Any], chosen: str, html: Renderer, text: Renderer) -> func.HttpResponse:
    if chosen == "html":
        return func.HttpResponse(html(data), mimetype="text/html", charset="utf-8", headers=dict(_HTML_HEADERS))
    if chosen == "text":
        return func.HttpResponse(text(data), mimetype="text/plain", charset="utf-8")
    return json_response(data)


@bp.route(route="admin/overview/{month}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def get_supplier_overview(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: norms missed per tenant, year to date and totals of a month (JSON, HTML or text)."""
    ctx = context()
    ctx.principal(req.headers).require_admin()
    month, chosen = route_month(req), _format(req)
    return _reply(ctx.overview.overview(month), chosen, overview_html, overview_text)


@bp.route(route="admin/at-risk", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def get_at_risk(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: the current month of every measured tenant as of now, with the levels at risk."""
    ctx = context()
    ctx.principal(req.headers).require_admin()
    chosen = _format(req)
    return _reply(ctx.overview.at_risk(ctx.clock()), chosen, at_risk_html, at_risk_text)


def audit_detail(data: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a notice: month, instant, and per tenant at risk its levels and statuses."""
    return {
        "month": data["month"],
        "as_of": data["as_of"],
        "checked": len(data["tenants"]),
        "tenants": [
            {"tenant": t["tenant"], "levels": [{"metric": lv["metric"], "status": lv["status"]} for lv in t["levels"]]}
            for t in data["at_risk"]
        ],
        "errors": [e["tenant"] for e in data["errors"]],
    }


@bp.timer_trigger(arg_name="timer", schedule="0 0 6 15 * *", run_on_startup=False)
@telemetry.traced("at_risk_mid_month", schedule="0 0 6 15 * *")
def at_risk_mid_month(timer: func.TimerRequest) -> None:
    """On the 15th (local): assess every measured tenant's month so far and audit the levels at risk."""
    ctx = context()
    now = ctx.clock()
    local = now.astimezone(ctx.zone)
    if local.day != MID_MONTH_DAY:
        _log.warning("at-risk timer fired on local %s, not the %sth: nothing done", local.date(), MID_MONTH_DAY)
        return
    data = ctx.overview.at_risk(now)
    ctx.admin_service.system_event("overview.at_risk", at=now, **audit_detail(data))
    ctx.delivery_queue.send({"notice": "at_risk", "month": data["month"]})  # mailed to the supplier, once

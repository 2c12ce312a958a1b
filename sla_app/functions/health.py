"""The health view: ``GET /api/health`` for SLA.Admin, and an hourly snapshot for the alerts.

* ``GET /api/health`` (SLA.Admin, like every admin route): :func:`sla_app.health.snapshot`
  as JSON, or ``?format=text`` as plain text.
* ``health_hourly`` (minute 10 of every hour, UTC): computes the same view and logs its
  summary as the ``health.snapshot`` event, which the alert rules read (poison messages,
  provisional or undelivered reports past the delivery deadline, deliveries waiting for a
  manual check, stale timers).

This module also registers the recorder of timer runs (the ``timerruns`` table) with
:func:`sla_app.telemetry.on_timer_run`: every ``@traced`` timer's last run is kept.
"""

from __future__ import annotations

from datetime import datetime

import azure.functions as func

from sla_app import health, telemetry
from sla_app.bootstrap import context
from sla_app.errors import BadRequest
from sla_app.http.params import query_param
from sla_app.http.problem import endpoint, json_response

bp = func.Blueprint()
HEALTH_SCHEDULE = "0 10 * * * *"


@telemetry.on_timer_run
def record_timer_run(function: str, started: datetime, finished: datetime, outcome: str, operation: str | None) -> None:
    """Keep a timer's last run in storage (the health view's "last run of each timer")."""
    context().timer_runs.record(function, started, finished, outcome, operation)


@bp.route(route="health", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def get_health(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: availability per day, queue depths, timer runs, provisional and undelivered reports."""
    ctx = context()
    ctx.principal(req.headers).require_admin()
    chosen = (query_param(req, "format") or "json").lower()
    if chosen not in ("json", "text"):
        raise BadRequest(f"format {chosen!r}: expected json or text", field="format")
    document = ctx.health.snapshot()
    if chosen == "text":
        return func.HttpResponse(health.as_text(document), mimetype="text/plain", charset="utf-8")
    return json_response(document)


@bp.timer_trigger(arg_name="timer", schedule=HEALTH_SCHEDULE, run_on_startup=False)
@telemetry.traced("health_hourly", schedule=HEALTH_SCHEDULE)
def health_hourly(timer: func.TimerRequest) -> None:
    """Every hour: log the health summary as the ``health.snapshot`` event for the alert rules."""
    health.emit(context().health.snapshot())

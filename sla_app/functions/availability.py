"""Availability results and retention: two daily timers and an admin backfill.

* ``availability_daily`` (03:30 UTC, i.e. 04:30/05:30 in Amsterdam): ingests
  the previous local day and retries the incomplete or missing days of the
  last week.
* ``retention_daily`` (04:15 UTC): deletes audit entries and raw results
  older than their retention periods (SLA §10.1) and audits what it removed.
* ``POST /api/admin/availability/backfill`` (SLA.Admin): ingests the local
  days ``[start, end)`` now; answers per day.

Timer schedules are in UTC (the Functions default). The results source
follows from the settings: Azure Monitor (Log Analytics), or — only in local
mode (a storage connection string is set) and when ``SLA_RESULTS_CSV`` names
a file — a CSV export (:attr:`sla_app.bootstrap.AppContext.results_source`).
"""

from __future__ import annotations

import logging

import azure.functions as func

from sla_app import telemetry
from sla_app.bootstrap import context
from sla_app.http.problem import endpoint, json_response, read_json
from sla_app.services.availability_days import parse_backfill_request

bp = func.Blueprint()
_log = logging.getLogger("sla_app.availability")


@bp.timer_trigger(arg_name="timer", schedule="0 30 3 * * *", run_on_startup=False)
@telemetry.traced("availability_daily", schedule="0 30 3 * * *")
def availability_daily(timer: func.TimerRequest) -> None:
    """Ingest yesterday (local) and retry the incomplete or missing days of the last week."""
    ctx = context()
    run = ctx.availability_ingest.daily(ctx.clock())
    if run.incomplete:
        _log.warning("availability days still incomplete: %s", ", ".join(d.isoformat() for d in run.incomplete))


@bp.timer_trigger(arg_name="timer", schedule="0 15 4 * * *", run_on_startup=False)
@telemetry.traced("retention_daily", schedule="0 15 4 * * *")
def retention_daily(timer: func.TimerRequest) -> None:
    """Delete audit entries and raw availability rows past their retention; failures are audited and re-raised."""
    ctx = context()
    try:
        ctx.retention.run()
    except Exception as exc:
        ctx.admin_service.system_event("retention.failed", error=str(exc)[:500])
        raise


@bp.route(route="admin/availability/backfill", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("backfill_availability")
@endpoint
def backfill_availability(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: ingest the local days ``[start, end)`` from the configured source (idempotent)."""
    caller = context().principal(req.headers)
    caller.require_admin()
    start, end = parse_backfill_request(read_json(req))
    run = context().availability_ingest.backfill(start, end, actor=caller.name)
    return json_response({"start": start.isoformat(), "end": end.isoformat(), **run.to_json()})

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
mode (a storage connection string is set) and when ``Services.extras``
holds a ``"results_csv"`` path — a CSV export.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

import azure.functions as func

from sla_app import telemetry
from sla_app.adapters.monitor_logs import MonitorResultsSource, logs_client
from sla_app.adapters.results_csv_source import CsvResultsSource
from sla_app.bootstrap import Services, services
from sla_app.http.auth import principal
from sla_app.http.problem import endpoint, json_response, read_json
from sla_app.services.availability_ingest import (
    AvailabilityIngestService,
    ResultsSource,
    parse_backfill_request,
)
from sla_app.services.retention import RetentionService
from sla_app.storage.history_repo import HistoryRepository

bp = func.Blueprint()
_log = logging.getLogger("sla_app.availability")
RESULTS_CSV_KEY = "results_csv"


def results_source(app: Services) -> ResultsSource:
    """The CSV export in local mode when one is configured, else Azure Monitor."""
    path = app.extras.get(RESULTS_CSV_KEY)
    if app.settings.storage_connection_string and path:
        return CsvResultsSource(path)
    return MonitorResultsSource(lambda: logs_client(app.extras), app.settings.log_analytics_workspace_id)


def ingest_service(app: Services) -> AvailabilityIngestService:
    """Availability ingestion over the app's repositories; a month made ready is fanned out (measurement §8.5)."""
    return AvailabilityIngestService(
        results_source(app),
        app.availability,
        app.admin,
        app.clock,
        ZoneInfo(app.settings.timezone),
        retention_days=app.settings.availability_retention_days,
        ingestion_delay=timedelta(minutes=app.settings.ingestion_delay_minutes),
        on_month_ready=lambda month: app.monthly.fan_out(month, app.queue.send),
    )


def retention_service(app: Services) -> RetentionService:
    """Retention over the app's repositories and settings."""
    return RetentionService(
        app.admin,
        app.availability,
        app.clock,
        ZoneInfo(app.settings.timezone),
        audit_retention_days=app.settings.audit_retention_days,
        availability_retention_days=app.settings.availability_retention_days,
        tickets=HistoryRepository(app.store),
        tenants=app.admin,
    )


@bp.timer_trigger(arg_name="timer", schedule="0 30 3 * * *", run_on_startup=False)
@telemetry.traced("availability_daily", schedule="0 30 3 * * *")
def availability_daily(timer: func.TimerRequest) -> None:
    """Ingest yesterday (local) and retry the incomplete or missing days of the last week."""
    app = services()
    run = ingest_service(app).daily(app.clock())
    if run.incomplete:
        _log.warning("availability days still incomplete: %s", ", ".join(d.isoformat() for d in run.incomplete))


@bp.timer_trigger(arg_name="timer", schedule="0 15 4 * * *", run_on_startup=False)
@telemetry.traced("retention_daily", schedule="0 15 4 * * *")
def retention_daily(timer: func.TimerRequest) -> None:
    """Delete audit entries and raw availability rows past their retention; failures are audited and re-raised."""
    app = services()
    try:
        retention_service(app).run()
    except Exception as exc:
        app.admin.audit(app.clock().isoformat(), "system", "retention.failed", None, error=str(exc)[:500])
        raise


@bp.route(route="admin/availability/backfill", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("backfill_availability")
@endpoint
def backfill_availability(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: ingest the local days ``[start, end)`` from the configured source (idempotent)."""
    caller = principal(req.headers)
    caller.require_admin()
    start, end = parse_backfill_request(read_json(req))
    run = ingest_service(services()).backfill(start, end, actor=caller.name)
    return json_response({"start": start.isoformat(), "end": end.isoformat(), **run.to_json()})

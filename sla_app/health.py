"""Where the service stands, for an operator: ``GET /api/health`` (SLA.Admin) and ``python -m sla_app.health``.

The view answers the month-end invariant "an operator can always see where each
tenant-month stands" (docs/month-end.md): per local day of the previous and the current
month whether its availability is complete, the depth of every queue (and its poison
queue), the last run of each timer, and per tenant of the previous month whether its
report is final or provisional and whether it was delivered — all read from storage,
never from telemetry. Its ``summary`` counts are what the hourly ``health.snapshot``
event carries to the alert rules (docs/operations.md).

Run locally against Azurite or an account: set the app settings in the environment
(``SLA_STORAGE_CONNECTION_STRING`` for Azurite) and run ``python -m sla_app.health``
(``--json`` for the raw document).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from azure.core.exceptions import ResourceNotFoundError

from sla_app import telemetry
from sla_app.bootstrap import Services
from sla_app.errors import AppError
from sla_app.services.delivery import PROVISIONAL, DeliveryPolicy, report_status
from sla_app.services.monthly_reports import tenant_contract, tenant_window
from sla_app.storage.deliveries_repo import SENT, DeliveryRepository
from sla_app.storage.timer_runs_repo import TimerRunRepository
from sla_core.contract import Contract
from sla_core.delivery_deadline import delivery_deadline as deadline_of
from sla_core.periods import Month

COMPLETE, PARTIAL, MISSING, PENDING = "complete", "partial", "missing", "pending"
DAILY_STALE, MONTHLY_STALE = timedelta(hours=26), timedelta(days=32)


# -- availability per day ------------------------------------------------------------------


def day_statuses(app: Services, first: date, end: date, today: date) -> dict[date, str]:
    """Status of each local day in ``[first, end)``: complete, partial, missing, or pending (not ended yet)."""
    repo = app.availability
    stored = repo.statuses(first, end) if hasattr(repo, "statuses") else {}
    result = {}
    day = first
    while day < end:
        if day >= today:
            result[day] = PENDING
        elif hasattr(repo, "day_status") and not stored:
            result[day] = str(repo.day_status(day))
        else:
            status = stored.get(day)
            named = getattr(status, "state", None)  # the repository's own complete/partial, once it has one
            result[day] = (
                MISSING if status is None else str(named) if named else COMPLETE if status.complete else PARTIAL
            )
        day += timedelta(days=1)
    return result


# -- queues --------------------------------------------------------------------------------


def queue_names(app: Services) -> list[str]:
    """The app's queues and their poison queues (the delivery queue once the setting exists)."""
    names = [app.settings.monthly_queue_name]
    delivery = getattr(app.settings, "delivery_queue_name", None)
    if delivery:
        names.append(delivery)
    return [q for name in names for q in (name, f"{name}-poison")]


def _queue_client(app: Services, name: str) -> Any:
    from azure.storage.queue import QueueClient

    if app.settings.storage_connection_string:
        return QueueClient.from_connection_string(app.settings.storage_connection_string, name)
    return QueueClient(app.settings.queues_endpoint.rstrip("/"), name, credential=app.queue._client.credential)


def queue_depths(app: Services) -> list[dict[str, Any]]:
    """Approximate message count per queue (0 and ``exists: false`` for a queue not created yet)."""
    depths = []
    for name in queue_names(app):
        try:
            count = _queue_client(app, name).get_queue_properties().approximate_message_count
            depths.append({"queue": name, "messages": int(count or 0), "exists": True})
        except ResourceNotFoundError:
            depths.append({"queue": name, "messages": 0, "exists": False})
    return depths


# -- timers --------------------------------------------------------------------------------


def _allowed_age(schedule: str) -> timedelta:
    """How old a timer's last run may be: a daily schedule (day-of-month ``*``) 26 h, else 32 days."""
    fields = schedule.split()
    return DAILY_STALE if len(fields) == 6 and fields[3] == "*" else MONTHLY_STALE


def timers(app: Services, now: datetime) -> list[dict[str, Any]]:
    """Every registered timer (``telemetry.TIMERS``) with its last run; ``stale`` when overdue."""
    runs = TimerRunRepository(app.store).last_runs()
    found = []
    for function in sorted(set(telemetry.TIMERS) | set(runs)):
        run, schedule = runs.get(function), telemetry.TIMERS.get(function, "")
        stale = None if run is None else now - datetime.fromisoformat(run.started_at) > _allowed_age(schedule)
        found.append(
            {
                "function": function,
                "schedule": schedule or None,
                "last_started": run.started_at if run else None,
                "last_finished": run.finished_at if run else None,
                "last_outcome": run.outcome if run else None,
                "stale": stale,
            }
        )
    return found


# -- reports and deliveries ----------------------------------------------------------------


def delivery_deadline(app: Services, month: Month, tenant: Any | None = None) -> datetime:
    """The delivery deadline of ``month`` as delivery applies it (measurement §8.5): the settings'
    working day and time (SLA_DELIVERY_DEADLINE_WORKDAY/_TIME), on the tenant's contract calendar
    (the default contract without a tenant, or when its override is invalid)."""
    policy = DeliveryPolicy.of(app.settings)
    contract = Contract()
    if tenant is not None:
        try:
            contract = tenant_contract(tenant)
        except AppError:
            pass
    return deadline_of(month, contract, policy.deadline_workday, policy.deadline_time)


def reports(app: Services, month: Month, now: datetime) -> dict[str, Any]:
    """Per tenant measured in ``month``: latest report version, final/provisional, missing days, the
    delivery state of its report e-mail, whether any of its e-mails of the month waits for a manual
    check, and whether its delivery deadline has passed."""
    deliveries = DeliveryRepository(app.store)
    flagged = {r.tenant for r in deliveries.of_month(str(month)) if r.needs_manual_check}
    rows = []
    for tenant in app.admin.tenants():
        try:
            if not tenant_window(tenant).contains(month):
                continue
        except AppError:
            pass  # an invalid contract must not hide a tenant
        stored = app.reports.latest(tenant.tenant, str(month))
        record = deliveries.get(tenant.tenant, str(month))
        rows.append(
            {
                "tenant": tenant.tenant,
                "version": stored.version if stored else None,
                "status": report_status(stored) if stored else None,
                "missing_days": list(stored.body.get("missing_days", [])) if stored else [],
                "delivery": record.state if record else None,
                "needs_manual_check": tenant.tenant in flagged,
                "past_deadline": now >= delivery_deadline(app, month, tenant),
            }
        )
    deadline = delivery_deadline(app, month)
    return {
        "month": str(month),
        "deadline": deadline.isoformat(),
        "past_deadline": now >= deadline,
        "tenants": rows,
        "provisional": [r["tenant"] for r in rows if r["status"] == PROVISIONAL],
        "undelivered": [r["tenant"] for r in rows if r["delivery"] != SENT],
        "needs_manual_check": sorted(flagged),  # tenants, and ~supplier for the supplier's notices
    }


# -- the whole view ------------------------------------------------------------------------


def snapshot(app: Services, now: datetime | None = None) -> dict[str, Any]:
    """The health document (see the module docstring); ``summary`` holds the alerting counts."""
    now = now or app.clock()
    zone = ZoneInfo(app.settings.timezone)
    today = now.astimezone(zone).date()
    current = Month(today.year, today.month)
    previous = current.shift(-1)
    months = []
    for month in (previous, current):
        statuses = day_statuses(app, month.first_day(), month.shift(1).first_day(), today)
        months.append(
            {
                "month": str(month),
                "days": [{"day": d.isoformat(), "status": s} for d, s in statuses.items()],
                "incomplete": [d.isoformat() for d, s in statuses.items() if s in (PARTIAL, MISSING)],
            }
        )
    queues = queue_depths(app)
    timer_rows = timers(app, now)
    report_view = reports(app, previous, now)
    late = [r for r in report_view["tenants"] if r["past_deadline"]]
    summary = {
        "incomplete_days": sum(len(m["incomplete"]) for m in months),
        "poison_messages": sum(q["messages"] for q in queues if q["queue"].endswith("-poison")),
        "provisional_past_deadline": sum(1 for r in late if r["status"] == PROVISIONAL),
        "undelivered_past_deadline": sum(1 for r in late if r["delivery"] != SENT),
        "manual_check": len(report_view["needs_manual_check"]),
        "stale_timers": sum(1 for t in timer_rows if t["stale"]),
    }
    return {
        "as_of": now.isoformat(),
        "timezone": app.settings.timezone,
        "summary": summary,
        "availability": months,
        "queues": queues,
        "timers": timer_rows,
        "reports": report_view,
    }


def emit(document: dict[str, Any]) -> None:
    """The ``health.snapshot`` event: the summary counts, for the alert rules."""
    telemetry.event(telemetry.HEALTH_SNAPSHOT, month=document["reports"]["month"], **document["summary"])


def day_ranges(days: list[str]) -> str:
    """ISO days as consecutive ranges: ``2026-10-01..2026-10-03, 2026-10-07``."""
    spans: list[list[date]] = []
    for day in sorted(date.fromisoformat(d) for d in days):
        if spans and day - spans[-1][1] == timedelta(days=1):
            spans[-1][1] = day
        else:
            spans.append([day, day])
    return ", ".join(a.isoformat() if a == b else f"{a.isoformat()}..{b.isoformat()}" for a, b in spans)


def as_text(document: dict[str, Any]) -> str:
    """A short plain-text rendering for the command line."""
    lines = [f"health as of {document['as_of']} ({document['timezone']})"]
    lines += [f"  {key}: {value}" for key, value in document["summary"].items()]
    for month in document["availability"]:
        lines.append(f"availability {month['month']}: incomplete days {day_ranges(month['incomplete']) or 'none'}")
    lines += [
        f"queue {q['queue']}: {q['messages']}" + ("" if q["exists"] else " (not created)") for q in document["queues"]
    ]
    for t in document["timers"]:
        state = "never run" if t["last_started"] is None else f"{t['last_outcome']} at {t['last_started']}"
        lines.append(f"timer {t['function']}: {state}" + (" STALE" if t["stale"] else ""))
    view = document["reports"]
    lines.append(f"reports {view['month']} (deadline {view['deadline']}, past: {view['past_deadline']}):")
    for row in view["tenants"]:
        lines.append(
            f"  {row['tenant']}: v{row['version']} {row['status']} delivery={row['delivery']}"
            + (" NEEDS MANUAL CHECK" if row["needs_manual_check"] else "")
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    """``python -m sla_app.health [--json]``: print the health view of the configured storage."""
    parser = argparse.ArgumentParser(prog="python -m sla_app.health", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the raw JSON document")
    args = parser.parse_args(argv)
    from sla_app import bootstrap
    from sla_app.settings import Settings, SettingsError

    try:
        app = bootstrap.build(Settings.from_environ(os.environ if environ is None else environ))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import function_app  # noqa: F401 — registers the timers (telemetry.TIMERS)

    document = snapshot(app)
    sys.stdout.write(json.dumps(document, indent=2) + "\n" if args.json else as_text(document))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Where the service stands, for an operator: ``GET /api/health`` (SLA.Admin) and ``python -m sla_app.health_cli``.

The view answers the month-end invariant "an operator can always see where each
tenant-month stands" (docs/month-end.md): per local day of the previous and the current
month whether its availability is complete, the depth of every queue (and its poison
queue), the last run of each timer, and per tenant of the previous month whether its
report is final or provisional and whether it was delivered — all read from storage,
never from telemetry. Its ``summary`` counts are what the hourly ``health.snapshot``
event carries to the alert rules (docs/operations.md).

The view is built by the composition root (``AppContext.health``); the command line is
:mod:`sla_app.health_cli` (``python -m sla_app.health_cli [--json]``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from azure.core.exceptions import ResourceNotFoundError

from sla_app import telemetry
from sla_app.errors import AppError
from sla_app.records import SENT
from sla_app.services.delivery_rules import DeliveryPolicy, report_status
from sla_app.services.monthly_reports import tenant_contract, tenant_window
from sla_app.settings import Settings
from sla_app.storage.admin_repo import AdminRepository
from sla_app.storage.availability_repo import AvailabilityRepository
from sla_app.storage.deliveries_repo import DeliveryRepository
from sla_app.storage.reports_repo import ReportRepository
from sla_app.storage.timer_runs_repo import TimerRunRepository
from sla_core.contract import Contract
from sla_core.delivery_deadline import delivery_deadline as deadline_of
from sla_core.periods import Month
from sla_core.vocabulary import PROVISIONAL

COMPLETE, PARTIAL, MISSING, PENDING = "complete", "partial", "missing", "pending"
DAILY_STALE, MONTHLY_STALE = timedelta(hours=26), timedelta(days=32)


class HealthService:
    """The health view over the app's repositories and queues (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        availability: AvailabilityRepository,
        admin: AdminRepository,
        reports: ReportRepository,
        deliveries: DeliveryRepository,
        timer_runs: TimerRunRepository,
        queue_client: Callable[[str], Any],
        queues: tuple[str, ...],
        clock: Callable[[], datetime],
    ) -> None:
        self._settings = settings
        self._availability = availability
        self._admin = admin
        self._reports = reports
        self._deliveries = deliveries
        self._timer_runs = timer_runs
        self._queue_client = queue_client
        self._queues = queues
        self._clock = clock

    # -- availability per day --------------------------------------------------------------

    def day_statuses(self, first: date, end: date, today: date) -> dict[date, str]:
        """Status of each local day in ``[first, end)``: complete, partial, missing, or pending (not ended yet)."""
        stored = self._availability.statuses(first, end)
        result = {}
        day = first
        while day < end:
            status = stored.get(day)
            result[day] = PENDING if day >= today else MISSING if status is None else status.state
            day += timedelta(days=1)
        return result

    # -- queues ----------------------------------------------------------------------------

    def queue_names(self) -> list[str]:
        """The app's queues and their poison queues."""
        return [q for name in self._queues for q in (name, f"{name}-poison")]

    def queue_depths(self) -> list[dict[str, Any]]:
        """Approximate message count per queue (0 and ``exists: false`` for a queue not created yet)."""
        depths = []
        for name in self.queue_names():
            try:
                count = self._queue_client(name).get_queue_properties().approximate_message_count
                depths.append({"queue": name, "messages": int(count or 0), "exists": True})
            except ResourceNotFoundError:
                depths.append({"queue": name, "messages": 0, "exists": False})
        return depths

    # -- timers ----------------------------------------------------------------------------

    def timers(self, now: datetime) -> list[dict[str, Any]]:
        """Every registered timer (``telemetry.TIMERS``) with its last run; ``stale`` when overdue."""
        runs = self._timer_runs.last_runs()
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

    # -- reports and deliveries ------------------------------------------------------------

    def delivery_deadline(self, month: Month, tenant: Any | None = None) -> datetime:
        """The delivery deadline of ``month`` as delivery applies it (measurement §8.5): the settings'
        working day and time (SLA_DELIVERY_DEADLINE_WORKDAY/_TIME), on the tenant's contract calendar
        (the default contract without a tenant, or when its override is invalid)."""
        policy = DeliveryPolicy.of(self._settings)
        contract = Contract()
        if tenant is not None:
            try:
                contract = tenant_contract(tenant)
            except AppError:
                pass
        return deadline_of(month, contract, policy.deadline_workday, policy.deadline_time)

    def reports(self, month: Month, now: datetime) -> dict[str, Any]:
        """Per tenant measured in ``month``: latest report version, final/provisional, missing days, the
        delivery state of its report e-mail, whether any of its e-mails of the month waits for a manual
        check, and whether its delivery deadline has passed."""
        flagged = {r.tenant for r in self._deliveries.of_month(str(month)) if r.needs_manual_check}
        rows = []
        for tenant in self._admin.tenants():
            try:
                if not tenant_window(tenant).contains(month):
                    continue
            except AppError:
                pass  # an invalid contract must not hide a tenant
            stored = self._reports.latest(tenant.tenant, str(month))
            record = self._deliveries.get(tenant.tenant, str(month))
            rows.append(
                {
                    "tenant": tenant.tenant,
                    "version": stored.version if stored else None,
                    "status": report_status(stored) if stored else None,
                    "missing_days": list(stored.body.get("missing_days", [])) if stored else [],
                    "delivery": record.state if record else None,
                    "needs_manual_check": tenant.tenant in flagged,
                    "past_deadline": now >= self.delivery_deadline(month, tenant),
                }
            )
        deadline = self.delivery_deadline(month)
        return {
            "month": str(month),
            "deadline": deadline.isoformat(),
            "past_deadline": now >= deadline,
            "tenants": rows,
            "provisional": [r["tenant"] for r in rows if r["status"] == PROVISIONAL],
            "undelivered": [r["tenant"] for r in rows if r["delivery"] != SENT],
            "needs_manual_check": sorted(flagged),  # tenants, and ~supplier for the supplier's notices
        }

    # -- the whole view --------------------------------------------------------------------

    def snapshot(self, now: datetime | None = None) -> dict[str, Any]:
        """The health document (see the module docstring); ``summary`` holds the alerting counts."""
        now = now or self._clock()
        zone = ZoneInfo(self._settings.timezone)
        today = now.astimezone(zone).date()
        current = Month(today.year, today.month)
        previous = current.shift(-1)
        months = []
        for month in (previous, current):
            statuses = self.day_statuses(month.first_day(), month.shift(1).first_day(), today)
            months.append(
                {
                    "month": str(month),
                    "days": [{"day": d.isoformat(), "status": s} for d, s in statuses.items()],
                    "incomplete": [d.isoformat() for d, s in statuses.items() if s in (PARTIAL, MISSING)],
                }
            )
        queues = self.queue_depths()
        timer_rows = self.timers(now)
        report_view = self.reports(previous, now)
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
            "timezone": self._settings.timezone,
            "summary": summary,
            "availability": months,
            "queues": queues,
            "timers": timer_rows,
            "reports": report_view,
        }


def _allowed_age(schedule: str) -> timedelta:
    """How old a timer's last run may be: a daily schedule (day-of-month ``*``) 26 h, else 32 days."""
    fields = schedule.split()
    return DAILY_STALE if len(fields) == 6 and fields[3] == "*" else MONTHLY_STALE


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

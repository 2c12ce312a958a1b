"""What the portal pages show, gathered from storage and computed with the core (no HTML here).

* :meth:`PortalService.tenant_page` — one municipality: the month so far
  (value, norm and what is left per service level: docs/measurement.md §2.9,
  §3.4), the clocks still running, the 12-month trend and trailing-year
  verdicts from the latest version of each month (§5, §8.6), every stored
  report version with its delivery state and list of changes, and the report
  recipients (SLA §9: the municipality keeps them current).
* :meth:`PortalService.overview_page` — the supplier: every municipality for
  the current and the previous month.
* :meth:`PortalService.set_recipients`, :meth:`add_exclusion` — the two
  changes a page can make; both audited with the signed-in actor.

Minutes are service-hours minutes; percentages are unrounded (the templates
truncate for display, §8.8).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sla_app.errors import NotFound, Unprocessable
from sla_app.overview.at_risk_nl import at_risk_json
from sla_app.portal.stored import Admin, Deliveries, Events, Reports, Results, level_cell, sent_versions
from sla_app.records import CORRECTION, REPORT, SENT
from sla_app.services.monthly_reports import tenant_contract, tenant_window
from sla_app.storage.admin_repo import ALL_TENANTS, RECORDER_ROLE
from sla_core.at_risk import assess
from sla_core.availability_input import parse_exclusions
from sla_core.business_calendar import from_us, to_us
from sla_core.errors import InputError
from sla_core.month_to_date import breaches_left, downtime_left_minutes, month_so_far, open_clocks
from sla_core.periods import Month, trailing_months
from sla_core.report import Reporter
from sla_core.report_text import ignored_tests_note
from sla_core.vocabulary import LEVELS

MAX_RECIPIENTS = 20
RECIPIENT_CHANGES_DAYS = 14  # how far back the overview lists who changed report recipients
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")


class PortalService:
    """Reads for the portal pages and the changes they make."""

    def __init__(
        self,
        admin: Admin,
        events: Events,
        results: Results,
        reports: Reports,
        deliveries: Deliveries,
        clock: Callable[[], datetime],
        zone: ZoneInfo,
    ) -> None:
        self._admin = admin
        self._events = events
        self._results = results
        self._reports = reports
        self._deliveries = deliveries
        self._clock = clock
        self._zone = zone

    # -- one municipality ----------------------------------------------------

    def record(self, tenant: str) -> Any:
        """The tenant's record; NotFound when there is none."""
        record = self._admin.tenant(tenant)
        if record is None:
            raise NotFound(f"unknown tenant {tenant!r}")
        return record

    def current_month(self) -> Month:
        """The local month of now."""
        return Month.of(self._clock().astimezone(self._zone).date())

    def month_so_far(self, record: Any) -> dict[str, Any]:
        """The current month up to now: per service level value, norm and what is left; the running clocks."""
        now = self._clock()
        as_of = to_us(now)
        month = self.current_month()
        contract = tenant_contract(record)
        first = month.first_day()
        end = min(month.shift(1).first_day(), now.astimezone(self._zone).date() + timedelta(days=1))
        summaries = self._results.summarised(first, end, first)  # the day summaries, not the raw rows
        events = [e for e in self._events.of_tenant(record.tenant) if e.at <= as_of]
        reporter = Reporter(contract, (), self._admin.exclusions(record.tenant), as_of, summaries=summaries)
        so_far = month_so_far(reporter, record.tenant, month, events)
        risk = at_risk_json(assess(so_far))
        levels: dict[str, Any] = {}
        for metric in LEVELS:
            level = dict(risk["service_levels"][metric])
            if metric == "availability":
                level["left_minutes"] = downtime_left_minutes(level["allowed_minutes"], level["down_minutes"])
            else:
                level["breaches_left"] = breaches_left(level["norm"], level["decided"], level["within"])
            levels[metric] = level
        clocks = [
            {
                **vars(clock),
                "deadline": None if clock.deadline is None else from_us(clock.deadline, self._zone).isoformat(),
            }
            for clock in open_clocks(so_far.pending, as_of, reporter.calendar.deadline_us)
        ]
        return {
            "month": str(month),
            "as_of": now.astimezone(self._zone).isoformat(),
            "levels": levels,
            "clocks": clocks,
            # measurement §8.7: results of tests the contract does not list, said as the report says it
            "ignored_tests": ignored_tests_note({"ignored_tests": list(so_far.availability.ignored_tests)}),
        }

    def history(self, record: Any) -> dict[str, Any]:
        """The last 12 measured months: trend (latest version of each), trailing-year verdicts, every version."""
        window = tenant_window(record)
        last = self.current_month().shift(-1)
        months = [m for m in trailing_months(last, window) if window.contains(m)]
        trend, versions = [], []
        trailing: dict[str, Any] = {}
        sent = (
            sent_versions(self._deliveries.of_tenant(record.tenant, str(months[0]), str(months[-1]))) if months else {}
        )
        for month in months:
            stored = self._reports.versions(record.tenant, str(month))
            if not stored:
                trend.append({"month": str(month), "status": None, "levels": None, "ignored_tests": ""})
                continue
            latest = stored[-1]
            trend.append(
                {
                    "month": str(month),
                    "status": latest.status,
                    "levels": {m: level_cell(latest.body, m) for m in LEVELS},
                    "ignored_tests": ignored_tests_note(
                        (latest.body.get("service_levels") or {}).get("availability") or {}
                    ),  # measurement §8.7
                }
            )
            if month == months[-1]:
                trailing = latest.body.get("trailing_12_months") or {}
            for version in reversed(stored):
                versions.append(
                    {
                        "month": str(month),
                        "version": version.version,
                        "computed_at": version.computed_at,
                        "status": version.status,
                        "delivered": version.version in sent.get(str(month), set()),
                        "changes": version.changes,
                    }
                )
        verdicts = {m: level_cell({"service_levels": trailing}, m) for m in LEVELS} if trailing else {}
        return {"months": [str(m) for m in months], "trend": trend, "trailing": verdicts, "versions": versions}

    def tenant_page(self, tenant: str) -> dict[str, Any]:
        """Everything the municipality page shows."""
        record = self.record(tenant)
        return {
            "tenant": record.tenant,
            "tenant_name": record.name or record.tenant,
            "so_far": self.month_so_far(record),
            "history": self.history(record),
            "recipients": list(record.recipients),
        }

    def version(self, tenant: str, month: Month, number: int) -> Any:
        """One stored version of a tenant-month; NotFound when absent."""
        self.record(tenant)
        for stored in self._reports.versions(tenant, str(month)):
            if stored.version == number:
                return stored
        raise NotFound(f"no version {number} of the report of {tenant} for {month}")

    def set_recipients(self, tenant: str, recipients: list[str], actor: str) -> list[str]:
        """Replace the report recipients (validated, de-duplicated, audited)."""
        record = self.record(tenant)
        cleaned: list[str] = []
        for address in recipients:
            address = address.strip()
            if not address:
                continue
            if not _EMAIL.match(address) or len(address) > 254:
                raise Unprocessable(f"not an e-mail address: {address[:80]!r}", field="recipients")
            if address.lower() not in (a.lower() for a in cleaned):
                cleaned.append(address)
        if len(cleaned) > MAX_RECIPIENTS:
            raise Unprocessable(f"at most {MAX_RECIPIENTS} recipients", field="recipients")
        self._admin.put_tenant(replace(record, recipients=tuple(cleaned)))
        self._admin.audit(
            self._clock().isoformat(), actor, "tenant.recipients", tenant, before=list(record.recipients), after=cleaned
        )
        return cleaned

    # -- the supplier ----------------------------------------------------------

    def exclusions(self) -> list[dict[str, Any]]:
        """Every recorded exclusion with its scope, newest first."""
        shared = [e.to_json() for e in self._admin.exclusions(ALL_TENANTS)]
        rows = [{"scope": ALL_TENANTS, **e} for e in shared]
        for record in self._admin.tenants():
            own = [e.to_json() for e in self._admin.exclusions(record.tenant)]
            rows += [{"scope": record.tenant, **e} for e in own if e not in shared]
        return sorted(rows, key=lambda r: r.get("recorded_at") or "", reverse=True)

    def add_exclusion(self, tenant: str, start: str, end: str, reason: str, actor: str) -> None:
        """Record an exclusion for one tenant (or ``_all``), validated like the admin API, audited."""
        if tenant != ALL_TENANTS:
            self.record(tenant)
        # The exclusion records the role, never the person (AVG); who it was stays in the audit log.
        data = {
            "start": start,
            "end": end,
            "reason": reason.strip(),
            "recorded_by": RECORDER_ROLE,
            "recorded_at": self._clock().isoformat(),
        }
        try:
            parse_exclusions([data], "exclusion")
        except InputError as exc:
            raise Unprocessable(str(exc), field=exc.field or "exclusion") from exc
        scope = None if tenant == ALL_TENANTS else tenant
        self._admin.add_exclusion(scope, data)
        self._admin.audit(
            data["recorded_at"], actor, "exclusion.added", scope, start=start, end=end, reason=data["reason"]
        )

    def recipient_changes(self) -> list[dict[str, Any]]:
        """Who changed which municipality's report recipients in the last days (from the audit log), newest first."""
        today = self._clock().astimezone(self._zone).date()
        changes = []
        for back in range(RECIPIENT_CHANGES_DAYS):
            for entry in self._admin.audit_entries(today - timedelta(days=back)):
                if entry["action"] == "tenant.recipients":
                    changes.append(
                        {
                            "at": entry["at"],
                            "actor": entry["actor"],
                            "tenant": entry["tenant"],
                            "before": entry["detail"].get("before", []),
                            "after": entry["detail"].get("after", []),
                        }
                    )
        return sorted(changes, key=lambda c: c["at"], reverse=True)

    def overview_page(self) -> dict[str, Any]:
        """All municipalities for the current and the previous month."""
        current = self.current_month()
        months = [current.shift(-1), current]
        rows = []
        for record in sorted(self._admin.tenants(), key=lambda r: (r.name or r.tenant).lower()):
            try:
                window = tenant_window(record)
            except Unprocessable:
                continue
            records = self._deliveries.of_tenant(record.tenant, str(months[0]), str(months[-1]))
            cells = []
            for month in months:
                if not window.contains(month):
                    cells.append({"month": str(month), "measured": False})
                    continue
                if month == current:
                    cells.append({"month": str(month), "measured": True, "running": True})
                    continue
                stored = self._reports.versions(record.tenant, str(month))
                latest = stored[-1] if stored else None
                mails = [r for r in records if r.month == str(month) and r.kind in (REPORT, CORRECTION)]
                report_mail = next((r for r in mails if r.kind == REPORT), None)
                cells.append(
                    {
                        "month": str(month),
                        "measured": True,
                        "version": latest.version if latest else None,
                        "status": latest.status if latest else None,
                        "missing_days": (latest.body.get("missing_days") or []) if latest else [],
                        "levels": {m: level_cell(latest.body, m) for m in LEVELS} if latest else None,
                        "delivery": report_mail.state if report_mail else None,
                        "manual_check": any(r.needs_manual_check for r in mails),
                        "corrections": sum(1 for r in mails if r.kind == CORRECTION and r.state == SENT),
                    }
                )
            so_far = None
            if window.contains(current):
                so_far = self.month_so_far(record)["levels"]
            rows.append(
                {
                    "tenant": record.tenant,
                    "tenant_name": record.name or record.tenant,
                    "months": cells,
                    "at_risk": [m for m, level in (so_far or {}).items() if level.get("at_risk")],
                }
            )
        return {
            "months": [str(m) for m in months],
            "tenants": rows,
            "exclusions": self.exclusions(),
            "recipient_changes": self.recipient_changes(),
            "as_of": self._clock().astimezone(self._zone).isoformat(),
        }

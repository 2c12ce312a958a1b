"""The supplier overview of a month and the mid-month at-risk notice.

* :meth:`OverviewService.overview` reads the latest stored version of every
  tenant's report for a month and lists the norms missed where; the
  year-to-date position per tenant sums the minutes and counts of the stored
  reports of January up to the month, inside the tenant's measurement window;
  totals sum over the tenants. Nothing is recomputed: the overview shows what
  was reported.
* :meth:`OverviewService.at_risk` computes each measured tenant's current,
  partial month from the stored inputs (as the monthly run does: the tenant's
  contract, its events up to ``as_of``, the day summaries of the availability, its
  exclusions), takes its figures of ``[month start, as_of)``
  (:func:`sla_core.month_to_date.month_so_far`), assesses them with
  :func:`sla_core.at_risk.assess` and words them in Dutch
  (:mod:`sla_app.overview.at_risk_nl`). Tenants
  with the same contract settings and exclusions share one
  :class:`~sla_core.report.Reporter`, so the shared platform's availability is
  classified once per group.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sla_app.errors import Unprocessable
from sla_app.overview.aggregate import Sums, month_cell
from sla_app.overview.at_risk_nl import at_risk_json
from sla_app.services.monthly_reports import Admin, Events, Results, digest, tenant_contract, tenant_window
from sla_core.at_risk import assess
from sla_core.availability_input import Exclusion
from sla_core.business_calendar import to_us
from sla_core.contract import Contract
from sla_core.month_to_date import month_so_far
from sla_core.periods import MeasurementWindow, Month
from sla_core.report import Reporter
from sla_core.vocabulary import LEVELS


class StoredReports(Protocol):
    """Reading the latest stored version of a tenant-month report."""

    def latest(self, tenant: str, month: str) -> Any | None: ...


def _window_of_body(body: dict[str, Any]) -> MeasurementWindow | None:
    window = body.get("measurement_window") or None
    if not window:
        return None
    last = window.get("last_month")
    return MeasurementWindow(Month.parse(window["first_month"]), None if last is None else Month.parse(last))


@dataclass(frozen=True)
class _Group:
    """Tenants measured with the same contract settings and exclusions: (record, its contract) each."""

    contract: Contract
    exclusions: list[Exclusion]
    tenants: list[tuple[Any, Contract]]


class OverviewService:
    """The supplier's view across tenants."""

    def __init__(
        self,
        admin: Admin,
        events: Events,
        results: Results,
        reports: StoredReports,
        clock: Callable[[], datetime],
        zone: ZoneInfo,
    ) -> None:
        self._admin = admin
        self._events = events
        self._results = results
        self._reports = reports
        self._clock = clock
        self._zone = zone

    # -- the month's overview ---------------------------------------------------

    def _window(self, record: Any, body: dict[str, Any]) -> MeasurementWindow | None:
        """The tenant's measurement window now; the stored report's when the tenant's contract is not valid."""
        try:
            return tenant_window(record)
        except Unprocessable:
            return _window_of_body(body)

    def overview(self, month: Month) -> dict[str, Any]:
        """Norms missed per tenant, year to date per tenant, and totals over the tenants (JSON-ready)."""
        rows: list[dict[str, Any]] = []
        missed: list[dict[str, Any]] = []
        without_report: list[str] = []
        month_total, year_total = Sums(), Sums()
        year_months = [Month(month.year, m) for m in range(1, month.month + 1)]
        for record in self._admin.tenants():
            stored = self._reports.latest(record.tenant, str(month))
            if stored is None:
                try:
                    measured = tenant_window(record).contains(month)
                except Unprocessable:
                    measured = False
                if measured:
                    without_report.append(record.tenant)
                continue
            body = stored.body
            name = record.name or body.get("tenant_name") or record.tenant
            levels = body.get("service_levels", {})
            cells = {metric: month_cell(metric, levels.get(metric) or {}) for metric in LEVELS}
            for metric, cell in cells.items():
                if cell["met"] is False:
                    missed.append(
                        {
                            "tenant": record.tenant,
                            "tenant_name": name,
                            "metric": metric,
                            "norm": cell["norm"],
                            "value": cell["value"],
                        }
                    )
            month_total.add_levels(levels)
            window = self._window(record, body)
            counted, missing = [], []
            year = Sums()
            for m in year_months:
                if window is not None and not window.contains(m):
                    continue
                report = stored if m == month else self._reports.latest(record.tenant, str(m))
                if report is None:
                    missing.append(str(m))
                    continue
                year.add_levels(report.body.get("service_levels", {}))
                counted.append(str(m))
            year_total += year
            norms = {metric: cells[metric]["norm"] for metric in LEVELS}  # judged against this month's norms
            rows.append(
                {
                    "tenant": record.tenant,
                    "tenant_name": name,
                    "version": stored.version,
                    "computed_at": stored.computed_at,
                    "service_levels": cells,
                    "year_to_date": {
                        "months": counted,
                        "missing_months": missing,
                        "service_levels": year.to_json(norms),
                    },
                }
            )
        return {
            "month": str(month),
            "generated_at": self._clock().astimezone(self._zone).isoformat(),
            "year_to_date_from": str(year_months[0]),
            "tenants": rows,
            "missed": missed,
            "without_report": without_report,
            "totals": {
                "tenants": len(rows),
                "service_levels": month_total.to_json(),
                "year_to_date": year_total.to_json(),
            },
        }

    # -- the at-risk notice --------------------------------------------------------

    def current_month(self, as_of: datetime) -> Month:
        """The local month of an instant."""
        return Month.of(as_of.astimezone(self._zone).date())

    def _groups(self, month: Month, errors: list[dict[str, str]]) -> list[_Group]:
        """Measured tenants grouped by identical contract settings and exclusions."""
        groups: dict[str, _Group] = {}
        for record in self._admin.tenants():
            try:
                contract = tenant_contract(record)
            except Unprocessable as exc:
                errors.append({"tenant": record.tenant, "error": exc.detail})
                continue
            if not MeasurementWindow.of(contract.tenants[record.tenant]).contains(month):
                continue
            exclusions = self._admin.exclusions(record.tenant)
            settings = contract.model_dump(mode="json", exclude={"tenants"})
            key = digest([settings, sorted(json.dumps(e.to_json(), sort_keys=True) for e in exclusions)])
            group = groups.setdefault(key, _Group(contract, exclusions, []))
            group.tenants.append((record, contract))
        return list(groups.values())

    def at_risk(self, as_of: datetime, month: Month | None = None) -> dict[str, Any]:
        """Every measured tenant's partial month as of ``as_of``, assessed; the levels at risk listed (JSON-ready)."""
        month = month or self.current_month(as_of)
        as_of_us = to_us(as_of)
        first = month.first_day()
        end = min(month.shift(1).first_day(), as_of.astimezone(self._zone).date() + timedelta(days=1))
        summaries = self._results.summarised(first, max(end, first), first)  # the day summaries, not raw rows
        errors: list[dict[str, str]] = []
        assessed: list[dict[str, Any]] = []
        for group in self._groups(month, errors):
            tenants = {record.tenant: contract.tenants[record.tenant] for record, contract in group.tenants}
            reporter = Reporter(
                group.contract.model_copy(update={"tenants": tenants}),
                (),
                group.exclusions,
                as_of_us,
                summaries=summaries,
            )
            for record, _ in group.tenants:
                events = [e for e in self._events.of_tenant(record.tenant) if e.at <= as_of_us]
                result = at_risk_json(assess(month_so_far(reporter, record.tenant, month, events)))
                result["tenant_name"] = record.name or result["tenant_name"] or record.tenant
                assessed.append(result)
        assessed.sort(key=lambda a: a["tenant"])
        at_risk = [
            {
                "tenant": a["tenant"],
                "tenant_name": a["tenant_name"],
                "levels": [a["service_levels"][m] for m in a["at_risk"]],
            }
            for a in assessed
            if a["at_risk"]
        ]
        return {
            "month": str(month),
            "as_of": as_of.astimezone(self._zone).isoformat(),
            "tenants": assessed,
            "at_risk": at_risk,
            "errors": sorted(errors, key=lambda e: e["tenant"]),
        }

"""The report as JSON (measurement §7): the stable keys first, more keys after them.

Percentages are unrounded; ``met`` compares the unrounded value with the norm.
Instants are RFC 3339 in the contract's timezone; durations in minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sla_core.availability import AvailabilityFigures, LoadTimeFigures
from sla_core.business_calendar import US_PER_MINUTE
from sla_core.outcomes import Outcome
from sla_core.report_records import MonthFigures, MonthlyReport, TicketLevel
from sla_core.verdict import meets_norm
from sla_core.vocabulary import AVAILABILITY, WEEKDAYS
from sla_core.zone_hours import iso_formatter


def _instant(report: MonthlyReport, micros: int | None) -> str | None:
    return None if micros is None else iso_formatter(report.contract.timezone)(micros)


def availability_json(
    figures: AvailabilityFigures, norm: float | None, min_coverage: float | None = None
) -> dict[str, Any]:
    """Availability block: norm, value, met and the minutes behind them, the coverage and whether it is too low.

    ``norm`` None (figures summed under different norms): no verdict. ``min_coverage`` None (not known, e.g. a
    sum of stored reports): ``insufficiently_measured`` is None.
    """
    value = figures.value
    coverage = figures.coverage
    return {
        "norm": norm,
        "value": value,
        "met": meets_norm(AVAILABILITY, value, norm),
        "scheduled_minutes": figures.scheduled_minutes,
        "down_minutes": figures.down_minutes,
        "unknown_minutes": figures.unknown_minutes,
        "excluded_minutes": figures.excluded_minutes,
        "coverage": coverage,
        "insufficiently_measured": None if min_coverage is None else coverage is None or coverage < min_coverage,
    }


def ticket_level_json(level: TicketLevel) -> dict[str, Any]:
    """Ticket service level block: norm, value, met, decided, within, by_priority."""
    return {
        "norm": level.norm,
        "value": level.total.value,
        "met": level.met,
        "decided": level.total.decided,
        "within": level.total.within,
        "by_priority": {
            p: {"decided": t.decided, "within": t.within, "value": t.value} for p, t in level.by_priority.items()
        },
    }


def load_time_json(figures: LoadTimeFigures) -> dict[str, Any]:
    """Load time block (an aim, never 'missed')."""
    return {
        "target_seconds": figures.target_seconds,
        "value": figures.value,
        "samples": figures.samples,
        "p95_seconds": figures.percentile_seconds,
    }


def outcome_json(report: MonthlyReport, outcome: Outcome) -> dict[str, Any]:
    """One ticket outcome with its evidence."""
    return _outcome_json(outcome, iso_formatter(report.contract.timezone), _Targets(report))


class _Targets(dict[tuple[str, str], "dict[str, Any] | None"]):
    """The contract's target as written (``{"value": 1, "unit": "months"}``) per (metric, priority), for
    display; each looked up once per report (a report shows thousands of outcomes)."""

    def __init__(self, report: MonthlyReport) -> None:
        super().__init__()
        self._metrics = report.contract.metrics

    def __missing__(self, key: tuple[str, str]) -> dict[str, Any] | None:
        target = self._metrics.rule(key[0]).targets.get(key[1])
        found = self[key] = None if target is None else {"value": target.value, "unit": target.unit}
        return found


def _outcome_json(outcome: Outcome, iso: Callable[[int], str], targets: _Targets) -> dict[str, Any]:
    """:func:`outcome_json` with the report's instant formatter and targets (made once per report: the hot path)."""
    decided, stopped = outcome.decided_at, outcome.stopped_at
    target = targets[outcome.metric, outcome.priority]
    return {
        "ticket_id": outcome.ticket_id,
        "metric": outcome.metric,
        "priority": outcome.priority,
        "outcome": outcome.outcome,
        "decided_at": None if decided is None else iso(decided),
        "elapsed_minutes": outcome.elapsed / US_PER_MINUTE,
        "target_minutes": outcome.target / US_PER_MINUTE,
        "actual_elapsed_minutes": None if outcome.actual is None else outcome.actual / US_PER_MINUTE,
        "target": None if target is None else dict(target),  # a copy: each outcome's object is its own
        "clock": outcome.clock,
        "opened_at": iso(outcome.opened_at),
        "stopped_at": None if stopped is None else iso(stopped),
        "pauses": [
            {"start": iso(p.start), "end": None if p.end is None else iso(p.end), "status": p.status}
            for p in outcome.pauses
        ],
    }


def trend_json(month: MonthFigures, norm: float, min_coverage: float) -> dict[str, Any]:
    """One month of the trend: availability minutes and value, per ticket level the counts and value."""
    item: dict[str, Any] = {"month": str(month.month)}
    item["availability"] = availability_json(month.availability, norm, min_coverage)
    for metric, level in month.tickets.items():
        item[metric] = {k: v for k, v in ticket_level_json(level).items() if k != "by_priority"}
    return item


def report_json(report: MonthlyReport) -> dict[str, Any]:
    """The whole report as one JSON-ready object."""
    contract = report.contract
    rule = contract.availability
    iso, targets = iso_formatter(contract.timezone), _Targets(report)
    availability = availability_json(report.availability, rule.norm, rule.min_coverage)
    availability["tests"] = list(report.availability.tests)
    availability["ignored_tests"] = list(report.availability.ignored_tests)  # measurement §8.7
    availability["down_periods"] = [
        {
            "start": _instant(report, p.start),
            "end": _instant(report, p.end),
            "counted_minutes": p.counted_minutes,
            "excluded_minutes": p.excluded_minutes,
            "tests": list(p.tests),
        }
        for p in report.availability.down_periods
    ]
    availability["by_day"] = [
        {
            "date": day,
            "scheduled_minutes": f.scheduled_minutes,
            "down_minutes": f.down_minutes,
            "unknown_minutes": f.unknown_minutes,
            "excluded_minutes": f.excluded_minutes,
            "value": f.value,
        }
        for day, f in report.availability_by_day.items()
    ]
    service_levels: dict[str, Any] = {"availability": availability}
    for metric, level in report.tickets.items():
        service_levels[metric] = ticket_level_json(level)
    service_levels["load_time"] = load_time_json(report.load_time)
    trailing: dict[str, Any] = {
        "months": [str(m) for m in report.trailing_months],
        "availability": availability_json(report.trailing_availability, rule.norm, rule.min_coverage),
    }
    for metric, level in report.trailing_tickets.items():
        trailing[metric] = ticket_level_json(level)
    trailing["by_month"] = [trend_json(m, rule.norm, rule.min_coverage) for m in report.trend]
    return {
        "tenant": report.tenant,
        "month": str(report.month),
        "service_levels": service_levels,
        "outcomes": [_outcome_json(o, iso, targets) for o in report.outcomes],
        "trailing_12_months": trailing,
        "tenant_name": report.tenant_name,
        "as_of": _instant(report, report.as_of),
        "contract_version": contract.version,
        "timezone": contract.timezone,
        "measurement_window": None if report.window is None else report.window.to_json(),
        "service_hours": {day: [[r.start, r.end] for r in getattr(contract.service_hours, day)] for day in WEEKDAYS},
        "closed_dates": [{"date": d, "name": n} for d, n in report.closed_dates.items()],
        "pause_patterns": list(contract.pause_patterns),
        "availability_tests": None if rule.tests is None else [t.model_dump(mode="json") for t in rule.tests],
        "exclusions": [e.to_json() for e in report.exclusions],
        "pending": [_outcome_json(o, iso, targets) for o in report.pending],
        "incomplete_tickets": [{"ticket_id": i.ticket_id, "reason": i.reason} for i in report.incomplete],
        "not_measured": dict(report.not_measured),
        "status": report.status,  # measurement §8.5: "final" | "provisional"
        "missing_days": list(report.missing_days),
        "not_counted": [
            {
                "ticket_id": n.ticket_id,
                "reason": n.reason,
                "opened_at": _instant(report, n.opened_at),
                "priority": n.priority,
            }
            for n in report.not_counted
        ],
    }

"""Small helpers shared by the tests of ``sla_core`` (rules: docs/measurement.md).

Instants are written as literal ISO 8601 strings with an offset
(``2026-10-23T18:30:00+02:00``) and turned into integer microseconds with
:func:`us`, exactly as the core does. Durations are built with :func:`hours`
and :func:`minutes`.

Events are built as canonical JSON dicts with :func:`event` (measurement §6) and go
through the real parser (:func:`parsed`), so the tests exercise the same path
as an events file. :func:`outcomes_of` folds them and applies
:class:`~sla_core.outcomes.OutcomeRules` of the default contract.

The helpers are plain functions; test modules import them with
``from tests.support.core import …``.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings

from sla_core.availability_input import Exclusion, TestResult
from sla_core.business_calendar import US_PER_MINUTE, BusinessCalendar, from_us, to_us
from sla_core.contract import Contract, contract_from_mapping, default_contract
from sla_core.events import TicketEvent, parse_event
from sla_core.outcomes import Incomplete, Outcome, OutcomeRules
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_records import MonthlyReport
from sla_core.tickets import fold_all

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
US_PER_HOUR = 60 * US_PER_MINUTE
TENANT = "enschede"
TICKET = "M2610-0001"

# Hypothesis: modest and without deadlines, so the whole suite stays fast and never flaky.
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


# -- instants and durations ----------------------------------------------------


def us(text: str) -> int:
    """µs since the epoch of a literal ISO 8601 instant with offset (``2026-10-23T18:30:00+02:00``)."""
    return to_us(datetime.fromisoformat(text))


def iso(micros: int | None) -> str | None:
    """The instant as ISO 8601 in Europe/Amsterdam (for readable assertion messages)."""
    return None if micros is None else from_us(micros, AMSTERDAM).isoformat()


def hours(value: float) -> int:
    """A duration of ``value`` hours in µs."""
    return round(value * US_PER_HOUR)


def minutes(value: float) -> int:
    """A duration of ``value`` minutes in µs."""
    return round(value * US_PER_MINUTE)


# -- contracts and calendars -----------------------------------------------------

_DEFAULT_CALENDAR: BusinessCalendar | None = None


def default_calendar() -> BusinessCalendar:
    """One shared calendar of the default contract (its index is derived data only)."""
    global _DEFAULT_CALENDAR
    if _DEFAULT_CALENDAR is None:
        _DEFAULT_CALENDAR = BusinessCalendar.from_contract(default_contract())
    return _DEFAULT_CALENDAR


def contract_with(**override: Any) -> Contract:
    """The default contract with a partial override (merged, as a contract file is)."""
    return contract_from_mapping(override)


def every_day(start: str, end: str) -> dict[str, list[dict[str, str]]]:
    """Service hours ``[start, end)`` on all seven weekdays (a contract setting)."""
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    return {day: [{"start": start, "end": end}] for day in days}


def business(a: str, b: str, calendar: BusinessCalendar | None = None) -> int:
    """Business time (µs) in ``[a, b)`` of two literal instants."""
    return (calendar or default_calendar()).business_us(us(a), us(b))


def deadline(a: str, duration: int, calendar: BusinessCalendar | None = None) -> int:
    """The first instant (µs) at which ``duration`` µs of business time from ``a`` have passed."""
    return (calendar or default_calendar()).deadline_us(us(a), duration)


# -- ticket events ---------------------------------------------------------------

_EVENT_IDS = itertools.count(1)


def event(
    kind: str, occurred_at: str, ticket: str = TICKET, *, event_id: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A canonical event as a JSON dict (measurement §6); optional fields only when given."""
    data: dict[str, Any] = {
        "event_id": event_id or f"e-{next(_EVENT_IDS):05d}",
        "tenant": fields.pop("tenant", TENANT),
        "ticket_id": ticket,
        "occurred_at": occurred_at,
        "kind": kind,
    }
    data.update(fields)
    return data


def opened(occurred_at: str, priority: str = "hoog", ticket: str = TICKET, **fields: Any) -> dict[str, Any]:
    """An ``opened`` event of an attributable incident (defaults: status nieuw, scope applicatie)."""
    fields.setdefault("type", "incident")
    fields.setdefault("status", "nieuw")
    fields.setdefault("scope", "applicatie")
    return event("opened", occurred_at, ticket, priority=priority, **fields)


def parsed(events: Iterable[dict[str, Any] | TicketEvent]) -> list[TicketEvent]:
    """Canonical dicts through the strict parser (TicketEvents pass through)."""
    return [e if isinstance(e, TicketEvent) else parse_event(e, f"event {i}") for i, e in enumerate(events, 1)]


def incident(tenant: str, n: int, opened_at: str, responded: str | None = None) -> list[TicketEvent]:
    """Ticket ``M<n>`` of ``tenant``: a hoog incident opened (status nieuw, no scope), responded to when given.

    Event ids are ``<tenant>-<n>-o`` and ``<tenant>-<n>-r``; the events are parsed.
    """
    ticket, ids = f"M{n}", f"{tenant}-{n}"
    events = [
        event(
            "opened",
            opened_at,
            ticket,
            event_id=f"{ids}-o",
            tenant=tenant,
            type="incident",
            priority="hoog",
            status="nieuw",
        )
    ]
    if responded:
        events.append(event("responded", responded, ticket, event_id=f"{ids}-r", tenant=tenant))
    return parsed(events)


def outcome_rules(contract: Contract | None = None) -> OutcomeRules:
    """Outcome rules of a contract (default: the seed SLA)."""
    if contract is None:
        return OutcomeRules(default_contract(), default_calendar())
    return OutcomeRules(contract, BusinessCalendar.from_contract(contract))


def outcomes_of(
    events: Iterable[dict[str, Any] | TicketEvent], as_of: str | int, contract: Contract | None = None
) -> list[Outcome | Incomplete]:
    """All outcomes (and incompletes) of the events' tickets, known up to ``as_of``."""
    as_of_us = us(as_of) if isinstance(as_of, str) else as_of
    rules = outcome_rules(contract)
    result: list[Outcome | Incomplete] = []
    for ticket in fold_all(parsed(events), as_of_us):
        result.extend(rules.outcomes(ticket, as_of_us))
    return result


def outcome_of(
    events: Iterable[dict[str, Any] | TicketEvent], as_of: str | int, metric: str, contract: Contract | None = None
) -> Outcome:
    """The one outcome of one metric (the events hold one measured ticket)."""
    found = [o for o in outcomes_of(events, as_of, contract) if isinstance(o, Outcome) and o.metric == metric]
    assert len(found) == 1, f"expected one {metric} outcome, got {found}"
    return found[0]


def describe(outcome: Outcome) -> str:
    """An outcome in words, for assertion messages."""
    return (
        f"{outcome.metric} {outcome.outcome} (priority {outcome.priority}) decided at {iso(outcome.decided_at)}, "
        f"elapsed {outcome.elapsed / US_PER_HOUR:g} h, target {outcome.target / US_PER_HOUR:g} h"
    )


# -- monthly reports -------------------------------------------------------------


def report_of(
    events: Iterable[dict[str, Any] | TicketEvent],
    month: str,
    as_of: str,
    *,
    results: Sequence[TestResult] = (),
    exclusions: Sequence[Exclusion] = (),
    contract: Contract | None = None,
    tenant: str = TENANT,
) -> MonthlyReport:
    """The monthly report of ``tenant`` for ``YYYY-MM`` with the events known at ``as_of``.

    Without a contract: the default contract with the tenant live since the month
    before, so the trailing year is this month only (fast: no empty months of
    availability slots to classify). The shared default calendar is used.
    """
    target = Month.parse(month)
    if contract is None:
        contract = _live_since(tenant, str(target.shift(-1)))
        calendar = default_calendar()
    else:
        calendar = BusinessCalendar.from_contract(contract)
    reporter = Reporter(contract, list(results), list(exclusions), us(as_of), calendar)
    return reporter.report(tenant, target, parsed(events))


@functools.cache
def _live_since(tenant: str, month: str) -> Contract:
    return contract_with(tenants={tenant: {"go_live": f"{month}-01"}})


# -- availability ----------------------------------------------------------------


def result(
    at: str, name: str = "home", location: str = "weu", success: bool = True, duration_ms: float = 500.0
) -> TestResult:
    """One availability test result (a row of AppAvailabilityResults)."""
    return TestResult(at=us(at), name=name, location=location, success=success, duration_ms=duration_ms)


def exclusion(start: str, end: str, reason: str = "storing bij derde partij (Vtlb-calculator)") -> Exclusion:
    """An exclusion ``[start, end)`` with its reason (SLA §7.1)."""
    return Exclusion(us(start), us(end), reason, start, end)

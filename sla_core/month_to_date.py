"""The month so far, for the portal: what is left before a norm is missed, and the clocks still running.

Pure: no I/O, no clock. Instants and durations are µs (UTC epoch), as in
:mod:`sla_core.outcomes`; minutes are floats.

* :func:`month_so_far` — the figures of ``[month start, as_of)`` (availability
  minutes of that interval, the ticket outcomes decided in it, the outcomes
  still pending) and the service hours of the whole month: the input of the
  at-risk assessment (:func:`sla_core.at_risk.assess`) and the portal.
* :func:`breaches_left` — how many more ticket outcomes may breach this month
  before the level's value drops below its norm (docs/measurement.md §2.9).
  It is the mirror of :func:`sla_core.at_risk.needed_met`: with ``d`` outcomes
  decided of which ``w`` were met, the largest ``b ≥ 0`` with
  ``w / (d + b) ≥ n / 100``, decided with the same unrounded float comparison
  as the report's verdict (:func:`sla_core.verdict.ticket_met`). None when the norm is already missed (no breach is
  "left"). Nothing decided and ``n > 0``: a first breach would give 0 %, so 0.
* :func:`downtime_left_minutes` — the service-hours minutes of down time that
  may still happen this month before availability drops below its norm
  (``allowed − down``, never negative), from the at-risk assessment's figures
  (docs/measurement.md §3.4).
* :func:`open_clocks` — the pending outcomes as clocks still running: time
  left on the ticket's own clock (business or calendar, §2.3) and, unless the
  ticket is paused now (§2.4), the instant at which the target is reached if
  it keeps running; soonest first, paused ones last.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from sla_core.availability import AvailabilityFigures
from sla_core.business_calendar import US_PER_MINUTE, from_us
from sla_core.events import TicketEvent
from sla_core.outcomes import Outcome
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_records import TicketLevel
from sla_core.verdict import ticket_met


@dataclass(frozen=True, slots=True)
class MonthSoFar:
    """One tenant's month from its start up to ``as_of``: what an assessment is computed from."""

    tenant: str
    tenant_name: str | None
    month: Month
    as_of: int  # µs
    as_of_text: str  # RFC 3339 in the contract's timezone
    month_minutes: float  # service hours of the whole month
    availability: AvailabilityFigures  # of [month start, as_of)
    availability_norm: float
    tickets: Mapping[str, TicketLevel]  # the outcomes decided in [month start, as_of)
    pending: tuple[Outcome, ...]  # the outcomes still open at as_of


def month_so_far(reporter: Reporter, tenant: str, month: Month, events: Iterable[TicketEvent]) -> MonthSoFar:
    """The figures of ``[month start, reporter.as_of)`` (the whole month once ``as_of`` is past its end)."""
    contract = reporter.contract
    start, end = month.bounds(contract.zone)
    until = min(max(reporter.as_of, start), end)
    report = reporter.report(tenant, month, events)  # with as_of inside the month: the outcomes decided so far
    return MonthSoFar(
        tenant=tenant,
        tenant_name=report.tenant_name,
        month=month,
        as_of=reporter.as_of,
        as_of_text=from_us(reporter.as_of, contract.zone).isoformat(),
        month_minutes=reporter.calendar.business_us(start, end) / US_PER_MINUTE,
        availability=reporter.availability_between(month, start, until),
        availability_norm=contract.availability.norm,
        tickets=report.tickets,
        pending=report.pending,
    )


def breaches_left(norm: float, decided: int, within: int) -> int | None:
    """How many more breached outcomes the month can take and still meet ``norm`` (None: already missed)."""
    if decided < 0 or within < 0 or within > decided:
        raise ValueError("need 0 <= within <= decided")
    if not 0 < norm <= 100:
        raise ValueError("a ticket norm is a percentage in (0, 100]")
    if not ticket_met(norm, decided, within):
        return None
    # w / (d + b) >= n/100  <=>  b <= 100 w / n - d ; start from the exact bound, then agree with the float verdict.
    bound = math.floor(Fraction(100 * within) / Fraction(norm) - decided)
    left = max(bound, 0)
    while left > 0 and not ticket_met(norm, decided + left, within):
        left -= 1
    while ticket_met(norm, decided + left + 1, within):
        left += 1
    return left


def downtime_left_minutes(allowed_minutes: float, down_minutes: float) -> float:
    """Down time (service-hours minutes) that may still happen this month before the norm is missed."""
    return max(allowed_minutes - down_minutes, 0.0)


@dataclass(frozen=True)
class OpenClock:
    """One pending outcome seen as a running clock at ``as_of``."""

    ticket_id: str
    metric: str
    priority: str
    clock: str  # "business" | "calendar"
    paused: bool
    elapsed_minutes: float
    target_minutes: float
    left_minutes: float
    deadline: int | None  # µs; None while paused (it moves for as long as the pause lasts)


def _paused_at(outcome: Outcome, as_of: int) -> bool:
    return any(p.start <= as_of and (p.end is None or p.end > as_of) for p in outcome.pauses)


def open_clocks(
    pending: Iterable[Outcome], as_of: int, business_deadline: Callable[[int, int], int]
) -> list[OpenClock]:
    """The pending outcomes as running clocks, soonest deadline first, paused ones after them.

    ``business_deadline(start_us, duration_us)`` is the business calendar's
    first instant at which ``duration_us`` of service hours have passed
    (:meth:`sla_core.business_calendar.BusinessCalendar.deadline_us`).
    """
    clocks: list[OpenClock] = []
    for outcome in pending:
        left = max(outcome.target - outcome.elapsed, 0)
        paused = _paused_at(outcome, as_of)
        if paused:
            deadline = None
        elif outcome.clock == "business":
            deadline = business_deadline(as_of, left)
        else:
            deadline = as_of + left
        clocks.append(
            OpenClock(
                ticket_id=outcome.ticket_id,
                metric=outcome.metric,
                priority=outcome.priority,
                clock=outcome.clock,
                paused=paused,
                elapsed_minutes=outcome.elapsed / US_PER_MINUTE,
                target_minutes=outcome.target / US_PER_MINUTE,
                left_minutes=left / US_PER_MINUTE,
                deadline=deadline,
            )
        )
    clocks.sort(key=lambda c: (c.deadline is None, c.deadline or 0, c.left_minutes, c.ticket_id, c.metric))
    return clocks

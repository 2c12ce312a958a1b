"""Mid-month "at risk": can a norm still be met this month? Numbers only; the Dutch words are the shell's.

Pure: no I/O and no clock. The input is the month so far, ``[month start,
as_of)`` (:class:`~sla_core.month_to_date.MonthSoFar`, gathered by
:func:`~sla_core.month_to_date.month_so_far`): the
availability minutes of that interval, the ticket outcomes decided in it and
the ones still pending at ``as_of``, and the service hours of the whole month.
The answer, per service level, is a status with the figures behind it:

* ``op_koers``       — the norm is met so far and the budget is not nearly spent;
* ``risico``         — the norm is in danger (see below);
* ``niet_haalbaar``  — the norm can no longer be met this month, whatever happens next;
* ``niet_gemeten``   — availability without any measurable service hours this month.

Availability (measurement §3.4). Let, in service-hours minutes,

* ``S`` = the service hours of the **whole** month (from the calendar),
* ``E`` = the service hours of ``[month start, as_of)`` (elapsed),
* ``U`` = the unknown minutes of ``[month start, as_of)``,
* ``D`` = the down minutes of ``[month start, as_of)`` (exclusions applied).

The best the month can still end at is every remaining minute measured and up:
``best = (S − U − D) / (S − U) × 100``. The norm ``n`` allows

    allowed = (1 − n/100) × (S − U)       (minutes of down time in the month)

* ``niet_haalbaar`` when ``best < n`` (the report's verdict,
  :func:`sla_core.verdict.meets_norm`, so the two never disagree at the
  boundary; ``D = allowed`` exactly is still reachable);
* ``risico`` when more than ``risk_share`` (default 75 %) of ``allowed`` is
  spent: ``D > risk_share × allowed``;
* ``niet_gemeten`` when ``S − U = 0`` (no service hours, or all of them
  elapsed without a measurement);
* else ``op_koers``.

Ticket levels (measurement §2.9). With ``d`` outcomes decided so far of which
``w`` within the target, the norm is met at the end of the month only if
enough further outcomes are met. The smallest ``k ≥ 0`` with

    (w + k) / (d + k) ≥ n/100,   i.e.   k = max(0, ⌈(n·d − 100·w) / (100 − n)⌉)

is reported (checked with the report's own verdict, :func:`sla_core.verdict.ticket_met`).
Nothing decided (``d = 0``) counts as met ("n.v.t."), so ``k = 0``. With
``n = 100`` and a breach no ``k`` exists: ``niet_haalbaar``. Otherwise
``risico`` when the current value is below the norm (``k > 0``), else
``op_koers``. Outcomes still pending are counted, not predicted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal, get_args

from sla_core.availability import AvailabilityFigures
from sla_core.month_to_date import MonthSoFar
from sla_core.verdict import meets_norm, ticket_met, ticket_value
from sla_core.vocabulary import AVAILABILITY, TICKET_METRICS

RISK_SHARE = 0.75
Status = Literal["op_koers", "risico", "niet_haalbaar", "niet_gemeten"]
ON_TRACK, AT_RISK, UNREACHABLE, NOT_MEASURED = get_args(Status)
STATUSES: tuple[Status, ...] = get_args(Status)


# -- availability ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AvailabilityRisk:
    """The availability of ``[month start, as_of)`` against the whole month's budget (service-hours minutes)."""

    norm: float
    status: Status
    month_minutes: float  # S: service hours of the whole month
    elapsed_minutes: float  # E: service hours before as_of
    unknown_minutes: float  # U: unknown so far
    down_minutes: float  # D: down so far (exclusions applied)
    allowed_minutes: float  # (1 − n/100) × (S − U)
    metric: str = AVAILABILITY

    @property
    def remaining_minutes(self) -> float:
        """Service hours of the month still to come."""
        return max(self.month_minutes - self.elapsed_minutes, 0.0)

    @property
    def value(self) -> float | None:
        """Availability so far, over the elapsed service hours; None when nothing was measured yet."""
        return AvailabilityFigures(self.elapsed_minutes, self.unknown_minutes, self.down_minutes, 0.0).value

    @property
    def best_possible(self) -> float | None:
        """The month's value if every remaining minute is measured and up; None when nothing can be measured."""
        return AvailabilityFigures(self.month_minutes, self.unknown_minutes, self.down_minutes, 0.0).value

    @property
    def budget_used(self) -> float | None:
        """Share of the allowed down time already spent (1.0 = all of it); None without a budget."""
        if self.allowed_minutes > 0:
            return self.down_minutes / self.allowed_minutes
        return None if self.down_minutes == 0 else math.inf

    @property
    def at_risk(self) -> bool:
        """``risico`` or ``niet_haalbaar``."""
        return self.status in (AT_RISK, UNREACHABLE)

    def to_json(self) -> dict[str, Any]:
        """As API JSON (unrounded)."""
        used = self.budget_used
        return {
            "metric": self.metric,
            "status": self.status,
            "at_risk": self.at_risk,
            "norm": self.norm,
            "value": self.value,
            "best_possible": self.best_possible,
            "month_minutes": self.month_minutes,
            "elapsed_minutes": self.elapsed_minutes,
            "remaining_minutes": self.remaining_minutes,
            "unknown_minutes": self.unknown_minutes,
            "down_minutes": self.down_minutes,
            "allowed_minutes": self.allowed_minutes,
            "budget_used": None if used is None or math.isinf(used) else used,
        }


def allowed_down_minutes(norm: float, month_minutes: float, unknown_minutes: float) -> float:
    """``(1 − norm/100) × (S − U)``, computed with the norm as the decimal it is written as (99.4, not 99.39999…)."""
    measurable = Fraction(max(month_minutes - unknown_minutes, 0.0))
    return float((1 - Fraction(str(norm)) / 100) * measurable)


def availability_risk(
    norm: float,
    month_minutes: float,
    elapsed_minutes: float,
    unknown_minutes: float,
    down_minutes: float,
    risk_share: float = RISK_SHARE,
) -> AvailabilityRisk:
    """Status of availability from the month's minutes (see the module docstring for the formula)."""
    allowed = allowed_down_minutes(norm, month_minutes, unknown_minutes)
    best = AvailabilityFigures(month_minutes, unknown_minutes, down_minutes, 0.0).value
    reachable = meets_norm(AVAILABILITY, best, norm)
    status = NOT_MEASURED if reachable is None else _status(reachable, down_minutes > risk_share * allowed)
    return AvailabilityRisk(norm, status, month_minutes, elapsed_minutes, unknown_minutes, down_minutes, allowed)


# -- tickets -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketRisk:
    """A ticket service level so far and the further met outcomes it needs."""

    metric: str
    norm: float
    status: Status
    decided: int
    within: int
    needed_met: int | None  # None: no number of met outcomes reaches the norm
    pending: int

    @property
    def breached(self) -> int:
        """Outcomes decided as breached so far."""
        return self.decided - self.within

    @property
    def value(self) -> float | None:
        """Percent within target so far; None when nothing was decided."""
        return ticket_value(self.decided, self.within)

    @property
    def at_risk(self) -> bool:
        """``risico`` or ``niet_haalbaar``."""
        return self.status in (AT_RISK, UNREACHABLE)

    def to_json(self) -> dict[str, Any]:
        """As API JSON (unrounded)."""
        return {
            "metric": self.metric,
            "status": self.status,
            "at_risk": self.at_risk,
            "norm": self.norm,
            "value": self.value,
            "decided": self.decided,
            "within": self.within,
            "breached": self.breached,
            "needed_met": self.needed_met,
            "pending": self.pending,
        }


def needed_met(norm: float, decided: int, within: int) -> int | None:
    """The smallest ``k ≥ 0`` with ``(within + k) / (decided + k) ≥ norm/100``; None when none exists."""
    if ticket_met(norm, decided, within):
        return 0
    n = Fraction(str(norm))
    if n >= 100:
        return None
    k = max(0, math.ceil((n * decided - 100 * within) / (100 - n)))
    while not ticket_met(norm, decided + k, within + k):  # the float verdict may need one more
        k += 1
    while k > 0 and ticket_met(norm, decided + k - 1, within + k - 1):
        k -= 1
    return k


def ticket_risk(metric: str, norm: float, decided: int, within: int, pending: int = 0) -> TicketRisk:
    """Status of a ticket service level from the outcomes decided so far."""
    if not 0 <= within <= decided:
        raise ValueError(f"{metric}: within ({within}) must be between 0 and decided ({decided})")
    k = needed_met(norm, decided, within)
    status = ON_TRACK if decided == 0 else _status(k is not None, bool(k))
    return TicketRisk(metric, norm, status, decided, within, k, pending)


def _status(reachable: bool, at_risk: bool) -> Status:
    """The one mapping of both kinds of service level: unreachable before at risk before on track."""
    if not reachable:
        return UNREACHABLE
    return AT_RISK if at_risk else ON_TRACK


# -- the assessment ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AtRisk:
    """The assessment of one tenant's month so far."""

    tenant: str
    tenant_name: str | None
    month: str
    as_of: str
    availability: AvailabilityRisk
    tickets: dict[str, TicketRisk]

    @property
    def levels(self) -> list[AvailabilityRisk | TicketRisk]:
        """Every assessed level: availability first, then the ticket levels."""
        return [self.availability, *self.tickets.values()]

    @property
    def at_risk(self) -> list[AvailabilityRisk | TicketRisk]:
        """The levels at risk or out of reach."""
        return [level for level in self.levels if level.at_risk]

    def to_json(self) -> dict[str, Any]:
        """As API JSON."""
        return {
            "tenant": self.tenant,
            "tenant_name": self.tenant_name,
            "month": self.month,
            "as_of": self.as_of,
            "service_levels": {level.metric: level.to_json() for level in self.levels},
            "at_risk": [level.metric for level in self.at_risk],
        }


def assess(so_far: MonthSoFar, risk_share: float = RISK_SHARE) -> AtRisk:
    """Per service level of the month so far: op koers, risico, niet haalbaar (or niet gemeten)."""
    figures = so_far.availability
    availability = availability_risk(
        so_far.availability_norm,
        so_far.month_minutes,
        figures.scheduled_minutes,
        figures.unknown_minutes,
        figures.down_minutes,
        risk_share,
    )
    tickets = {}
    for metric in TICKET_METRICS:
        level = so_far.tickets[metric]
        pending = sum(1 for o in so_far.pending if o.metric == metric)
        tickets[metric] = ticket_risk(metric, level.norm, level.total.decided, level.total.within, pending)
    return AtRisk(
        tenant=so_far.tenant,
        tenant_name=so_far.tenant_name,
        month=str(so_far.month),
        as_of=so_far.as_of_text,
        availability=availability,
        tickets=tickets,
    )

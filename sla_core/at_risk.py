"""Mid-month "at risk" assessment: can a norm still be met this month?

Pure: no I/O and no clock. The input is a :class:`~sla_core.report.MonthlyReport`
computed with ``as_of`` inside the month (a partial month); the answer, per
service level, is a status and a Dutch reason:

* ``op_koers``       — the norm is met so far and the budget is not nearly spent;
* ``risico``         — the norm is in danger (see below);
* ``niet_haalbaar``  — the norm can no longer be met this month, whatever happens next;
* ``niet_gemeten``   — availability without any measurable service hours this month.

Availability (measurement §3). Let, in service-hours minutes,

* ``S`` = the service hours of the **whole** month (from the calendar, not only up to ``as_of``),
* ``U`` = the unknown minutes **so far** (before ``as_of``),
* ``D`` = the down minutes counted so far (exclusions already applied).

The best the month can still end at is every remaining minute measured and up:
``best = (S − U − D) / (S − U) × 100``. The norm ``n`` allows

    allowed = (1 − n/100) × (S − U)       (minutes of down time in the month)

* ``niet_haalbaar`` when ``D > allowed``, i.e. ``best < n`` (decided with the
  same unrounded float comparison as the report's ``met``, so the two never
  disagree at the boundary; ``D = allowed`` exactly is still reachable);
* ``risico`` when more than ``risk_share`` (default 75 %) of ``allowed`` is
  spent: ``D > risk_share × allowed``;
* ``niet_gemeten`` when ``S − U = 0`` (no service hours, or all of them
  elapsed without a measurement);
* else ``op_koers``.

The report's availability figures cover the whole month: the slots after
``as_of`` have no results and are therefore unknown. ``U`` is the report's
unknown minutes less the service-hours minutes of the month after ``as_of``
(``report scheduled − elapsed``), clamped to ``[0, elapsed]``. This assumes no
results after ``as_of`` (true when ``as_of`` is now); the slot that contains
``as_of`` is counted as the report classified it (at most one slot of
difference). A report computed only up to ``as_of`` works as well (then the
correction is 0).

Ticket levels (measurement §2). With ``d`` outcomes decided so far of which ``b``
breached (``w = d − b`` within the target), the norm is met at the end of the
month only if enough further outcomes are met. The smallest ``k ≥ 0`` with

    (d − b + k) / (d + k) ≥ n/100,   i.e.   k = max(0, ⌈(n·d − 100·w) / (100 − n)⌉)

is reported (checked with the report's own float comparison). Nothing decided
(``d = 0``) counts as met ("n.v.t."), so ``k = 0``. With ``n = 100`` and a
breach no ``k`` exists: ``niet_haalbaar``. Otherwise ``risico`` when the
current value is below the norm (``k > 0``), else ``op_koers``. Outcomes still
pending (decided later, possibly this month) are shown, not predicted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sla_core.availability import AvailabilityFigures
from sla_core.business_calendar import US_PER_MINUTE, BusinessCalendar, from_us
from sla_core.contract import TICKET_METRICS
from sla_core.report import MonthlyReport, Tally
from sla_core.report_text import LEVEL_NAMES, number, percent

RISK_SHARE = 0.75
ON_TRACK, AT_RISK, UNREACHABLE, NOT_MEASURED = "op_koers", "risico", "niet_haalbaar", "niet_gemeten"
STATUS_LABELS = {
    ON_TRACK: "op koers",
    AT_RISK: "risico",
    UNREACHABLE: "kan niet meer gehaald worden",
    NOT_MEASURED: "niet gemeten",
}


def _minutes(value: float) -> str:
    """``12,5 min``: one decimal, Dutch formatting."""
    return f"{number(value, 1)} min"


def _count(k: int, one: str, many: str) -> str:
    return f"{k} {one if k == 1 else many}"


# -- availability ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AvailabilityRisk:
    """The availability of a partial month against the whole month's budget (minutes of service hours)."""

    norm: float
    status: str
    month_minutes: float  # S: service hours of the whole month
    elapsed_minutes: float  # service hours before as_of
    unknown_minutes: float  # U: unknown so far
    down_minutes: float  # D: down so far (exclusions applied)
    allowed_minutes: float  # (1 − n/100) × (S − U)
    reason: str
    metric: str = "availability"

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
            "label": STATUS_LABELS[self.status],
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
            "reason": self.reason,
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
    """Status and reason of availability from the month's minutes (see the module docstring for the formula)."""
    allowed = allowed_down_minutes(norm, month_minutes, unknown_minutes)
    best = AvailabilityFigures(month_minutes, unknown_minutes, down_minutes, 0.0).value
    remaining = max(month_minutes - elapsed_minutes, 0.0)
    down, budget = _minutes(down_minutes), _minutes(allowed)
    if best is None:
        status = NOT_MEASURED
        reason = "niet gemeten: deze maand heeft geen servicetijd met metingen"
    elif best < norm:
        status = UNREACHABLE
        reason = (
            f"kan niet meer gehaald worden: {down} niet beschikbaar, terwijl de norm van {percent(norm)} deze maand "
            f"hoogstens {budget} toestaat; ook als de resterende {_minutes(remaining)} servicetijd beschikbaar is, "
            f"komt de maand op hoogstens {percent(best)}"
        )
    elif down_minutes > risk_share * allowed:
        status = AT_RISK
        used = "alle" if down_minutes >= allowed else f"{percent(down_minutes / allowed * 100)} van de"
        reason = (
            f"risico: {down} niet beschikbaar, {used} {budget} die de norm van {percent(norm)} deze maand toestaat; "
            f"nog {_minutes(max(allowed - down_minutes, 0.0))} ruimte in de resterende {_minutes(remaining)} servicetijd"
        )
    else:
        status = ON_TRACK
        reason = (
            f"op koers: {down} niet beschikbaar van de {budget} die de norm van {percent(norm)} deze maand toestaat"
        )
        if elapsed_minutes > 0 and unknown_minutes >= elapsed_minutes:
            reason += "; tot nu toe niets gemeten"
        elif elapsed_minutes == 0:
            reason += "; de servicetijd van deze maand is nog niet begonnen"
    return AvailabilityRisk(
        norm=norm,
        status=status,
        month_minutes=month_minutes,
        elapsed_minutes=elapsed_minutes,
        unknown_minutes=unknown_minutes,
        down_minutes=down_minutes,
        allowed_minutes=allowed,
        reason=reason,
    )


# -- tickets -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketRisk:
    """A ticket service level so far and the further met outcomes it needs."""

    metric: str
    norm: float
    status: str
    decided: int
    within: int
    needed_met: int | None  # None: no number of met outcomes reaches the norm
    pending: int
    reason: str

    @property
    def breached(self) -> int:
        """Outcomes decided as breached so far."""
        return self.decided - self.within

    @property
    def value(self) -> float | None:
        """Percent within target so far; None when nothing was decided."""
        return Tally(self.decided, self.within).value

    @property
    def at_risk(self) -> bool:
        """``risico`` or ``niet_haalbaar``."""
        return self.status in (AT_RISK, UNREACHABLE)

    def to_json(self) -> dict[str, Any]:
        """As API JSON (unrounded)."""
        return {
            "metric": self.metric,
            "status": self.status,
            "label": STATUS_LABELS[self.status],
            "at_risk": self.at_risk,
            "norm": self.norm,
            "value": self.value,
            "decided": self.decided,
            "within": self.within,
            "breached": self.breached,
            "needed_met": self.needed_met,
            "pending": self.pending,
            "reason": self.reason,
        }


def _reaches(norm: float, decided: int, within: int) -> bool:
    """The report's verdict: nothing decided counts as met, else the unrounded value against the norm."""
    value = Tally(decided, within).value
    return value is None or value >= norm


def needed_met(norm: float, decided: int, within: int) -> int | None:
    """The smallest ``k ≥ 0`` with ``(within + k) / (decided + k) ≥ norm/100``; None when none exists."""
    if _reaches(norm, decided, within):
        return 0
    n = Fraction(str(norm))
    if n >= 100:
        return None
    k = max(0, math.ceil((n * decided - 100 * within) / (100 - n)))
    while not _reaches(norm, decided + k, within + k):  # the float verdict may need one more
        k += 1
    while k > 0 and _reaches(norm, decided + k - 1, within + k - 1):
        k -= 1
    return k


def ticket_risk(metric: str, norm: float, decided: int, within: int, pending: int = 0) -> TicketRisk:
    """Status and reason of a ticket service level from the outcomes decided so far."""
    if not 0 <= within <= decided:
        raise ValueError(f"{metric}: within ({within}) must be between 0 and decided ({decided})")
    k = needed_met(norm, decided, within)
    breached = decided - within
    so_far = f"{within} van {decided} binnen de streeftijd ({percent(Tally(decided, within).value)})"
    if decided == 0:
        status = ON_TRACK
        reason = "op koers: nog geen uitkomsten beslist (n.v.t., geldt als gehaald)"
    elif k is None:
        status = UNREACHABLE
        reason = (
            f"kan niet meer gehaald worden: {so_far}; de norm van {percent(norm)} laat geen overschrijding toe "
            f"en er {'is' if breached == 1 else 'zijn'} er al {breached}"
        )
    elif k > 0:
        status = AT_RISK
        reason = (
            f"risico: {so_far}, onder de norm van {percent(norm)}; nog minstens "
            f"{_count(k, 'uitkomst', 'uitkomsten')} binnen de streeftijd nodig (zonder nieuwe overschrijding) "
            "om de norm deze maand te halen"
        )
    else:
        status = ON_TRACK
        reason = f"op koers: {so_far}, norm {percent(norm)}"
    if pending:
        reason += f"; {_count(pending, 'melding loopt', 'meldingen lopen')} nog"
    return TicketRisk(metric, norm, status, decided, within, k, pending, reason)


# -- a report ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AtRisk:
    """The assessment of one tenant's partial month."""

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


def elapsed_minutes(report: MonthlyReport, calendar: BusinessCalendar) -> tuple[float, float]:
    """(service-hours minutes of the whole month, of the month before ``as_of``)."""
    start, end = report.month.bounds(report.contract.zone)
    whole = calendar.business_us(start, end) / US_PER_MINUTE
    elapsed = calendar.business_us(start, min(max(report.as_of, start), end)) / US_PER_MINUTE
    return whole, elapsed


def assess(report: MonthlyReport, calendar: BusinessCalendar | None = None, risk_share: float = RISK_SHARE) -> AtRisk:
    """Per service level of a (partial) month: op koers, risico or niet haalbaar, with the reason in Dutch."""
    calendar = calendar or BusinessCalendar.from_contract(report.contract)
    whole, elapsed = elapsed_minutes(report, calendar)
    figures = report.availability
    after_as_of = max(figures.scheduled_minutes - elapsed, 0.0)  # in the report's figures, all unknown
    unknown = min(max(figures.unknown_minutes - after_as_of, 0.0), elapsed)
    availability = availability_risk(
        report.contract.availability.norm, whole, elapsed, unknown, figures.down_minutes, risk_share
    )
    tickets = {}
    for metric in TICKET_METRICS:
        level = report.tickets[metric]
        pending = sum(1 for o in report.pending if o.metric == metric)
        tickets[metric] = ticket_risk(metric, level.norm, level.total.decided, level.total.within, pending)
    return AtRisk(
        tenant=report.tenant,
        tenant_name=report.tenant_name,
        month=str(report.month),
        as_of=from_us(report.as_of, report.contract.zone).isoformat(),
        availability=availability,
        tickets=tickets,
    )


def describe(level: AvailabilityRisk | TicketRisk) -> str:
    """``Beschikbaarheid: risico — …`` (one line)."""
    return f"{LEVEL_NAMES[level.metric]}: {level.reason}"

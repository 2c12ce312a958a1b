"""The records of a monthly report (SLA §9, measurement §5): counts, levels, a month's figures, the report.

Built by :class:`sla_core.report.Reporter`; read by the report's JSON, text and documents. Instants are
µs since the epoch; availability figures are minutes (:mod:`sla_core.availability`).

Ticket percentages are ``within / decided × 100`` over the outcomes decided in the month; with nothing
decided the value is None and the norm counts as met ("n.v.t."; :mod:`sla_core.verdict`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sla_core.availability import AvailabilityFigures, LoadTimeFigures
from sla_core.availability_input import Exclusion
from sla_core.contract import Contract
from sla_core.outcomes import Incomplete, Outcome
from sla_core.periods import MeasurementWindow, Month
from sla_core.verdict import ticket_met, ticket_value
from sla_core.vocabulary import FINAL, PRIORITIES, PROVISIONAL


@dataclass(frozen=True, slots=True)
class Tally:
    """Decided outcomes and how many were within target."""

    decided: int = 0
    within: int = 0

    @property
    def value(self) -> float | None:
        """Percent within target; None when nothing was decided."""
        return ticket_value(self.decided, self.within)

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.decided + other.decided, self.within + other.within)


@dataclass(frozen=True, slots=True)
class TicketLevel:
    """A ticket service level of a period: the total and per priority."""

    norm: float
    total: Tally
    by_priority: dict[str, Tally]

    @property
    def met(self) -> bool:
        """Norm met (unrounded); no decided outcome counts as met ("n.v.t.", :mod:`sla_core.verdict`)."""
        return ticket_met(self.norm, self.total.decided, self.total.within)


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """One month of the trailing year, for the trend (SLA §9): availability minutes and ticket counts."""

    month: Month
    availability: AvailabilityFigures
    tickets: dict[str, TicketLevel]


@dataclass(frozen=True, slots=True)
class NotCounted:
    """A ticket of the month that is not measured, and why (measurement §2: only attributable incidents count)."""

    ticket_id: str
    reason: str
    opened_at: int | None
    priority: str | None


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    """Everything a municipality's report shows for one month."""

    tenant: str
    tenant_name: str | None
    month: Month
    as_of: int
    contract: Contract
    window: MeasurementWindow | None
    availability: AvailabilityFigures
    tickets: dict[str, TicketLevel]
    load_time: LoadTimeFigures
    outcomes: tuple[Outcome, ...]
    pending: tuple[Outcome, ...]
    incomplete: tuple[Incomplete, ...]
    not_measured: dict[str, int]
    exclusions: tuple[Exclusion, ...]
    closed_dates: dict[str, str]
    trailing_months: tuple[Month, ...]
    trailing_availability: AvailabilityFigures
    trailing_tickets: dict[str, TicketLevel] = field(default_factory=dict)
    availability_by_day: dict[str, AvailabilityFigures] = field(default_factory=dict)
    missing_days: tuple[str, ...] = ()  # local days (ISO) of the month whose availability is not complete
    trend: tuple[MonthFigures, ...] = ()
    not_counted: tuple[NotCounted, ...] = ()

    @property
    def status(self) -> str:
        """``final`` when every day of the month is complete, else ``provisional`` (measurement §8.5)."""
        return PROVISIONAL if self.missing_days else FINAL


def tally(outcomes: Iterable[Outcome], norm: float) -> TicketLevel:
    """Count decided outcomes, in total and by deciding priority."""
    counts: dict[str, list[int]] = {}
    for outcome in outcomes:
        count = counts.get(outcome.priority)
        if count is None:
            count = counts[outcome.priority] = [0, 0]
        count[0] += 1
        if outcome.outcome == "met":
            count[1] += 1
    ordered = {p: Tally(*counts[p]) for p in PRIORITIES if p in counts}
    total = Tally(sum(t.decided for t in ordered.values()), sum(t.within for t in ordered.values()))
    return TicketLevel(norm, total, ordered)

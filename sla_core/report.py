"""The monthly report of one tenant (SLA §9, measurement §5): figures, evidence, trailing year.

:class:`Reporter` is built once per run from the contract, the availability
results, the exclusions and ``as_of``; it caches per-month availability (the
platform is shared by all tenants, SLA §3) and computes a
:class:`MonthlyReport` per tenant and month from that tenant's events.

Ticket percentages are ``within / decided × 100`` over the outcomes decided in
the month; with nothing decided the value is None and the norm counts as met
("n.v.t."). Trailing 12 months are sums of minutes and counts over the
window's months, never averages of monthly percentages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import attrgetter

from sla_core.availability import (
    ZERO,
    AvailabilityFigures,
    LoadTimeFigures,
    SlotStates,
    figures,
    load_time,
    slot_states,
)
from sla_core.availability_input import Exclusion, TestResult
from sla_core.availability_summary import SummarisedAvailability
from sla_core.business_calendar import BusinessCalendar
from sla_core.contract import Contract
from sla_core.errors import InputError
from sla_core.events import TicketEvent
from sla_core.outcomes import Incomplete, Outcome, OutcomeRules
from sla_core.periods import MeasurementWindow, Month, day_bounds, trailing_months
from sla_core.tickets import fold_all
from sla_core.verdict import ticket_met, ticket_value
from sla_core.vocabulary import FINAL, PRIORITIES, PROVISIONAL, TICKET_METRICS
from sla_core.zone_hours import month_finder


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


class Reporter:
    """Computes monthly reports over one set of inputs."""

    def __init__(
        self,
        contract: Contract,
        results: Sequence[TestResult],
        exclusions: Sequence[Exclusion],
        as_of: int,
        calendar: BusinessCalendar | None = None,
        *,
        summaries: SummarisedAvailability | None = None,
    ) -> None:
        """``summaries``, when given, replaces ``results`` (pass ``()``): availability from day summaries."""
        self.contract = contract
        self._summaries = summaries
        self.calendar = calendar or BusinessCalendar.from_contract(contract)
        self.rules = OutcomeRules(contract, self.calendar)
        self.as_of = as_of
        self.exclusions = tuple(sorted(exclusions, key=lambda e: e.start))
        self._results_by_month: dict[Month, list[TestResult]] = defaultdict(list)
        self._month_of = month_of = month_finder(contract.zone)
        for result in results:
            self._results_by_month[month_of(result.at)].append(result)
        self._availability: dict[Month, AvailabilityFigures] = {}
        self._states: dict[Month, SlotStates] = {}
        self._by_day: dict[Month, dict[str, AvailabilityFigures]] = {}
        self._load_time: dict[Month, LoadTimeFigures] = {}

    def window(self, tenant: str) -> MeasurementWindow | None:
        """The tenant's measurement window; None when the contract does not list the tenant."""
        configured = self.contract.tenants.get(tenant)
        return None if configured is None else MeasurementWindow.of(configured)

    def _slot_states(self, month: Month) -> SlotStates:
        if month not in self._states:
            start, end = month.bounds(self.contract.zone)
            if self._summaries is not None:
                self._states[month] = self._summaries.slot_states(start, end, self.contract.availability)
            else:
                rows = self._results_by_month.get(month, ())
                self._states[month] = slot_states(rows, start, end, self.contract.availability)
        return self._states[month]

    def availability_of(self, month: Month) -> AvailabilityFigures:
        """Availability of a month (cached: shared by all tenants)."""
        if month not in self._availability:
            self._availability[month] = figures(self._slot_states(month), self.calendar, self.exclusions)
        return self._availability[month]

    def availability_between(self, month: Month, start: int, end: int) -> AvailabilityFigures:
        """Availability of ``[start, end)`` inside ``month`` (µs; e.g. the month so far, ``[month start, as_of)``)."""
        return figures(self._slot_states(month).within(start, end), self.calendar, self.exclusions)

    def availability_by_day(self, month: Month) -> dict[str, AvailabilityFigures]:
        """Availability of each local day of a month (for the report's daily chart; cached)."""
        if month in self._by_day:
            return self._by_day[month]
        states = self._slot_states(month)
        zone = self.contract.zone
        days: dict[str, AvailabilityFigures] = {}
        day = month.first_day()
        while Month.of(day) == month:
            start, end = day_bounds(day, zone)
            days[day.isoformat()] = figures(states.within(start, end), self.calendar, self.exclusions)
            day += timedelta(days=1)
        self._by_day[month] = days
        return days

    def load_time_of(self, month: Month) -> LoadTimeFigures:
        """Load time of a month (cached)."""
        if month not in self._load_time:
            start, end = month.bounds(self.contract.zone)
            rule = self.contract.load_time
            if self._summaries is not None:
                self._load_time[month] = self._summaries.load_time(start, end, rule, self.calendar)
            else:
                rows = self._results_by_month.get(month, ())
                self._load_time[month] = load_time(rows, start, end, rule, self.calendar)
        return self._load_time[month]

    def report(
        self, tenant: str, month: Month, events: Iterable[TicketEvent], missing_days: Iterable[date] = ()
    ) -> MonthlyReport:
        """The report of ``tenant`` for ``month`` from that tenant's events (others are ignored).

        ``missing_days``: local days whose availability is not complete (measurement §8.5); those of ``month``
        make the report provisional. Complete data (the CLI) passes none: the report is final.
        """
        window = self.window(tenant)
        if window is not None and not window.contains(month):
            raise InputError(f"month {month} is outside the measurement window of {tenant} ({_describe(window)})")
        decided: dict[Month, list[Outcome]] = defaultdict(list)
        pending: list[Outcome] = []
        incomplete: list[Incomplete] = []
        not_measured = {"niet_incident": 0, "niet_toerekenbaar": 0}
        not_counted: list[NotCounted] = []
        start, end = month.bounds(self.contract.zone)
        for ticket in fold_all((e for e in events if e.tenant == tenant), self.as_of):
            if ticket.latest_type != "incident":
                if ticket.latest_type is None:
                    incomplete.append(Incomplete(tenant, ticket.ticket_id, "geen type"))
                else:
                    not_measured["niet_incident"] += 1
                continue
            if not ticket.attributable:
                not_measured["niet_toerekenbaar"] += 1
                first = ticket.opened_at if ticket.opened_at is not None else ticket.events[0].at
                if start <= first < end:  # listed in the month it was opened in
                    not_counted.append(
                        NotCounted(ticket.ticket_id, "niet toerekenbaar", ticket.opened_at, ticket.priority.latest)
                    )
                continue
            for item in self.rules.outcomes(ticket, self.as_of):
                if isinstance(item, Incomplete):
                    incomplete.append(item)
                elif item.decided_at is None:
                    pending.append(item)
                else:
                    decided[self._month_of(item.decided_at)].append(item)
        months = trailing_months(month, window)
        norms = {m: self.contract.metrics.rule(m).norm for m in TICKET_METRICS}

        def levels(outcomes: list[Outcome]) -> dict[str, TicketLevel]:
            by_metric: dict[str, list[Outcome]] = {m: [] for m in TICKET_METRICS}
            for outcome in outcomes:
                by_metric[outcome.metric].append(outcome)
            return {m: tally(by_metric[m], norms[m]) for m in TICKET_METRICS}

        trailing_availability = ZERO
        trend: list[MonthFigures] = []
        for m in months:
            trailing_availability = trailing_availability + self.availability_of(m)
            trend.append(MonthFigures(m, self.availability_of(m), levels(decided.get(m, []))))
        this_month = sorted(decided.get(month, []), key=attrgetter("decided_at", "ticket_id", "metric"))
        configured = self.contract.tenants.get(tenant)
        return MonthlyReport(
            tenant=tenant,
            tenant_name=None if configured is None else configured.name,
            month=month,
            as_of=self.as_of,
            contract=self.contract,
            window=window,
            availability=self.availability_of(month),
            tickets=trend[-1].tickets,  # the month is the last of its trailing months (its window holds it)
            load_time=self.load_time_of(month),
            outcomes=tuple(this_month),
            pending=tuple(sorted(pending, key=attrgetter("opened_at", "ticket_id", "metric"))),
            incomplete=tuple(incomplete),
            not_measured=not_measured,
            exclusions=tuple(e for e in self.exclusions if e.start < end and e.end > start),
            closed_dates={
                day.isoformat(): name
                for day, name in self.calendar.closed_dates(month.year).items()
                if day.month == month.month
            },
            trailing_months=tuple(months),
            trailing_availability=trailing_availability,
            trailing_tickets=levels([o for m in months for o in decided.get(m, [])]),
            availability_by_day=self.availability_by_day(month),
            missing_days=tuple(sorted({d.isoformat() for d in missing_days if Month.of(d) == month})),
            trend=tuple(trend),
            not_counted=tuple(sorted(not_counted, key=lambda n: (n.opened_at or 0, n.ticket_id))),
        )


def _describe(window: MeasurementWindow) -> str:
    last = "doorlopend" if window.last is None else f"t/m {window.last}"
    return f"gemeten vanaf {window.first}, {last}"

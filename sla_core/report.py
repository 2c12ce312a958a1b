"""The monthly report of one tenant (SLA §9, measurement §5): figures, evidence, trailing year.

:class:`Reporter` is built once per run from the contract, the availability
results, the exclusions and ``as_of``; it caches per-month availability (the
platform is shared by all tenants, SLA §3) and computes a
:class:`~sla_core.report_records.MonthlyReport` per tenant and month from that
tenant's events (the records and their counting: :mod:`sla_core.report_records`).
Trailing 12 months are sums of minutes and counts over the window's months,
never averages of monthly percentages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
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
from sla_core.report_records import MonthFigures, MonthlyReport, NotCounted, TicketLevel, tally
from sla_core.tickets import fold_all
from sla_core.vocabulary import TICKET_METRICS
from sla_core.zone_hours import month_finder


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

"""Ticket outcomes per metric (measurement §2): met, breached or pending, and when.

For a measured ticket (attributable incident with an ``opened`` event) and a
metric, let E(t) be the clock time from ``opened`` to t over the active pieces
(clock running, not paused), T(t) the target of the priority in effect at t,
and D the first instant with E(D) >= T(D) (the deadline).

* The clock stopped at S, and S <= D (or there is no D): **met**, decided at
  S; then E(S) <= T(S).
* Otherwise, if D <= ``as_of``: **breached**, decided at D — also while the
  ticket is still open (SLA §7.2.1–7.2.3).
* Otherwise: **pending**, not counted.

The first decision is final: a stop after D in a gap without service hours
(E(S) = T, answered on Saturday after a Friday-19:00 deadline) or a downgrade
after D does not turn the breach into met, so an outcome is never counted in
two months (measurement §2, "Month attribution").

Response clock: ``opened`` → first ``responded``, ``resolved`` or ``closed``.
Restore clock: ``opened`` → ``resolved``; ``reopened`` resumes it; ``closed``
while it runs counts as ``resolved``. Stops dated before ``opened`` count at
``opened``. A target in months is the wall time from ``opened`` to the same
local time that many calendar months later (day clamped to the month's end).
"""

from __future__ import annotations

import fnmatch
from calendar import monthrange
from datetime import datetime

from sla_core.business_calendar import US_PER_MINUTE, BusinessCalendar, from_us, to_us
from sla_core.contract import Contract, Target
from sla_core.outcome_records import Incomplete, Outcome, Pause
from sla_core.status_class import StatusClasses, fold
from sla_core.ticket_clock import (
    BusinessClock,
    CalendarClock,
    Clock,
    Piece,
    elapsed,
    reach,
    subtract,
)
from sla_core.tickets import Ticket

US_PER_HOUR = 60 * US_PER_MINUTE
# An outcome's fields after tenant, ticket and metric, in :class:`Outcome`'s order: outcome, priority, clock,
# opened_at, decided_at, elapsed, target, stopped_at, pauses, actual (instants and durations in µs).
Decision = tuple[str, str, str, int, int | None, int, int, int | None, tuple[Pause, ...], int | None]


class OutcomeRules:
    """Computes outcomes with a contract's targets, pause patterns and calendar."""

    def __init__(self, contract: Contract, calendar: BusinessCalendar) -> None:
        self._contract = contract
        self._calendar = calendar
        self._clocks: dict[str, Clock] = {"hours": BusinessClock(calendar), "months": CalendarClock()}
        self._patterns = [fold(p) for p in contract.pause_patterns]
        self._pause_status: dict[str, bool] = {}
        self._pausing: dict[tuple[str, ...], bool] = {}  # whether any of a ticket's statuses pauses
        self._classes = StatusClasses(contract.known_statuses, contract.pause_patterns)  # reported: measurement §8.3
        self._month_targets: dict[tuple[float, int], int] = {}
        self._targets: dict[tuple[str, str], tuple[Target, Clock, int | None]] = {}  # target, clock, µs in hours
        self.simple = True  # the common ticket's shorter path (False: always the general one; for the tests)

    def is_pause_status(self, status: str | None) -> bool:
        """Whether a status pauses the clock (case-insensitive, ``*`` wildcard; SLA §7.2)."""
        if status is None:
            return False
        known = self._pause_status.get(status)
        if known is None:
            folded = fold(status)  # as status classes compare (measurement §8.3): case and runs of white space
            known = self._pause_status[status] = any(fnmatch.fnmatchcase(folded, p) for p in self._patterns)
        return known

    def target_us(self, target: Target, opened_at: int) -> int:
        """Target length in µs: hours on the business clock, months as wall time from ``opened``."""
        if target.unit == "hours":
            return round(target.value * US_PER_HOUR)
        key = (target.value, opened_at)
        found = self._month_targets.get(key)
        if found is None:
            if len(self._month_targets) >= 1024:  # asked for a ticket's two metrics: a small memory is enough
                self._month_targets.clear()
            later = add_months(from_us(opened_at, self._calendar.zone), int(target.value))
            found = self._month_targets[key] = to_us(later) - opened_at
        return found

    def pauses(self, ticket: Ticket, opened_at: int) -> list[Pause]:
        """Paused intervals from ``opened`` on, from the status step function."""
        values = ticket.status.values
        pausing = self._pausing.get(values)
        if pausing is None:  # statuses come in a few dozen sequences: remembered, in a bounded memory
            if len(self._pausing) >= 4096:
                self._pausing.clear()
            pausing = self._pausing[values] = any(self.is_pause_status(status) for status in values)
        if not pausing:
            return []  # most tickets never pause: no need to cut the status into pieces
        return [
            Pause(start, end, self._classes.of(status) or "")
            for start, end, status in ticket.status.segments(opened_at)
            if self.is_pause_status(status)
        ]

    def outcomes(self, ticket: Ticket, as_of: int) -> list[Outcome | Incomplete]:
        """Outcomes of a measured ticket for response time and its restore metric."""
        if ticket.opened_at is None:
            return [Incomplete(ticket.tenant, ticket.ticket_id, "geen 'opened'-gebeurtenis")]
        if ticket.priority.latest is None:
            return [Incomplete(ticket.tenant, ticket.ticket_id, "geen prioriteit")]
        opened = ticket.opened_at
        pauses = self.pauses(ticket, opened)
        holes: list[Piece] = [(p.start, p.end) for p in pauses]
        restore_metric = "restore_time_platform" if ticket.latest_scope == "platform" else "restore_time_application"
        priorities = ticket.priority.segments(opened, backfill=True)  # the same for both metrics
        decided: list[Outcome | Incomplete] = []
        tenant, ticket_id = ticket.tenant, ticket.ticket_id
        for metric, runs in (
            ("response_time", self._response_runs(ticket, opened)),
            (restore_metric, self._restore_runs(ticket, opened)),
        ):
            if self.simple and not pauses and len(priorities) == 1 and len(runs) == 1:
                fields = self._decide_simple(metric, runs[0], priorities[0][2], as_of)
            else:
                fields = self._decide(ticket, metric, runs, holes, pauses, priorities, as_of)
            decided.append(Outcome(tenant, ticket_id, metric, *fields))  # the one place an Outcome is built
        return decided

    def _decide_simple(self, metric: str, run: Piece, priority: str | None, as_of: int) -> Decision:
        """:meth:`_decide` for the common ticket: one run of the clock, no pause, one priority from ``opened`` on.

        The same steps with a single piece written out (a property test holds both to the same outcomes).
        """
        opened, stopped_at = run
        assert priority is not None
        found = self._targets.get((metric, priority))
        if found is None:  # a few (metric, priority) pairs: remembered
            target = self._contract.metrics.rule(metric).targets[priority]
            hours = self.target_us(target, 0) if target.unit == "hours" else None  # the same from any opening
            found = self._targets[metric, priority] = (target, self._clocks[target.unit], hours)
        target, clock, goal = found
        if goal is None:
            goal = self.target_us(target, opened)
        # The clock time until the stop, counted once: it decides whether a deadline is reached, and it is
        # both the elapsed time of a met outcome and the actual length. A breach's elapsed time is the goal.
        actual = None if stopped_at is None else clock.length(opened, stopped_at)
        deadline: int | None
        if goal <= 0:
            deadline = opened
        elif actual is None or actual >= goal:
            deadline = clock.reach(opened, goal)  # reached while the clock runs
        else:
            deadline = None
        if stopped_at is not None and (deadline is None or stopped_at <= deadline):
            outcome, decided_at, clock_time = "met", stopped_at, actual
        elif deadline is not None and deadline <= as_of:
            outcome, decided_at, clock_time = "breached", deadline, goal if goal > 0 else 0
        else:
            moment = as_of if as_of > opened else opened
            until = moment if stopped_at is None or stopped_at > moment else stopped_at
            outcome, decided_at, clock_time = "pending", None, clock.length(opened, until) if opened < moment else 0
        return outcome, priority, clock.name, opened, decided_at, clock_time, goal, stopped_at, (), actual

    @staticmethod
    def _response_runs(ticket: Ticket, opened: int) -> list[Piece]:
        for event in ticket.stops:
            if event.kind in ("responded", "resolved", "closed"):
                return [(opened, event.at if event.at > opened else opened)]  # max() is slower on Python 3.11
        return [(opened, None)]

    @staticmethod
    def _restore_runs(ticket: Ticket, opened: int) -> list[Piece]:
        runs: list[Piece] = []
        running_since: int | None = opened
        for event in ticket.stops:
            at = event.at if event.at > opened else opened  # max() is slower on Python 3.11
            if event.kind in ("resolved", "closed") and running_since is not None:
                runs.append((running_since, at))
                running_since = None
            elif event.kind == "reopened" and running_since is None:
                running_since = at
        if running_since is not None:
            runs.append((running_since, None))
        return runs

    def _decide(
        self,
        ticket: Ticket,
        metric: str,
        runs: list[Piece],
        holes: list[Piece],
        pauses: list[Pause],
        priorities: list[tuple[int, int | None, str | None]],
        as_of: int,
    ) -> Decision:
        """An outcome's fields after tenant, ticket and metric (:data:`Decision`), walking the active pieces."""
        opened = ticket.opened_at
        assert opened is not None
        rule = self._contract.metrics.rule(metric)
        active = subtract(runs, holes) if holes else [r for r in runs if r[1] is None or r[0] < r[1]]  # as subtract
        stopped_at = runs[-1][1]

        def result(outcome: str, at: int | None, moment: int) -> Decision:
            priority = ticket.priority.at(moment, backfill=True)
            assert priority is not None
            target = rule.targets[priority]
            clock = self._clocks[target.unit]
            clock_time = elapsed(clock, active, moment)
            if stopped_at is None:
                actual = None
            elif stopped_at == moment:  # met: the clock time at the stop is the one just counted
                actual = clock_time
            else:
                actual = elapsed(clock, active, max(stopped_at, opened))
            goal = self.target_us(target, opened)
            shown = tuple(p for p in pauses if p.start < moment)
            return outcome, priority, clock.name, opened, at, clock_time, goal, stopped_at, shown, actual

        deadline = self._deadline(priorities, rule.targets, active, opened)
        if stopped_at is not None and (deadline is None or stopped_at <= deadline):
            return result("met", stopped_at, stopped_at)
        if deadline is not None and deadline <= as_of:
            return result("breached", deadline, deadline)
        return result("pending", None, max(as_of, opened))

    def _deadline(
        self,
        priorities: list[tuple[int, int | None, str | None]],
        targets: dict[str, Target],
        active: list[Piece],
        opened: int,
    ) -> int | None:
        """First instant D with E(D) >= T(D), walking the priority pieces (from ``opened`` on, backfilled) in order."""
        for start, end, priority in priorities:
            assert priority is not None
            target = targets[priority]
            clock = self._clocks[target.unit]
            goal = self.target_us(target, opened)
            if elapsed(clock, active, start) >= goal:
                return start
            candidate = reach(clock, active, goal)
            if candidate is not None and (end is None or candidate < end):
                return candidate
        return None


def add_months(local: datetime, months: int) -> datetime:
    """The same wall-clock time ``months`` calendar months later, the day clamped to the month's end.

    As ``local + dateutil.relativedelta(months=months)``: the result has ``fold=0`` (the first of two
    readings of a repeated hour), as datetime arithmetic gives.
    """
    year, month = divmod(local.year * 12 + local.month - 1 + months, 12)
    day = min(local.day, monthrange(year, month + 1)[1])
    return local.replace(year=year, month=month + 1, day=day, fold=0)


def minutes(micros: int) -> float:
    """µs as minutes (float)."""
    return micros / US_PER_MINUTE

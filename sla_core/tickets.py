"""The fold of a ticket's events (measurement §2): what the ticket was at every instant.

A ticket is the fold, in ``occurred_at`` order (ties: kind, then event id), of
its events. Each optional attribute (type, priority, status, scope,
attributable) is a step function: an event that carries it sets the value from
its instant on; before the first event that sets it, the attribute has no
value (a status set after opening pauses from that instant, not before). The
priority alone is read with *backfill*: a ticket opened without a priority
takes the first priority it is given from opening on, since a target is
needed from the start. Everything is in integer microseconds since the epoch.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sla_core.events import TicketEvent, deduplicate, fold_order


class Steps(NamedTuple):
    """A step function of time: ``values[i]`` holds from ``times[i]`` until ``times[i + 1]`` (µs).

    A named pair rather than a frozen dataclass: :func:`fold_ticket` builds four per ticket at C level
    (``tuple.__new__``), where a frozen dataclass's ``__init__`` took half of the fold's time.
    """

    times: tuple[int, ...] = ()
    values: tuple[str, ...] = ()

    def at(self, t: int, backfill: bool = False) -> str | None:
        """The value in effect at instant ``t``; before the first step None, or the first value with ``backfill``."""
        if not self.times:
            return None
        i = bisect_right(self.times, t) - 1
        if i < 0:
            return self.values[0] if backfill else None
        return self.values[i]

    @property
    def latest(self) -> str | None:
        """The last value set."""
        return self.values[-1] if self.values else None

    def segments(self, start: int, backfill: bool = False) -> list[tuple[int, int | None, str | None]]:
        """``(from, until, value)`` pieces from ``start`` on; ``until`` None is open-ended."""
        if not self.times:
            return []
        if len(self.times) == 1:  # the common case, as the general code below gives it
            first, value = self.times[0], self.values[0]
            if first <= start or backfill:
                return [(start, None, value)]
            return [(start, first, None), (first, None, value)]
        points = [(start, self.at(start, backfill))]
        points += [(t, v) for t, v in zip(self.times, self.values) if t > start]
        pieces: list[tuple[int, int | None, str | None]] = []
        for (t, v), (nxt, _) in zip(points, [*points[1:], (None, None)]):
            if pieces and pieces[-1][2] == v:  # same value again: extend the previous piece
                pieces[-1] = (pieces[-1][0], nxt, v)
            else:
                pieces.append((t, nxt, v))
        return pieces


@dataclass(slots=True)
class Ticket:
    """A folded ticket. ``opened_at`` is the first ``opened`` event, None when there is none (treat as immutable)."""

    tenant: str
    ticket_id: str
    events: tuple[TicketEvent, ...]
    opened_at: int | None
    type: Steps
    priority: Steps
    status: Steps
    scope: Steps
    attributable: bool = True
    stops: tuple[TicketEvent, ...] = field(default=())

    @property
    def latest_type(self) -> str | None:
        """The ticket's type as last set."""
        return self.type.latest

    @property
    def latest_scope(self) -> str:
        """The restore scope as last set; ``applicatie`` by default (measurement §2)."""
        return self.scope.latest or "applicatie"


def _put(times: list[int], values: list[str], at: int, value: str) -> None:
    if times and times[-1] == at:
        values[-1] = value  # same instant: the later event in fold order wins
    else:
        times.append(at)
        values.append(value)


_steps = tuple.__new__  # Steps(times, values) without the Python-level __new__ of a named tuple


def fold_ticket(events: list[TicketEvent]) -> Ticket:
    """Fold the sorted, de-duplicated events of one ticket (the hot path: attributes read inline)."""
    first = events[0]
    opened_at = None
    type_t: list[int] = []
    type_v: list[str] = []
    prio_t: list[int] = []
    prio_v: list[str] = []
    status_t: list[int] = []
    status_v: list[str] = []
    scope_t: list[int] = []
    scope_v: list[str] = []
    attributable = True
    stops = []
    for event in events:
        at, kind = event.at, event.kind
        if kind == "opened":
            if opened_at is None:
                opened_at = at
        elif kind != "updated":
            stops.append(event)
        if event.type is not None:
            _put(type_t, type_v, at, event.type)
        if event.priority is not None:
            _put(prio_t, prio_v, at, event.priority)
        if event.status is not None:
            _put(status_t, status_v, at, event.status)
        if event.scope is not None:
            _put(scope_t, scope_v, at, event.scope)
        if event.attributable is not None:
            attributable = event.attributable
    return Ticket(
        tenant=first.tenant,
        ticket_id=first.ticket_id,
        events=tuple(events),
        opened_at=opened_at,
        type=_steps(Steps, (tuple(type_t), tuple(type_v))),
        priority=_steps(Steps, (tuple(prio_t), tuple(prio_v))),
        status=_steps(Steps, (tuple(status_t), tuple(status_v))),
        scope=_steps(Steps, (tuple(scope_t), tuple(scope_v))),
        attributable=attributable,
        stops=tuple(stops),
    )


def fold_all(events: Iterable[TicketEvent], as_of: int | None = None) -> list[Ticket]:
    """De-duplicate, drop events after ``as_of`` (µs), group per ticket and fold; sorted by ticket."""
    listed = events if type(events) is list else list(events)
    if len({event.event_id for event in listed}) == len(listed):
        ordered = fold_order(listed)  # every identity once (as parsed files and stored partitions give them)
    else:
        ordered = deduplicate(listed)
    by_ticket: dict[tuple[str, str], list[TicketEvent]] = defaultdict(list)
    for event in ordered:
        if as_of is None or event.at <= as_of:
            by_ticket[(event.tenant, event.ticket_id)].append(event)
    return [fold_ticket(by_ticket[key]) for key in sorted(by_ticket)]

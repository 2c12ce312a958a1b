"""The records of ticket outcomes (measurement §2): a pause, an outcome per metric, an unmeasurable ticket.

Computed by :class:`sla_core.outcomes.OutcomeRules` (and imported from there by most callers). All
instants are µs since the epoch, all durations µs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Pause:
    """A paused interval ``[start, end)`` (end None: still paused) and the status that paused it."""

    start: int
    end: int | None
    status: str


@dataclass(slots=True)
class Outcome:
    """The outcome of one ticket for one metric. Instants and durations in µs (treat as immutable)."""

    tenant: str
    ticket_id: str
    metric: str
    outcome: str  # "met" | "breached" | "pending"
    priority: str
    clock: str  # "business" | "calendar"
    opened_at: int
    decided_at: int | None
    elapsed: int  # clock time at the decision instant (pending: at as_of)
    target: int
    stopped_at: int | None
    pauses: tuple[Pause, ...]
    # Clock time from ``opened`` until the clock stopped, never cut at the target: a breached restore
    # shows its real length next to the target (measurement §8.8). None while the clock still runs, so a
    # decided outcome does not change with ``as_of`` alone (measurement §2) — only a new event sets it.
    actual: int | None = None

    @property
    def decided(self) -> bool:
        """Met or breached (pending outcomes are not counted)."""
        return self.outcome != "pending"


@dataclass(frozen=True, slots=True)
class Incomplete:
    """A ticket that cannot be measured, and why."""

    tenant: str
    ticket_id: str
    reason: str

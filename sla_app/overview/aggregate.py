"""Sums over stored reports: minutes and counts, never averages of percentages (measurement §5).

A report's ``service_levels`` block holds the figures behind each value:
availability minutes (scheduled, unknown, down, excluded) and, per ticket
level, ``decided`` and ``within``. A period of several months, or several
tenants, is the sum of those figures, and its value is computed from the sums
with the same formulas as a month (``sla_core``'s ``AvailabilityFigures`` and
``Tally``). Averaging monthly percentages would give a month with 1 ticket as
much weight as a month with 100.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

from sla_core.availability import ZERO, AvailabilityFigures
from sla_core.report_json import availability_json
from sla_core.report_records import Tally
from sla_core.verdict import meets_norm
from sla_core.vocabulary import AVAILABILITY, LEVELS, TICKET_METRICS


def _minutes(block: Mapping[str, Any], key: str) -> float:
    value = block.get(key)
    return 0.0 if value is None else float(value)


def availability_of(block: Mapping[str, Any]) -> AvailabilityFigures:
    """The minutes of a stored availability block."""
    return AvailabilityFigures(
        scheduled_minutes=_minutes(block, "scheduled_minutes"),
        unknown_minutes=_minutes(block, "unknown_minutes"),
        down_minutes=_minutes(block, "down_minutes"),
        excluded_minutes=_minutes(block, "excluded_minutes"),
    )


def tally_of(block: Mapping[str, Any]) -> Tally:
    """The counts of a stored ticket level block."""
    return Tally(int(block.get("decided") or 0), int(block.get("within") or 0))


def ticket_json(metric: str, tally: Tally, norm: float | None) -> dict[str, Any]:
    """A ticket level cell: norm, value (from counts), met (nothing decided: met, "n.v.t."), the counts."""
    value = tally.value
    return {
        "norm": norm,
        "value": value,
        "met": meets_norm(metric, value, norm),
        "decided": tally.decided,
        "within": tally.within,
        "breached": tally.decided - tally.within,
    }


def month_cell(metric: str, block: Mapping[str, Any]) -> dict[str, Any]:
    """A stored month's block as a cell: the report's own value and verdict, with the figures behind them."""
    if metric == AVAILABILITY:
        cell = availability_json(availability_of(block), block.get("norm"))
        cell["insufficiently_measured"] = block.get("insufficiently_measured")
    else:
        cell = ticket_json(metric, tally_of(block), block.get("norm"))
    cell["value"], cell["met"] = block.get("value"), block.get("met")  # the report's verdict, as stored
    return cell


@dataclass
class Sums:
    """Minutes and counts summed over months and/or tenants, with the norms that applied."""

    availability: AvailabilityFigures = ZERO
    tickets: dict[str, Tally] = field(default_factory=lambda: {m: Tally() for m in TICKET_METRICS})
    norms: dict[str, set[float]] = field(default_factory=lambda: {m: set() for m in LEVELS})

    def add_levels(self, levels: Mapping[str, Any]) -> None:
        """Add one report's ``service_levels``."""
        block = levels.get("availability") or {}
        self.availability = self.availability + availability_of(block)
        if block.get("norm") is not None:
            self.norms["availability"].add(float(block["norm"]))
        for metric in TICKET_METRICS:
            block = levels.get(metric) or {}
            self.tickets[metric] = self.tickets[metric] + tally_of(block)
            if block.get("norm") is not None:
                self.norms[metric].add(float(block["norm"]))

    def __iadd__(self, other: Sums) -> Self:
        self.availability = self.availability + other.availability
        for metric in TICKET_METRICS:
            self.tickets[metric] = self.tickets[metric] + other.tickets[metric]
        for metric in LEVELS:
            self.norms[metric] |= other.norms[metric]
        return self

    def norm(self, metric: str) -> float | None:
        """The norm that applied to every summed figure; None when they differ (no verdict then)."""
        norms = self.norms[metric]
        return next(iter(norms)) if len(norms) == 1 else None

    def to_json(self, norms: Mapping[str, float | None] | None = None) -> dict[str, Any]:
        """Cells per service level; ``norms`` overrides the norm judged against (e.g. the current month's)."""
        chosen = {m: (norms or {}).get(m, self.norm(m)) for m in LEVELS}
        cells = {"availability": availability_json(self.availability, chosen["availability"])}
        for metric in TICKET_METRICS:
            cells[metric] = ticket_json(metric, self.tickets[metric], chosen[metric])
        return cells


def summed(levels: Iterable[Mapping[str, Any]]) -> Sums:
    """The sums of several reports' ``service_levels``."""
    sums = Sums()
    for item in levels:
        sums.add_levels(item)
    return sums

"""The verdict: is a service level's norm met? One rule for every report, aggregate, notice and page.

* The value is compared **unrounded** with the norm: met when ``value ≥ norm``
  (docs/measurement.md conventions; shown values are truncated, §8.8).
* A ticket level without a decided outcome has no value (None) and counts as
  **met** ("n.v.t.", measurement §2.9).
* Availability without measured service hours has no value (None) and gets
  **no verdict** (None: "niet gemeten", measurement §3.4).
* Figures summed under different norms have no norm (None) and get no
  verdict either.
"""

from __future__ import annotations

from sla_core.vocabulary import AVAILABILITY


def ticket_value(decided: int, within: int) -> float | None:
    """Percent of the decided outcomes within target (measurement §2.9); None when nothing was decided."""
    return None if decided == 0 else within / decided * 100.0


def meets_norm(level: str, value: float | None, norm: float | None) -> bool | None:
    """Whether ``value`` (percent, unrounded) meets ``norm`` for ``level`` (``availability`` or a ticket level).

    None when there is no verdict: no norm, or availability not measured. A ticket level without a value
    (nothing decided) is met.
    """
    if norm is None:
        return None
    if value is None:
        return None if level == AVAILABILITY else True
    return value >= norm


def ticket_met(norm: float, decided: int, within: int) -> bool:
    """The verdict of a ticket level from its counts: ``within / decided × 100 ≥ norm``, nothing decided is met."""
    return bool(meets_norm("ticket", ticket_value(decided, within), norm))  # a ticket level with a norm: never None

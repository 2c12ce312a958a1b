"""The at-risk assessment in Dutch: a label and a reason per service level (the core gives the numbers).

:func:`at_risk_json` is what the at-risk API, the notice and the portal show:
the core's JSON (:meth:`sla_core.at_risk.AtRisk.to_json`) with, per level,
``label`` (``op koers``, ``risico``, ``kan niet meer gehaald worden``,
``niet gemeten``) and ``reason``, a sentence that names the numbers behind
the status. Numbers are written the Dutch way and truncated, never rounded
(measurement §8.8): ``61,0 min``, ``99,39 %``.
"""

from __future__ import annotations

from typing import Any

from sla_core.at_risk import AT_RISK, NOT_MEASURED, ON_TRACK, UNREACHABLE, AtRisk, AvailabilityRisk, TicketRisk
from sla_core.report_text import number, percent

STATUS_LABELS = {
    ON_TRACK: "op koers",
    AT_RISK: "risico",
    UNREACHABLE: "kan niet meer gehaald worden",
    NOT_MEASURED: "niet gemeten",
}


def _minutes(value: float) -> str:
    """``12,5 min``: one decimal."""
    return f"{number(value, 1)} min"


def _count(k: int, one: str, many: str) -> str:
    return f"{k} {one if k == 1 else many}"


def availability_reason(risk: AvailabilityRisk) -> str:
    """Why availability has its status, naming the down time, the month's budget and what is left."""
    norm, down, budget = percent(risk.norm), _minutes(risk.down_minutes), _minutes(risk.allowed_minutes)
    remaining = _minutes(risk.remaining_minutes)
    if risk.status == NOT_MEASURED:
        return "niet gemeten: deze maand heeft geen servicetijd met metingen"
    if risk.status == UNREACHABLE:
        return (
            f"kan niet meer gehaald worden: {down} niet beschikbaar, terwijl de norm van {norm} deze maand "
            f"hoogstens {budget} toestaat; ook als de resterende {remaining} servicetijd beschikbaar is, "
            f"komt de maand op hoogstens {percent(risk.best_possible)}"
        )
    if risk.status == AT_RISK:
        spent = risk.down_minutes >= risk.allowed_minutes
        used = "alle" if spent else f"{percent(risk.down_minutes / risk.allowed_minutes * 100)} van de"
        room = _minutes(max(risk.allowed_minutes - risk.down_minutes, 0.0))
        return (
            f"risico: {down} niet beschikbaar, {used} {budget} die de norm van {norm} deze maand toestaat; "
            f"nog {room} ruimte in de resterende {remaining} servicetijd"
        )
    reason = f"op koers: {down} niet beschikbaar van de {budget} die de norm van {norm} deze maand toestaat"
    if risk.elapsed_minutes > 0 and risk.unknown_minutes >= risk.elapsed_minutes:
        reason += "; tot nu toe niets gemeten"
    elif risk.elapsed_minutes == 0:
        reason += "; de servicetijd van deze maand is nog niet begonnen"
    return reason


def ticket_reason(risk: TicketRisk) -> str:
    """Why a ticket level has its status, naming the value so far and the met outcomes still needed."""
    norm = percent(risk.norm)
    so_far = f"{risk.within} van {risk.decided} binnen de streeftijd ({percent(risk.value)})"
    if risk.decided == 0:
        reason = "op koers: nog geen uitkomsten beslist (n.v.t., geldt als gehaald)"
    elif risk.needed_met is None:
        reason = (
            f"kan niet meer gehaald worden: {so_far}; de norm van {norm} laat geen overschrijding toe "
            f"en er {'is' if risk.breached == 1 else 'zijn'} er al {risk.breached}"
        )
    elif risk.needed_met > 0:
        reason = (
            f"risico: {so_far}, onder de norm van {norm}; nog minstens "
            f"{_count(risk.needed_met, 'uitkomst', 'uitkomsten')} binnen de streeftijd nodig (zonder nieuwe "
            "overschrijding) om de norm deze maand te halen"
        )
    else:
        reason = f"op koers: {so_far}, norm {norm}"
    if risk.pending:
        reason += f"; {_count(risk.pending, 'melding loopt', 'meldingen lopen')} nog"
    return reason


def reason(level: AvailabilityRisk | TicketRisk) -> str:
    """The reason of either kind of level."""
    return availability_reason(level) if isinstance(level, AvailabilityRisk) else ticket_reason(level)


def level_json(level: AvailabilityRisk | TicketRisk) -> dict[str, Any]:
    """One level's JSON with its Dutch ``label`` and ``reason``."""
    return {**level.to_json(), "label": STATUS_LABELS[level.status], "reason": reason(level)}


def at_risk_json(assessed: AtRisk) -> dict[str, Any]:
    """The assessment's JSON with a Dutch ``label`` and ``reason`` per service level."""
    data = assessed.to_json()
    data["service_levels"] = {level.metric: level_json(level) for level in assessed.levels}
    return data

"""A readable Dutch summary of a report: one line per service level (norm, value, gehaald / niet gehaald).

It reads the report's JSON (``report_json``), so a stored report prints the
same as a freshly computed one. Dutch number formatting: decimal comma,
thousands dots, ``99,87 %``. Values are rounded for display only;
``gehaald`` is the unrounded verdict of the report.
"""

from __future__ import annotations

from typing import Any

MONTHS_NL = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)  # fmt: skip
LEVEL_NAMES = {
    "availability": "Beschikbaarheid",
    "response_time": "Reactietijd",
    "restore_time_platform": "Functiehersteltijd platform",
    "restore_time_application": "Functiehersteltijd applicatie",
    "load_time": "Laadtijd",
}
TICKET_LEVELS = ("response_time", "restore_time_platform", "restore_time_application")


def number(value: float, decimals: int = 0) -> str:
    """A number with a decimal comma and dots between thousands: ``12.960`` or ``99,65``."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def percent(value: float | None) -> str:
    """``99,87 %``; ``n.v.t.`` for None."""
    return "n.v.t." if value is None else f"{number(value, 2)} %"


def verdict(met: bool | None) -> str:
    """``gehaald`` / ``niet gehaald`` / ``niet gemeten``."""
    return {True: "gehaald", False: "niet gehaald", None: "niet gemeten"}[met]


def month_name(month: str) -> str:
    """``2026-05`` → ``mei 2026``."""
    year, number_ = month.split("-")
    return f"{MONTHS_NL[int(number_) - 1]} {year}"


def _ticket_line(metric: str, level: dict[str, Any]) -> str:
    decided = level["decided"]
    shown = verdict(level["met"]) if decided else "n.v.t. (gehaald)"
    return (
        f"{LEVEL_NAMES[metric]:<31} norm {percent(level['norm']):>8}  waarde {percent(level['value']):>8}  "
        f"{shown}  ({level['within']} van {decided} binnen de streeftijd)"
    )


def _availability_line(level: dict[str, Any]) -> str:
    return (
        f"{LEVEL_NAMES['availability']:<31} norm {percent(level['norm']):>8}  waarde {percent(level['value']):>8}  "
        f"{verdict(level['met'])}  (dekking {percent(level['coverage'])}, "
        f"{number(level['down_minutes'], 1)} min niet beschikbaar van {number(level['scheduled_minutes'])} min servicetijd)"
    )


def report_text(report: dict[str, Any]) -> str:
    """The summary of a report JSON object, as lines of text."""
    levels = report["service_levels"]
    availability = levels["availability"]
    lines = [
        f"Servicerapportage {report.get('tenant_name') or report['tenant']} — {month_name(report['month'])}",
        f"Contract: {report.get('contract_version', '')}",
        "",
        _availability_line(availability),
    ]
    if availability.get("insufficiently_measured"):
        lines.append(f"{'':<31} let op: onvoldoende gemeten (dekking onder de grens)")
    lines += [_ticket_line(m, levels[m]) for m in TICKET_LEVELS]
    load = levels["load_time"]
    p95 = "n.v.t." if load["p95_seconds"] is None else f"{number(load['p95_seconds'], 2)} s"
    lines.append(
        f"{LEVEL_NAMES['load_time']:<31} streven {number(load['target_seconds'], 1)} s  "
        f"binnen streven {percent(load['value'])} van {number(load['samples'])} metingen, p95 {p95}"
    )
    trailing = report["trailing_12_months"]
    lines += ["", f"Voortschrijdend jaar ({len(trailing['months'])} maanden):", _availability_line(trailing["availability"])]
    lines += [_ticket_line(m, trailing[m]) for m in TICKET_LEVELS]
    breached = [o for o in report["outcomes"] if o["outcome"] == "breached"]
    if breached:
        lines += ["", "Niet binnen de streeftijd:"]
        lines += [f"  {o['ticket_id']}  {LEVEL_NAMES[o['metric']]}  prioriteit {o['priority']}" for o in breached]
    incomplete = report.get("incomplete_tickets") or []
    if incomplete:
        lines += ["", "Onvolledige meldingen (niet gemeten):"]
        lines += [f"  {i['ticket_id']}: {i['reason']}" for i in incomplete]
    return "\n".join(lines)

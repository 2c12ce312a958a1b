"""A readable Dutch summary of a report: one line per service level (norm, value, gehaald / niet gehaald).

Dutch number formatting: decimal comma, two decimals, ``99,87 %``. Values are
rounded for display only; ``gehaald`` is decided on the unrounded value.
"""

from __future__ import annotations

from sla_core.contract import Contract
from sla_core.report import MonthlyReport, TicketLevel

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


def percent(value: float | None) -> str:
    """``99,87 %``; ``n.v.t.`` for None."""
    if value is None:
        return "n.v.t."
    return f"{value:.2f}".replace(".", ",") + " %"


def number(value: float, decimals: int = 0) -> str:
    """A number with a decimal comma and dots between thousands."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def verdict(met: bool | None) -> str:
    """``gehaald`` / ``niet gehaald`` / ``niet gemeten``."""
    return {True: "gehaald", False: "niet gehaald", None: "niet gemeten"}[met]


def _ticket_line(name: str, level: TicketLevel, suffix: str = "") -> str:
    detail = f"{level.total.within} van {level.total.decided} binnen de streeftijd"
    return f"{name:<31} norm {percent(level.norm):>8}  waarde {percent(level.total.value):>8}  " \
           f"{verdict(level.met) if level.total.decided else 'n.v.t. (gehaald)'}  ({detail}){suffix}"


def report_text(report: MonthlyReport) -> str:
    """The summary as lines of text."""
    contract: Contract = report.contract
    month = f"{MONTHS_NL[report.month.month - 1]} {report.month.year}"
    title = report.tenant_name or report.tenant
    a = report.availability
    norm = contract.availability.norm
    lines = [
        f"Servicerapportage {title} — {month}",
        f"Contract: {contract.version}",
        "",
        f"{LEVEL_NAMES['availability']:<31} norm {percent(norm):>8}  waarde {percent(a.value):>8}  "
        f"{verdict(report.availability_met)}  (dekking {percent(a.coverage)}, "
        f"{number(a.down_minutes, 1)} min niet beschikbaar van {number(a.scheduled_minutes)} min servicetijd)",
    ]
    if a.coverage is not None and a.coverage < contract.availability.min_coverage:
        lines.append(f"{'':<31} let op: onvoldoende gemeten (dekking onder {percent(contract.availability.min_coverage)})")
    for metric, level in report.tickets.items():
        lines.append(_ticket_line(LEVEL_NAMES[metric], level))
    lt = report.load_time
    p95 = "n.v.t." if lt.percentile_seconds is None else number(lt.percentile_seconds, 2) + " s"
    lines.append(
        f"{LEVEL_NAMES['load_time']:<31} streven {number(lt.target_seconds, 1)} s  "
        f"binnen streven {percent(lt.value)} van {number(lt.samples)} metingen, p95 {p95}"
    )
    lines += ["", f"Voortschrijdend jaar ({len(report.trailing_months)} maanden):"]
    ta = report.trailing_availability
    tv = ta.value
    lines.append(f"{LEVEL_NAMES['availability']:<31} waarde {percent(tv):>8}  "
                 f"{verdict(None if tv is None else tv >= norm)}")
    for metric, level in report.trailing_tickets.items():
        lines.append(_ticket_line(LEVEL_NAMES[metric], level))
    breached = [o for o in report.outcomes if o.outcome == "breached"]
    if breached:
        lines += ["", "Niet binnen de streeftijd:"]
        for o in breached:
            lines.append(f"  {o.ticket_id}  {LEVEL_NAMES[o.metric]}  prioriteit {o.priority}")
    if report.incomplete:
        lines += ["", "Onvolledige meldingen (niet gemeten):"]
        lines += [f"  {i.ticket_id}: {i.reason}" for i in report.incomplete]
    return "\n".join(lines)

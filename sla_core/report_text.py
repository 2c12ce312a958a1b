"""A readable Dutch summary of a report: one line per service level (norm, value, gehaald / niet gehaald).

It reads the report's JSON (``report_json``), so a stored report prints the
same as a freshly computed one. Dutch number formatting: decimal comma,
thousands dots, ``99,87 %``. Values are *truncated* for display, never
rounded (measurement §8.8), so a value below the norm never reads as the norm;
``gehaald`` is the unrounded verdict of the report. :func:`number` is the one
formatting function every document uses.
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, Decimal
from typing import Any

from sla_core.vocabulary import FINAL, PROVISIONAL, TICKET_METRICS

MONTHS_NL = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
LEVEL_NAMES = {
    "availability": "Beschikbaarheid",
    "response_time": "Reactietijd",
    "restore_time_platform": "Functiehersteltijd platform",
    "restore_time_application": "Functiehersteltijd applicatie",
    "load_time": "Laadtijd",
}
REPORT_STATUS_NAMES = {FINAL: "definitief", PROVISIONAL: "voorlopig"}  # measurement §8.5


def truncated(value: float, decimals: int = 0) -> Decimal:
    """``value`` cut (not rounded) to ``decimals`` places, towards zero (measurement §8.8).

    It starts from the shortest decimal that reads back as the same float
    (``repr``), which keeps the order of floats: if x < norm, the shown x is
    below the shown norm whenever the norm has at most ``decimals`` places
    (99.39999999999999 → 99,39; 99.4 → 99,40; 2/3 × 100 → 66,66).
    """
    cut = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)
    return cut.copy_abs() if cut.is_zero() else cut


def number(value: float, decimals: int = 0) -> str:
    """A number with a decimal comma and dots between thousands, truncated: ``12.960``, ``99,65``."""
    text = f"{truncated(value, decimals):,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def percent(value: float | None) -> str:
    """``99,87 %``; ``n.v.t.`` for None."""
    return "n.v.t." if value is None else f"{number(value, 2)} %"


def verdict(met: bool | None) -> str:
    """``gehaald`` / ``niet gehaald`` / ``niet gemeten``."""
    return {True: "gehaald", False: "niet gehaald", None: "niet gemeten"}[met]


def availability_verdict(level: dict[str, Any], trailing: bool = False) -> str:
    """The availability verdict; the trailing year's is ``onvoldoende gemeten`` under 90 % coverage (§8.8)."""
    if trailing and level.get("insufficiently_measured"):
        return "onvoldoende gemeten"
    return verdict(level["met"])


def ticket_verdict(level: dict[str, Any]) -> str:
    """A ticket level's verdict; ``n.v.t. (gehaald)`` when nothing was decided."""
    return verdict(level["met"]) if level["decided"] else "n.v.t. (gehaald)"


def month_name(month: str) -> str:
    """``2026-05`` → ``mei 2026``."""
    year, number_ = month.split("-")
    return f"{MONTHS_NL[int(number_) - 1]} {year}"


def months_count(count: int) -> str:
    """``1 maand``, ``12 maanden``."""
    return f"{count} {'maand' if count == 1 else 'maanden'}"


def duration(minutes: float) -> str:
    """``125`` → ``2 u 05 min``; ``45`` → ``45 min``; ``4200`` → ``2 d 22 u 00 min``; ``43200`` → ``30 d``.

    Cut to whole minutes, so an elapsed time just under its target never reads as equal to it.
    """
    total = math.floor(minutes + 1e-6)
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} u {mins:02d} min" if hours or mins else f"{days} d"
    if hours:
        return f"{hours} u {mins:02d} min"
    return f"{mins} min"


def target_text(outcome: dict[str, Any]) -> str:
    """A target as the SLA writes it: ``4 u 00 min`` of service hours, or ``1 maand`` / ``2 maanden``.

    A target in months is read from ``target`` (reports before it existed: from the calendar length).
    """
    target = outcome.get("target") or {}
    if target.get("unit") == "months":
        return months_count(int(target["value"]))
    if not target and outcome.get("clock") == "calendar":
        return months_count(max(1, round(outcome["target_minutes"] / (30.44 * 24 * 60))))
    return duration(outcome["target_minutes"])


def actual_minutes(outcome: dict[str, Any]) -> float | None:
    """The real clock time of an outcome, not cut at the target; None while its clock still runs.

    Reports stored before the key existed give the elapsed time.
    """
    if "actual_elapsed_minutes" not in outcome:
        return outcome["elapsed_minutes"]
    return outcome["actual_elapsed_minutes"]


def actual_text(outcome: dict[str, Any]) -> str:
    """``6 u 10 min``; ``loopt nog, meer dan 4 u 00 min`` while the clock runs (not yet responded or restored)."""
    actual = actual_minutes(outcome)
    return f"loopt nog, meer dan {target_text(outcome)}" if actual is None else duration(actual)


def is_provisional(report: dict[str, Any]) -> bool:
    """A provisional report (days of availability missing, measurement §8.5); no ``status`` means final."""
    return report.get("status") == "provisional"


def provisional_note(report: dict[str, Any]) -> str:
    """``Voorlopig: …`` naming the missing days; empty for a final report."""
    if not is_provisional(report):
        return ""
    days = report.get("missing_days") or []
    named = ", ".join(f"{int(d[8:10])} {MONTHS_NL[int(d[5:7]) - 1]}" for d in days)
    missing = f" Nog niet volledig gemeten: {named}." if named else ""
    return f"Voorlopig: de meetgegevens van deze maand zijn nog niet compleet; de cijfers kunnen nog wijzigen.{missing}"


def ignored_tests_note(level: dict[str, Any]) -> str:
    """``Resultaten van niet in de overeenkomst genoemde tests zijn genegeerd: X, Y.`` (measurement §8.7); empty
    when the availability block names no ignored test (no contract list, or every test seen is listed)."""
    ignored = level.get("ignored_tests") or []
    if not ignored:
        return ""
    return f"Resultaten van niet in de overeenkomst genoemde tests zijn genegeerd: {', '.join(ignored)}."


def _ticket_line(metric: str, level: dict[str, Any]) -> str:
    return (
        f"{LEVEL_NAMES[metric]:<31} norm {percent(level['norm']):>8}  waarde {percent(level['value']):>8}  "
        f"{ticket_verdict(level)}  ({level['within']} van {level['decided']} binnen de streeftijd)"
    )


def _availability_line(level: dict[str, Any], trailing: bool = False) -> str:
    flag = ", onvoldoende gemeten" if level.get("insufficiently_measured") and not trailing else ""
    return (
        f"{LEVEL_NAMES['availability']:<31} norm {percent(level['norm']):>8}  waarde {percent(level['value']):>8}  "
        f"{availability_verdict(level, trailing)}  (dekking {percent(level['coverage'])}{flag}, "
        f"{number(level['down_minutes'], 1)} min niet beschikbaar van {number(level['scheduled_minutes'])} min servicetijd)"
    )


def trend_rows(report: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """The trend per month as text cells: availability, then each ticket level (value and counts)."""
    rows = []
    for item in report["trailing_12_months"].get("by_month") or []:
        cells = [percent(item["availability"]["value"])]
        for metric in TICKET_METRICS:
            level = item[metric]
            cells.append(f"{percent(level['value'])} ({level['within']}/{level['decided']})")
        rows.append((month_name(item["month"]), cells))
    return rows


def report_text(report: dict[str, Any]) -> str:
    """The summary of a report JSON object, as lines of text."""
    levels = report["service_levels"]
    availability = levels["availability"]
    title = f"Servicerapportage {report.get('tenant_name') or report['tenant']} — {month_name(report['month'])}"
    lines = [("VOORLOPIG — " + title) if is_provisional(report) else title]
    if is_provisional(report):
        lines.append(provisional_note(report))
    lines += [f"Contract: {report.get('contract_version', '')}", "", _availability_line(availability)]
    if ignored_tests_note(availability):
        lines.append(f"  {ignored_tests_note(availability)}")
    lines += [_ticket_line(m, levels[m]) for m in TICKET_METRICS]
    load = levels["load_time"]
    p95 = "n.v.t." if load["p95_seconds"] is None else f"{number(load['p95_seconds'], 2)} s"
    lines.append(
        f"{LEVEL_NAMES['load_time']:<31} streven {number(load['target_seconds'], 1)} s  "
        f"binnen streven {percent(load['value'])} van {number(load['samples'])} metingen, p95 {p95}"
    )
    trailing = report["trailing_12_months"]
    lines += ["", f"Voortschrijdend jaar ({months_count(len(trailing['months']))}):"]
    lines.append(_availability_line(trailing["availability"], trailing=True))
    lines += [_ticket_line(m, trailing[m]) for m in TICKET_METRICS]
    trend = trend_rows(report)
    if trend:
        lines += ["", "Verloop per maand (waarde; binnen de streeftijd/beoordeeld):"]
        head = ["Beschikbaarheid", "Reactietijd", "Herstel platform", "Herstel applicatie"]
        lines.append(f"  {'maand':<15}" + "".join(f"{h:>20}" for h in head))
        lines += [f"  {name:<15}" + "".join(f"{c:>20}" for c in cells) for name, cells in trend]
    breached = [o for o in report["outcomes"] if o["outcome"] == "breached"]
    if breached:
        lines += ["", "Niet binnen de streeftijd (werkelijke tijd / streeftijd):"]
        lines += [
            f"  {o['ticket_id']}  {LEVEL_NAMES[o['metric']]}  prioriteit {o['priority']}: "
            f"{actual_text(o)} / {target_text(o)}"
            for o in breached
        ]
    not_counted = report.get("not_counted") or []
    incomplete = report.get("incomplete_tickets") or []
    if not_counted or incomplete:
        lines += ["", "Niet meegeteld:"]
        lines += [f"  {n['ticket_id']}: {n['reason']}" for n in not_counted]
        lines += [f"  {i['ticket_id']}: onvolledig, {i['reason']}" for i in incomplete]
    exclusions = report.get("exclusions") or []
    if exclusions:
        lines += ["", "Uitsluitingen (telt als beschikbaar):"]
        lines += [
            f"  {e['start'][:16].replace('T', ' ')} – {e['end'][:16].replace('T', ' ')}: {e['reason']}"
            for e in exclusions
        ]
    return "\n".join(lines)

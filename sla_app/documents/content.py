"""What the HTML e-mail and the PDF say: the report JSON turned into display-ready Dutch strings.

Both documents render the same template from the same :func:`context`, so
they always say the same thing. Only ticket numbers identify anything: the
name of whoever recorded an exclusion is left out (no personal data in the
report, SLA §5.2.1).
"""

from __future__ import annotations

from typing import Any

from sla_app.documents.chart_style import Chart
from sla_app.documents.content_basis import basis, trend
from sla_app.documents.format_nl import (
    CLOCK_NAMES,
    OUTCOME_NAMES,
    PRIORITY_NAMES,
    date_nl,
    instant_nl,
    instant_short_nl,
    local,
    minutes_nl,
    months_nl,
    period_nl,
    time_nl,
)
from sla_core.report_text import (
    LEVEL_NAMES,
    actual_text,
    availability_verdict,
    ignored_tests_note,
    is_provisional,
    month_name,
    months_count,
    number,
    percent,
    provisional_note,
    target_text,
    verdict,
)
from sla_core.vocabulary import LEVELS, PRIORITIES, TICKET_METRICS

CLAUSES = {
    "availability": "SLA §7.1",
    "response_time": "SLA §7.2.1",
    "restore_time_platform": "SLA §7.2.2",
    "restore_time_application": "SLA §7.2.3",
}


def subject(report: dict[str, Any]) -> str:
    """``Servicerapportage Gemeente Enschede — mei 2026``; ``Voorlopige servicerapportage …`` when provisional."""
    kind = "Voorlopige servicerapportage" if is_provisional(report) else "Servicerapportage"
    return f"{kind} {tenant_name(report)} — {month_name(report['month'])}"


def tenant_name(report: dict[str, Any]) -> str:
    """The municipality's name, or its tenant id when the report has none."""
    return report.get("tenant_name") or report["tenant"]


STATES = {"gehaald": "ok", "n.v.t. (gehaald)": "ok", "niet gehaald": "bad"}


def _shown(text: str) -> dict[str, Any]:
    """A verdict for display: its text and its state (``ok``, ``bad``, ``none``)."""
    return {"text": text, "state": STATES.get(text, "none")}


def _verdict(met: bool | None, decided: int | None = None) -> dict[str, Any]:
    """A ticket or month verdict for display (nothing decided: ``n.v.t. (gehaald)``)."""
    if decided == 0:
        return _shown("n.v.t. (gehaald)")
    return _shown(verdict(met))


def _availability_row(level: dict[str, Any], trailing: dict[str, Any]) -> dict[str, Any]:
    def detail(block: dict[str, Any]) -> str:
        text = f"dekking {percent(block['coverage'])}"
        return text + ", onvoldoende gemeten" if block.get("insufficiently_measured") else text

    return {
        "name": LEVEL_NAMES["availability"],
        "clause": CLAUSES["availability"],
        "norm": percent(level["norm"]),
        "value": percent(level["value"]),
        "detail": detail(level),
        "verdict": _verdict(level["met"]),
        "trailing_value": percent(trailing["value"]),
        "trailing_detail": detail(trailing),
        "trailing_verdict": _shown(availability_verdict(trailing, trailing=True)),
    }


def _counted(level: dict[str, Any]) -> str:
    if not level["decided"]:
        return "geen meldingen beoordeeld"
    return f"{level['within']} van {level['decided']} binnen de streeftijd"


def _ticket_row(metric: str, level: dict[str, Any], trailing: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": LEVEL_NAMES[metric],
        "clause": CLAUSES[metric],
        "norm": percent(level["norm"]),
        "value": percent(level["value"]),
        "detail": _counted(level),
        "verdict": _verdict(level["met"], level["decided"]),
        "trailing_value": percent(trailing["value"]),
        "trailing_detail": _counted(trailing),
        "trailing_verdict": _verdict(trailing["met"], trailing["decided"]),
    }


def _priority_table(metric: str, level: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for priority in PRIORITIES:
        tally = level["by_priority"].get(priority) or {"decided": 0, "within": 0, "value": None}
        rows.append(
            {
                "priority": PRIORITY_NAMES[priority],
                "decided": number(tally["decided"]),
                "within": number(tally["within"]),
                "breached": number(tally["decided"] - tally["within"]),
                "value": percent(tally.get("value")),
            }
        )
    return {
        "metric": metric,
        "name": LEVEL_NAMES[metric],
        "clause": CLAUSES[metric],
        "norm": percent(level["norm"]),
        "value": percent(level["value"]),
        "verdict": _verdict(level["met"], level["decided"]),
        "rows": rows,
        "total": {
            "decided": number(level["decided"]),
            "within": number(level["within"]),
            "breached": number(level["decided"] - level["within"]),
        },
    }


def _pause(pause: dict[str, Any], zone: str) -> str:
    start = instant_short_nl(pause["start"], zone)
    end = instant_short_nl(pause["end"], zone) if pause.get("end") else "nog gepauzeerd"
    return f"{start} – {end} ({pause['status']})"


def _target(outcome: dict[str, Any]) -> str:
    """A target in service-hours time (``8 u 00 min``) or in months (``1 maand``, ``2 maanden``)."""
    return target_text(outcome)


def _actual(outcome: dict[str, Any]) -> str:
    """The real clock time, not cut at the target; ``loopt nog`` while the clock still runs."""
    return actual_text(outcome)


def _outcome(outcome: dict[str, Any], zone: str) -> dict[str, Any]:
    return {
        "ticket": outcome["ticket_id"],
        "metric": LEVEL_NAMES[outcome["metric"]],
        "priority": PRIORITY_NAMES.get(outcome["priority"], outcome["priority"]),
        "elapsed": _actual(outcome),
        "target": _target(outcome),
        "clock": CLOCK_NAMES.get(outcome["clock"], outcome["clock"]),
        "outcome": OUTCOME_NAMES.get(outcome["outcome"], outcome["outcome"]),
        "met": outcome["outcome"] == "met",
        "pauses": [_pause(p, zone) for p in outcome.get("pauses", [])],
        "opened_at": instant_nl(outcome.get("opened_at"), zone),
        "decided_at": instant_nl(outcome["decided_at"], zone),
        "decided_date": date_nl(local(outcome["decided_at"], zone).date()),
        "decided_time": time_nl(outcome["decided_at"], zone),
    }


def _evidence(report: dict[str, Any], zone: str) -> list[dict[str, Any]]:
    groups = []
    for metric in TICKET_METRICS:
        rows = [_outcome(o, zone) for o in report["outcomes"] if o["metric"] == metric]
        groups.append({"name": LEVEL_NAMES[metric], "clause": CLAUSES[metric], "rows": rows})
    return groups


def _down_period(period: dict[str, Any], zone: str) -> dict[str, Any]:
    counted, excluded = period["counted_minutes"], period["excluded_minutes"]
    note = "buiten servicetijd" if counted == 0 and excluded == 0 else ""
    return {
        "period": period_nl(period["start"], period["end"], zone),
        "counted": minutes_nl(counted),
        "excluded": minutes_nl(excluded),
        "note": note,
        "tests": ", ".join(period.get("tests", [])),
    }


def _exclusion(exclusion: dict[str, Any], zone: str) -> dict[str, Any]:
    return {
        "period": period_nl(exclusion["start"], exclusion["end"], zone),
        "reason": exclusion["reason"],
        "recorded_at": instant_nl(exclusion.get("recorded_at"), zone),
    }


def _availability(level: dict[str, Any], zone: str) -> dict[str, Any]:
    return {
        "scheduled": minutes_nl(level["scheduled_minutes"]),
        "down": minutes_nl(level["down_minutes"]),
        "unknown": minutes_nl(level["unknown_minutes"]),
        "excluded": minutes_nl(level["excluded_minutes"]),
        "coverage": percent(level["coverage"]),
        "value": percent(level["value"]),
        "norm": percent(level["norm"]),
        "verdict": _verdict(level["met"]),
        "insufficient": bool(level.get("insufficiently_measured")),
        "tests": ", ".join(level.get("tests", [])),
        "ignored": ignored_tests_note(level),  # measurement §8.7; empty without ignored tests
        "down_periods": [_down_period(p, zone) for p in level.get("down_periods", [])],
    }


def context(
    report: dict[str, Any], images: dict[str, str], charts: tuple[Chart, ...], contact: str | None = None
) -> dict[str, Any]:
    """Everything the template shows; ``images`` maps a chart's content id to its ``src``."""
    zone = report.get("timezone") or "Europe/Amsterdam"
    levels = report["service_levels"]
    trailing = report["trailing_12_months"]
    load = levels["load_time"]
    months = trailing.get("months", [])
    breached = [_outcome(o, zone) for o in report["outcomes"] if o["outcome"] == "breached"]
    month = month_name(report["month"])
    return {
        "title": subject(report),
        "kicker": "Stratech Perspectief Cloud · "
        + ("Voorlopige servicerapportage" if is_provisional(report) else "Servicerapportage"),
        "heading": f"{tenant_name(report)} — {month}",
        "description": f"Maandelijkse rapportage van de service levels (SLA §9) voor {tenant_name(report)} over {month}",
        "intro": (
            f"Deze rapportage laat zien in welke mate de service levels Beschikbaarheid, Reactietijd, "
            f"Functiehersteltijd platform en Functiehersteltijd applicatie in {month} zijn nageleefd (SLA §9). "
            f"De prestatienormen worden over een jaar beoordeeld; daarom staat naast de maand ook het voortschrijdend "
            f"jaar: {months_nl(months)} ({months_count(len(months))}), met het verloop per maand. De onderbouwing per "
            "melding, wat niet is meegeteld en waarom, de uitsluitingen en de gebruikte uitgangspunten staan verderop."
        ),
        "no_breach_text": (
            f"Er zijn in {month} geen meldingen beoordeeld."
            if not report["outcomes"]
            else f"Alle in {month} beoordeelde meldingen zijn binnen de streeftijd afgehandeld."
        ),
        "tenant_name": tenant_name(report),
        "month": month,
        "as_of": instant_nl(report.get("as_of"), zone),
        "summary": [_availability_row(levels["availability"], trailing["availability"])]
        + [_ticket_row(m, levels[m], trailing[m]) for m in TICKET_METRICS],
        "trailing_months": f"{months_nl(months)} ({months_count(len(months))})",
        "provisional": is_provisional(report),
        "provisional_note": provisional_note(report),
        "contact": contact or "",
        "trend": trend(report),
        "trend_norms": [percent(levels[m]["norm"]) for m in LEVELS],
        "load_time": {
            "target": f"{number(load['target_seconds'], 1)} s",
            "value": percent(load["value"]),
            "samples": number(load["samples"]),
            "p95": "n.v.t." if load["p95_seconds"] is None else f"{number(load['p95_seconds'], 2)} s",
            "measured": bool(load["samples"]),
        },
        "availability": _availability(levels["availability"], zone),
        "ticket_levels": [_priority_table(m, levels[m]) for m in TICKET_METRICS],
        "breached": breached,
        "evidence": _evidence(report, zone),
        "decided_count": number(len(report["outcomes"])),
        "exclusions": [_exclusion(e, zone) for e in report.get("exclusions", [])],
        "basis": basis(report, zone),
        "charts": [{"src": images[c.content_id], "alt": c.alt, "title": c.title} for c in charts],
    }

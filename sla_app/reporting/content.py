"""What the HTML e-mail and the PDF say: the report JSON turned into display-ready Dutch strings.

Both documents render the same template from the same :func:`context`, so
they always say the same thing. Only ticket numbers identify anything: the
name of whoever recorded an exclusion is left out (no personal data in the
report, SLA §5.2.1).
"""

from __future__ import annotations

from typing import Any

from sla_app.reporting.charts import Chart
from sla_app.reporting.format_nl import (
    CLOCK_NAMES,
    OUTCOME_NAMES,
    PRIORITY_NAMES,
    WEEKDAY_KEYS,
    WEEKDAYS_NL,
    date_nl,
    duration_nl,
    instant_nl,
    instant_short_nl,
    local,
    minutes_nl,
    months_nl,
    period_nl,
    service_hours_nl,
    time_nl,
    week_hours_nl,
    weekday_nl,
)
from sla_core.contract import PRIORITIES
from sla_core.report_text import LEVEL_NAMES, TICKET_LEVELS, month_name, number, percent, verdict

CLAUSES = {
    "availability": "SLA §7.1",
    "response_time": "SLA §7.2.1",
    "restore_time_platform": "SLA §7.2.2",
    "restore_time_application": "SLA §7.2.3",
}
NOT_MEASURED = {  # (one, more)
    "niet_incident": ("melding die geen incident is", "meldingen die geen incident zijn"),
    "niet_toerekenbaar": (
        "incident dat niet aan Leverancier toerekenbaar is",
        "incidenten die niet aan Leverancier toerekenbaar zijn",
    ),
}


def subject(report: dict[str, Any]) -> str:
    """``Servicerapportage Gemeente Enschede — mei 2026``."""
    return f"Servicerapportage {tenant_name(report)} — {month_name(report['month'])}"


def tenant_name(report: dict[str, Any]) -> str:
    """The municipality's name, or its tenant id when the report has none."""
    return report.get("tenant_name") or report["tenant"]


def _verdict(met: bool | None, decided: int | None = None) -> dict[str, Any]:
    """A verdict for display: its text and its state (``ok``, ``bad``, ``none``)."""
    if decided == 0:
        return {"text": "n.v.t. (gehaald)", "state": "ok"}
    return {"text": verdict(met), "state": {True: "ok", False: "bad", None: "none"}[met]}


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
        "trailing_verdict": _verdict(trailing["met"]),
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
    """A target in service-hours time (``8 u 00 min``) or in whole calendar days (``31 kalenderdagen``)."""
    minutes = outcome["target_minutes"]
    if outcome["clock"] == "calendar" and minutes % (24 * 60) == 0:
        days = int(minutes // (24 * 60))
        return f"{days} kalenderdag" if days == 1 else f"{days} kalenderdagen"
    return duration_nl(minutes)


def _outcome(outcome: dict[str, Any], zone: str) -> dict[str, Any]:
    return {
        "ticket": outcome["ticket_id"],
        "metric": LEVEL_NAMES[outcome["metric"]],
        "priority": PRIORITY_NAMES.get(outcome["priority"], outcome["priority"]),
        "elapsed": duration_nl(outcome["elapsed_minutes"]),
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
    for metric in TICKET_LEVELS:
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
        "down_periods": [_down_period(p, zone) for p in level.get("down_periods", [])],
    }


def _not_measured(key: str, count: int) -> str:
    one, more = NOT_MEASURED.get(key, (key, key))
    return f"{number(count)} {one if count == 1 else more}"


def _basis(report: dict[str, Any], zone: str) -> dict[str, Any]:
    hours = report.get("service_hours") or {}
    return {
        "contract_version": report.get("contract_version") or "–",
        "week": week_hours_nl(hours),
        "timezone": zone,
        "service_hours": [
            {"day": name, "hours": service_hours_nl(hours.get(key, []))} for key, name in zip(WEEKDAY_KEYS, WEEKDAYS_NL)
        ],
        "closed_dates": [
            {"date": date_nl(c["date"]), "weekday": weekday_nl(c["date"]), "name": c["name"]}
            for c in report.get("closed_dates", [])
        ],
        "pause_patterns": [p.replace("*", "…") for p in report.get("pause_patterns", [])],
        "not_measured": [_not_measured(key, count) for key, count in (report.get("not_measured") or {}).items()],
        "pending": [
            {
                "ticket": o["ticket_id"],
                "metric": LEVEL_NAMES[o["metric"]],
                "priority": PRIORITY_NAMES.get(o["priority"], o["priority"]),
                "elapsed": duration_nl(o["elapsed_minutes"]),
                "target": _target(o),
            }
            for o in report.get("pending", [])
        ],
        "incomplete": [{"ticket": i["ticket_id"], "reason": i["reason"]} for i in report.get("incomplete_tickets", [])],
    }


def context(report: dict[str, Any], images: dict[str, str], charts: tuple[Chart, ...]) -> dict[str, Any]:
    """Everything the template shows; ``images`` maps a chart's content id to its ``src``."""
    zone = report.get("timezone") or "Europe/Amsterdam"
    levels = report["service_levels"]
    trailing = report["trailing_12_months"]
    load = levels["load_time"]
    months = trailing.get("months", [])
    breached = [_outcome(o, zone) for o in report["outcomes"] if o["outcome"] == "breached"]
    return {
        "title": subject(report),
        "tenant_name": tenant_name(report),
        "month": month_name(report["month"]),
        "as_of": instant_nl(report.get("as_of"), zone),
        "summary": [_availability_row(levels["availability"], trailing["availability"])]
        + [_ticket_row(m, levels[m], trailing[m]) for m in TICKET_LEVELS],
        "trailing_months": f"{months_nl(months)} ({len(months)} {'maand' if len(months) == 1 else 'maanden'})",
        "load_time": {
            "target": f"{number(load['target_seconds'], 1)} s",
            "value": percent(load["value"]),
            "samples": number(load["samples"]),
            "p95": "n.v.t." if load["p95_seconds"] is None else f"{number(load['p95_seconds'], 2)} s",
            "measured": bool(load["samples"]),
        },
        "availability": _availability(levels["availability"], zone),
        "ticket_levels": [_priority_table(m, levels[m]) for m in TICKET_LEVELS],
        "breached": breached,
        "evidence": _evidence(report, zone),
        "decided_count": number(len(report["outcomes"])),
        "exclusions": [_exclusion(e, zone) for e in report.get("exclusions", [])],
        "basis": _basis(report, zone),
        "charts": [{"src": images[c.content_id], "alt": c.alt, "title": c.title} for c in charts],
    }

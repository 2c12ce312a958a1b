"""Display strings of what a report rests on and what it left out, and of the trend (SLA §9).

The basis: contract version, service hours, holidays, pause statuses. What
was left out: tickets not counted (not attributable, incomplete) each with its
reason, pending tickets, and the totals not measured. The trend: each month of
the trailing year per service level (value, counts, state). Used by
:func:`sla_app.documents.content.context` for the e-mail and the PDF.
"""

from __future__ import annotations

from typing import Any

from sla_app.documents.format_nl import (
    PRIORITY_NAMES,
    WEEKDAYS_NL,
    date_nl,
    duration_nl,
    instant_nl,
    service_hours_nl,
    week_hours_nl,
    weekday_nl,
)
from sla_core.report_text import LEVEL_NAMES, month_name, number, percent, target_text
from sla_core.vocabulary import TICKET_METRICS, WEEKDAYS

NOT_MEASURED = {  # (one, more)
    "niet_incident": ("melding die geen incident is", "meldingen die geen incident zijn"),
    "niet_toerekenbaar": (
        "incident dat niet aan Leverancier toerekenbaar is",
        "incidenten die niet aan Leverancier toerekenbaar zijn",
    ),
}


NOT_COUNTED_REASONS = {"niet toerekenbaar": "niet aan Leverancier toerekenbaar (SLA §5.2.2)"}
STATE = {True: "ok", False: "bad", None: "none"}


def not_measured_text(key: str, count: int) -> str:
    one, more = NOT_MEASURED.get(key, (key, key))
    return f"{number(count)} {one if count == 1 else more}"


def basis(report: dict[str, Any], zone: str) -> dict[str, Any]:
    """The basis of the measurement (contract, service hours, holidays) and what was left out, with why."""
    hours = report.get("service_hours") or {}
    return {
        "contract_version": report.get("contract_version") or "–",
        "week": week_hours_nl(hours),
        "timezone": zone,
        "service_hours": [
            {"day": name, "hours": service_hours_nl(hours.get(key, []))} for key, name in zip(WEEKDAYS, WEEKDAYS_NL)
        ],
        "closed_dates": [
            {"date": date_nl(c["date"]), "weekday": weekday_nl(c["date"]), "name": c["name"]}
            for c in report.get("closed_dates", [])
        ],
        "pause_patterns": [p.replace("*", "…") for p in report.get("pause_patterns", [])],
        "not_measured": [not_measured_text(key, count) for key, count in (report.get("not_measured") or {}).items()],
        "pending": [
            {
                "ticket": o["ticket_id"],
                "metric": LEVEL_NAMES[o["metric"]],
                "priority": PRIORITY_NAMES.get(o["priority"], o["priority"]),
                "elapsed": duration_nl(o["elapsed_minutes"]),
                "target": target_text(o),
            }
            for o in report.get("pending", [])
        ],
        "incomplete": [{"ticket": i["ticket_id"], "reason": i["reason"]} for i in report.get("incomplete_tickets", [])],
        "not_counted": [
            {
                "ticket": n["ticket_id"],
                "priority": PRIORITY_NAMES.get(n.get("priority") or "", n.get("priority") or "–"),
                "opened_at": instant_nl(n.get("opened_at"), zone),
                "reason": NOT_COUNTED_REASONS.get(n["reason"], n["reason"]),
            }
            for n in report.get("not_counted", [])
        ]
        + [
            {"ticket": i["ticket_id"], "priority": "–", "opened_at": "–", "reason": f"onvolledig: {i['reason']}"}
            for i in report.get("incomplete_tickets", [])
        ],
    }


def trend(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The trailing year month by month: per service level value, verdict and counts (SLA §9)."""
    rows = []
    for item in report["trailing_12_months"].get("by_month") or []:
        availability = item["availability"]
        cells = [
            {
                "value": "niet gemeten" if availability["value"] is None else percent(availability["value"]),
                "detail": f"dekking {percent(availability['coverage'])}",
                "state": STATE[availability["met"]],
            }
        ]
        for metric in TICKET_METRICS:
            level = item[metric]
            cells.append(
                {
                    "value": percent(level["value"]),
                    "detail": f"{level['within']} van {level['decided']}",
                    "state": STATE[level["met"]] if level["decided"] else "none",
                }
            )
        rows.append({"month": month_name(item["month"]), "cells": cells})
    return rows

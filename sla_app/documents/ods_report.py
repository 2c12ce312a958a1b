"""The report as an ODS spreadsheet (ODF XML written directly, see ``ods_cells``), for municipalities that want to check or reuse the figures.

Sheets: ``Samenvatting`` (service levels, per priority, load time),
``Verloop per maand`` (the trailing year month by month), ``Uitkomsten`` (one
row per decided outcome, actual time next to target), ``Lopende meldingen``,
``Niet meegeteld`` (with the reason), ``Niet-beschikbaarheid`` (down
periods), ``Uitsluitingen``, ``Beschikbaarheid per dag`` and
``Uitgangspunten`` (service hours, holidays). Numbers, percentages and
instants are typed cells (float, percentage, date in local time) with Dutch
number styles, and carry their Dutch text as well; numbers are truncated to
the decimals shown, so the cell never reads differently from the text.
"""

from __future__ import annotations

from typing import Any

from sla_app.documents.content import subject, tenant_name
from sla_app.documents.format_nl import (
    CLOCK_NAMES,
    OUTCOME_NAMES,
    PRIORITY_NAMES,
    WEEKDAYS_NL,
    instant_nl,
    local,
    months_nl,
    service_hours_nl,
    weekday_nl,
)
from sla_app.documents.ods_cells import MIME_TYPE, Sheet, Workbook
from sla_core.report_text import (
    LEVEL_NAMES,
    REPORT_STATUS_NAMES,
    actual_minutes,
    availability_verdict,
    ignored_tests_note,
    is_provisional,
    month_name,
    months_count,
    provisional_note,
    target_text,
    verdict,
)
from sla_core.vocabulary import FINAL, LEVELS, PRIORITIES, PROVISIONAL, TICKET_METRICS, WEEKDAYS

__all__ = ["MIME_TYPE", "ods_bytes"]


def _summary(sheet: Sheet, report: dict[str, Any], zone: str, contact: str | None) -> None:
    levels, trailing = report["service_levels"], report["trailing_12_months"]
    if is_provisional(report):
        sheet.row("VOORLOPIG", provisional_note(report))
    sheet.row("Servicerapportage", tenant_name(report))
    sheet.row("Maand", month_name(report["month"]))
    sheet.row("Status", REPORT_STATUS_NAMES[PROVISIONAL if is_provisional(report) else FINAL])
    sheet.row("Contractversie", report.get("contract_version"))
    sheet.row("Stand van de gegevens", sheet.when(report.get("as_of"), zone))
    sheet.row("Voortschrijdend jaar", f"{months_nl(trailing['months'])} ({months_count(len(trailing['months']))})")
    if contact:
        sheet.row("Contact", contact)
    sheet.row()
    sheet.head(
        "Service level",
        "Norm",
        "Waarde maand",
        "Oordeel maand",
        "Beoordeeld",
        "Binnen streeftijd",
        "Waarde voortschrijdend jaar",
        "Oordeel jaar",
        "Beoordeeld (jaar)",
        "Binnen streeftijd (jaar)",
    )
    for metric in LEVELS:
        month, year = levels[metric], trailing[metric]
        sheet.row(
            LEVEL_NAMES[metric],
            sheet.pct(month["norm"]),
            sheet.pct(month["value"]),
            verdict(month["met"]),
            sheet.num(month.get("decided")),
            sheet.num(month.get("within")),
            sheet.pct(year["value"]),
            availability_verdict(year, trailing=True) if metric == "availability" else verdict(year["met"]),
            sheet.num(year.get("decided")),
            sheet.num(year.get("within")),
        )
    availability = levels["availability"]
    sheet.row()
    sheet.head(
        "Beschikbaarheid in minuten",
        "Servicetijd (min)",
        "Niet beschikbaar (min)",
        "Onbekend (min)",
        "Uitgesloten (min)",
        "Dekking",
    )
    sheet.row(
        month_name(report["month"]),
        sheet.num(availability["scheduled_minutes"], 1),
        sheet.num(availability["down_minutes"], 1),
        sheet.num(availability["unknown_minutes"], 1),
        sheet.num(availability["excluded_minutes"], 1),
        sheet.pct(availability["coverage"]),
    )
    if ignored_tests_note(availability):  # measurement §8.7
        sheet.row(ignored_tests_note(availability))
    sheet.row()
    sheet.head("Service level", "Prioriteit", "Beoordeeld", "Binnen streeftijd", "Overschreden", "Percentage")
    for metric in TICKET_METRICS:
        for priority in PRIORITIES:
            tally = levels[metric]["by_priority"].get(priority) or {"decided": 0, "within": 0, "value": None}
            sheet.row(
                LEVEL_NAMES[metric],
                PRIORITY_NAMES[priority],
                sheet.num(tally["decided"]),
                sheet.num(tally["within"]),
                sheet.num(tally["decided"] - tally["within"]),
                sheet.pct(tally.get("value")),
            )
    load = levels["load_time"]
    sheet.row()
    sheet.head("Laadtijd (streven)", "Streefwaarde (s)", "Binnen streven", "Metingen", "95e percentiel (s)")
    sheet.row(
        LEVEL_NAMES["load_time"],
        sheet.num(load["target_seconds"], 1),
        sheet.pct(load["value"]),
        sheet.num(load["samples"]),
        sheet.num(load["p95_seconds"], 2),
    )


def _outcomes(sheet: Sheet, report: dict[str, Any], zone: str) -> None:
    sheet.head(
        "Melding",
        "Service level",
        "Prioriteit",
        "Uitkomst",
        "Verstreken (min)",
        "Werkelijke tijd (min)",
        "Streeftijd (min)",
        "Streeftijd",
        "Klok",
        "Geopend",
        "Gestopt",
        "Beoordeeld op",
        "Aantal pauzes",
        "Pauzes",
    )
    for o in report["outcomes"]:
        pauses = "; ".join(
            f"{instant_nl(p['start'], zone)} – {instant_nl(p.get('end'), zone)} ({p['status']})"
            for p in o.get("pauses", [])
        )
        sheet.row(
            o["ticket_id"],
            LEVEL_NAMES[o["metric"]],
            PRIORITY_NAMES.get(o["priority"], o["priority"]),
            OUTCOME_NAMES.get(o["outcome"], o["outcome"]),
            sheet.num(o["elapsed_minutes"], 1),
            sheet.num(actual_minutes(o), 1),
            sheet.num(o["target_minutes"], 1),
            target_text(o),
            CLOCK_NAMES.get(o["clock"], o["clock"]),
            sheet.when(o.get("opened_at"), zone),
            sheet.when(o.get("stopped_at"), zone),
            sheet.when(o["decided_at"], zone),
            sheet.num(len(o.get("pauses", []))),
            pauses or None,
        )


def _trend(sheet: Sheet, report: dict[str, Any]) -> None:
    sheet.head(
        "Maand",
        "Beschikbaarheid",
        "Dekking",
        "Servicetijd (min)",
        "Niet beschikbaar (min)",
        "Onbekend (min)",
        *[f"{LEVEL_NAMES[m]} {part}" for m in TICKET_METRICS for part in ("waarde", "beoordeeld", "binnen streeftijd")],
    )
    for item in report["trailing_12_months"].get("by_month") or []:
        availability = item["availability"]
        cells = [
            month_name(item["month"]),
            sheet.pct(availability["value"]),
            sheet.pct(availability["coverage"]),
            sheet.num(availability["scheduled_minutes"], 1),
            sheet.num(availability["down_minutes"], 1),
            sheet.num(availability["unknown_minutes"], 1),
        ]
        for metric in TICKET_METRICS:
            level = item[metric]
            cells += [sheet.pct(level["value"]), sheet.num(level["decided"]), sheet.num(level["within"])]
        sheet.row(*cells)


def _pending(sheet: Sheet, report: dict[str, Any], zone: str) -> None:
    sheet.head(
        "Melding", "Service level", "Prioriteit", "Verstreken (min)", "Streeftijd (min)", "Streeftijd", "Geopend"
    )
    for o in report.get("pending", []):
        sheet.row(
            o["ticket_id"],
            LEVEL_NAMES[o["metric"]],
            PRIORITY_NAMES.get(o["priority"], o["priority"]),
            sheet.num(o["elapsed_minutes"], 1),
            sheet.num(o["target_minutes"], 1),
            target_text(o),
            sheet.when(o.get("opened_at"), zone),
        )


def _not_counted(sheet: Sheet, report: dict[str, Any], zone: str) -> None:
    sheet.head("Melding", "Prioriteit", "Geopend", "Reden")
    for n in report.get("not_counted", []):
        priority = n.get("priority")
        sheet.row(
            n["ticket_id"],
            PRIORITY_NAMES.get(priority, priority) if priority else None,
            sheet.when(n.get("opened_at"), zone),
            n["reason"],
        )
    for i in report.get("incomplete_tickets", []):
        sheet.row(i["ticket_id"], None, None, f"onvolledig: {i['reason']}")


def _down_periods(sheet: Sheet, report: dict[str, Any], zone: str) -> None:
    sheet.head("Van", "Tot", "Meegeteld (min)", "Uitgesloten (min)", "Tests")
    for p in report["service_levels"]["availability"].get("down_periods", []):
        sheet.row(
            sheet.when(p["start"], zone),
            sheet.when(p["end"], zone),
            sheet.num(p["counted_minutes"], 1),
            sheet.num(p["excluded_minutes"], 1),
            ", ".join(p.get("tests", [])) or None,
        )


def _exclusions(sheet: Sheet, report: dict[str, Any], zone: str) -> None:
    sheet.head("Van", "Tot", "Duur (min)", "Reden", "Vastgelegd op")
    for e in report.get("exclusions", []):
        minutes = (local(e["end"], zone) - local(e["start"], zone)).total_seconds() / 60
        sheet.row(
            sheet.when(e["start"], zone),
            sheet.when(e["end"], zone),
            sheet.num(minutes, 1),
            e["reason"],
            sheet.when(e.get("recorded_at"), zone),
        )


def _days(sheet: Sheet, report: dict[str, Any]) -> None:
    names = {c["date"]: c["name"] for c in report.get("closed_dates", [])}
    sheet.head(
        "Datum",
        "Dag",
        "Servicetijd (min)",
        "Niet beschikbaar (min)",
        "Onbekend (min)",
        "Uitgesloten (min)",
        "Beschikbaarheid",
        "Opmerking",
    )
    for d in report["service_levels"]["availability"].get("by_day") or []:
        note = names.get(d["date"]) or ("buiten servicetijd" if d["scheduled_minutes"] == 0 else None)
        sheet.row(
            sheet.day(d["date"]),
            weekday_nl(d["date"]),
            sheet.num(d["scheduled_minutes"], 1),
            sheet.num(d["down_minutes"], 1),
            sheet.num(d["unknown_minutes"], 1),
            sheet.num(d["excluded_minutes"], 1),
            sheet.pct(d["value"]),
            note,
        )


def _basis(sheet: Sheet, report: dict[str, Any]) -> None:
    hours = report.get("service_hours") or {}
    sheet.head("Dag", "Servicetijd")
    for key, name in zip(WEEKDAYS, WEEKDAYS_NL):
        sheet.row(name, service_hours_nl(hours.get(key, [])))
    sheet.row()
    sheet.head("Feestdag of gesloten dag", "Naam")
    for closed in report.get("closed_dates", []):
        sheet.row(sheet.day(closed["date"]), closed["name"])
    sheet.row()
    sheet.row("Pauzestatussen", ", ".join(report.get("pause_patterns", [])) or "geen")
    sheet.row("Tijdzone", report.get("timezone"))


def ods_bytes(report: dict[str, Any], contact: str | None = None) -> bytes:
    """The spreadsheet as ODS bytes."""
    zone = report.get("timezone") or "Europe/Amsterdam"
    doc = Workbook(subject(report))
    styles = doc.styles
    _summary(
        Sheet(doc, styles, "Samenvatting", [6.0, 3.0, 3.0, 3.0, 2.6, 2.6, 3.6, 3.0, 2.6, 2.6]), report, zone, contact
    )
    _trend(Sheet(doc, styles, "Verloop per maand", [3.6] + [3.0] * 14), report)
    _outcomes(
        Sheet(doc, styles, "Uitkomsten", [2.8, 5.2, 2.4, 3.2, 3.0, 3.0, 3.0, 3.0, 2.6, 4.2, 4.2, 4.2, 2.4, 9.0]),
        report,
        zone,
    )
    _pending(Sheet(doc, styles, "Lopende meldingen", [2.8, 5.2, 2.4, 3.0, 3.0, 3.0, 4.2]), report, zone)
    _not_counted(Sheet(doc, styles, "Niet meegeteld", [2.8, 2.4, 4.2, 9.0]), report, zone)
    _down_periods(Sheet(doc, styles, "Niet-beschikbaarheid", [4.2, 4.2, 3.0, 3.0, 8.0]), report, zone)
    _exclusions(Sheet(doc, styles, "Uitsluitingen", [4.2, 4.2, 2.4, 14.0, 4.2]), report, zone)
    _days(Sheet(doc, styles, "Beschikbaarheid per dag", [3.6, 2.6, 3.0, 3.6, 3.0, 3.0, 3.0, 4.6]), report)
    _basis(Sheet(doc, styles, "Uitgangspunten", [5.0, 6.0]), report)
    return doc.ods()

"""The supplier overview and the at-risk notice in Dutch: accessible HTML (Jinja2, autoescaped) and plain text.

Both render the JSON of :mod:`sla_app.overview.service`, so what the API
returns and what is shown are the same figures. Numbers use the report's
Dutch helpers (``99,87 %``, ``12.960``); a verdict is always written out
(``gehaald`` / ``niet gehaald``), never shown by colour alone. Tables have a
caption and ``th`` cells with ``scope``; the page declares ``lang="nl"``.
"""

from __future__ import annotations

from typing import Any

from sla_app.documents.format_nl import as_written_nl
from sla_app.templating import environment
from sla_core.report_text import LEVEL_NAMES, month_name, months_count, number, percent, verdict
from sla_core.vocabulary import LEVELS

_ENV = environment("sla_app.overview", keep_trailing_newline=True)


# -- Dutch wording -------------------------------------------------------------------


def _nothing_decided(cell: dict[str, Any]) -> bool:
    return "decided" in cell and not cell.get("decided")


def figures_text(metric: str, cell: dict[str, Any]) -> str:
    """The figures behind a value: ``15 van 20 binnen de streeftijd``, ``60,0 min niet beschikbaar van 720 min gemeten; dekking …``."""
    if metric == "availability":
        measured = (cell.get("scheduled_minutes") or 0) - (cell.get("unknown_minutes") or 0)
        text = f"{number(cell.get('down_minutes') or 0, 1)} min niet beschikbaar van {number(measured)} min gemeten"
        if cell.get("coverage") is not None:
            text += f"; dekking {percent(cell['coverage'])}"
        if cell.get("insufficiently_measured"):
            text += ", onvoldoende gemeten"
        return text
    return f"{cell.get('within', 0)} van {cell.get('decided', 0)} binnen de streeftijd"


def cell_text(metric: str, cell: dict[str, Any]) -> str:
    """A cell in words: ``75,00 % — niet gehaald (15 van 20 binnen de streeftijd)``.

    Nothing decided is ``n.v.t. (gehaald)`` (measurement §2); availability without a
    measurement is ``n.v.t. — niet gemeten``; figures summed under different
    norms get no verdict.
    """
    judged = cell.get("norm") is not None
    if _nothing_decided(cell):
        return "n.v.t. (gehaald)" if judged else "n.v.t."
    if cell.get("value") is None:
        return "n.v.t. — niet gemeten"
    words = percent(cell["value"])
    if judged:
        words += f" — {verdict(cell.get('met'))}"
    return f"{words} ({figures_text(metric, cell)})"


def _norm_header(metric: str, totals: dict[str, Any]) -> str:
    norm = totals.get(metric, {}).get("norm")
    return LEVEL_NAMES[metric] if norm is None else f"{LEVEL_NAMES[metric]} (norm {percent(norm)})"


def _is_missed(cell: dict[str, Any]) -> bool:
    return cell.get("met") is False


# -- the overview ------------------------------------------------------------------------


def _overview_view(data: dict[str, Any]) -> dict[str, Any]:
    totals = data["totals"]
    month = month_name(data["month"])
    first = month_name(data["year_to_date_from"])
    columns = [{"metric": m, "header": _norm_header(m, totals["service_levels"])} for m in LEVELS]

    def cells(levels: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"text": cell_text(m, levels[m]), "missed": _is_missed(levels[m])} for m in LEVELS]

    return {
        "title": f"SLA-overzicht Stratech Perspectief Cloud — {month}",
        "month": month,
        "period": month if first == month else f"{first} t/m {month}",
        "generated_at": as_written_nl(data["generated_at"]),
        "columns": columns,
        "tenant_count": len(data["tenants"]),
        "missed": [
            {
                "tenant": m["tenant_name"],
                "level": LEVEL_NAMES[m["metric"]],
                "norm": percent(m["norm"]),
                "value": percent(m["value"]),
            }
            for m in data["missed"]
        ],
        "rows": [{"tenant": t["tenant_name"], "cells": cells(t["service_levels"])} for t in data["tenants"]],
        "total": cells(totals["service_levels"]),
        "year_rows": [
            {
                "tenant": t["tenant_name"],
                "months": len(t["year_to_date"]["months"]),
                "cells": cells(t["year_to_date"]["service_levels"]),
            }
            for t in data["tenants"]
        ],
        "year_total": cells(totals["year_to_date"]),
        "missing": [
            {
                "tenant": t["tenant_name"],
                "months": ", ".join(month_name(m) for m in t["year_to_date"]["missing_months"]),
            }
            for t in data["tenants"]
            if t["year_to_date"]["missing_months"]
        ],
        "without_report": data["without_report"],
    }


def overview_html(data: dict[str, Any]) -> str:
    """The overview as an accessible HTML page."""
    return _ENV.get_template("overview.html").render(**_overview_view(data))


def overview_text(data: dict[str, Any]) -> str:
    """The overview as plain text."""
    view = _overview_view(data)
    lines = [
        view["title"],
        f"Opgesteld op {view['generated_at']}; {view['tenant_count']} gemeenten met een rapport.",
        "",
    ]
    lines.append("Niet gehaalde normen:")
    if view["missed"]:
        lines += [f"  {m['tenant']}: {m['level']} {m['value']} (norm {m['norm']})" for m in view["missed"]]
    else:
        lines.append("  geen: alle normen zijn gehaald")
    lines += ["", f"Normen per gemeente — {view['month']}:"]
    for row in [*view["rows"], {"tenant": "Alle gemeenten samen", "cells": view["total"]}]:
        lines.append(f"  {row['tenant']}")
        lines += [f"    {c['header']}: {cell['text']}" for c, cell in zip(view["columns"], row["cells"])]
    lines += ["", f"Jaar tot nu toe — {view['period']} (opgeteld uit minuten en aantallen, binnen de meetperiode):"]
    for row in [*view["year_rows"], {"tenant": "Alle gemeenten samen", "months": None, "cells": view["year_total"]}]:
        suffix = "" if row["months"] is None else f" ({months_count(row['months'])})"
        lines.append(f"  {row['tenant']}{suffix}")
        lines += [f"    {c['header']}: {cell['text']}" for c, cell in zip(view["columns"], row["cells"])]
    if view["missing"]:
        lines += ["", "Ontbrekende maandrapporten (niet meegeteld):"]
        lines += [f"  {m['tenant']}: {m['months']}" for m in view["missing"]]
    if view["without_report"]:
        lines += ["", "Gemeten gemeenten zonder rapport over deze maand: " + ", ".join(view["without_report"])]
    return "\n".join(lines) + "\n"


# -- the at-risk notice -------------------------------------------------------------------


def _at_risk_view(data: dict[str, Any]) -> dict[str, Any]:
    month = month_name(data["month"])
    when = as_written_nl(data["as_of"])
    count = len(data["at_risk"])
    return {
        "title": f"SLA-signalering {month}",
        "subject": f"SLA-signalering {month}: "
        + ("geen risico's" if count == 0 else f"{count} {'gemeente' if count == 1 else 'gemeenten'} met risico"),
        "month": month,
        "as_of": when,
        "columns": [LEVEL_NAMES[m] for m in LEVELS],
        "risks": [
            {
                "tenant": t["tenant_name"],
                "level": LEVEL_NAMES[level["metric"]],
                "label": level["label"],
                "reason": level["reason"],
                "explanation": level["reason"].removeprefix(f"{level['label']}: "),
            }
            for t in data["at_risk"]
            for level in t["levels"]
        ],
        "rows": [
            {"tenant": t["tenant_name"], "cells": [t["service_levels"][m]["label"] for m in LEVELS]}
            for t in data["tenants"]
        ],
        "errors": data.get("errors", []),
    }


def at_risk_subject(data: dict[str, Any]) -> str:
    """The e-mail subject of the notice."""
    return _at_risk_view(data)["subject"]


def at_risk_html(data: dict[str, Any]) -> str:
    """The notice as an accessible HTML page (e-mail body)."""
    return _ENV.get_template("at_risk.html").render(**_at_risk_view(data))


def at_risk_text(data: dict[str, Any]) -> str:
    """The notice as plain text."""
    view = _at_risk_view(data)
    lines = [view["subject"], f"Stand op {view['as_of']}.", ""]
    if view["risks"]:
        lines.append("Serviceniveaus waarvan de norm deze maand in gevaar is:")
        lines += [f"  {r['tenant']} — {r['level']}: {r['reason']}" for r in view["risks"]]
    else:
        lines.append("Geen risico's: alle normen liggen op koers.")
    lines += ["", f"Gecontroleerd: {len(view['rows'])} gemeenten."]
    if view["errors"]:
        lines += ["Niet beoordeeld:"] + [f"  {e['tenant']}: {e['error']}" for e in view["errors"]]
    return "\n".join(lines) + "\n"

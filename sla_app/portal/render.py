"""The portal's pages as Dutch HTML (Jinja2, autoescaped), rendered from :mod:`sla_app.portal.service` data.

Numbers and verdicts use the report's own Dutch helpers, so a figure reads the
same on the page as in the e-mail and the PDF (truncated percentages,
docs/measurement.md §8.8). The trend chart is an inline SVG drawn here, with
presentation attributes only (the Content-Security-Policy allows no inline
style) and a text alternative; the same figures are in the table next to it.
"""

from __future__ import annotations

from typing import Any

from sla_app.documents.format_nl import CLOCK_NAMES, OUTCOME_NAMES, PRIORITY_NAMES, month_short_nl
from sla_app.templating import environment
from sla_core.report_text import LEVEL_NAMES, REPORT_STATUS_NAMES, month_name, percent, verdict

DELIVERY_NAMES = {
    None: "nog niet verstuurd",
    "sending": "wordt verstuurd",
    "sent": "verstuurd",
    "failed": "mislukt",
    "no_recipients": "geen ontvangers",
    "no_report": "geen rapport",
    "not_final": "wacht op definitief rapport",
    "not_needed": "niet nodig",
}


def level_verdict(cell: dict[str, Any] | None) -> str:
    """The verdict of a level cell in words; availability below 90 % coverage is "onvoldoende gemeten" (§8.8)."""
    if not cell:
        return "geen rapport"
    if cell.get("insufficiently_measured"):
        return "onvoldoende gemeten"
    if "decided" in cell and not cell.get("decided"):
        return "n.v.t. (gehaald)"
    return verdict(cell.get("met"))


def breaches_text(left: int | None) -> str:
    """How many breaches the month can still take, in words."""
    if left is None:
        return "geen: de norm wordt nu niet gehaald"
    return {0: "geen enkele melding meer te laat", 1: "nog 1 melding te laat"}.get(
        left, f"nog {left} meldingen te laat"
    )


def trend_svg(trend: list[dict[str, Any]], metric: str) -> dict[str, Any]:
    """Bars per month (value) against the norm line, as SVG geometry plus a text alternative."""
    width, height, left, bottom = 600, 180, 44, 28
    months = [row for row in trend]
    cells = [(row["month"], (row.get("levels") or {}).get(metric)) for row in months]
    values = [c["value"] for _, c in cells if c and c.get("value") is not None]
    norm = next((c["norm"] for _, c in cells if c and c.get("norm") is not None), None)
    floor = 90.0 if metric == "availability" else 0.0
    low = min([floor, *values]) if values else floor
    span = max(100.0 - low, 1e-9)

    def y(value: float) -> float:
        return round(bottom / 2 + (height - bottom - bottom / 2) * (100.0 - value) / span, 1)

    step = (width - left) / max(len(cells), 1)
    bars = []
    for index, (month, cell) in enumerate(cells):
        x = round(left + index * step + step * 0.15, 1)
        label = month_short_nl(month)
        if cell is None or cell.get("value") is None:
            bars.append({"x": x, "label": label, "missing": True})
            continue
        top = y(cell["value"])
        bars.append(
            {
                "x": x,
                "y": top,
                "w": round(step * 0.7, 1),
                "h": round(height - bottom - top, 1),
                "label": label,
                "missed": cell.get("met") is False,
                "missing": False,
            }
        )
    described = "; ".join(
        f"{month_name(m)}: {percent(c['value']) if c and c.get('value') is not None else 'geen waarde'}"
        for m, c in cells
    )
    alt = f"{LEVEL_NAMES[metric]} per maand tegen de norm {percent(norm)}: {described}."
    return {
        "width": width,
        "height": height,
        "left": left,
        "bottom": bottom,
        "bars": bars,
        "norm_y": None if norm is None else y(norm),
        "norm": norm,
        "alt": alt,
        "low": low,
        "axis": [(round(v, 1), y(v)) for v in (low, (low + 100) / 2, 100.0)],
    }


_ENV = environment(
    "sla_app.portal",
    filters={"verdict": level_verdict, "breaches": breaches_text},
    globals={
        "LEVEL_NAMES": LEVEL_NAMES,
        "PRIORITY_NAMES": PRIORITY_NAMES,
        "STATUS_NAMES": REPORT_STATUS_NAMES,
        "DELIVERY_NAMES": DELIVERY_NAMES,
        "OUTCOME_NAMES": OUTCOME_NAMES,
        "CLOCK_NAMES": CLOCK_NAMES,
        "trend_svg": trend_svg,
    },
)


def page(template: str, **context: Any) -> str:
    """One portal page."""
    return _ENV.get_template(template).render(**context)

"""What delivery adds to a rendered report: the provisional marking and the correction e-mail (measurement §8.5, §8.6).

* :func:`mark_provisional` — a report delivered after the deadline while
  days of its month are still incomplete: the subject starts with
  ``VOORLOPIG``, and the HTML and text bodies open with a notice naming the
  missing days and promising the final report as a correction.
* :func:`correction_email` — ``Correctie servicerapportage <maand> — <gemeente>``:
  a short Dutch e-mail (``templates/correction.html``, autoescaped) listing
  the changes against the report the municipality received (per service
  level before → after, per ticket outcome before → after, and the causes),
  with the corrected report's PDF and ODS attached.

:func:`combine_changes` folds the ``changes`` of consecutive report versions
into one list against the version that was last mailed. Values are shown
truncated to two decimals (measurement §8.8), never rounded.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import replace
from typing import Any

from sla_app.documents import RenderedReport
from sla_app.documents.format_nl import OUTCOME_NAMES
from sla_app.templating import environment
from sla_core.report_text import LEVEL_NAMES, month_name, number, verdict

_ENV = environment("sla_app.mail")
_BODY = re.compile(r"<body[^>]*>", re.IGNORECASE)
PROVISIONAL_PREFIX = "VOORLOPIG: "


def _name(report: dict[str, Any]) -> str:
    return str(report.get("tenant_name") or report.get("tenant") or "")


def _days(days: list[str]) -> str:
    return ", ".join(days) if days else "onbekend"


def mark_provisional(rendered: RenderedReport, report: dict[str, Any]) -> RenderedReport:
    """The report marked as provisional in its subject and at the top of both bodies."""
    missing = [str(d) for d in report.get("missing_days") or []]
    sentence = (
        "Dit is een VOORLOPIGE rapportage: de meetgegevens van niet alle dagen van de maand zijn compleet "
        f"(ontbrekend: {_days(missing)}). De definitieve rapportage volgt als correctie zodra alle dagen compleet zijn."
    )
    banner = (
        '<div role="note" style="border:2px solid #1a1a1a;padding:0.5rem 1rem;margin:0 0 1rem;font-weight:bold">'
        f"{html.escape(sentence)}</div>"
    )
    match = _BODY.search(rendered.html)
    body = (rendered.html[: match.end()] + banner + rendered.html[match.end() :]) if match else banner + rendered.html
    return replace(
        rendered,
        subject=PROVISIONAL_PREFIX + rendered.subject,
        html=body,
        text=f"{sentence}\n\n{rendered.text}",
    )


def _truncated(value: float) -> str:
    return number(math.floor(value * 100) / 100, 2)


def value_nl(value: Any) -> str:
    """A before/after value in Dutch: numbers truncated to two decimals, verdicts and outcomes written out."""
    if value is None:
        return "n.v.t."
    if isinstance(value, bool):
        return verdict(value)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float):
        return _truncated(value)
    if isinstance(value, dict):
        if "value" in value:
            return value_nl(value["value"])
        return ", ".join(f"{k}: {value_nl(v)}" for k, v in sorted(value.items()))
    return OUTCOME_NAMES.get(str(value), str(value))


def _fold(items: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    folded: dict[tuple[Any, ...], dict[str, Any]] = {}
    for item in items:
        ident = tuple(item.get(k) for k in key)
        if ident in folded:
            folded[ident]["after"] = item.get("after")
        else:
            folded[ident] = dict(item)
    return [item for item in folded.values() if item.get("before") != item.get("after")]


def combine_changes(changes: list[dict[str, Any] | None]) -> dict[str, Any]:
    """The changes of consecutive versions (oldest first) as one: first ``before``, last ``after``; no-ops dropped."""
    levels: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    causes: list[str] = []
    for change in changes:
        if not change:
            continue
        levels += list(change.get("service_levels") or [])
        outcomes += list(change.get("outcomes") or [])
        causes += [str(c) for c in change.get("cause") or [] if str(c) not in causes]
    return {
        "service_levels": _fold(levels, ("metric",)),
        "outcomes": _fold(outcomes, ("ticket_id", "metric")),
        "cause": causes,
    }


def has_changes(changes: dict[str, Any] | None) -> bool:
    """Whether a list of changes holds any entry (figures or causes)."""
    return bool(changes) and any(changes.get(k) for k in ("service_levels", "outcomes", "cause"))


def correction_subject(report: dict[str, Any]) -> str:
    """``Correctie servicerapportage mei 2026 — Gemeente Enschede``."""
    return f"Correctie servicerapportage {month_name(str(report['month']))} — {_name(report)}"


def _change(c: dict[str, Any]) -> dict[str, str]:
    return {
        "ticket": str(c.get("ticket_id") or ""),
        "name": LEVEL_NAMES.get(str(c.get("metric")), str(c.get("metric"))),
        "before": value_nl(c.get("before")),
        "after": value_nl(c.get("after")),
    }


def _view(report: dict[str, Any], changes: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    return {
        "subject": correction_subject(report),
        "tenant": _name(report),
        "month": month_name(str(report["month"])),
        "version": previous.get("new_version"),
        "was_provisional": previous.get("status") == "provisional",
        "sent_on": previous.get("sent_on") or "",
        "levels": [_change(c) for c in changes["service_levels"]],
        "outcomes": [_change(c) for c in changes["outcomes"]],
        "causes": changes["cause"],
    }


def correction_text(view: dict[str, Any]) -> str:
    """The plain-text body of a correction e-mail."""
    lines = [view["subject"], ""]
    if view["was_provisional"]:
        lines.append(
            f"U ontving eerder een voorlopige rapportage over {view['month']}. Dit is de definitieve rapportage."
        )
    else:
        lines.append(f"De cijfers over {view['month']} zijn gewijzigd na de rapportage die u ontving.")
    if view["levels"]:
        lines += ["", "Gewijzigde serviceniveaus:"] + [
            f"  {c['name']}: {c['before']} → {c['after']}" for c in view["levels"]
        ]
    if view["outcomes"]:
        lines += ["", "Gewijzigde uitkomsten per melding:"]
        lines += [f"  {c['ticket']} — {c['name']}: {c['before']} → {c['after']}" for c in view["outcomes"]]
    if not view["levels"] and not view["outcomes"]:
        lines += ["", "De cijfers zijn gelijk gebleven."]
    if view["causes"]:
        lines += ["", "Oorzaak:"] + [f"  {c}" for c in view["causes"]]
    lines += ["", "De gecorrigeerde rapportage is bijgevoegd (PDF en ODS); zij vervangt de eerdere."]
    return "\n".join(lines) + "\n"


def correction_email(
    corrected: RenderedReport, report: dict[str, Any], changes: dict[str, Any], previous: dict[str, Any]
) -> RenderedReport:
    """The correction e-mail: its own subject and body, the corrected report's files attached.

    ``previous`` describes what was mailed before: ``status`` (``final``/``provisional``),
    ``sent_on`` (a Dutch date) and ``new_version`` (this report's version).
    """
    view = _view(report, changes, previous)
    return RenderedReport(
        subject=view["subject"],
        html=_ENV.get_template("correction.html").render(**view),
        text=correction_text(view),
        attachments=corrected.attachments,
        reply_to=corrected.reply_to,
    )

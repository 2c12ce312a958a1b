"""Restatement, never silent (measurement §8.6): what changed between two versions of a month's report.

Every monthly run recomputes the previous 12 months of each tenant. A month
whose figures changed is stored as a new version carrying the list of changes
computed here from the two report bodies (``report_json`` output) and the
events received since the previous version:

* ``service_levels``: each service level whose value changed, ``{"metric",
  "before", "after"}`` (unrounded percentages, None for "n.v.t."), for the
  month itself (the trailing year is recomputed in every new report anyway);
* ``outcomes``: each ticket outcome counted differently in the month,
  ``{"ticket_id", "metric", "before", "after"}`` with ``met`` / ``breached`` /
  None (not counted in this month);
* ``cause``: short Dutch strings (they reach the municipality's correction
  e-mail) naming what explains the change as far as derivable: the events of
  the changed tickets received since the previous version, exclusions added or
  dropped, the contract's list of availability tests changed (§8.7), days whose availability changed (re-ingested), the status
  (provisional → final) and the counts of tickets not measured.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sla_core.report_text import REPORT_STATUS_NAMES

KIND_NL = {
    "opened": "geopend",
    "updated": "gewijzigd",
    "responded": "gereageerd",
    "resolved": "opgelost",
    "reopened": "heropend",
    "closed": "gesloten",
}
NOT_MEASURED_NL = {"niet_incident": "geen incident", "niet_toerekenbaar": "niet toerekenbaar"}
_EVENT_FIELDS = ("type", "priority", "scope", "attributable")
_LEVEL_FIGURES = (
    "value",
    "decided",
    "within",
    "down_minutes",
    "unknown_minutes",
    "excluded_minutes",
    "scheduled_minutes",
)


def _level_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for metric in [*after.keys(), *(k for k in before if k not in after)]:
        old, new = before.get(metric) or {}, after.get(metric) or {}
        if not isinstance(old, Mapping) or not isinstance(new, Mapping):
            continue
        if old.get("value") != new.get("value"):
            changes.append({"metric": metric, "before": old.get("value"), "after": new.get("value")})
    return changes


def _outcomes(body: Mapping[str, Any]) -> dict[tuple[str, str], str]:
    return {(o["ticket_id"], o["metric"]): o["outcome"] for o in body.get("outcomes") or ()}


def outcome_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Outcomes counted differently in the month, ordered by ticket and metric."""
    old, new = _outcomes(before), _outcomes(after)
    return [
        {"ticket_id": ticket, "metric": metric, "before": old.get((ticket, metric)), "after": new.get((ticket, metric))}
        for ticket, metric in sorted(old.keys() | new.keys())
        if old.get((ticket, metric)) != new.get((ticket, metric))
    ]


def _describe_event(event: Mapping[str, Any]) -> str:
    kind = KIND_NL.get(str(event.get("kind")), str(event.get("kind")))
    details = [f"{key} {event[key]}" for key in _EVENT_FIELDS if event.get(key) is not None]
    what = kind if not details else f"{kind}: {', '.join(details)}"
    return f"melding {event['ticket_id']}: gebeurtenis {event['event_id']} ({what}, {event['occurred_at']}) nagekomen"


def _exclusion(item: Mapping[str, Any]) -> str:
    reason = f" ({item['reason']})" if item.get("reason") else ""
    return f"{item.get('start')} – {item.get('end')}{reason}"


def _days(body: Mapping[str, Any]) -> dict[str, tuple[Any, ...]]:
    days = ((body.get("service_levels") or {}).get("availability") or {}).get("by_day") or ()
    return {d["date"]: tuple(d.get(k) for k in _LEVEL_FIGURES if k in d) for d in days}


def causes(
    before: Mapping[str, Any], after: Mapping[str, Any], tickets: Iterable[str], new_events: Iterable[Mapping[str, Any]]
) -> list[str]:
    """What explains the change (Dutch, one short line each), in a fixed order."""
    found: list[str] = []
    if before.get("status", "final") != after.get("status", "final"):
        old, new = before.get("status", "final"), after.get("status", "final")
        found.append(f"status: {REPORT_STATUS_NAMES.get(old, old)} → {REPORT_STATUS_NAMES.get(new, new)}")
    old_days, new_days = set(before.get("missing_days") or ()), set(after.get("missing_days") or ())
    if new_days != old_days:
        now_complete = sorted(old_days - new_days)
        if now_complete:
            found.append(f"beschikbaarheid compleet ingelezen: {', '.join(now_complete)}")
        if new_days - old_days:
            found.append(f"beschikbaarheid niet compleet: {', '.join(sorted(new_days - old_days))}")
    old_by_day, new_by_day = _days(before), _days(after)
    reingested = sorted(d for d in old_by_day.keys() & new_by_day.keys() if old_by_day[d] != new_by_day[d])
    reingested = [d for d in reingested if d not in old_days]  # newly complete days are named above
    if reingested:
        found.append(f"beschikbaarheid gewijzigd (opnieuw ingelezen of uitgesloten): {', '.join(reingested)}")
    old_exclusions = {_exclusion(e) for e in before.get("exclusions") or ()}
    new_exclusions = {_exclusion(e) for e in after.get("exclusions") or ()}
    found.extend(f"uitsluiting toegevoegd: {e}" for e in sorted(new_exclusions - old_exclusions))
    found.extend(f"uitsluiting vervallen: {e}" for e in sorted(old_exclusions - new_exclusions))
    if before.get("availability_tests") != after.get("availability_tests"):  # measurement §8.7
        found.append("lijst van beschikbaarheidstests in de overeenkomst gewijzigd")
    old_nm, new_nm = before.get("not_measured") or {}, after.get("not_measured") or {}
    for key in sorted(old_nm.keys() | new_nm.keys()):
        if old_nm.get(key, 0) != new_nm.get(key, 0):
            label = NOT_MEASURED_NL.get(key, key)
            found.append(f"meldingen niet meegeteld ({label}): {old_nm.get(key, 0)} → {new_nm.get(key, 0)}")
    wanted = set(tickets)
    explained: set[str] = set()
    for event in sorted(
        new_events, key=lambda e: (str(e.get("ticket_id")), str(e.get("occurred_at")), str(e.get("event_id")))
    ):
        if event.get("ticket_id") in wanted:
            found.append(_describe_event(event))
            explained.add(str(event["ticket_id"]))
    found.extend(
        f"melding {ticket}: herberekend (termijn verstreken of contract gewijzigd)"
        for ticket in sorted(wanted - explained)
    )
    return found


def restatement(
    before: Mapping[str, Any], after: Mapping[str, Any], new_events: Iterable[Mapping[str, Any]] = ()
) -> dict[str, list[Any]]:
    """The changes of ``after`` against ``before`` (both report bodies), measurement §8.6.

    ``new_events``: canonical event objects received after ``before`` was computed; those of tickets whose
    outcomes changed are named as causes.
    """
    levels = _level_changes(before.get("service_levels") or {}, after.get("service_levels") or {})
    outcomes = outcome_changes(before, after)
    tickets = {o["ticket_id"] for o in outcomes}
    return {"service_levels": levels, "outcomes": outcomes, "cause": causes(before, after, tickets, new_events)}


def figures_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether ``after`` tells the municipality something else about its month: a value, an outcome, the status
    or missing days. The trailing year alone does not count: it is recomputed in every new report, and a month
    restated only because older data aged out of retention would be a false correction."""
    if before.get("status", "final") != after.get("status", "final"):
        return True
    if list(before.get("missing_days") or ()) != list(after.get("missing_days") or ()):
        return True
    changes = restatement(before, after)
    return bool(changes["service_levels"] or changes["outcomes"])


def has_changes(changes: Mapping[str, Any] | None) -> bool:
    """Whether a version's ``changes`` is non-empty (any of its lists holds an entry)."""
    return bool(changes) and any(changes.get(k) for k in ("service_levels", "outcomes", "cause"))

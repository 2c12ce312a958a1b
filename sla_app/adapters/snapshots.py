"""Ticket-tool histories as a pure function of the snapshots received (measurement §6).

A ticket tool (TOPdesk, Jira Service Management) sends the whole ticket on
every change. Each snapshot is read into a :class:`Reading`: its minimal
canonical content (canonical values with the status as its class, the
tool's flags and their dates; never free text). The ticket's events are then
derived by :func:`history` from *all* readings received, in the tool's own
modification order (``modificationDate`` / ``fields.updated``; readings of the
same instant by their content), so the order in which snapshots arrived, and
whether they arrived at the same moment, cannot change the result.

The fold over the ordered readings, shared by every tool:

=====================================  ============  ========================================
between one reading and the next       event         at
=====================================  ============  ========================================
the first reading                      ``opened``    ``opened_at`` (status only if as created)
a canonical value set and changed      ``updated``   ``seen`` (first reading: ``status_since``)
responded, the first time              ``responded`` ``responded_at``
phase open → resolved                  ``resolved``  ``resolved_at`` (else ``seen``)
phase open → closed                    (``resolved`` if dated) ``closed`` at ``closed_at``
phase resolved → closed                ``closed``    ``closed_at`` (else ``seen``)
phase resolved/closed → open           ``reopened``  ``seen``
phase closed → resolved                nothing (the restore clock already stopped)
=====================================  ============  ========================================

A resolution date older than the previous reading (left from before a reopen)
is not used; ``seen`` is. A value a reading leaves empty keeps its last value.
Of events with the same id (readings of one instant) the last is kept, so a
history holds each id once.
Event ids are ``<source>:<ticket>:<kind>:<UTC instant>`` (``updated``: plus the
changed fields joined by ``+``), all within the identifier pattern of rules
§8.3.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CANONICAL_FIELDS: tuple[str, ...] = ("type", "priority", "status", "scope", "attributable")
PHASES: tuple[str, ...] = ("open", "resolved", "closed")
READING_VERSION = 1


def instant_key(at: datetime) -> str:
    """An instant as it appears in ids and stored readings: UTC, milliseconds."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Reading:
    """The minimal canonical reading of one snapshot (all instants aware)."""

    ticket_id: str
    seen: datetime  # the tool's modification instant of the snapshot
    opened_at: datetime
    as_created: bool  # the snapshot is the ticket as created: its status holds from opened_at
    values: dict[str, Any] = field(default_factory=dict)  # canonical fields; None: not known
    status_since: datetime | None = None  # first reading only: the instant its status holds from
    responded_at: datetime | None = None  # None: not responded (as far as this snapshot tells)
    phase: str = "open"
    resolved_at: datetime | None = None
    closed_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The reading as stored (instants as UTC keys, so equal readings are equal JSON)."""

        def key(at: datetime | None) -> str | None:
            return None if at is None else instant_key(at)

        return {
            "v": READING_VERSION,
            "ticket_id": self.ticket_id,
            "seen": key(self.seen),
            "opened_at": key(self.opened_at),
            "as_created": self.as_created,
            "values": {k: self.values.get(k) for k in CANONICAL_FIELDS},
            "status_since": key(self.status_since),
            "responded_at": key(self.responded_at),
            "phase": self.phase,
            "resolved_at": key(self.resolved_at),
            "closed_at": key(self.closed_at),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reading:
        """A stored reading."""
        seen, opened = _instant(data["seen"]), _instant(data["opened_at"])
        assert seen is not None and opened is not None
        return cls(
            ticket_id=data["ticket_id"],
            seen=seen,
            opened_at=opened,
            as_created=bool(data["as_created"]),
            values=dict(data["values"]),
            status_since=_instant(data.get("status_since")),
            responded_at=_instant(data.get("responded_at")),
            phase=data["phase"],
            resolved_at=_instant(data.get("resolved_at")),
            closed_at=_instant(data.get("closed_at")),
        )

    def digest(self) -> str:
        """A short digest of the reading's content (orders readings of the same instant; part of its key)."""
        text = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def order(self) -> tuple[datetime, str]:
        """The reading's place in the history: the tool's modification instant, then its content."""
        return (self.seen, self.digest())


def event(
    source: str, tenant: str, ticket_id: str, kind: str, at: datetime, fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A canonical event with its deterministic id."""
    values = {k: v for k, v in (fields or {}).items() if v is not None}
    event_id = f"{source}:{ticket_id}:{kind}:{instant_key(at)}"
    if kind == "updated":
        event_id += ":" + "+".join(sorted(values))
    return {
        "event_id": event_id,
        "tenant": tenant,
        "ticket_id": ticket_id,
        "occurred_at": at.isoformat(),
        "kind": kind,
        **values,
    }


def changes(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """Canonical fields whose current value is set and differs from the previous one."""
    return {k: current[k] for k in CANONICAL_FIELDS if current.get(k) is not None and current.get(k) != previous.get(k)}


def _dated(at: datetime | None, floor: datetime) -> datetime | None:
    return at if at is not None and at >= floor else None


def history(source: str, tenant: str, readings: Iterable[Reading]) -> list[dict[str, Any]]:
    """The ticket's canonical events derived from all its readings, in any order given."""
    ordered = sorted(readings, key=Reading.order)
    if not ordered:
        return []
    first = ordered[0]
    ticket = first.ticket_id

    def new(kind: str, at: datetime, fields: dict[str, Any] | None = None) -> dict[str, Any]:
        return event(source, tenant, ticket, kind, at, fields)

    opened = dict(first.values) if first.as_created else {**first.values, "status": None}
    events = [new("opened", first.opened_at, opened)]
    values: dict[str, Any] = opened
    responded, phase, floor = False, "open", first.opened_at
    for index, reading in enumerate(ordered):
        update_at = (reading.status_since or reading.seen) if index == 0 else reading.seen
        changed = changes(values, reading.values)
        if changed:
            events.append(new("updated", update_at, changed))
        values = {
            k: reading.values.get(k) if reading.values.get(k) is not None else values.get(k) for k in CANONICAL_FIELDS
        }
        if reading.responded_at is not None and not responded:
            events.append(new("responded", reading.responded_at))
            responded = True
        resolved_at = _dated(reading.resolved_at, floor)
        if phase == "open" and reading.phase == "resolved":
            events.append(new("resolved", resolved_at or reading.seen))
        elif phase == "open" and reading.phase == "closed":
            if resolved_at is not None:
                events.append(new("resolved", resolved_at))
            events.append(new("closed", reading.closed_at or reading.seen))
        elif phase == "resolved" and reading.phase == "closed":
            events.append(new("closed", reading.closed_at or reading.seen))
        elif phase != "open" and reading.phase == "open":
            events.append(new("reopened", reading.seen))
        phase, floor = reading.phase, reading.seen
    # Readings of the same instant can repeat an id (an update of the same field twice at once): the last wins.
    return list({e["event_id"]: e for e in events}.values())

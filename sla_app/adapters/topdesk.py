"""TOPdesk incidents → the minimal canonical reading of each snapshot.

TOPdesk posts the whole incident on every change (an action sequence that
sends the incident as TOPdesk's incident API returns it). This module holds
only TOPdesk's field mapping; the history of the incident is derived from all
its readings by :func:`sla_app.adapters.snapshots.history`:

=========================================  ==============================================
reading                                    from
=========================================  ==============================================
ticket id                                  ``number`` ("I 2610 042" → ``I-2610-042``)
seen (the order of snapshots)              ``modificationDate``
opened at                                  ``callDate`` (else ``creationDate``)
as created                                 ``modificationDate`` not after ``creationDate``
type, priority                             ``callType.name``, ``priority.name`` (mapped)
status (its class)                         the on-hold status while ``onHold``, else
                                           ``processingStatus.name`` (mapped)
status since (first reading)               ``onHoldDate`` while on hold
responded at                               ``responseDate`` when ``responded``
phase                                      ``closed`` → closed, ``completed`` → resolved
resolved at / closed at                    ``completedDate`` / ``closedDate``
=========================================  ==============================================

Scope and attributable come from the mapping's rules. The incident's free text
(request, brief description, caller, operator, actions, optional text fields)
is never read (SLA §5.2.1, AVG); nothing but the reading is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sla_app.adapters.payload import (
    flag_at,
    instant_at,
    mapped_at,
    name_at,
    require_object,
    text_at,
)
from sla_app.adapters.snapshots import Reading
from sla_app.adapters.ticket_tool_mapping import TopdeskMapping, default_mappings
from sla_core.status_class import StatusClasses

SOURCE = "topdesk"


def _dated(payload: Any, flag: str, date: str) -> datetime | None:
    """The date of a flag that is true (required then); None when the flag is false."""
    value = flag_at(payload, flag, SOURCE)
    return instant_at(payload, date, SOURCE, required=True) if value else None


def read_incident(mapping: TopdeskMapping, classes: StatusClasses, payload: Any) -> Reading:
    """The reading of one incident snapshot; 422 naming the field when one is missing, unmapped or invalid."""
    data = require_object(payload, SOURCE)
    number = text_at(data, "number", SOURCE, required=True)
    assert number is not None
    call_date = instant_at(data, "callDate", SOURCE, required=False)
    creation_date = instant_at(data, "creationDate", SOURCE, required=call_date is None)
    opened_at = call_date or creation_date
    created_at = creation_date or call_date
    seen = instant_at(data, "modificationDate", SOURCE, required=True)
    assert opened_at is not None and created_at is not None and seen is not None

    ticket_type = mapped_at(data, "callType", SOURCE, mapping.type_of, "call type")
    priority = mapped_at(data, "priority", SOURCE, mapping.priority_of, "priority")
    status_name = name_at(data, "processingStatus", SOURCE, required=False)
    on_hold = flag_at(data, "onHold", SOURCE)
    status = mapping.on_hold_status if on_hold else (None if status_name is None else mapping.status_of(status_name))
    resolved_at = _dated(data, "completed", "completedDate")
    closed_at = _dated(data, "closed", "closedDate")
    return Reading(
        ticket_id=mapping.ticket_id_of(number, "number", SOURCE),
        seen=seen,
        opened_at=opened_at,
        as_created=seen <= created_at,
        values={
            "type": ticket_type,
            "priority": priority,
            "status": classes.of(status),
            "scope": mapping.scope_of(data),
            "attributable": mapping.attributable_of(data),
        },
        status_since=instant_at(data, "onHoldDate", SOURCE, required=False) if on_hold else None,
        responded_at=_dated(data, "responded", "responseDate"),
        phase="closed" if closed_at is not None else "resolved" if resolved_at is not None else "open",
        resolved_at=resolved_at,
        closed_at=closed_at,
    )


@dataclass(frozen=True)
class TopdeskReader:
    """The :class:`~sla_app.services.tool_history.SnapshotReader` of TOPdesk incidents."""

    mapping: TopdeskMapping
    source: str = SOURCE

    @classmethod
    def default(cls) -> TopdeskReader:
        """The reader with the shipped mapping (read on first use)."""
        return cls(default_mappings().topdesk)

    def read(self, payload: Any, classes: StatusClasses) -> Reading:
        """The snapshot's reading (every TOPdesk delivery is a snapshot)."""
        return read_incident(self.mapping, classes, payload)

"""TOPdesk incidents → canonical ticket events (issue 4 §1), by comparing snapshots.

TOPdesk posts the whole incident on every change (an action sequence that
sends the incident as TOPdesk's incident API returns it; the field names are
those of that API: ``number``, ``callType``, ``priority``,
``processingStatus``, ``onHold``/``onHoldDate``, ``responded``/``responseDate``,
``completed``/``completedDate``, ``closed``/``closedDate``, ``callDate``,
``creationDate``, ``modificationDate``). Each snapshot is compared with the
canonical state kept from the previous one:

========================================  ============  =====================================
change                                    event         at
========================================  ============  =====================================
first snapshot of the incident            ``opened``    ``callDate`` (else ``creationDate``)
``responded`` false → true                ``responded`` ``responseDate``
``completed`` false → true                ``resolved``  ``completedDate``
``completed`` true → false                ``reopened``  ``modificationDate``
``closed`` false → true                   ``closed``    ``closedDate``
type, priority, status, scope or          ``updated``   ``modificationDate``
attributable changed
========================================  ============  =====================================

The status is the mapped ``processingStatus``; while ``onHold`` is true it is
the configured on-hold status ("wachten op klant"), which matches a pause
pattern (SLA §7.2). The first snapshot carries the status on ``opened`` only
when it is the incident as created (``modificationDate`` not after
``creationDate``); otherwise the status is known only from the snapshot on
(from ``onHoldDate`` when on hold), so no pause is ever assumed that was not
seen.

A snapshot older than the last one derived from (by ``modificationDate``) was
delivered late: it yields nothing and leaves the state alone. Event ids are
``topdesk:<number>:<kind>:<UTC instant>`` (+ the changed fields for
``updated``): a redelivered snapshot yields the same events. Only canonical
values and the four flags are kept; the incident's free text (request,
brief description, caller, actions) is never read (SLA §5.2.1, AVG).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sla_app.adapters.ticket_tool_mapping import (
    CANONICAL_FIELDS,
    TopdeskMapping,
    changes,
    default_mappings,
    event,
    flag_at,
    instant_at,
    instant_key,
    name_at,
    require_object,
    seen_at,
    text_at,
)
from sla_app.errors import Unprocessable
from sla_app.services.ticket_ingest import Derived

SOURCE = "topdesk"
STATE_VERSION = 1


@dataclass(frozen=True)
class Incident:
    """The canonical reading of one TOPdesk incident snapshot."""

    ticket_id: str
    opened_at: datetime
    created_at: datetime
    seen: datetime  # modificationDate
    values: dict[str, Any]  # canonical fields; ``status`` as in effect (on hold or not)
    on_hold: bool
    on_hold_at: datetime | None
    responded: bool
    responded_at: datetime | None
    completed: bool
    completed_at: datetime | None
    closed: bool
    closed_at: datetime | None


def _dated(payload: Any, flag: str, date: str) -> tuple[bool, datetime | None]:
    """A flag and its date; the date is required when the flag is true."""
    value = flag_at(payload, flag, SOURCE)
    return value, instant_at(payload, date, SOURCE, required=value)


def read_incident(mapping: TopdeskMapping, payload: Any) -> Incident:
    """Read the canonical fields of an incident; 422 naming the field when one is missing or unmapped."""
    data = require_object(payload, SOURCE)
    ticket_id = text_at(data, "number", SOURCE, required=True)
    call_date = instant_at(data, "callDate", SOURCE, required=False)
    creation_date = instant_at(data, "creationDate", SOURCE, required=call_date is None)
    opened_at = call_date or creation_date
    created_at = creation_date or call_date
    assert ticket_id is not None and opened_at is not None and created_at is not None
    seen = instant_at(data, "modificationDate", SOURCE, required=True)
    assert seen is not None

    type_name = name_at(data, "callType", SOURCE, required=False)
    ticket_type = None if type_name is None else mapping.type_of(type_name)
    if type_name is not None and ticket_type is None:
        raise Unprocessable(f"{SOURCE}: field callType: call type {type_name!r} is not mapped", field="callType")
    priority_name = name_at(data, "priority", SOURCE, required=False)
    priority = None if priority_name is None else mapping.priority_of(priority_name)
    if priority_name is not None and priority is None:
        raise Unprocessable(f"{SOURCE}: field priority: priority {priority_name!r} is not mapped", field="priority")
    status_name = name_at(data, "processingStatus", SOURCE, required=False)

    on_hold = flag_at(data, "onHold", SOURCE)
    on_hold_at = instant_at(data, "onHoldDate", SOURCE, required=False) if on_hold else None
    status = mapping.on_hold_status if on_hold else (None if status_name is None else mapping.status_of(status_name))
    responded, responded_at = _dated(data, "responded", "responseDate")
    completed, completed_at = _dated(data, "completed", "completedDate")
    closed, closed_at = _dated(data, "closed", "closedDate")
    values = {"type": ticket_type, "priority": priority, "status": status,
              "scope": mapping.scope_of(data), "attributable": mapping.attributable_of(data)}  # fmt: skip
    return Incident(ticket_id, opened_at, created_at, seen, values, on_hold, on_hold_at,
                    responded, responded_at, completed, completed_at, closed, closed_at)  # fmt: skip


@dataclass(frozen=True)
class TopdeskMapper:
    """The :class:`~sla_app.services.ticket_ingest.TicketToolMapper` of TOPdesk incidents."""

    mapping: TopdeskMapping
    source: str = SOURCE

    @classmethod
    def default(cls) -> TopdeskMapper:
        """The mapper with the shipped mapping (read on first use)."""
        return cls(default_mappings().topdesk)

    def ticket_id(self, payload: Any) -> str:
        """The incident number ("I 2610 042"): the ticket id the reports show."""
        number = text_at(require_object(payload, SOURCE), "number", SOURCE, required=True)
        assert number is not None
        return number

    def derive(self, tenant: str, payload: Any, previous: dict[str, Any]) -> Derived:
        """Canonical events for what changed since ``previous``, and the new state."""
        incident = read_incident(self.mapping, payload)
        last_seen = seen_at(previous)
        if last_seen is not None and incident.seen < last_seen:
            return Derived(events=[], state=previous)  # delivered late: a newer snapshot was already derived from

        def new(kind: str, at: datetime, fields: dict[str, Any] | None = None) -> dict[str, Any]:
            return event(SOURCE, tenant, incident.ticket_id, kind, at, fields)

        events: list[dict[str, Any]] = []
        before = previous
        update_at = incident.seen
        if last_seen is None:
            as_created = incident.seen <= incident.created_at
            opened = dict(incident.values) if as_created else {**incident.values, "status": None}
            events.append(new("opened", incident.opened_at, opened))
            before = opened
            if incident.on_hold and incident.on_hold_at is not None:
                update_at = incident.on_hold_at
        changed = changes(before, incident.values)
        if changed:
            events.append(new("updated", update_at, changed))

        if incident.responded and not previous.get("responded"):
            events.append(new("responded", incident.responded_at))  # type: ignore[arg-type]
        reopened = False
        if incident.completed and not previous.get("completed"):
            events.append(new("resolved", incident.completed_at))  # type: ignore[arg-type]
        elif not incident.completed and previous.get("completed"):
            events.append(new("reopened", incident.seen))
            reopened = True
        if incident.closed and not previous.get("closed"):
            events.append(new("closed", incident.closed_at))  # type: ignore[arg-type]
        elif not incident.closed and previous.get("closed") and not reopened:
            events.append(new("reopened", incident.seen))

        state: dict[str, Any] = {"v": STATE_VERSION, "seen": instant_key(incident.seen)}
        for name in CANONICAL_FIELDS:  # a value cleared in TOPdesk keeps its last canonical value
            value = incident.values[name] if incident.values[name] is not None else previous.get(name)
            if value is not None:
                state[name] = value
        state.update(responded=incident.responded or bool(previous.get("responded")), completed=incident.completed,
                     closed=incident.closed, on_hold=incident.on_hold)  # fmt: skip
        return Derived(events=events, state=state)

"""Jira Service Management issues → canonical ticket events (issue 4 §1), by comparing snapshots.

Jira's issue webhook (``webhookEvent`` ``jira:issue_created`` /
``jira:issue_updated``, ``timestamp`` in ms, ``issue.key``,
``issue.fields.{issuetype,priority,status}.name``, ``issue.fields.created``,
``updated``, ``resolutiondate``, ``labels``, ``components``, and a
``changelog`` of ``{field, fromString, toString}`` items) carries the issue as
it is after the change. That snapshot is compared with the canonical state
kept from the previous delivery, so a lost delivery is caught up by the next
one and the changelog is not needed (it tells the same transition):

==========================================  ============  ============================================
change                                      event         at
==========================================  ============  ============================================
first delivery of the issue                 ``opened``    ``fields.created``
status enters a *responded* status, the     ``responded`` ``fields.updated``
first time ("In Progress", "In behandeling")
status enters a *resolved* status           ``resolved``  ``fields.resolutiondate`` (else ``updated``)
("Resolved", "Done", "Opgelost")
status enters a *closed* status             ``closed``    ``fields.updated``
("Closed", "Gesloten")
status leaves resolved/closed for another   ``reopened``  ``fields.updated``
type, priority, status, scope or            ``updated``   ``fields.updated``
attributable changed
==========================================  ============  ============================================

``fields.updated`` falls back to the webhook's ``timestamp``. Scope and
attributable come from labels and components (see the mapping). As for
TOPdesk, the first delivery carries the status on ``opened`` only when it is
the issue as created; a delivery older than the last one derived from (by
``fields.updated``) yields nothing; event ids are
``jira:<issue key>:<kind>:<UTC instant>`` (+ changed fields); summary,
description, reporter and comments are never read (SLA §5.2.1, AVG).

Other webhook events (``jira:issue_deleted``, comments, …) are accepted and
yield nothing: measured history is not removed. Restrict the Jira webhook's
JQL to the issue types of the mapping, since an unmapped type is a 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sla_app.adapters.ticket_tool_mapping import (
    CANONICAL_FIELDS,
    JiraMapping,
    changes,
    default_mappings,
    event,
    from_epoch_ms,
    instant_at,
    instant_key,
    name_at,
    require_object,
    seen_at,
    text_at,
    value_at,
)
from sla_app.errors import Unprocessable
from sla_app.services.ticket_ingest import Derived

SOURCE = "jira"
HANDLED_EVENTS = ("jira:issue_created", "jira:issue_updated")
STATE_VERSION = 1
_FIELDS = "issue.fields"


@dataclass(frozen=True)
class Issue:
    """The canonical reading of one Jira issue snapshot."""

    ticket_id: str
    created: bool  # the delivery of the issue's creation
    created_at: datetime
    seen: datetime  # fields.updated (else the webhook timestamp)
    values: dict[str, Any]
    phase: str  # open | resolved | closed
    responding: bool  # its status counts as a response
    resolved_at: datetime | None


def _mapped(name: str | None, table: Any, path: str, what: str) -> str | None:
    if name is None:
        return None
    value = table(name)
    if value is None:
        raise Unprocessable(f"{SOURCE}: field {path}: {what} {name!r} is not mapped", field=path)
    return value


def read_issue(mapping: JiraMapping, payload: dict[str, Any], webhook_event: str) -> Issue:
    """Read the canonical fields of an issue; 422 naming the field when one is missing or unmapped."""
    key = text_at(payload, "issue.key", SOURCE, required=True)
    created_at = instant_at(payload, f"{_FIELDS}.created", SOURCE, required=True)
    assert key is not None and created_at is not None
    seen = instant_at(payload, f"{_FIELDS}.updated", SOURCE, required=False)
    if seen is None:
        stamp = value_at(payload, "timestamp")
        if stamp is None:
            path = f"{_FIELDS}.updated"
            raise Unprocessable(f"{SOURCE}: field {path}: missing (and no timestamp)", field=path)
        seen = from_epoch_ms(stamp, "timestamp", SOURCE)
    ticket_type = _mapped(name_at(payload, f"{_FIELDS}.issuetype", SOURCE, required=False), mapping.type_of,
                          f"{_FIELDS}.issuetype", "issue type")  # fmt: skip
    priority = _mapped(name_at(payload, f"{_FIELDS}.priority", SOURCE, required=False), mapping.priority_of,
                       f"{_FIELDS}.priority", "priority")  # fmt: skip
    status_name = name_at(payload, f"{_FIELDS}.status", SOURCE, required=True)
    assert status_name is not None
    values = {"type": ticket_type, "priority": priority, "status": mapping.status_of(status_name),
              "scope": mapping.scope_of(payload), "attributable": mapping.attributable_of(payload)}  # fmt: skip
    return Issue(
        ticket_id=key,
        created=webhook_event == "jira:issue_created" or seen <= created_at,
        created_at=created_at,
        seen=seen,
        values=values,
        phase=mapping.phase_of(status_name),
        responding=mapping.means_responded(status_name),
        resolved_at=instant_at(payload, f"{_FIELDS}.resolutiondate", SOURCE, required=False),
    )


@dataclass(frozen=True)
class JiraMapper:
    """The :class:`~sla_app.services.ticket_ingest.TicketToolMapper` of Jira Service Management issues."""

    mapping: JiraMapping
    source: str = SOURCE

    @classmethod
    def default(cls) -> JiraMapper:
        """The mapper with the shipped mapping (read on first use)."""
        return cls(default_mappings().jira)

    def ticket_id(self, payload: Any) -> str:
        """The issue key ("SD-123")."""
        key = text_at(require_object(payload, SOURCE), "issue.key", SOURCE, required=True)
        assert key is not None
        return key

    def derive(self, tenant: str, payload: Any, previous: dict[str, Any]) -> Derived:
        """Canonical events for what changed since ``previous``, and the new state."""
        data = require_object(payload, SOURCE)
        webhook_event = text_at(data, "webhookEvent", SOURCE, required=True)
        if webhook_event not in HANDLED_EVENTS:
            return Derived(events=[], state=previous)
        issue = read_issue(self.mapping, data, webhook_event)  # type: ignore[arg-type]
        last_seen = seen_at(previous)
        if last_seen is not None and issue.seen < last_seen:
            return Derived(events=[], state=previous)  # delivered late: a newer snapshot was already derived from

        def new(kind: str, at: datetime, fields: dict[str, Any] | None = None) -> dict[str, Any]:
            return event(SOURCE, tenant, issue.ticket_id, kind, at, fields)

        events: list[dict[str, Any]] = []
        before = previous
        if last_seen is None:
            opened = dict(issue.values) if issue.created else {**issue.values, "status": None}
            events.append(new("opened", issue.created_at, opened))
            before = opened
        changed = changes(before, issue.values)
        if changed:
            events.append(new("updated", issue.seen, changed))

        responded = bool(previous.get("responded"))
        if issue.responding and not responded:
            events.append(new("responded", issue.seen))
            responded = True
        was = previous.get("phase", "open")
        if issue.phase != was:
            if issue.phase == "resolved" and was == "open":
                floor = last_seen or issue.created_at  # a resolution date left from before a reopen is stale
                at = issue.resolved_at if issue.resolved_at is not None and issue.resolved_at >= floor else issue.seen
                events.append(new("resolved", at))
            elif issue.phase == "closed":
                events.append(new("closed", issue.seen))
            elif issue.phase == "open":
                events.append(new("reopened", issue.seen))
            # closed → resolved: the restore clock already stopped; nothing happens

        state: dict[str, Any] = {"v": STATE_VERSION, "seen": instant_key(issue.seen)}
        for name in CANONICAL_FIELDS:
            value = issue.values[name] if issue.values[name] is not None else previous.get(name)
            if value is not None:
                state[name] = value
        state.update(phase=issue.phase, responded=responded)
        return Derived(events=events, state=state)

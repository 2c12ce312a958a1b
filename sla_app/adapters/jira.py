"""Jira Service Management issues → the minimal canonical reading of each delivery.

Jira's issue webhook (``webhookEvent`` ``jira:issue_created`` /
``jira:issue_updated``) carries the issue as it is after the change; the
changelog is not needed (the snapshots tell the same transitions). This module
holds only Jira's field mapping; the history of the issue is derived from all
its readings by :func:`sla_app.adapters.snapshots.history`:

=========================================  ==============================================
reading                                    from
=========================================  ==============================================
ticket id                                  ``issue.key`` (``SD-42``)
seen (the order of deliveries)             ``fields.updated`` (else ``timestamp``, ms)
opened at                                  ``fields.created``
as created                                 ``jira:issue_created``, or updated ≤ created
type, priority, status (its class)         ``fields.{issuetype,priority,status}.name``
                                           (mapped)
responded at                               seen, while the status is a *responded* one
                                           ("In Progress", "In behandeling")
phase                                      the status's kind: resolved ("Resolved",
                                           "Done", "Opgelost"), closed ("Closed",
                                           "Gesloten") or open
resolved at                                ``fields.resolutiondate``
=========================================  ==============================================

Scope and attributable come from labels and components (see the mapping).
Summary, description, reporter, assignee and comments are never read (SLA
§5.2.1, AVG). Other webhook events (``jira:issue_deleted``, comments, …) are
accepted and yield no reading: measured history is not removed. Restrict the
Jira webhook's JQL to the issue types of the mapping, since an unmapped type is
a 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sla_app.adapters.payload import (
    from_epoch_ms,
    instant_at,
    mapped_at,
    name_at,
    require_object,
    text_at,
    value_at,
)
from sla_app.adapters.snapshots import Reading
from sla_app.adapters.ticket_tool_mapping import JiraMapping, default_mappings
from sla_app.errors import Unprocessable
from sla_core.status_class import StatusClasses

SOURCE = "jira"
HANDLED_EVENTS = ("jira:issue_created", "jira:issue_updated")
_FIELDS = "issue.fields"


def read_issue(mapping: JiraMapping, classes: StatusClasses, payload: dict[str, Any], webhook_event: str) -> Reading:
    """The reading of one delivery; 422 naming the field when one is missing, unmapped or invalid."""
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
    ticket_type = mapped_at(payload, f"{_FIELDS}.issuetype", SOURCE, mapping.type_of, "issue type")
    priority = mapped_at(payload, f"{_FIELDS}.priority", SOURCE, mapping.priority_of, "priority")
    status_name = name_at(payload, f"{_FIELDS}.status", SOURCE, required=True)
    assert status_name is not None
    return Reading(
        ticket_id=mapping.ticket_id_of(key, "issue.key", SOURCE),
        seen=seen,
        opened_at=created_at,
        as_created=webhook_event == "jira:issue_created" or seen <= created_at,
        values={
            "type": ticket_type,
            "priority": priority,
            "status": classes.of(mapping.status_of(status_name)),
            "scope": mapping.scope_of(payload),
            "attributable": mapping.attributable_of(payload),
        },
        responded_at=seen if mapping.means_responded(status_name) else None,
        phase=mapping.phase_of(status_name),
        resolved_at=instant_at(payload, f"{_FIELDS}.resolutiondate", SOURCE, required=False),
    )


@dataclass(frozen=True)
class JiraReader:
    """The :class:`~sla_app.services.tool_history.SnapshotReader` of Jira Service Management issues."""

    mapping: JiraMapping
    source: str = SOURCE

    @classmethod
    def default(cls) -> JiraReader:
        """The reader with the shipped mapping (read on first use)."""
        return cls(default_mappings().jira)

    def read(self, payload: Any, classes: StatusClasses) -> Reading | None:
        """The delivery's reading; None for webhook events that carry no issue change."""
        data = require_object(payload, SOURCE)
        webhook_event = text_at(data, "webhookEvent", SOURCE, required=True)
        if webhook_event not in HANDLED_EVENTS:
            return None
        assert webhook_event is not None
        return read_issue(self.mapping, classes, data, webhook_event)

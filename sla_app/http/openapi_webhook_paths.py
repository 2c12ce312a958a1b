"""The OpenAPI document's other routes: the ticket webhooks, the health page and the public documents.

The ticket webhooks (canonical events, TOPdesk, Jira; measurement §6 and
§8.1) authenticate with the function key plus the tenant's own signature or
token; ``health`` is for operators (``SLA.Admin``); ``openapi.json`` and
``security.txt`` are anonymous. Listed in :data:`WEBHOOK_OPERATIONS`, part of
:data:`sla_app.http.openapi.OPERATIONS`.
"""

from __future__ import annotations

from typing import Any

from sla_app.http.api_fields import TENANT_ID_PATTERN
from sla_app.http.api_ticket_models import CanonicalTicketEvent, IngestResult, JiraIssueEvent, TopdeskIncident
from sla_app.http.auth import ADMIN_ROLE
from sla_app.http.openapi_operation import (
    ANONYMOUS,
    EVENTS_SIGNATURE,
    FUNCTION_KEY,
    JIRA_SIGNATURE,
    SIGNED_IN,
    TOPDESK_BEARER,
    OneOrMany,
    Operation,
    Param,
    Reply,
)

MAX_EVENTS = 1000

_TENANT_QUERY = Param(
    "tenant",
    "The municipality (tenant id) whose credential signs the delivery.",
    {"type": "string", "pattern": TENANT_ID_PATTERN},
    True,
)
_TIMESTAMP = Param(
    "X-SLA-Timestamp", "Unix seconds when the request was signed.", {"type": "string", "pattern": r"^\d+$"}, True
)


def _ticket_tool(tool: str, operation_id: str, summary: str, credential: str, thing: str, request: Any) -> Operation:
    """A ticket tool's webhook: one snapshot of a ``thing`` (incident, issue), with the tenant's own credential."""
    return Operation(
        "POST",
        f"tickets/{tool}",
        operation_id,
        summary,
        "tickets",
        "sla_app.functions.tickets",
        ((FUNCTION_KEY, credential),),
        {200: Reply(f"The snapshot is kept and the {thing}'s events derived from all its snapshots.", IngestResult)},
        (400, 401, 409, 413, 422, 503),
        request=request,
        query=(_TENANT_QUERY,),
    )


WEBHOOK_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET",
        "health",
        "getHealth",
        "Where the service stands (operators)",
        "audit",
        "sla_app.functions.health",
        SIGNED_IN,
        {
            200: Reply(
                "Availability per day of the previous and current month, queue depths, the last run of each "
                "timer, provisional and undelivered reports (docs/operations.md). `format=text` answers "
                "text/plain.",
                {"type": "object"},
                alternatives=("text/plain",),
            )
        },
        (400, 401, 403),
        query=(Param("format", "`json` (default) or `text`.", {"type": "string", "enum": ["json", "text"]}),),
        roles=(ADMIN_ROLE,),
    ),
    # -- sla_app.functions.tickets --------------------------------------------
    Operation(
        "POST",
        "tickets/events",
        "postTicketEvents",
        "Canonical ticket events (one or up to 1,000)",
        "tickets",
        "sla_app.functions.tickets",
        ((FUNCTION_KEY, EVENTS_SIGNATURE),),
        {200: Reply("Stored (an event sent again with the same content is stored once).", IngestResult)},
        (400, 401, 409, 413, 422),
        request=OneOrMany(CanonicalTicketEvent, MAX_EVENTS),
        headers=(_TIMESTAMP,),
        description="Authenticated before the body is parsed; all or nothing: one invalid event rejects the whole "
        "batch (422), and an event_id already stored (or sent twice) with other content or another ticket is a 409 "
        "naming `event_id` (measurement §8.1).",
    ),
    _ticket_tool(
        "topdesk",
        "postTopdeskIncident",
        "A TOPdesk incident (on each change)",
        TOPDESK_BEARER,
        "incident",
        TopdeskIncident,
    ),
    _ticket_tool(
        "jira", "postJiraIssue", "A Jira Service Management issue webhook", JIRA_SIGNATURE, "issue", JiraIssueEvent
    ),
    # -- sla_app.functions.admin: public documents ------------------------------
    Operation(
        "GET",
        "openapi.json",
        "getOpenApi",
        "This document",
        "meta",
        "sla_app.functions.admin",
        ANONYMOUS,
        {200: Reply("OpenAPI 3.1 document.", {"type": "object"})},
        (),
    ),
    Operation(
        "GET",
        ".well-known/security.txt",
        "getSecurityTxt",
        "How to report a vulnerability (RFC 9116)",
        "meta",
        "sla_app.functions.admin",
        ANONYMOUS,
        {200: Reply("security.txt", {"type": "string"}, media="text/plain")},
        (),
    ),
)

"""Ticket webhooks: canonical events, TOPdesk incidents, Jira Service Management issues.

Each request is authenticated before its body is parsed (HMAC or bearer, plus
the Functions key checked by the host), then handed to the ingest service.
"""

from __future__ import annotations

import azure.functions as func

from sla_app import telemetry
from sla_app.bootstrap import services
from sla_app.errors import BadRequest
from sla_app.http.auth import bearer, hmac_hub, hmac_timestamped
from sla_app.http.problem import endpoint, json_response, read_json

bp = func.Blueprint()


@bp.route(route="tickets/events", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("post_ticket_events")
@endpoint
def post_ticket_events(req: func.HttpRequest) -> func.HttpResponse:
    """Canonical events: one object or an array of up to 1,000 (rules §6)."""
    app = services()
    hmac_timestamped(req.headers, req.get_body(), app.settings.webhook_secret_events, app.clock())
    result = app.ticket_ingest.ingest_canonical(read_json(req))
    telemetry.count(telemetry.EVENTS_INGESTED, result.unique)
    return json_response(result.to_json())


def _tenant(req: func.HttpRequest) -> str:
    tenant = (req.params.get("tenant") or "").strip()
    if not tenant:
        raise BadRequest("query parameter 'tenant' is required", field="tenant")
    return tenant


@bp.route(route="tickets/topdesk", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("post_topdesk_incident")
@endpoint
def post_topdesk_incident(req: func.HttpRequest) -> func.HttpResponse:
    """A TOPdesk incident as TOPdesk sends it on each change; ``?tenant=`` names the municipality."""
    from sla_app.adapters.topdesk import TopdeskMapper

    app = services()
    bearer(req.headers, app.settings.webhook_token_topdesk)
    tenant = _tenant(req)
    result = app.ticket_ingest.ingest_tool(TopdeskMapper.default(), tenant, read_json(req))
    telemetry.count(telemetry.EVENTS_INGESTED, result.unique, tenant=tenant)
    return json_response(result.to_json())


@bp.route(route="tickets/jira", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("post_jira_issue")
@endpoint
def post_jira_issue(req: func.HttpRequest) -> func.HttpResponse:
    """A Jira Service Management issue webhook; ``?tenant=`` names the municipality."""
    from sla_app.adapters.jira import JiraMapper

    app = services()
    hmac_hub(req.headers, req.get_body(), app.settings.webhook_secret_jira)
    tenant = _tenant(req)
    result = app.ticket_ingest.ingest_tool(JiraMapper.default(), tenant, read_json(req))
    telemetry.count(telemetry.EVENTS_INGESTED, result.unique, tenant=tenant)
    return json_response(result.to_json())

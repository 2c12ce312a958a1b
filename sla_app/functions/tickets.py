"""Ticket webhooks: canonical events, TOPdesk incidents, Jira Service Management issues.

Each request is authenticated before its body is parsed (HMAC or bearer, plus
the Functions key checked by the host), then handed to one service. For the
ticket tools the credential is the tenant's own (``?tenant=`` only says whose
credential to check; :mod:`sla_app.services.tool_credentials`).
"""

from __future__ import annotations

import azure.functions as func

from sla_app import telemetry
from sla_app.bootstrap import context
from sla_app.http.auth import bearer, hmac_hub, hmac_timestamped
from sla_app.http.problem import endpoint, json_response, read_json
from sla_app.services.tool_credentials import fresh_jira_delivery, tenant_credential, tenant_parameter

bp = func.Blueprint()


@bp.route(route="tickets/events", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("post_ticket_events")
@endpoint
def post_ticket_events(req: func.HttpRequest) -> func.HttpResponse:
    """Canonical events: one object or an array of up to 1,000 (measurement §6)."""
    ctx = context()
    hmac_timestamped(req.headers, req.get_body(), ctx.settings.webhook_secret_events, ctx.clock())
    result = ctx.ticket_ingest.ingest_canonical(read_json(req))
    telemetry.count(telemetry.EVENTS_INGESTED, result.unique)
    return json_response(result.to_json())


@bp.route(route="tickets/topdesk", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("post_topdesk_incident")
@endpoint
def post_topdesk_incident(req: func.HttpRequest) -> func.HttpResponse:
    """A TOPdesk incident as TOPdesk sends it on each change, with the tenant's own bearer token."""
    from sla_app.adapters.topdesk import TopdeskReader

    ctx = context()
    tenant = tenant_parameter(req.params)
    bearer(req.headers, tenant_credential(ctx.settings.webhook_token_topdesk, "topdesk", tenant))
    result = ctx.tool_history.receive(TopdeskReader.default(), tenant, read_json(req))
    telemetry.count(telemetry.EVENTS_INGESTED, result["unique"], tenant=tenant)
    return json_response(result)


@bp.route(route="tickets/jira", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@telemetry.traced("post_jira_issue")
@endpoint
def post_jira_issue(req: func.HttpRequest) -> func.HttpResponse:
    """A Jira Service Management issue webhook, signed with the tenant's own secret and fresh."""
    from sla_app.adapters.jira import JiraReader

    ctx = context()
    tenant = tenant_parameter(req.params)
    hmac_hub(req.headers, req.get_body(), tenant_credential(ctx.settings.webhook_secret_jira, "jira", tenant))
    payload = fresh_jira_delivery(read_json(req), ctx.clock())
    result = ctx.tool_history.receive(JiraReader.default(), tenant, payload)
    telemetry.count(telemetry.EVENTS_INGESTED, result["unique"], tenant=tenant)
    return json_response(result)

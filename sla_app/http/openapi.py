"""The OpenAPI 3.1 document of the Function App, generated from :mod:`sla_app.http.api_models`.

Every HTTP API route of the app is listed in :data:`OPERATIONS`, including the
routes registered by other modules (tickets, monthly run, availability); a
test compares this list with the routes registered in ``function_app.app`` so
that a new route cannot go undocumented. Schemas come from the pydantic
models (``model_json_schema`` with references into ``components/schemas``);
errors are RFC 9457 problem details (``application/problem+json``). The
portal's browser pages (``portal/…``, HTML with their own error pages) are not
part of the API and not of this document.

Paths are relative to the server URL ``/api`` (the Functions host's default
route prefix).
"""

from __future__ import annotations

import copy
import functools
import re
import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from sla_app.http import api_models as m
from sla_app.http.auth import ADMIN_ROLE, READER_ROLE, TENANT_CLAIM

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
ROUTE_PREFIX = "/api"
MAX_EVENTS = 1000
PROBLEM_MEDIA = "application/problem+json"

# Security scheme names.
FUNCTION_KEY = "functionKey"
PRINCIPAL = "appServicePrincipal"
EVENTS_SIGNATURE = "eventsSignature"
JIRA_SIGNATURE = "jiraSignature"
TOPDESK_BEARER = "topdeskBearer"

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    FUNCTION_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "x-functions-key",
        "description": "Azure Functions key (the host also accepts it as query parameter `code`).",
    },
    PRINCIPAL: {
        "type": "apiKey",
        "in": "header",
        "name": "X-MS-CLIENT-PRINCIPAL",
        "description": (
            "Set by App Service Authentication after Microsoft Entra ID sign-in (base64 JSON with claims); a copy "
            f"sent by the client is not trusted. App roles `{ADMIN_ROLE}` (supplier) and `{READER_ROLE}` with the "
            f"tenant claim `{TENANT_CLAIM}` (municipality)."
        ),
    },
    EVENTS_SIGNATURE: {
        "type": "apiKey",
        "in": "header",
        "name": "X-SLA-Signature",
        "description": (
            "`sha256=<hex>`: HMAC-SHA256 with the source's secret over `<X-SLA-Timestamp>.<raw body>`; the timestamp "
            "(Unix seconds) must be within 5 minutes of the server clock."
        ),
    },
    JIRA_SIGNATURE: {
        "type": "apiKey",
        "in": "header",
        "name": "X-Hub-Signature",
        "description": (
            "`sha256=<hex>`: HMAC-SHA256 over the raw body with the tenant's own Jira webhook secret (derived from "
            "the master secret; see docs/deploy.md). The body's `timestamp` (ms) must be at most an hour old and "
            "at most 5 minutes ahead."
        ),
    },
    TOPDESK_BEARER: {
        "type": "http",
        "scheme": "bearer",
        "description": "The tenant's own TOPdesk token (derived from the master secret): `Authorization: Bearer <token>`.",
    },
}

PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "The request cannot be read (malformed JSON, malformed path or query value)."),
    401: ("Unauthorized", "Missing or wrong credentials (signature, token, or no readable client principal)."),
    403: ("Forbidden", "Signed in, but without the role or tenant claim this needs."),
    404: ("NotFound", "No such resource."),
    409: ("Conflict", "A concurrent change (read again and retry), or an event_id already used for another event."),
    412: ("PreconditionFailed", "If-Match / If-None-Match did not hold (the ETag is stale)."),
    413: ("PayloadTooLarge", "Body larger than 2 MiB or too many items."),
    422: ("UnprocessableContent", "Readable but invalid; `field` names the offending field."),
    500: ("InternalError", "The request could not be processed (no internals are disclosed)."),
    503: (
        "ServiceUnavailable",
        "Storage unavailable, contention, or a configuration error (an unresolved or short "
        "webhook secret, App Service Authentication off); retry after `Retry-After` seconds.",
    ),
}

PATH_PARAMETERS: dict[str, tuple[str, dict[str, Any]]] = {
    "tenant": ("Tenant id; `_all` for exclusions that apply to every tenant.", {"type": "string", "minLength": 1}),
    "month": ("Calendar month `YYYY-MM` in 2000–2099.", {"type": "string", "pattern": m.MONTH_PATTERN}),
    "day": ("UTC date `YYYY-MM-DD` in 2000–2099.", {"type": "string", "format": "date", "pattern": m.DAY_PATTERN}),
}

_RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": "Strong entity tag of the tenant; send it back in If-Match.", "schema": {"type": "string"}},
    "Location": {"description": "URL path of the created resource.", "schema": {"type": "string"}},
}


@dataclass(frozen=True)
class Param:
    """A query or header parameter."""

    name: str
    description: str
    schema: dict[str, Any]
    required: bool = False


@dataclass(frozen=True)
class OneOrMany:
    """A body that is one object or an array of them."""

    model: type[BaseModel]
    max_items: int


@dataclass(frozen=True)
class Reply:
    """A success response: its schema (a model, ``list[Model]``, a dict or None) and media type.

    ``alternatives``: further media types the same response may have (e.g. ``?format=html``), each a plain string.
    """

    description: str
    schema: Any = None
    media: str = "application/json"
    headers: tuple[str, ...] = ()
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Operation:
    """One method on one route, as registered with the Functions host (route without the /api prefix)."""

    method: str
    route: str
    operation_id: str
    summary: str
    tag: str
    owner: str
    security: tuple[tuple[str, ...], ...]
    replies: dict[int, Reply]
    problems: tuple[int, ...]
    request: Any = None
    query: tuple[Param, ...] = ()
    headers: tuple[Param, ...] = ()
    roles: tuple[str, ...] = ()
    description: str = ""
    request_media: str = "application/json"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The OpenAPI path (relative to the server URL)."""
        return "/" + self.route


SIGNED_IN = ((FUNCTION_KEY, PRINCIPAL),)
ANONYMOUS: tuple[tuple[str, ...], ...] = ()
_TENANT_QUERY = Param(
    "tenant",
    "The municipality (tenant id) whose credential signs the delivery.",
    {"type": "string", "pattern": m.TENANT_ID_PATTERN},
    True,
)
_TIMESTAMP = Param(
    "X-SLA-Timestamp", "Unix seconds when the request was signed.", {"type": "string", "pattern": r"^\d+$"}, True
)
_IF_MATCH = Param(
    "If-Match", "Update only if the tenant's current ETag is listed (or `*`: if it exists).", {"type": "string"}
)
_IF_NONE_MATCH = Param("If-None-Match", "`*`: create only; 412 when the tenant exists.", {"type": "string"})
_VERSION = Param("version", "A stored version (1, 2, …); default: the latest.", {"type": "integer", "minimum": 1})

_DELIVER_TENANT = Param("tenant", "Only this tenant (not empty).", {"type": "string", "pattern": "\\S"})
_DELIVER_NOTICE = Param(
    "notice",
    "Instead of the tenants: this supplier notice of the month (not with `tenant`: 422).",
    {"type": "string", "enum": ["at_risk", "overview"]},
)
_FORCE = Param(
    "force",
    "`true`: also resend deliveries flagged needs_manual_check (never a sent one).",
    {"type": "boolean", "default": False},
)

_DOCUMENTS = ("text/html", "text/plain")
_FORMAT = Param(
    "format", "`json` (default), `html` or `text` (Dutch).", {"type": "string", "enum": ["json", "html", "text"]}
)


def _supplier_document(route: str, operation_id: str, summary: str, description: str) -> Operation:
    """A GET of the supplier's overview documents: JSON, or with ``format`` Dutch HTML or text (SLA.Admin)."""
    formats = "`format=html` answers text/html, `format=text` text/plain (Dutch)."
    return Operation(
        "GET",
        route,
        operation_id,
        summary,
        "reports",
        "sla_app.functions.overview",
        SIGNED_IN,
        {200: Reply(f"{description} {formats}", {"type": "object"}, alternatives=_DOCUMENTS)},
        (400, 401, 403),
        query=(_FORMAT,),
        roles=(ADMIN_ROLE,),
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
        {200: Reply(f"The snapshot is kept and the {thing}'s events derived from all its snapshots.", m.IngestResult)},
        (400, 401, 409, 413, 422, 503),
        request=request,
        query=(_TENANT_QUERY,),
    )


OPERATIONS: tuple[Operation, ...] = (
    _supplier_document(
        "admin/overview/{month}",
        "getSupplierOverview",
        "Norms missed per tenant, year to date and totals",
        "From the latest stored report of each tenant; the year to date is summed from minutes and counts.",
    ),
    _supplier_document(
        "admin/at-risk",
        "getAtRisk",
        "Service levels at risk this month, as of now",
        "Every measured tenant's month so far, assessed; the levels at risk listed.",
    ),
    Operation(
        "POST",
        "admin/months/{month}/deliver",
        "deliverMonth",
        "E-mail a month's reports now",
        "reports",
        "sla_app.functions.delivery",
        SIGNED_IN,
        {202: Reply("One outcome per tenant (idempotent: a report is never sent twice).", m.MonthDeliveryResult)},
        (400, 401, 403, 404, 422),
        query=(_DELIVER_TENANT, _DELIVER_NOTICE, _FORCE),
        roles=(ADMIN_ROLE,),
    ),
    Operation(
        "GET",
        "admin/months/{month}/deliveries",
        "listDeliveries",
        "The delivery records of a month",
        "reports",
        "sla_app.functions.delivery",
        SIGNED_IN,
        {200: Reply("By tenant.", list[m.Delivery])},
        (400, 401, 403),
        roles=(ADMIN_ROLE,),
    ),
    Operation(
        "POST",
        "admin/months/{month}/deliveries/{tenant}/confirm",
        "confirmDelivery",
        "Settle an e-mail whose outcome is unknown",
        "reports",
        "sla_app.functions.delivery",
        SIGNED_IN,
        {200: Reply("The record as now stored (sent, or failed and released for one new send); audited.", m.Delivery)},
        (400, 401, 403, 404, 409, 413, 422),
        request=m.DeliveryConfirmation,
        roles=(ADMIN_ROLE,),
        description=(
            "Only for an e-mail flagged needs_manual_check (409 otherwise). `tenant`: the tenant id, or `~supplier` "
            "for the supplier's notices. See docs/operations.md § sla-delivery-outcome-unknown."
        ),
    ),
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
        {200: Reply("Stored (an event sent again with the same content is stored once).", m.IngestResult)},
        (400, 401, 409, 413, 422),
        request=OneOrMany(m.CanonicalTicketEvent, MAX_EVENTS),
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
        m.TopdeskIncident,
    ),
    _ticket_tool(
        "jira", "postJiraIssue", "A Jira Service Management issue webhook", JIRA_SIGNATURE, "issue", m.JiraIssueEvent
    ),
    # -- sla_app.functions.monthly --------------------------------------------
    Operation(
        "POST",
        "admin/months/{month}/run",
        "runMonth",
        "Enqueue a month for every measured tenant",
        "reports",
        "sla_app.functions.monthly",
        SIGNED_IN,
        {
            202: Reply(
                "Enqueued (idempotent: a re-run stores no new version unless a report differs).", m.MonthRunResult
            )
        },
        (400, 401, 403, 422),
        roles=(ADMIN_ROLE,),
    ),
    Operation(
        "POST",
        "tenants/{tenant}/reports/{month}/recompute",
        "recomputeReport",
        "Recompute one tenant-month now",
        "reports",
        "sla_app.functions.monthly",
        SIGNED_IN,
        {200: Reply("Computed; a new version only when the report differs.", m.MonthlyOutcome)},
        (400, 401, 403, 404, 422),
        roles=(ADMIN_ROLE,),
    ),
    # -- sla_app.functions.availability ---------------------------------------
    Operation(
        "POST",
        "admin/availability/backfill",
        "backfillAvailability",
        "Re-ingest availability results of past days",
        "availability",
        "sla_app.functions.availability",
        SIGNED_IN,
        {
            200: Reply(
                "Each day's outcome (idempotent: a day stored again replaces itself).", m.AvailabilityBackfillResult
            )
        },
        (400, 401, 403, 413, 422),
        request=m.AvailabilityBackfillRequest,
        roles=(ADMIN_ROLE,),
    ),
    # -- sla_app.functions.admin: tenants ---------------------------------------
    Operation(
        "GET",
        "tenants",
        "listTenants",
        "All tenants",
        "tenants",
        "sla_app.functions.admin",
        SIGNED_IN,
        {200: Reply("The tenants, by id.", list[m.Tenant])},
        (401, 403),
        roles=(ADMIN_ROLE,),
    ),
    Operation(
        "GET",
        "tenants/{tenant}",
        "getTenant",
        "One tenant",
        "tenants",
        "sla_app.functions.admin",
        SIGNED_IN,
        {200: Reply("The tenant.", m.Tenant, headers=("ETag",))},
        (401, 403, 404),
        roles=(ADMIN_ROLE,),
    ),
    Operation(
        "PUT",
        "tenants/{tenant}",
        "putTenant",
        "Create or replace a tenant",
        "tenants",
        "sla_app.functions.admin",
        SIGNED_IN,
        {
            200: Reply("Replaced.", m.Tenant, headers=("ETag",)),
            201: Reply("Created.", m.Tenant, headers=("ETag", "Location")),
        },
        (400, 401, 403, 409, 412, 413, 422),
        request=m.TenantWrite,
        headers=(_IF_MATCH, _IF_NONE_MATCH),
        roles=(ADMIN_ROLE,),
        description="The contract override must give a valid contract; every change is audited.",
    ),
    Operation(
        "GET",
        "tenants/{tenant}/exclusions",
        "listExclusions",
        "Exclusions that apply to a tenant",
        "exclusions",
        "sla_app.functions.admin",
        SIGNED_IN,
        {
            200: Reply(
                "The tenant's own exclusions and those for every tenant (`_all`: only the latter).", list[m.Exclusion]
            )
        },
        (401, 403, 404),
        roles=(ADMIN_ROLE,),
    ),
    Operation(
        "POST",
        "tenants/{tenant}/exclusions",
        "addExclusion",
        "Record an exclusion (SLA §7.1)",
        "exclusions",
        "sla_app.functions.admin",
        SIGNED_IN,
        {201: Reply("Recorded, with who and when; audited.", m.Exclusion)},
        (400, 401, 403, 404, 413, 422),
        request=m.ExclusionWrite,
        roles=(ADMIN_ROLE,),
    ),
    # -- sla_app.functions.admin: reports ---------------------------------------
    Operation(
        "GET",
        "tenants/{tenant}/reports/{month}",
        "getReport",
        "A tenant-month report",
        "reports",
        "sla_app.functions.admin",
        SIGNED_IN,
        {200: Reply("The latest version, or the one asked for.", m.Report)},
        (400, 401, 403, 404),
        query=(_VERSION,),
        roles=(ADMIN_ROLE, READER_ROLE),
        description=f"{READER_ROLE} only for the tenant(s) of its `{TENANT_CLAIM}` claim.",
    ),
    Operation(
        "GET",
        "tenants/{tenant}/reports/{month}/versions",
        "listReportVersions",
        "The stored versions of a report",
        "reports",
        "sla_app.functions.admin",
        SIGNED_IN,
        {200: Reply("Oldest first.", list[m.ReportVersion])},
        (400, 401, 403, 404),
        roles=(ADMIN_ROLE, READER_ROLE),
        description=f"{READER_ROLE} only for the tenant(s) of its `{TENANT_CLAIM}` claim.",
    ),
    # -- sla_app.functions.admin: audit and public documents ----------------------
    Operation(
        "GET",
        "admin/audit/{day}",
        "getAuditDay",
        "The audit log of one UTC day",
        "audit",
        "sla_app.functions.admin",
        SIGNED_IN,
        {200: Reply("Oldest first.", list[m.AuditEntry])},
        (400, 401, 403),
        roles=(ADMIN_ROLE,),
    ),
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

TAGS = (
    ("tickets", "Ticket webhooks (measurement measurement §6)."),
    ("tenants", "Municipalities and their contracts (supplier only)."),
    ("exclusions", "Intervals not attributable to the supplier (SLA §7.1)."),
    ("reports", "Monthly reports, immutable and versioned (SLA §9)."),
    ("availability", "Availability test results."),
    ("audit", "Audit log (SLA §10.1)."),
    ("meta", "Public documents."),
)


class _Components:
    """Collects model schemas into ``components/schemas``."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def ref(self, model: type[BaseModel]) -> dict[str, str]:
        name = model.__name__
        if name not in self.schemas:
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for def_name, definition in schema.pop("$defs", {}).items():
                self._add(def_name, definition)
            self._add(name, schema)
        return {"$ref": f"#/components/schemas/{name}"}

    def _add(self, name: str, schema: dict[str, Any]) -> None:
        if name in self.schemas and self.schemas[name] != schema:
            raise ValueError(f"two different schemas named {name!r}")
        self.schemas[name] = schema

    def schema(self, spec: Any) -> dict[str, Any]:
        if isinstance(spec, OneOrMany):
            one = self.ref(spec.model)
            return {"oneOf": [one, {"type": "array", "items": one, "minItems": 1, "maxItems": spec.max_items}]}
        if isinstance(spec, type) and issubclass(spec, BaseModel):
            return self.ref(spec)
        if typing.get_origin(spec) is list:
            (item,) = typing.get_args(spec)
            return {"type": "array", "items": self.schema(item)}
        if isinstance(spec, dict):
            return dict(spec)
        raise TypeError(f"no schema for {spec!r}")


def _parameters(operation: Operation) -> list[dict[str, Any]]:
    params = []
    for name in re.findall(r"\{(\w+)\}", operation.route):
        description, schema = PATH_PARAMETERS.get(name, (name, {"type": "string"}))
        params.append({"name": name, "in": "path", "required": True, "description": description, "schema": schema})
    for place, items in (("query", operation.query), ("header", operation.headers)):
        for p in items:
            params.append(
                {"name": p.name, "in": place, "required": p.required, "description": p.description, "schema": p.schema}
            )
    return params


def _operation(operation: Operation, components: _Components) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, reply in sorted(operation.replies.items()):
        body: dict[str, Any] = {"description": reply.description}
        if reply.schema is not None:
            body["content"] = {reply.media: {"schema": components.schema(reply.schema)}}
            for media in reply.alternatives:
                body["content"][media] = {"schema": {"type": "string"}}
        if reply.headers:
            body["headers"] = {name: _RESPONSE_HEADERS[name] for name in reply.headers}
        responses[str(status)] = body
    for status in sorted({*operation.problems, 500, 503}):
        responses[str(status)] = {"$ref": f"#/components/responses/{PROBLEMS[status][0]}"}
    description = operation.description
    if operation.roles:
        description = (f"Roles: {', '.join(operation.roles)}. " + description).strip()
    result: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "security": [{name: [] for name in requirement} for requirement in operation.security],
        "responses": responses,
    }
    if description:
        result["description"] = description
    if operation.roles:
        result["x-roles"] = list(operation.roles)
    params = _parameters(operation)
    if params:
        result["parameters"] = params
    if operation.request is not None:
        result["requestBody"] = {
            "required": True,
            "content": {operation.request_media: {"schema": components.schema(operation.request)}},
        }
    return result


def _problem_responses(components: _Components) -> dict[str, Any]:
    problem = components.ref(m.ProblemDetails)
    responses = {}
    for status, (name, description) in PROBLEMS.items():
        response: dict[str, Any] = {"description": description, "content": {PROBLEM_MEDIA: {"schema": problem}}}
        if status == 401:
            response["headers"] = {
                "WWW-Authenticate": {"description": "The authentication scheme.", "schema": {"type": "string"}}
            }
        if status == 503:
            response["headers"] = {
                "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}}
            }
        responses[name] = response
    return responses


@functools.cache
def _document() -> dict[str, Any]:
    components = _Components()
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        item = paths.setdefault(operation.path, {})
        method = operation.method.lower()
        if method in item:
            raise ValueError(f"{operation.method} {operation.path} listed twice")
        item[method] = _operation(operation, components)
    responses = _problem_responses(components)
    components.ref(m.CanonicalTicketEvent)  # always present, also when no route refers to it directly
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "SLA monitor — Stratech Perspectief Cloud",
            "version": API_VERSION,
            "description": (
                "Measurement of the service levels of Stratech Perspectief Cloud for municipalities: ticket "
                "webhooks, monthly reports, tenants, exclusions and the audit log. Errors are RFC 9457 problem "
                "details (`application/problem+json`)."
            ),
        },
        "servers": [{"url": ROUTE_PREFIX, "description": "The Function App (Functions host route prefix)."}],
        "tags": [{"name": name, "description": text} for name, text in TAGS],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "responses": responses,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI document (a fresh copy: callers may change it)."""
    return copy.deepcopy(_document())

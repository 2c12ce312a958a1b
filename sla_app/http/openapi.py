"""The OpenAPI 3.1 document of the Function App, generated from the pydantic models (``sla_app.http.api_*``).

Every HTTP API route of the app is listed in :data:`OPERATIONS`, including the
routes registered by other modules (tickets, monthly run, availability); a
test compares this list with the routes registered in ``function_app.app`` so
that a new route cannot go undocumented. Schemas come from the pydantic
models (``model_json_schema`` with references into ``components/schemas``);
errors are RFC 9457 problem details (``application/problem+json``). The
portal's browser pages (``portal/…``, HTML with their own error pages) are not
part of the API and not of this document.

The routes are listed in :mod:`sla_app.http.openapi_admin_paths` and
:mod:`sla_app.http.openapi_webhook_paths`, in the terms of
:mod:`sla_app.http.openapi_operation`; this module assembles the document.

Paths are relative to the server URL ``/api`` (the Functions host's default
route prefix).
"""

from __future__ import annotations

import copy
import functools
import re
import typing
from typing import Any

from pydantic import BaseModel

from sla_app.http.api_fields import DAY_PATTERN, MONTH_PATTERN, ProblemDetails
from sla_app.http.api_ticket_models import CanonicalTicketEvent
from sla_app.http.openapi_admin_paths import ADMIN_OPERATIONS
from sla_app.http.openapi_operation import SECURITY_SCHEMES, OneOrMany, Operation
from sla_app.http.openapi_webhook_paths import WEBHOOK_OPERATIONS

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
ROUTE_PREFIX = "/api"
PROBLEM_MEDIA = "application/problem+json"

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
    "month": ("Calendar month `YYYY-MM` in 2000–2099.", {"type": "string", "pattern": MONTH_PATTERN}),
    "day": ("UTC date `YYYY-MM-DD` in 2000–2099.", {"type": "string", "format": "date", "pattern": DAY_PATTERN}),
}

_RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": "Strong entity tag of the tenant; send it back in If-Match.", "schema": {"type": "string"}},
    "Location": {"description": "URL path of the created resource.", "schema": {"type": "string"}},
}

OPERATIONS: tuple[Operation, ...] = (*ADMIN_OPERATIONS, *WEBHOOK_OPERATIONS)

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
    problem = components.ref(ProblemDetails)
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
    components.ref(CanonicalTicketEvent)  # always present, also when no route refers to it directly
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

"""How the OpenAPI document describes a route: the security schemes and the route description types.

:class:`Operation` (one method on one route, as registered with the Functions
host), :class:`Reply`, :class:`Param` and :class:`OneOrMany` are the terms in
which :mod:`sla_app.http.openapi_admin_paths` and
:mod:`sla_app.http.openapi_webhook_paths` list the routes; the security
schemes they name (function key, App Service principal, webhook signatures,
TOPdesk bearer token) are the access rules of SLA §10. The document itself is
assembled by :mod:`sla_app.http.openapi`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from sla_app.http.auth import ADMIN_ROLE, READER_ROLE, TENANT_CLAIM

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

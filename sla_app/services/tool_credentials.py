"""Webhook credentials of the ticket tools, bound to the tenant.

Each municipality's webhook in TOPdesk or Jira has its own credential, so a
delivery counts only for the tenant whose credential it carries. The
credentials are derived, not stored one by one: with the tool's master secret
``M`` (app setting ``SLA_WEBHOOK_TOKEN_TOPDESK`` / ``SLA_WEBHOOK_SECRET_JIRA``,
a Key Vault reference)

    credential(tool, tenant) = base64url(HMAC-SHA256(M, "sla-monitor/webhook/v1/<tool>/<tenant>"))

(43 characters, no padding). ``python -m tools.webhook_credential --tool jira
--tenant enschede`` prints it for the tool's configuration. The ``tenant``
query parameter only says which tenant's credential to check: posting a
delivery to another tenant fails authentication (401), so nothing is stored
there. Rotating ``M`` rotates every tenant's credential of that tool.

* TOPdesk — ``Authorization: Bearer <credential>``. A bearer token does not
  sign the body; a replayed snapshot changes nothing, because a ticket's
  history is a function of the set of snapshots received and that snapshot is
  in the set already.
* Jira — ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body with the
  credential>``; the signed body's ``timestamp`` (ms) must lie within
  :data:`JIRA_MAX_AGE` before and :data:`JIRA_MAX_SKEW` after the time of
  receipt, so a captured delivery replayed later is refused (401).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sla_app.errors import BadRequest, Unauthorized
from sla_app.http.auth import check_secret

TOOLS = ("topdesk", "jira")
JIRA_MAX_AGE = timedelta(hours=1)  # Jira retries a failed delivery for a while with the same body
JIRA_MAX_SKEW = timedelta(minutes=5)
_TENANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def tenant_credential(master: str, tool: str, tenant: str) -> str:
    """The credential of one tenant's webhook in one tool (see the module docstring)."""
    if tool not in TOOLS:
        raise ValueError(f"unknown tool {tool!r}")
    master = check_secret(master, f"{tool} master webhook secret")  # 503 + configuration error when unusable
    message = f"sla-monitor/webhook/v1/{tool}/{tenant}".encode()
    return base64.urlsafe_b64encode(hmac.new(master.encode(), message, hashlib.sha256).digest()).rstrip(b"=").decode()


def tenant_parameter(params: Mapping[str, str]) -> str:
    """The ``tenant`` query parameter; 400 naming it when missing or not a tenant id."""
    tenant = (params.get("tenant") or "").strip()
    if not _TENANT.match(tenant):
        raise BadRequest("query parameter 'tenant' is required and must be a tenant id", field="tenant")
    return tenant


def _stamp(payload: Any) -> datetime:
    value = payload.get("timestamp") if isinstance(payload, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 4102444800000:  # before 2100
        raise Unauthorized("the delivery has no valid timestamp, so its age is unknown")
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)


def fresh_jira_delivery(payload: Any, now: datetime) -> Any:
    """The payload of a signed Jira delivery when its ``timestamp`` is fresh; 401 for a replay or no timestamp."""
    sent = _stamp(payload)
    if not now - JIRA_MAX_AGE <= sent <= now + JIRA_MAX_SKEW:
        raise Unauthorized(f"delivery timestamp {sent.isoformat()} outside the accepted window (replay?)")
    return payload

"""Authentication of webhooks and of the admin API.

Webhooks are authenticated before anything is parsed or stored (on top of
the Functions key, which the host checks):

* ``hmac_timestamped`` — our own sources: header ``X-SLA-Timestamp`` (Unix
  seconds) and ``X-SLA-Signature: sha256=<hex>``, the HMAC-SHA256 with the
  source's secret over ``<timestamp>.<raw body>``; older or newer than 5
  minutes is refused (replay window).
* ``hmac_hub`` — Jira: ``X-Hub-Signature: sha256=<hex>`` over the raw body
  (Jira sends no timestamp).
* ``bearer`` — TOPdesk: ``Authorization: Bearer <token>``.

All comparisons are constant-time. The admin API reads the caller from App
Service Authentication's ``X-MS-CLIENT-PRINCIPAL`` header (base64 JSON with
``claims``): app roles ``SLA.Admin`` / ``SLA.Reader`` and, for readers, the
tenant claim ``sla_tenant``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sla_app.errors import Forbidden, Unauthorized

REPLAY_WINDOW_SECONDS = 300
ADMIN_ROLE, READER_ROLE = "SLA.Admin", "SLA.Reader"
TENANT_CLAIM = "sla_tenant"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _signature(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _check_signature(given: str | None, secret: str, message: bytes) -> None:
    if not secret:
        raise Unauthorized("webhook secret not configured")
    if not given or not given.startswith("sha256="):
        raise Unauthorized("missing or malformed signature header")
    expected = "sha256=" + _signature(secret, message)
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise Unauthorized("signature does not match")


def sign_timestamped(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The headers a sender puts on a request (used by clients and tests)."""
    message = str(timestamp).encode() + b"." + body
    return {"X-SLA-Timestamp": str(timestamp), "X-SLA-Signature": "sha256=" + _signature(secret, message)}


def hmac_timestamped(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """Verify ``X-SLA-Signature`` over ``<timestamp>.<body>`` within the replay window."""
    stamp = _header(headers, "X-SLA-Timestamp")
    if stamp is None or not stamp.strip().isdigit():
        raise Unauthorized("missing or malformed X-SLA-Timestamp header")
    if abs(now.timestamp() - int(stamp)) > REPLAY_WINDOW_SECONDS:
        raise Unauthorized("request timestamp outside the 5-minute window")
    _check_signature(_header(headers, "X-SLA-Signature"), secret, stamp.strip().encode() + b"." + body)


def hmac_hub(headers: Mapping[str, str], body: bytes, secret: str) -> None:
    """Verify Jira's ``X-Hub-Signature: sha256=…`` over the raw body."""
    _check_signature(_header(headers, "X-Hub-Signature"), secret, body)


def bearer(headers: Mapping[str, str], token: str) -> None:
    """Verify ``Authorization: Bearer <token>``."""
    if not token:
        raise Unauthorized("webhook token not configured")
    given = _header(headers, "Authorization") or ""
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        raise Unauthorized("missing or wrong bearer token")


@dataclass(frozen=True)
class Principal:
    """The signed-in caller: id, roles and tenant claims."""

    name: str
    roles: frozenset[str]
    tenants: frozenset[str]

    def require_admin(self) -> None:
        """Only the supplier's SLA.Admin."""
        if ADMIN_ROLE not in self.roles:
            raise Forbidden(f"role {ADMIN_ROLE} required")

    def require_reader_of(self, tenant: str) -> None:
        """SLA.Admin, or SLA.Reader with a claim for this tenant."""
        if ADMIN_ROLE in self.roles:
            return
        if READER_ROLE in self.roles and tenant in self.tenants:
            return
        raise Forbidden(f"no access to tenant {tenant!r}")


def principal(headers: Mapping[str, str]) -> Principal:
    """Decode ``X-MS-CLIENT-PRINCIPAL``; 401 when missing or unreadable."""
    raw = _header(headers, "X-MS-CLIENT-PRINCIPAL")
    if not raw:
        raise Unauthorized("not signed in")
    try:
        data = json.loads(base64.b64decode(raw, validate=True))
        claims = [(str(c["typ"]), str(c["val"])) for c in data.get("claims", [])]
    except (binascii.Error, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Unauthorized("unreadable client principal") from exc
    role_type = data.get("role_typ") or "roles"
    name_type = data.get("name_typ") or "name"
    roles = frozenset(v for t, v in claims if t in (role_type, "roles"))
    tenants = frozenset(v for t, v in claims if t == TENANT_CLAIM)
    name = next((v for t, v in claims if t == name_type), "unknown")
    return Principal(name=name, roles=roles, tenants=tenants)


def encode_principal(name: str, roles: list[str], tenants: list[str] = ()) -> str:  # type: ignore[assignment]
    """Build an ``X-MS-CLIENT-PRINCIPAL`` value (tests, local use)."""
    claims = [{"typ": "name", "val": name}] + [{"typ": "roles", "val": r} for r in roles]
    claims += [{"typ": TENANT_CLAIM, "val": t} for t in tenants]
    data = {"auth_typ": "aad", "name_typ": "name", "role_typ": "roles", "claims": claims}
    return base64.b64encode(json.dumps(data).encode()).decode()

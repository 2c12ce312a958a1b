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

All comparisons are constant-time. A secret that cannot be right — empty,
an unresolved Key Vault reference (``@Microsoft.KeyVault(`` text left in the
setting when the platform could not resolve it) or shorter than
:data:`MIN_SECRET_BYTES` — makes the route refuse every request with 503 and
log a configuration error; it is never used as a (guessable) secret.

The admin API reads the caller from App Service Authentication's
``X-MS-CLIENT-PRINCIPAL`` header (base64 JSON with ``claims``): app roles
``SLA.Admin`` / ``SLA.Reader`` and, for readers, the tenant claim
``sla_tenant``. The header is trusted only because the platform sets it (and
strips a copy sent by a client), so the signed-in routes refuse to run (503,
configuration error) unless the platform reports App Service Authentication
enabled (``WEBSITE_AUTH_ENABLED``). Roles come only from the role claim types
App Service Authentication uses for Entra ID app roles (:data:`ROLE_CLAIM_TYPES`); the header's own ``role_typ`` is ignored, so
no other claim (a name) can count as a role.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sla_app.errors import AppError, ConfigurationError, Forbidden, Unauthorized
from sla_app.http.problem import loads

REPLAY_WINDOW_SECONDS = 300
MIN_SECRET_BYTES = 32
MAX_PRINCIPAL_CHARS = 16 * 1024
ADMIN_ROLE, READER_ROLE = "SLA.Admin", "SLA.Reader"
ROLE_CLAIM = "roles"
# The claim types App Service Authentication uses for app roles (fixed here: a header cannot widen them).
ROLE_CLAIM_TYPES = frozenset({ROLE_CLAIM, "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"})
TENANT_CLAIM = "sla_tenant"
_UNRESOLVED = "@microsoft.keyvault("
_STAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_log = logging.getLogger("sla_app.http.auth")


def check_secret(secret: str | None, what: str) -> str:
    """The secret when it can be right; else :class:`ConfigurationError` (503) and a logged configuration error."""
    problem = None
    if not secret:
        problem = "is empty"
    elif _UNRESOLVED in secret.lower():
        problem = "is an unresolved Key Vault reference (check the app's identity and the vault's access)"
    elif len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        problem = f"is shorter than {MIN_SECRET_BYTES} bytes"
    if problem is not None:
        _log.error("configuration error: the %s %s; the route refuses every request until it is fixed", what, problem)
        raise ConfigurationError(f"the {what} is not configured correctly; the operator has been notified")
    assert secret is not None
    return secret


def require_platform_auth(enabled: bool) -> None:
    """Signed-in routes run only behind App Service Authentication (503 and a configuration error otherwise)."""
    if not enabled:
        _log.error("configuration error: WEBSITE_AUTH_ENABLED is not true; signed-in routes refuse every request")
        raise ConfigurationError("App Service Authentication is not enabled; the signed-in API is unavailable")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _signature(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def _check_signature(given: str | None, secret: str, message: bytes) -> None:
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
    """Verify ``X-SLA-Signature`` over ``<timestamp>.<body>`` within the replay window.

    The timestamp is 1 to 12 ASCII digits (Unix seconds); anything else is a
    401 naming the header, never a conversion error.
    """
    secret = check_secret(secret, "webhook secret of the canonical events")
    stamp = (_header(headers, "X-SLA-Timestamp") or "").strip()
    if not _STAMP.fullmatch(stamp):
        raise Unauthorized("missing or malformed X-SLA-Timestamp header (Unix seconds)", field="X-SLA-Timestamp")
    if abs(now.timestamp() - int(stamp)) > REPLAY_WINDOW_SECONDS:
        raise Unauthorized("request timestamp outside the 5-minute window", field="X-SLA-Timestamp")
    _check_signature(_header(headers, "X-SLA-Signature"), secret, stamp.encode() + b"." + body)


def hmac_hub(headers: Mapping[str, str], body: bytes, secret: str) -> None:
    """Verify Jira's ``X-Hub-Signature: sha256=…`` over the raw body."""
    secret = check_secret(secret, "Jira webhook secret")
    _check_signature(_header(headers, "X-Hub-Signature"), secret, body)


def bearer(headers: Mapping[str, str], token: str) -> None:
    """Verify ``Authorization: Bearer <token>``."""
    token = check_secret(token, "TOPdesk webhook token")
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


def principal(headers: Mapping[str, str], *, platform_auth: bool) -> Principal:
    """Decode ``X-MS-CLIENT-PRINCIPAL``; 503 without App Service Authentication (``platform_auth`` false, from
    ``SLA_WEBSITE_AUTH_ENABLED``), 401 when missing or unreadable."""
    require_platform_auth(platform_auth)
    raw = _header(headers, "X-MS-CLIENT-PRINCIPAL")
    if not raw:
        raise Unauthorized("not signed in")
    if len(raw) > MAX_PRINCIPAL_CHARS:
        raise Unauthorized("unreadable client principal (too large)", field="X-MS-CLIENT-PRINCIPAL")
    try:
        data = loads(base64.b64decode(raw, validate=True).decode("utf-8"), "X-MS-CLIENT-PRINCIPAL")
        claims = [(c["typ"], c["val"]) for c in data.get("claims", [])]
        if not all(type(t) is str and type(v) is str for t, v in claims):
            raise TypeError("claims must be strings")
    except (AppError, binascii.Error, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Unauthorized("unreadable client principal", field="X-MS-CLIENT-PRINCIPAL") from exc
    name_type = data.get("name_typ")
    name_type = name_type if type(name_type) is str and name_type else "name"
    roles = frozenset(v for t, v in claims if t in ROLE_CLAIM_TYPES)
    tenants = frozenset(v for t, v in claims if t == TENANT_CLAIM)
    name = next((v for t, v in claims if t == name_type), "unknown")
    return Principal(name=name, roles=roles, tenants=tenants)


def encode_principal(name: str, roles: list[str], tenants: list[str] = ()) -> str:  # type: ignore[assignment]
    """Build an ``X-MS-CLIENT-PRINCIPAL`` value (tests, local use)."""
    claims = [{"typ": "name", "val": name}] + [{"typ": ROLE_CLAIM, "val": r} for r in roles]
    claims += [{"typ": TENANT_CLAIM, "val": t} for t in tenants]
    data = {"auth_typ": "aad", "name_typ": "name", "role_typ": ROLE_CLAIM, "claims": claims}
    return base64.b64encode(json.dumps(data).encode()).decode()

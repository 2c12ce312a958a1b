"""The portal's browser security: response headers, CSRF tokens, and the local-only sign-in.

* Every page is sent with a strict Content-Security-Policy (no inline script or
  style, nothing from other origins, no framing), ``X-Frame-Options: DENY``,
  ``nosniff``, referrers only to ourselves and ``no-store`` caching (pages show contract data).
* Forms carry a CSRF token (double submit): a random value in a cookie that
  other sites can neither read nor set (``__Host-`` prefix over HTTPS,
  ``SameSite=Strict``, ``HttpOnly``) and the same value in a hidden field.
  A POST is accepted only when both are present and equal (constant-time) and
  the request's ``Origin`` (when sent) is this site.
* Local sign-in: ``make portal`` lets a developer choose a role without Entra
  ID. It is honoured only when ``SLA_PORTAL_LOCAL_LOGIN`` is on **and** none
  of the variables the App Service platform sets on every instance is present
  (:data:`AZURE_MARKERS`) — so it cannot be switched on in Azure.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
from collections.abc import Mapping
from http.cookies import SimpleCookie

from sla_app.errors import Forbidden
from sla_app.http.auth import ADMIN_ROLE, READER_ROLE, Principal

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # no-referrer would make browsers send "Origin: null" on our own forms
    "Cache-Control": "no-store",
    "Cross-Origin-Opener-Policy": "same-origin",
}
AZURE_MARKERS = ("WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME", "WEBSITE_HOSTNAME", "WEBSITE_OWNER_NAME")
LOCAL_PRINCIPAL_COOKIE = "sla-local-principal"
CSRF_FIELD = "csrf"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def cookies(headers: Mapping[str, str]) -> dict[str, str]:
    """The request's cookies by name (unreadable cookie headers count as none)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(_header(headers, "Cookie") or "")
    except Exception:  # noqa: BLE001 — a malformed Cookie header is simply no cookie
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def is_https(url: str, headers: Mapping[str, str]) -> bool:
    """Whether the browser talks HTTPS to us (directly or through the platform's front end)."""
    return url.startswith("https://") or (_header(headers, "X-Forwarded-Proto") or "").lower() == "https"


def csrf_cookie_name(secure: bool) -> str:
    """``__Host-`` cookies need HTTPS; the plain name is for the local portal over http://127.0.0.1."""
    return "__Host-sla-csrf" if secure else "sla-csrf"


def csrf_token(headers: Mapping[str, str], secure: bool) -> tuple[str, str | None]:
    """The token for this page's forms and, when the browser has none yet, the Set-Cookie value."""
    name = csrf_cookie_name(secure)
    current = cookies(headers).get(name, "")
    if len(current) == 43 and current.replace("-", "").replace("_", "").isalnum():
        return current, None
    token = secrets.token_urlsafe(32)
    attributes = "Path=/; HttpOnly; SameSite=Strict" + ("; Secure" if secure else "")
    return token, f"{name}={token}; {attributes}"


def check_csrf(headers: Mapping[str, str], form: Mapping[str, str], secure: bool, host: str) -> None:
    """Refuse a state-changing request that did not come from one of our own forms (403)."""
    origin = _header(headers, "Origin")
    if origin is not None and origin.split("://", 1)[-1].rstrip("/") != host:
        raise Forbidden("the form was not sent from this site", field="Origin")
    expected = cookies(headers).get(csrf_cookie_name(secure), "")
    given = form.get(CSRF_FIELD, "")
    if not expected or not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Forbidden("the form's CSRF token is missing or does not match; reload the page", field=CSRF_FIELD)


def local_login_allowed(flag: bool, environ: Mapping[str, str]) -> bool:
    """The local sign-in works only when switched on and not running on App Service / Functions in Azure."""
    return flag and not any(environ.get(marker) for marker in AZURE_MARKERS)


def encode_local_principal(role: str, tenant: str | None) -> str:
    """The cookie value for a locally chosen role (``SLA.Admin``, or ``SLA.Reader`` of one tenant)."""
    data = {"role": role, "tenant": tenant}
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def local_principal(headers: Mapping[str, str]) -> Principal | None:
    """The locally chosen role from its cookie; None without (or with an unreadable) cookie."""
    raw = cookies(headers).get(LOCAL_PRINCIPAL_COOKIE)
    if not raw:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        role, tenant = data["role"], data.get("tenant")
    except (ValueError, TypeError, KeyError):
        return None
    if role == ADMIN_ROLE:
        return Principal(name="lokale-beheerder", roles=frozenset({ADMIN_ROLE}), tenants=frozenset())
    if role == READER_ROLE and isinstance(tenant, str) and tenant:
        return Principal(name=f"lokale-lezer-{tenant}", roles=frozenset({READER_ROLE}), tenants=frozenset({tenant}))
    return None

"""The service-level portal: server-rendered pages for municipalities and the supplier.

Routes (under the Functions prefix ``/api``):

* ``GET  portal`` — to the caller's page (the overview for ``SLA.Admin``, the
  own municipality for ``SLA.Reader``);
* ``GET  portal/tenants/{tenant}`` — one municipality (its readers and admins);
* ``POST portal/tenants/{tenant}/recipients`` — the municipality keeps its
  report recipients current (SLA §9), audited;
* ``GET  portal/tenants/{tenant}/reports/{month}/{version}/{fmt}`` — a stored
  version as PDF, ODS or JSON (``version`` like ``v2``);
* ``GET  portal/overview`` — the supplier's overview (``SLA.Admin``);
* ``POST portal/exclusions``, ``POST portal/months/rerun`` — admin actions, audited;
* ``GET/POST portal/local-login`` — local development only (see
  :mod:`sla_app.portal.security`);
* ``GET  portal/static/portal.css``.

The routes are anonymous at the Functions level (a browser has no function
key): App Service Authentication (Entra ID) signs the user in before the
request reaches us, and every page refuses to run without it
(``WEBSITE_AUTH_ENABLED``) unless the local sign-in is allowed.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from importlib import resources
from typing import Any
from urllib.parse import parse_qs

import azure.functions as func

from sla_app.bootstrap import context
from sla_app.documents.render import render as render_report
from sla_app.errors import AppError, BadRequest, NotFound, PayloadTooLarge, Unauthorized
from sla_app.http.auth import ADMIN_ROLE, READER_ROLE, Principal
from sla_app.http.params import route_month
from sla_app.portal import security
from sla_app.portal.render import page
from sla_core.errors import InputError
from sla_core.periods import Month

bp = func.Blueprint()
_log = logging.getLogger("sla_app.portal")
BASE = "/api/portal"
MAX_FORM_BYTES = 16 * 1024
_FORMATS = {
    "pdf": "application/pdf",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "json": "application/json",
}
TITLES = {
    400: "Onjuiste invoer",
    403: "Geen toegang",
    404: "Niet gevonden",
    409: "Conflict",
    413: "Te groot",
    422: "Onjuiste invoer",
    503: "Niet beschikbaar",
}
Handler = Callable[[func.HttpRequest], func.HttpResponse]


class NotSignedIn(AppError):
    """No principal: locally, go to the local sign-in page."""

    status, title = 401, "Niet aangemeld"


class _Unavailable(AppError):
    """The portal is misconfigured (no App Service Authentication in front of it)."""

    status, title = 503, "Niet beschikbaar"


def _respond(
    body: str | bytes, status: int = 200, mimetype: str = "text/html", headers: dict[str, str] | None = None
) -> func.HttpResponse:
    return func.HttpResponse(
        body, status_code=status, mimetype=mimetype, charset="utf-8", headers={**security.HEADERS, **(headers or {})}
    )


def _redirect(location: str, extra: dict[str, str] | None = None) -> func.HttpResponse:
    return _respond("", 303, headers={"Location": location, **(extra or {})})


def _local_login() -> bool:
    return security.local_login_allowed(context().settings.portal_local_login, os.environ)


def _caller(req: func.HttpRequest) -> Principal:
    """The signed-in user: the platform's principal, or locally the chosen role."""
    if _local_login():
        chosen = security.local_principal(req.headers)
        if chosen is not None:
            return chosen
        raise NotSignedIn("kies eerst een rol")
    if (os.environ.get("WEBSITE_AUTH_ENABLED") or "").lower() != "true":
        _log.error("portal refused: App Service Authentication is not enabled (WEBSITE_AUTH_ENABLED)")
        raise _Unavailable("het portaal is niet beschikbaar: aanmelding is niet ingericht")
    try:
        return context().principal(req.headers)
    except Unauthorized as exc:
        raise NotSignedIn(exc.detail) from exc


def _secure(req: func.HttpRequest) -> bool:
    return security.is_https(req.url or "", req.headers)


def _page(
    req: func.HttpRequest, template: str, caller: Principal | None, status: int = 200, **values: Any
) -> func.HttpResponse:
    token, cookie = security.csrf_token(req.headers, _secure(req))
    nav = []
    if caller is not None and ADMIN_ROLE in caller.roles:
        nav.append(
            {"href": f"{BASE}/overview", "text": "Overzicht leverancier", "current": template == "overview.html"}
        )
    for tenant in sorted(caller.tenants if caller is not None and ADMIN_ROLE not in caller.roles else ()):
        nav.append({"href": f"{BASE}/tenants/{tenant}", "text": f"Gemeente {tenant}", "current": False})
    who = None if caller is None else caller.name
    html = page(template, base=BASE, nav=nav, who=who, csrf=token, notice=req.params.get("melding"), **values)
    return _respond(html, status, headers={"Set-Cookie": cookie} if cookie else None)


def portal_page(handler: Handler) -> Handler:
    """Map errors to HTML pages (the portal's one place for that); never a stack trace."""

    @functools.wraps(handler)
    def wrapped(req: func.HttpRequest) -> func.HttpResponse:
        try:
            return handler(req)
        except NotSignedIn:
            if _local_login():
                return _redirect(f"{BASE}/local-login")
            return _page(
                req,
                "message.html",
                None,
                401,
                title="Niet aangemeld",
                message="Meld u aan om het portaal te gebruiken.",
                back=None,
            )
        except AppError as exc:
            title = TITLES.get(exc.status, exc.title)
            return _page(req, "message.html", None, exc.status, title=title, message=exc.detail, back=BASE)
        except Exception:  # noqa: BLE001 — the last line of defence: no internals leak out
            _log.exception("unhandled error in portal page %s", handler.__name__)
            return _page(
                req,
                "message.html",
                None,
                500,
                title="Er ging iets mis",
                message="De pagina kon niet worden gemaakt. Probeer het later opnieuw.",
                back=BASE,
            )

    return wrapped


def _form(req: func.HttpRequest) -> dict[str, str]:
    """A urlencoded form body (last value per field); 413 when too large, 400 when unreadable; CSRF checked."""
    raw = req.get_body() or b""
    if len(raw) > MAX_FORM_BYTES:
        raise PayloadTooLarge("het formulier is te groot")
    try:
        fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("het formulier kan niet worden gelezen") from exc
    form = {key: values[-1] for key, values in fields.items()}
    host = (req.headers.get("Host") or req.url.split("://", 1)[-1].split("/", 1)[0]) if req.url else ""
    security.check_csrf(req.headers, form, _secure(req), host)
    return form


def _tenant(req: func.HttpRequest) -> str:
    tenant = (req.route_params.get("tenant") or "").strip()
    if not tenant:
        raise NotFound("geen gemeente gekozen")
    return tenant


# -- pages ---------------------------------------------------------------------------


@bp.route(route="portal", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@portal_page
def portal_home(req: func.HttpRequest) -> func.HttpResponse:
    """To the caller's own start page."""
    caller = _caller(req)
    if ADMIN_ROLE in caller.roles:
        return _redirect(f"{BASE}/overview")
    tenants = sorted(caller.tenants) if READER_ROLE in caller.roles else []
    if not tenants:
        raise NotFound("er is geen gemeente aan uw account gekoppeld")
    return _redirect(f"{BASE}/tenants/{tenants[0]}")


@bp.route(route="portal/static/portal.css", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def portal_css(req: func.HttpRequest) -> func.HttpResponse:
    """The portal's one style sheet (no inline styles: the CSP forbids them)."""
    css = resources.files("sla_app.portal").joinpath("static/portal.css").read_text(encoding="utf-8")
    return _respond(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=3600"})


@bp.route(route="portal/tenants/{tenant}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@portal_page
def portal_tenant(req: func.HttpRequest) -> func.HttpResponse:
    """One municipality's page."""
    caller, tenant = _caller(req), _tenant(req)
    caller.require_reader_of(tenant)
    data = context().portal.tenant_page(tenant)
    return _page(req, "tenant.html", caller, title=data["tenant_name"], page=data)


@bp.route(route="portal/tenants/{tenant}/recipients", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@portal_page
def portal_recipients(req: func.HttpRequest) -> func.HttpResponse:
    """The municipality replaces its report recipients."""
    caller, tenant = _caller(req), _tenant(req)
    caller.require_reader_of(tenant)
    form = _form(req)
    recipients = form.get("recipients", "").replace(",", "\n").splitlines()
    context().portal.set_recipients(tenant, recipients, actor=caller.name)
    return _redirect(f"{BASE}/tenants/{tenant}?melding=Ontvangers+opgeslagen")


@bp.route(
    route="portal/tenants/{tenant}/reports/{month}/{version}/{fmt}",
    methods=["GET"],
    auth_level=func.AuthLevel.ANONYMOUS,
)
@portal_page
def portal_download(req: func.HttpRequest) -> func.HttpResponse:
    """One stored report version as PDF, ODS or JSON."""
    caller, tenant = _caller(req), _tenant(req)
    caller.require_reader_of(tenant)
    month, fmt = route_month(req), req.route_params.get("fmt", "")
    version = req.route_params.get("version", "")
    if fmt not in _FORMATS or not version.startswith("v") or not version[1:].isdigit() or len(version) > 10:
        raise NotFound("onbekend document")
    stored = context().portal.version(tenant, month, int(version[1:]))
    name = f"servicerapportage-{tenant}-{month}-{version}.{fmt}"
    if fmt == "json":
        data: bytes = json.dumps(stored.body, ensure_ascii=False, indent=2).encode("utf-8")
    else:
        rendered = render_report(stored.body)
        data = next(a.data for a in rendered.attachments if a.name.endswith("." + fmt))
    return func.HttpResponse(
        data,
        status_code=200,
        mimetype=_FORMATS[fmt],
        headers={**security.HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route(route="portal/overview", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@portal_page
def portal_overview(req: func.HttpRequest) -> func.HttpResponse:
    """The supplier's overview of every municipality."""
    caller = _caller(req)
    caller.require_admin()
    return _page(
        req, "overview.html", caller, title="Overzicht van alle gemeenten", page=context().portal.overview_page()
    )


@bp.route(route="portal/exclusions", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@portal_page
def portal_exclusion(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin records an exclusion with its reason."""
    caller = _caller(req)
    caller.require_admin()
    form = _form(req)
    context().portal.add_exclusion(
        form.get("tenant", ""), form.get("start", ""), form.get("end", ""), form.get("reason", ""), actor=caller.name
    )
    return _redirect(f"{BASE}/overview?melding=Uitsluiting+vastgelegd")


@bp.route(route="portal/months/rerun", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
@portal_page
def portal_rerun(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin re-runs a month for every measured tenant (idempotent)."""
    caller = _caller(req)
    caller.require_admin()
    form = _form(req)
    try:
        month = Month.parse(form.get("month", ""))
    except InputError as exc:
        raise BadRequest(str(exc), field="month") from exc
    ctx = context()
    tenants = ctx.monthly.fan_out(month, ctx.monthly_queue.send)
    return _redirect(f"{BASE}/overview?melding={len(tenants)}+gemeenten+opnieuw+in+de+wachtrij")


@bp.route(route="portal/local-login", methods=["GET", "POST"], auth_level=func.AuthLevel.ANONYMOUS)
@portal_page
def portal_local_login(req: func.HttpRequest) -> func.HttpResponse:
    """Local development only: choose a role (404 everywhere else)."""
    if not _local_login():
        raise NotFound("deze pagina bestaat niet")
    if req.method == "GET":
        tenants = sorted(r.tenant for r in context().admin_service.tenants())
        return _page(req, "login.html", None, title="Lokaal aanmelden", tenants=tenants)
    form = _form(req)
    role, _, tenant = form.get("role", "").partition(":")
    if role not in (ADMIN_ROLE, READER_ROLE) or (role == READER_ROLE and not tenant):
        raise BadRequest("kies een rol")
    cookie = f"{security.LOCAL_PRINCIPAL_COOKIE}={security.encode_local_principal(role, tenant or None)}; Path=/; HttpOnly; SameSite=Strict"
    return _redirect(f"{BASE}", {"Set-Cookie": cookie})

"""The admin API, the OpenAPI document and security.txt.

Callers are identified by App Service Authentication's
``X-MS-CLIENT-PRINCIPAL`` (:func:`sla_app.http.auth.principal`): the
supplier's ``SLA.Admin`` manages tenants and exclusions and reads the audit
log; a municipality's ``SLA.Reader`` reads the reports of the tenant(s) in its
``sla_tenant`` claim only. No principal (or an unreadable one) is a 401, the
wrong role or another tenant a 403. Every change is written to the audit log
with who, when and why.

Tenants carry a strong ETag (derived from the storage ETag): ``If-Match`` on
PUT is checked against the current record (412 when stale) and the write
itself is conditional on the record read (409 when another writer came in
between). ``GET /api/openapi.json`` and ``GET /api/.well-known/security.txt``
are anonymous.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

import azure.functions as func
from pydantic import BaseModel, ValidationError

from sla_app.bootstrap import context
from sla_app.errors import BadRequest, NotFound, Unprocessable
from sla_app.http.api_fields import TENANT_ID_PATTERN
from sla_app.http.api_tenant_models import ExclusionWrite, TenantWrite
from sla_app.http.openapi import ROUTE_PREFIX, document
from sla_app.http.params import route_month
from sla_app.http.problem import endpoint, json_response, read_json
from sla_app.records import TenantRecord
from sla_app.services.admin import Preconditions, etag
from sla_app.storage.admin_repo import ALL_TENANTS
from sla_core.instants import InstantError, parse_day

bp = func.Blueprint()

Model = TypeVar("Model", bound=BaseModel)

_TENANT_ID = re.compile(TENANT_ID_PATTERN)
_VERSION = re.compile(r"^[1-9]\d{0,8}$")

SECURITY_TXT_LIFETIME = timedelta(days=180)  # RFC 9116 §2.5.5: less than a year ahead
DEFAULT_SECURITY_CONTACT = "mailto:security@example.nl"


# -- helpers -------------------------------------------------------------------


def _route(req: func.HttpRequest, name: str) -> str:
    """A path parameter, spaces at the ends removed; one of spaces only names nothing there is: 404."""
    value = (req.route_params.get(name) or "").strip()
    if not value:
        raise NotFound(f"path parameter {name!r} names nothing", field=name)
    return value


def _existing_tenant_id(value: str) -> str:
    """A tenant id from the path that could exist (404 otherwise, before any storage key is built from it)."""
    if value != ALL_TENANTS and not _TENANT_ID.match(value):
        raise NotFound(f"unknown tenant {value[:40]!r}", field="tenant")
    return value


def _validated(model: type[Model], data: Any) -> Model:
    """``data`` as ``model``; 422 naming the first offending field (dotted path)."""
    try:
        return model.model_validate_json(json.dumps(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        where = f"field {field}" if field else "body"
        raise Unprocessable(f"{where}: {first['msg']}", field=field) from exc


def _preconditions(req: func.HttpRequest) -> Preconditions:
    return Preconditions(req.headers.get("If-Match"), req.headers.get("If-None-Match"))


# -- tenants ---------------------------------------------------------------------


@bp.route(route="tenants", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def list_tenants(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: every tenant."""
    ctx = context()
    ctx.principal(req.headers).require_admin()
    return json_response([t.to_json() for t in ctx.admin_service.tenants()])


@bp.route(route="tenants/{tenant}", methods=["GET", "PUT"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def tenant_resource(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: read (GET) or create/replace (PUT) one tenant."""
    ctx = context()
    caller = ctx.principal(req.headers)
    caller.require_admin()
    tenant = _route(req, "tenant")
    if req.method.upper() == "PUT":
        return _put_tenant(req, caller.name, tenant)
    record = ctx.admin_service.tenant(_existing_tenant_id(tenant))
    return json_response(record.to_json(), headers={"ETag": etag(record)})


def _put_tenant(req: func.HttpRequest, actor: str, tenant: str) -> func.HttpResponse:
    if not _TENANT_ID.match(tenant):
        raise Unprocessable(
            f"tenant id {tenant!r}: letters, digits, '.', '_' and '-' (not first), at most 100", field="tenant"
        )
    body = _validated(TenantWrite, read_json(req))
    if body.tenant is not None and body.tenant != tenant:
        raise Unprocessable(f"field tenant: {body.tenant!r} differs from the path's {tenant!r}", field="tenant")
    if body.contract_end is not None and body.contract_end <= body.go_live:
        raise Unprocessable("field contract_end: must be after go_live", field="contract_end")
    if "tenants" in body.contract_override:
        raise Unprocessable(
            "field contract_override.tenants: the measurement window is set by go_live and contract_end",
            field="contract_override.tenants",
        )
    record = TenantRecord(
        tenant=tenant,
        go_live=body.go_live,
        contract_end=body.contract_end,
        name=body.name,
        contract_override=body.contract_override,
        recipients=tuple(body.recipients),
    )
    saved = context().admin_service.put_tenant(record, _preconditions(req), actor)
    headers = {"ETag": saved.etag}
    if saved.created:
        headers["Location"] = f"{ROUTE_PREFIX}/tenants/{quote(tenant, safe='')}"
    return json_response(saved.record.to_json(), status=201 if saved.created else 200, headers=headers)


# -- exclusions ------------------------------------------------------------------


@bp.route(route="tenants/{tenant}/exclusions", methods=["GET", "POST"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def tenant_exclusions(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: the exclusions that apply to a tenant (GET), or record one (POST); ``_all``: every tenant."""
    ctx = context()
    caller = ctx.principal(req.headers)
    caller.require_admin()
    scope = ctx.admin_service.known_scope(_existing_tenant_id(_route(req, "tenant")))
    if req.method.upper() != "POST":
        return json_response(ctx.admin_service.exclusions(scope))
    body = _validated(ExclusionWrite, read_json(req))
    added = ctx.admin_service.add_exclusion(scope, body.start, body.end, body.reason, caller.name)
    return json_response(added, status=201)


# -- reports -----------------------------------------------------------------------


def _reader(req: func.HttpRequest) -> str:
    """The route's tenant, once the caller may read it (401/403 otherwise; 404 for an id no tenant can have)."""
    caller = context().principal(req.headers)
    tenant = (req.route_params.get("tenant") or "").strip()
    caller.require_reader_of(tenant)
    if tenant == ALL_TENANTS:
        raise NotFound(f"unknown tenant {tenant!r}", field="tenant")
    return _existing_tenant_id(tenant)


@bp.route(route="tenants/{tenant}/reports/{month}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def get_report(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin, or SLA.Reader of the tenant: a report, latest version or ``?version=N``."""
    tenant = _reader(req)
    month = str(route_month(req))
    raw_version = req.params.get("version")
    if raw_version is not None and not _VERSION.match(raw_version.strip()):
        raise BadRequest(f"query parameter version: a positive integer, got {raw_version!r}", field="version")
    version = None if raw_version is None else int(raw_version)
    return json_response(context().admin_service.report(tenant, month, version))


@bp.route(route="tenants/{tenant}/reports/{month}/versions", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def list_report_versions(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin, or SLA.Reader of the tenant: the stored versions of a report, oldest first."""
    tenant = _reader(req)
    return json_response(context().admin_service.report_versions(tenant, str(route_month(req))))


# -- audit -------------------------------------------------------------------------


@bp.route(route="admin/audit/{day}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def get_audit_day(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: the audit entries of one UTC day, oldest first."""
    ctx = context()
    ctx.principal(req.headers).require_admin()
    text = req.route_params.get("day", "")
    try:
        day = parse_day(text)
    except InstantError as exc:
        raise BadRequest(f"day: expected a date YYYY-MM-DD in 2000–2099 ({exc})", field="day") from exc
    return json_response(ctx.admin_service.audit_day(day))


# -- public documents ----------------------------------------------------------------


@bp.route(route="openapi.json", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint
def get_openapi(req: func.HttpRequest) -> func.HttpResponse:
    """The OpenAPI 3.1 document of every route."""
    return json_response(document())


def security_txt(now: datetime, contact: str, canonical: str | None) -> str:
    """An RFC 9116 security.txt; ``Expires`` is the start of the UTC day 180 days after ``now``."""
    expires = (now.astimezone(UTC) + SECURITY_TXT_LIFETIME).date()
    lines = [f"Contact: {contact}", f"Expires: {expires.isoformat()}T00:00:00Z", "Preferred-Languages: nl, en"]
    if canonical:
        lines.append(f"Canonical: {canonical}")
    return "\n".join(lines) + "\n"


@bp.route(route=".well-known/security.txt", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
@endpoint
def get_security_txt(req: func.HttpRequest) -> func.HttpResponse:
    """RFC 9116 security.txt (the SLA's open-standards list)."""
    ctx = context()
    # SLA_SECURITY_CONTACT (set by infra/); the placeholder only where it is unset (local runs, tests).
    contact = ctx.settings.security_contact or DEFAULT_SECURITY_CONTACT
    return func.HttpResponse(
        security_txt(ctx.clock(), contact, ctx.settings.security_txt_url),  # never from the Host header
        status_code=200,
        mimetype="text/plain",
        charset="utf-8",
        headers={"Cache-Control": "max-age=86400"},
    )

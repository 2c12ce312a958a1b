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

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote

import azure.functions as func
from azure.core.exceptions import ResourceModifiedError, ResourceNotFoundError
from pydantic import BaseModel, ValidationError

from sla_app.bootstrap import Services, services
from sla_app.errors import (
    BadRequest,
    Conflict,
    NotFound,
    PreconditionFailed,
    Unprocessable,
)
from sla_app.http import api_models as m
from sla_app.http.auth import ADMIN_ROLE, Principal, principal
from sla_app.http.openapi import ROUTE_PREFIX, document
from sla_app.http.params import route_month
from sla_app.http.problem import endpoint, json_response, read_json
from sla_app.services.monthly_reports import tenant_contract
from sla_app.storage.admin_repo import ALL_TENANTS, EXCLUSIONS, TenantRecord
from sla_app.storage.tables import escape_key
from sla_core.availability_input import parse_exclusions
from sla_core.errors import InputError
from sla_core.instants import InstantError, parse_day

bp = func.Blueprint()

Model = TypeVar("Model", bound=BaseModel)

_TENANT_ID = re.compile(m.TENANT_ID_PATTERN)
_VERSION = re.compile(r"^[1-9]\d{0,8}$")
_EXCLUSION_KEYS = ("start", "end", "reason", "recorded_by", "recorded_at")
_TENANT_FIELDS = ("go_live", "contract_end", "name", "contract_override", "recipients")

SECURITY_TXT_LIFETIME = timedelta(days=180)  # RFC 9116 §2.5.5: less than a year ahead
DEFAULT_SECURITY_CONTACT = "mailto:security@example.nl"


# -- helpers -------------------------------------------------------------------


def _route(req: func.HttpRequest, name: str) -> str:
    value = (req.route_params.get(name) or "").strip()
    if not value:
        raise BadRequest(f"path parameter {name!r} is missing", field=name)
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


def _now(app: Services) -> str:
    return app.clock().isoformat()


def etag(record: TenantRecord) -> str:
    """The tenant's strong HTTP entity tag (changes with every write)."""
    return '"' + hashlib.sha256((record.etag or "").encode()).hexdigest()[:32] + '"'


def _check_preconditions(req: func.HttpRequest, current: TenantRecord | None) -> None:
    """RFC 9110 §13.1.1–13.1.2 for one resource; 412 when a condition does not hold."""
    if_match = req.headers.get("If-Match")
    if if_match is not None:
        tags = {tag.strip() for tag in if_match.split(",")}
        if current is None:
            raise PreconditionFailed("If-Match given but the tenant does not exist", field="If-Match")
        if "*" not in tags and etag(current) not in tags:
            raise PreconditionFailed("the tenant was changed since it was read (ETag does not match)", field="If-Match")
    if_none_match = req.headers.get("If-None-Match")
    if if_none_match is not None and current is not None:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        if "*" in tags or etag(current) in tags:
            raise PreconditionFailed("the tenant already exists", field="If-None-Match")


# -- tenants ---------------------------------------------------------------------


@bp.route(route="tenants", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def list_tenants(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: every tenant."""
    principal(req.headers).require_admin()
    return json_response([t.to_json() for t in services().admin.tenants()])


@bp.route(route="tenants/{tenant}", methods=["GET", "PUT"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def tenant_resource(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: read (GET) or create/replace (PUT) one tenant."""
    caller = principal(req.headers)
    caller.require_admin()
    tenant = _route(req, "tenant")
    if req.method.upper() == "PUT":
        return _put_tenant(req, caller, tenant)
    if tenant == ALL_TENANTS:
        raise NotFound(f"unknown tenant {tenant!r}", field="tenant")
    record = services().admin.tenant(_existing_tenant_id(tenant))
    if record is None:
        raise NotFound(f"unknown tenant {tenant!r}", field="tenant")
    return json_response(record.to_json(), headers={"ETag": etag(record)})


def _contract_error(exc: Unprocessable, tenant: str) -> Unprocessable:
    """A contract error from :func:`tenant_contract`, naming the field of the PUT body."""
    field = exc.field or "(root)"
    window = f"tenants.{tenant}"
    if field == window:
        named = "contract_end"  # the window's own check: contract_end after go_live
    elif field.startswith(window + "."):
        named = field[len(window) + 1 :]
    else:
        named = f"contract_override.{field}"
    return Unprocessable(f"field {named}: the contract is not valid: {exc.detail}", field=named)


def _put_tenant(req: func.HttpRequest, caller: Principal, tenant: str) -> func.HttpResponse:
    if not _TENANT_ID.match(tenant):
        raise Unprocessable(
            f"tenant id {tenant!r}: letters, digits, '.', '_' and '-' (not first), at most 100", field="tenant"
        )
    body = _validated(m.TenantWrite, read_json(req))
    if body.tenant is not None and body.tenant != tenant:
        raise Unprocessable(f"field tenant: {body.tenant!r} differs from the path's {tenant!r}", field="tenant")
    if body.contract_end is not None and body.contract_end <= body.go_live:
        raise Unprocessable("field contract_end: must be after go_live", field="contract_end")
    if "tenants" in body.contract_override:
        raise Unprocessable(
            "field contract_override.tenants: the measurement window is set by go_live and contract_end",
            field="contract_override.tenants",
        )
    app = services()
    current = app.admin.tenant(tenant)
    _check_preconditions(req, current)
    conditional = current is not None and req.headers.get("If-Match") is not None
    record = TenantRecord(
        tenant=tenant,
        go_live=body.go_live,
        contract_end=body.contract_end,
        name=body.name,
        contract_override=body.contract_override,
        recipients=tuple(body.recipients),
        etag=current.etag if conditional and current is not None else None,
    )
    try:
        tenant_contract(record)
    except Unprocessable as exc:
        raise _contract_error(exc, tenant) from exc
    try:
        saved = app.admin.put_tenant(record)
    except (ResourceModifiedError, ResourceNotFoundError) as exc:
        raise Conflict("the tenant was changed concurrently; read it again and retry") from exc
    before = {} if current is None else current.to_json()
    after = saved.to_json()
    changed = [k for k in _TENANT_FIELDS if current is None or before.get(k) != after.get(k)]
    app.admin.audit(
        _now(app),
        caller.name,
        "tenant.created" if current is None else "tenant.updated",
        tenant,
        changed=changed,
        values={k: after[k] for k in changed},
    )
    headers = {"ETag": etag(saved)}
    if current is None:
        headers["Location"] = f"{ROUTE_PREFIX}/tenants/{quote(tenant, safe='')}"
    return json_response(after, status=201 if current is None else 200, headers=headers)


# -- exclusions ------------------------------------------------------------------


def _exclusions(app: Services, scopes: list[str]) -> list[dict[str, Any]]:
    rows = []
    for scope in scopes:
        for entity in app.store.partition(EXCLUSIONS, escape_key(scope)):
            data = {k: entity[k] for k in _EXCLUSION_KEYS if entity.get(k) is not None}
            [parsed] = parse_exclusions([data], "stored exclusion")
            rows.append(((parsed.start, parsed.end), {"id": entity["RowKey"], "applies_to": scope, **parsed.to_json()}))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


@bp.route(route="tenants/{tenant}/exclusions", methods=["GET", "POST"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def tenant_exclusions(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: the exclusions that apply to a tenant (GET), or record one (POST); ``_all``: every tenant."""
    caller = principal(req.headers)
    caller.require_admin()
    scope = _existing_tenant_id(_route(req, "tenant"))
    app = services()
    if scope != ALL_TENANTS and app.admin.tenant(scope) is None:
        raise NotFound(f"unknown tenant {scope!r}", field="tenant")
    if req.method.upper() == "POST":
        return _add_exclusion(req, app, caller, scope)
    return json_response(_exclusions(app, [ALL_TENANTS] if scope == ALL_TENANTS else [ALL_TENANTS, scope]))


def _within_window(app: Services, scope: str, body: m.ExclusionWrite) -> None:
    """A tenant's exclusion must overlap its measurement window: from go-live to the contract end (422 otherwise)."""
    if scope == ALL_TENANTS:
        return
    record = app.admin.tenant(scope)
    if record is None:
        return
    start, end = datetime.fromisoformat(body.start), datetime.fromisoformat(body.end)
    first = datetime.combine(record.go_live, datetime.min.time(), UTC) - timedelta(days=1)
    if end <= first:
        raise Unprocessable(f"field end: the exclusion ends before the tenant's go-live {record.go_live}", field="end")
    if record.contract_end is not None:
        last = datetime.combine(record.contract_end, datetime.min.time(), UTC) + timedelta(days=2)
        if start >= last:
            raise Unprocessable(
                f"field start: the exclusion starts after the tenant's contract end {record.contract_end}",
                field="start",
            )


def _add_exclusion(req: func.HttpRequest, app: Services, caller: Principal, scope: str) -> func.HttpResponse:
    body = _validated(m.ExclusionWrite, read_json(req))
    _within_window(app, scope, body)
    now = _now(app)
    # Readers see the exclusion in their report: it names the role that recorded it, never the person (rules
    # §8.3); who it was is in the audit log, which only SLA.Admin reads.
    data = {"start": body.start, "end": body.end, "reason": body.reason, "recorded_by": ADMIN_ROLE, "recorded_at": now}
    try:
        exclusion_id = app.admin.add_exclusion(None if scope == ALL_TENANTS else scope, data)
    except InputError as exc:
        raise Unprocessable(str(exc), field=exc.field) from exc
    app.admin.audit(
        now, caller.name, "exclusion.added", scope, id=exclusion_id, start=body.start, end=body.end, reason=body.reason
    )
    return json_response({"id": exclusion_id, "applies_to": scope, **data}, status=201)


# -- reports -----------------------------------------------------------------------


def _reader(req: func.HttpRequest) -> str:
    """The route's tenant, once the caller may read it (401/403 otherwise; 404 for an id no tenant can have)."""
    caller = principal(req.headers)
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
    reports = services().reports
    if raw_version is None:
        stored = reports.latest(tenant, month)
    else:
        stored = next((r for r in reports.versions(tenant, month) if r.version == int(raw_version)), None)
    if stored is None:
        which = "no report" if raw_version is None else f"no version {int(raw_version)} of the report"
        raise NotFound(f"{which} for {tenant} {month}")
    return json_response(
        {
            "tenant": stored.tenant,
            "month": stored.month,
            "version": stored.version,
            "computed_at": stored.computed_at,
            "content_hash": stored.content_hash,
            "inputs_fingerprint": stored.inputs_fingerprint,
            "report": stored.body,
            **_version_state(stored),
        }
    )


@bp.route(route="tenants/{tenant}/reports/{month}/versions", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def list_report_versions(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin, or SLA.Reader of the tenant: the stored versions of a report, oldest first."""
    tenant = _reader(req)
    month = str(route_month(req))
    versions = services().reports.versions(tenant, month)
    if not versions:
        raise NotFound(f"no report for {tenant} {month}")
    return json_response(
        [
            {
                "version": v.version,
                "computed_at": v.computed_at,
                "content_hash": v.content_hash,
                "inputs_fingerprint": v.inputs_fingerprint,
                **_version_state(v),
            }
            for v in versions
        ]
    )


def _version_state(stored: Any) -> dict[str, Any]:
    """Status, input watermark and changes of a stored version (measurement §8.5, §8.6)."""
    return {"status": stored.status, "watermark": stored.watermark or None, "changes": stored.changes}


# -- audit -------------------------------------------------------------------------


@bp.route(route="admin/audit/{day}", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def get_audit_day(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: the audit entries of one UTC day, oldest first."""
    principal(req.headers).require_admin()
    text = req.route_params.get("day", "")
    try:
        day = parse_day(text)
    except InstantError as exc:
        raise BadRequest(f"day: expected a date YYYY-MM-DD in 2000–2099 ({exc})", field="day") from exc
    return json_response(services().admin.audit_entries(day))


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
    app = services()
    # SLA_SECURITY_CONTACT (set by infra/); the placeholder only where it is unset (local runs, tests).
    contact = app.settings.security_contact or DEFAULT_SECURITY_CONTACT
    return func.HttpResponse(
        security_txt(app.clock(), contact, app.settings.security_txt_url),  # never from the Host header
        status_code=200,
        mimetype="text/plain",
        charset="utf-8",
        headers={"Cache-Control": "max-age=86400"},
    )

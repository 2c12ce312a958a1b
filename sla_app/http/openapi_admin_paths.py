"""The admin API's routes in the OpenAPI document: tenants, exclusions, reports, delivery and audit.

The supplier's routes (role ``SLA.Admin``; the reports also ``SLA.Reader`` for
its own tenant, SLA §10): the overview documents, the monthly run and
delivery, availability backfill, tenants and their contracts, exclusions
(SLA §7.1), the versioned reports (SLA §9) and the audit log (SLA §10.1).
Listed in :data:`ADMIN_OPERATIONS`, part of
:data:`sla_app.http.openapi.OPERATIONS`.
"""

from __future__ import annotations

from sla_app.http.api_report_models import (
    AuditEntry,
    AvailabilityBackfillRequest,
    AvailabilityBackfillResult,
    Delivery,
    DeliveryConfirmation,
    MonthDeliveryResult,
    MonthlyOutcome,
    MonthRunResult,
    Report,
    ReportVersion,
)
from sla_app.http.api_tenant_models import Exclusion, ExclusionWrite, Tenant, TenantWrite
from sla_app.http.auth import ADMIN_ROLE, READER_ROLE, TENANT_CLAIM
from sla_app.http.openapi_operation import SIGNED_IN, Operation, Param, Reply

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


ADMIN_OPERATIONS: tuple[Operation, ...] = (
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
        {202: Reply("One outcome per tenant (idempotent: a report is never sent twice).", MonthDeliveryResult)},
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
        {200: Reply("By tenant.", list[Delivery])},
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
        {200: Reply("The record as now stored (sent, or failed and released for one new send); audited.", Delivery)},
        (400, 401, 403, 404, 409, 413, 422),
        request=DeliveryConfirmation,
        roles=(ADMIN_ROLE,),
        description=(
            "Only for an e-mail flagged needs_manual_check (409 otherwise). `tenant`: the tenant id, or `~supplier` "
            "for the supplier's notices. See docs/operations.md § sla-delivery-outcome-unknown."
        ),
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
        {202: Reply("Enqueued (idempotent: a re-run stores no new version unless a report differs).", MonthRunResult)},
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
        {200: Reply("Computed; a new version only when the report differs.", MonthlyOutcome)},
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
                "Each day's outcome (idempotent: a day stored again replaces itself).", AvailabilityBackfillResult
            )
        },
        (400, 401, 403, 413, 422),
        request=AvailabilityBackfillRequest,
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
        {200: Reply("The tenants, by id.", list[Tenant])},
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
        {200: Reply("The tenant.", Tenant, headers=("ETag",))},
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
            200: Reply("Replaced.", Tenant, headers=("ETag",)),
            201: Reply("Created.", Tenant, headers=("ETag", "Location")),
        },
        (400, 401, 403, 409, 412, 413, 422),
        request=TenantWrite,
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
                "The tenant's own exclusions and those for every tenant (`_all`: only the latter).", list[Exclusion]
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
        {201: Reply("Recorded, with who and when; audited.", Exclusion)},
        (400, 401, 403, 404, 413, 422),
        request=ExclusionWrite,
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
        {200: Reply("The latest version, or the one asked for.", Report)},
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
        {200: Reply("Oldest first.", list[ReportVersion])},
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
        {200: Reply("Oldest first.", list[AuditEntry])},
        (400, 401, 403),
        roles=(ADMIN_ROLE,),
    ),
)

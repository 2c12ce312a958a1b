"""The bodies of the tenant and exclusion routes: a municipality with its contract, an exclusion.

A tenant is measured from the month after its go-live (SLA §7); an exclusion
is an interval not attributable to the supplier (SLA §7.1). Field types come
from :mod:`sla_app.http.api_fields`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, Field, WithJsonSchema

from sla_app.http.api_fields import TEXT_SCHEMA, Day, EmailAddress, Instant, RequestBody, ResponseBody, Text
from sla_app.http.contract_schema import contract_override_schema

MAX_RECIPIENTS = 50
MAX_REASON_LENGTH = 500
MAX_NAME_LENGTH = 200


def _unique_addresses(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value.lower() in seen:
            raise ValueError(f"{value!r} is listed more than once")
        seen.add(value.lower())
    return values


# -- tenants -----------------------------------------------------------------


# Validated as a whole by the admin service (merged over the default contract); the schema documents it.
ContractOverride = Annotated[dict[str, Any], WithJsonSchema(contract_override_schema())]


class TenantWrite(RequestBody):
    """A tenant as PUT: the whole record (fields left out get their default)."""

    tenant: str | None = Field(default=None, description="Optional; when given it must equal the id in the path.")
    go_live: Day = Field(description="Go-live date (2000–2099); measured from the month after it (SLA §7).")
    contract_end: Day | None = Field(default=None, description="Contract end (2000–2099); must be after go_live.")
    name: Text | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_NAME_LENGTH,
        description="Display name.",
        json_schema_extra=TEXT_SCHEMA,
    )
    contract_override: ContractOverride = Field(default_factory=dict)
    recipients: Annotated[list[EmailAddress], AfterValidator(_unique_addresses)] = Field(
        default_factory=list, max_length=MAX_RECIPIENTS, description="Report recipients (e-mail addresses)."
    )


class Tenant(ResponseBody):
    """A tenant as stored."""

    tenant: str
    go_live: date
    contract_end: date | None
    name: str | None
    contract_override: ContractOverride
    recipients: list[str]


# -- exclusions --------------------------------------------------------------


class ExclusionWrite(RequestBody):
    """An interval in which down time is not attributable to the supplier (SLA §7.1)."""

    start: Instant
    end: Instant
    reason: Text = Field(
        min_length=1,
        max_length=MAX_REASON_LENGTH,
        description="Why the interval is excluded.",
        json_schema_extra=TEXT_SCHEMA,
    )


class Exclusion(ResponseBody):
    """A stored exclusion, with who recorded it and when."""

    id: str
    applies_to: str = Field(description="The tenant id, or _all for every tenant.")
    start: str = Field(json_schema_extra={"format": "date-time"})
    end: str = Field(json_schema_extra={"format": "date-time"})
    reason: str
    recorded_by: str | None = None
    recorded_at: str | None = Field(default=None, json_schema_extra={"format": "date-time"})

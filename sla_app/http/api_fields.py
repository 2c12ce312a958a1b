"""The building blocks of the HTTP API's pydantic models: field types, base classes, the problem body.

The models of the HTTP API (:mod:`sla_app.http.api_ticket_models`,
:mod:`sla_app.http.api_tenant_models`, :mod:`sla_app.http.api_report_models`)
are the single description of the HTTP API: the admin handlers validate
request bodies with them and :mod:`sla_app.http.openapi` generates the OpenAPI
document from their JSON schemas. Models of routes owned by other modules
describe what those handlers accept and return; where the real format belongs
to a third party (TOPdesk, Jira) the body is a free-form object.

Request models (:class:`RequestBody`) forbid unknown keys (a typo is a 422
naming the key), except the canonical ticket event, whose extra keys the core
drops (free text and personal data are never stored). Instants are RFC 3339
with an offset in 2000–2099 (measurement §8.2); errors are RFC 9457 problem
details (:class:`ProblemDetails`).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from sla_core.events import ID_PATTERN, UNSTORABLE
from sla_core.instants import FIRST_YEAR, LAST_YEAR, InstantError, parse_rfc3339

TENANT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$"

# A pragmatic check of an e-mail address (dot-atom local part @ DNS host name
# with a letter-only top-level domain); quoted local parts and address
# literals are not accepted. Length limits as in RFC 5321 §4.5.3.1.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")


def check_email(value: str) -> str:
    """The address unchanged when it looks valid; ValueError otherwise."""
    local, _, _ = value.partition("@")
    if len(value) > 254 or len(local) > 64 or not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not a valid e-mail address")
    return value


EmailAddress = Annotated[
    str,
    AfterValidator(check_email),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": 254}),
]


def check_instant(value: str) -> str:
    """The text unchanged when it is an RFC 3339 instant with an offset in 2000–2099 (measurement §8.2)."""
    try:
        parse_rfc3339(value)
    except InstantError as exc:
        raise ValueError(str(exc)) from exc
    return value


def check_text(value: str) -> str:
    """The text unchanged when it holds nothing Table Storage refuses (controls, lone surrogates)."""
    if UNSTORABLE.search(value):
        raise ValueError("control characters or lone surrogates are not allowed")
    return value


# RFC 3339 with an offset, years 2000–2099 (measurement §8.2); the validator also checks the calendar.
INSTANT_PATTERN = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"
DAY_PATTERN = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$"
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"
TEXT_PATTERN = r"^[^\u0000-\u001f\u007f-\u009f]*$"
Instant = Annotated[
    str,
    Field(
        min_length=1, description="RFC 3339 instant with Z or an offset, in 2000–2099, e.g. 2026-10-05T09:00:00+02:00."
    ),
    AfterValidator(check_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]
Day = Annotated[
    date,
    Field(ge=date(FIRST_YEAR, 1, 1), le=date(LAST_YEAR, 12, 31)),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
Identifier = Annotated[
    str,
    Field(pattern=ID_PATTERN, description="Letters, digits and . _ : - + (first a letter or digit), at most 200."),
]
Text = Annotated[str, AfterValidator(check_text)]
TEXT_SCHEMA = {"pattern": TEXT_PATTERN}  # the JSON schema of Text: no control characters


def _no_default(schema: dict[str, Any]) -> None:
    """Drop ``default: null`` of an optional key that is left out rather than sent as null."""
    schema.pop("default", None)


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ResponseBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- shared ----------------------------------------------------------------


class ProblemDetails(ResponseBody):
    """An error (RFC 9457), sent as ``application/problem+json``."""

    type: str = Field(default="about:blank", description="Problem type URI; about:blank: see the status code.")
    title: str = Field(description="Short summary of the status, e.g. 'Unprocessable content'.")
    status: int = Field(ge=400, le=599, description="The HTTP status code.")
    detail: str = Field(description="What is wrong, naming the input and field.")
    instance: str = Field(description="The request path.")
    field: Annotated[str | None, WithJsonSchema({"type": "string"})] = Field(
        default=None,
        description="The offending input field (dotted path), when there is one; omitted otherwise.",
        json_schema_extra=_no_default,
    )

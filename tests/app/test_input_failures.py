"""Every failure a clear status (docs/input.md), through real func.HttpRequest objects.

Bad input is a 4xx problem+json naming the field and stores nothing; a
storage outage is a 503 with Retry-After; a webhook secret that cannot be
right, or signed-in routes without App Service Authentication, make the route
refuse with 503 and log a configuration error; only the platform's role claims
count; security.txt's Canonical comes from a setting; admin dates lie in the
measurement window and 2000–2099.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from azure.core.exceptions import ServiceRequestError
from azure.core.pipeline.transport import HttpTransport
from azure.data.tables import TableServiceClient

from sla_app import bootstrap
from sla_app.bootstrap import AppContext
from sla_app.http.auth import encode_principal, sign_timestamped
from sla_app.records import TenantRecord
from sla_app.storage.event_rows import TABLE
from sla_app.storage.plain_tables import PlainTables
from sla_app.storage.tables import TableStore
from tests.support.app import SECRETS, FixedClock, Reply, call_http

URL = "http://localhost/api/tickets/events"
ADMIN = {"X-MS-CLIENT-PRINCIPAL": encode_principal("beheerder@stratech.example", ["SLA.Admin"])}


def event(n: int, tenant: str = "enschede", **fields: Any) -> dict:
    data = {
        "event_id": f"e-{n}",
        "tenant": tenant,
        "ticket_id": f"M{n}",
        "occurred_at": "2026-10-05T09:00:00+02:00",
        "kind": "opened",
    }
    return {**data, **fields}


def post_raw(clock: FixedClock, body: bytes, headers: dict[str, str] | None = None) -> Reply:
    signed = sign_timestamped(SECRETS["events"], body, int(clock().timestamp()))
    return call_http("post_ticket_events", url=URL, body=body, headers={**signed, **(headers or {})})


def post(clock: FixedClock, payload: object) -> Reply:
    return post_raw(clock, json.dumps(payload).encode())


def stored(ctx: AppContext) -> int:
    return sum(len(list(ctx.store.partition(TABLE, t))) for t in ("enschede", "hengelo", "almelo"))


def assert_problem(reply: Reply, status: int, field: str | None) -> None:
    assert reply.status == status, reply.body
    assert reply.mimetype == "application/problem+json"
    assert reply.body["status"] == status and reply.body["detail"]
    assert reply.body.get("field") == field, reply.body


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# -- bad events: 4xx naming the field, nothing stored --------------------------------------------------

BATCHES = [
    pytest.param(
        [event(i) for i in range(149)] + [event(149, ticket_id="M\u0085149")],
        422,
        "ticket_id",
        id="150 events with U+0085 in one ticket id (was 500 with 100 rows stored)",
    ),
    pytest.param(
        [event(i, tenant=t) for i, t in enumerate(["enschede", "hengelo"] * 3)] + [event(9, event_id="e-\ud800")],
        422,
        "event_id",
        id="a multi-tenant batch with a lone surrogate (was 500 with 5 rows stored)",
    ),
    pytest.param(
        [event(i, tenant=t) for i, t in enumerate(["enschede", "hengelo"] * 3)] + [event(9, ticket_id="#" * 300)],
        422,
        "ticket_id",
        id="a multi-tenant batch with an over-long escaped id",
    ),
    pytest.param(
        [event(1, occurred_at="1900-01-01T09:00:00+01:00")],
        422,
        "occurred_at",
        id="an event of 1900 (blocked the tenant's monthly report for good)",
    ),
    pytest.param([event(1, occurred_at="0001-01-01T00:00:00+00:00")], 422, "occurred_at", id="an event of year 1"),
    pytest.param(
        [event(1, occurred_at="9999-12-31T23:59:59.999999+00:00")],
        422,
        "occurred_at",
        id="an event at the end of datetime",
    ),
    pytest.param([event(1, occurred_at="2026-10-05T09:00:00+23:59")], 422, "occurred_at", id="an offset of 23:59"),
    pytest.param([event(1, kind=["opened"])], 422, "kind", id="kind as a list"),
    pytest.param([event(1, kind={"a": 1})], 422, "kind", id="kind as an object (was 500)"),
    pytest.param([event(1, priority=["hoog"])], 422, "priority", id="priority as a list"),
    pytest.param([event(1, status="wacht\x00")], 422, "status", id="NUL in a status"),
    pytest.param([event(1, ticket_id="TEST-2 Jansen")], 422, "ticket_id", id="a name with a space in a ticket id"),
    pytest.param([event(1, ticket_id="a/b?c")], 422, "ticket_id", id="characters a table key refuses"),
    pytest.param([], 422, "body", id="an empty list"),
    pytest.param({"event_id": "e-1", "n": 10**20}, 422, "n", id="a number outside the I-JSON range names its key"),
]


@pytest.mark.parametrize(("payload", "status", "field"), BATCHES)
def test_a_bad_event_anywhere_is_a_4xx_naming_the_field_and_nothing_is_stored(
    ctx: AppContext, tenants: list[str], clock: FixedClock, payload: Any, status: int, field: str | None
) -> None:
    reply = post(clock, payload)
    assert_problem(reply, status, field)
    assert stored(ctx) == 0


RAW = [
    pytest.param(nested(100_000).encode(), id="JSON nested 100,000 deep (was 500: RecursionError)"),
    pytest.param(nested(33).encode(), id="JSON nested 33 deep, one more than allowed"),
    pytest.param(b'[{"event_id": NaN}]', id="NaN"),
    pytest.param(b"\xff\xfe", id="not UTF-8"),
]


@pytest.mark.parametrize("body", RAW)
def test_unreadable_bodies_are_a_400(ctx: AppContext, tenants: list[str], clock: FixedClock, body: bytes) -> None:
    assert_problem(post_raw(clock, body), 400, None)
    assert stored(ctx) == 0


@pytest.mark.parametrize(
    "stamp",
    [
        pytest.param("²", id="a superscript two (isdigit, but not a number)"),
        pytest.param("9" * 5000, id="5,000 digits (beyond int's conversion limit)"),
        pytest.param("-300", id="a negative number"),
        pytest.param("１７９１１８４３２０", id="full-width digits"),
    ],
)
def test_a_malformed_timestamp_header_is_a_401_naming_it(ctx: AppContext, tenants: list[str], stamp: str) -> None:
    body = json.dumps([event(1)]).encode()
    reply = call_http(
        "post_ticket_events",
        url=URL,
        body=body,
        headers={"X-SLA-Timestamp": stamp, "X-SLA-Signature": "sha256=" + "0" * 64},
    )
    assert_problem(reply, 401, "X-SLA-Timestamp")


def test_a_jira_timestamp_of_10_to_the_20_is_a_422_naming_timestamp(ctx: AppContext, tenants: list[str]) -> None:
    """Was a 500 (OverflowError): the number is refused when the body is read, before any mapping."""
    body = json.dumps({"timestamp": 10**20, "webhookEvent": "jira:issue_updated", "issue": {"key": "SD-1"}}).encode()
    from sla_app.services.tool_credentials import tenant_credential

    secret = tenant_credential(SECRETS["jira"], "jira", "enschede")  # the tenant's own Jira secret
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    reply = call_http(
        "post_jira_issue",
        url="http://localhost/api/tickets/jira",
        body=body,
        headers={"X-Hub-Signature": f"sha256={digest}"},
        params={"tenant": "enschede"},
    )
    assert_problem(reply, 422, "timestamp")
    assert stored(ctx) == 0


# -- storage outages: 503 with Retry-After ---------------------------------------------------------------


class Unreachable(HttpTransport):
    """A transport whose every request fails to connect (a storage outage)."""

    def __enter__(self) -> Unreachable:
        return self

    def __exit__(self, *args: object) -> None:
        return None

    def open(self) -> None:
        return None

    def close(self) -> None:
        return None

    def send(self, request: Any, **kwargs: Any) -> Any:
        raise ServiceRequestError("connection refused (test outage)")


@pytest.fixture
def outage(ctx: AppContext, storage: Any) -> Iterator[AppContext]:
    client = TableServiceClient.from_connection_string(
        storage.connection_string, transport=Unreachable(), retry_total=0
    )
    plain = PlainTables.from_connection_string(storage.connection_string, transport=Unreachable(), retry_total=0)
    store = TableStore(client, prefix="outage", plain=plain)
    broken = ctx.with_settings()
    broken.store = store  # before any repository is built over it
    bootstrap.use(broken)
    yield broken
    bootstrap.use(ctx)


def test_a_storage_outage_is_a_503_with_retry_after(outage: AppContext, clock: FixedClock) -> None:
    reply = post(clock, [event(1)])
    assert_problem(reply, 503, None)
    assert int(reply.headers["Retry-After"]) > 0
    listed = call_http("list_tenants", method="GET", url="http://localhost/api/tenants", headers=ADMIN)
    assert_problem(listed, 503, None)
    assert "Retry-After" in listed.headers


# -- configuration traps -------------------------------------------------------------------------------


def with_settings(ctx: AppContext, **changes: Any) -> None:
    bootstrap.use(ctx.with_settings(**changes))


@pytest.mark.parametrize(
    "secret",
    [
        pytest.param(
            "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/sla-webhook-secret-events/)",
            id="an unresolved Key Vault reference",
        ),
        pytest.param("@microsoft.keyvault(VaultName=kv;SecretName=events)", id="an unresolved reference in lower case"),
        pytest.param("short-secret-31-bytes-long-xxxx", id="a secret of 31 bytes"),
        pytest.param("", id="no secret"),
    ],
)
def test_a_webhook_secret_that_cannot_be_right_refuses_the_route_with_503_and_logs_it(
    ctx: AppContext, tenants: list[str], clock: FixedClock, caplog: pytest.LogCaptureFixture, secret: str
) -> None:
    with_settings(ctx, webhook_secret_events=secret)
    body = json.dumps([event(1)]).encode()
    signed = sign_timestamped(secret, body, int(clock().timestamp()))  # even signed with that very value
    with caplog.at_level(logging.ERROR):
        reply = call_http("post_ticket_events", url=URL, body=body, headers=signed)
    assert_problem(reply, 503, None)
    assert "Retry-After" in reply.headers
    assert not secret or secret not in json.dumps(reply.body)
    assert any("configuration error" in r.getMessage() for r in caplog.records)
    assert stored(ctx) == 0


SIGNED_IN = [
    pytest.param("list_tenants", {}, id="GET /tenants"),
    pytest.param("tenant_resource", {"tenant": "enschede"}, id="GET /tenants/{tenant}"),
    pytest.param("get_report", {"tenant": "enschede", "month": "2026-10"}, id="GET a report"),
    pytest.param("get_audit_day", {"day": "2026-11-02"}, id="GET the audit log"),
]


@pytest.mark.parametrize(("name", "route"), SIGNED_IN)
def test_signed_in_routes_refuse_to_run_without_app_service_authentication(
    ctx: AppContext, tenants: list[str], caplog: pytest.LogCaptureFixture, name: str, route: dict[str, str]
) -> None:
    with_settings(ctx, website_auth_enabled=False)
    with caplog.at_level(logging.ERROR):
        reply = call_http(name, method="GET", url="http://localhost/api/x", headers=ADMIN, route_params=route)
    assert_problem(reply, 503, None)
    assert any("WEBSITE_AUTH_ENABLED" in r.getMessage() for r in caplog.records)


def principal_header(data: dict) -> dict[str, str]:
    return {"X-MS-CLIENT-PRINCIPAL": base64.b64encode(json.dumps(data).encode()).decode()}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            {"role_typ": "name", "claims": [{"typ": "name", "val": "SLA.Admin"}]},
            id="role_typ pointing at the name claim",
        ),
        pytest.param(
            {"role_typ": "sla_tenant", "claims": [{"typ": "sla_tenant", "val": "SLA.Admin"}]},
            id="role_typ pointing at the tenant claim",
        ),
        pytest.param({"claims": [{"typ": "groups", "val": "SLA.Admin"}]}, id="a group named like the role"),
    ],
)
def test_only_the_platforms_role_claims_count(ctx: AppContext, tenants: list[str], data: dict) -> None:
    reply = call_http("list_tenants", method="GET", url="http://localhost/api/tenants", headers=principal_header(data))
    assert_problem(reply, 403, None)


def test_a_deeply_nested_principal_header_is_a_401(ctx: AppContext, tenants: list[str]) -> None:
    raw = base64.b64encode(('{"claims": ' + nested(50_000) + "}").encode()).decode()
    reply = call_http(
        "list_tenants", method="GET", url="http://localhost/api/tenants", headers={"X-MS-CLIENT-PRINCIPAL": raw}
    )
    assert_problem(reply, 401, "X-MS-CLIENT-PRINCIPAL")


def canonical_of(host: str) -> list[str]:
    reply = call_http(
        "get_security_txt",
        method="GET",
        url=f"https://{host}/api/.well-known/security.txt",
        headers={"Host": host, "X-Forwarded-Host": host},
    )
    assert reply.status == 200
    return [line.split(": ", 1)[1] for line in reply.body.splitlines() if line.startswith("Canonical:")]


def test_security_txt_canonical_comes_from_the_setting_never_from_the_host(ctx: AppContext) -> None:
    assert canonical_of("evil.example") == ["https://sla.example.nl/.well-known/security.txt"]
    with_settings(ctx, security_txt_url=None)
    assert canonical_of("evil.example") == [], "no setting: no Canonical line (it is optional in RFC 9116)"


# -- admin inputs bounded ----------------------------------------------------------------------------------


def put_tenant(tenant: str, body: dict) -> Reply:
    return call_http(
        "tenant_resource",
        method="PUT",
        url=f"http://localhost/api/tenants/{tenant}",
        body=body,
        headers=ADMIN,
        route_params={"tenant": tenant},
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"go_live": "0001-01-01"}, "go_live", id="go-live in year 1"),
        pytest.param({"go_live": "1999-12-31"}, "go_live", id="go-live before 2000"),
        pytest.param(
            {"go_live": "2026-01-01", "contract_end": "9999-12-31"}, "contract_end", id="contract end in 9999"
        ),
        pytest.param({"go_live": "2026-01-01", "name": "Gemeente\x00"}, "name", id="NUL in the name"),
    ],
)
def test_tenant_dates_outside_2000_to_2099_are_a_422(ctx: AppContext, body: dict, field: str) -> None:
    assert_problem(put_tenant("losser", body), 422, field)
    assert ctx.admin.tenant("losser") is None


@pytest.mark.parametrize(
    ("scope", "body", "field"),
    [
        pytest.param(
            "enschede",
            {"start": "0001-01-01T00:00:00Z", "end": "9999-12-31T23:59:59Z", "reason": "x"},
            "start",
            id="an exclusion from year 1 to 9999",
        ),
        pytest.param(
            "_all",
            {"start": "2026-10-01T00:00:00", "end": "2026-10-02T00:00:00Z", "reason": "x"},
            "start",
            id="a naive start",
        ),
        pytest.param(
            "hengelo",
            {"start": "2020-01-01T00:00:00Z", "end": "2020-01-02T00:00:00Z", "reason": "x"},
            "end",
            id="an exclusion that ends before the tenant's go-live",
        ),
        pytest.param(
            "eindhoven",
            {"start": "2031-03-01T00:00:00Z", "end": "2031-03-02T00:00:00Z", "reason": "x"},
            "start",
            id="an exclusion that starts after the contract end",
        ),
        pytest.param(
            "enschede",
            {"start": "2026-10-01T00:00:00Z", "end": "2026-10-02T00:00:00Z", "reason": "a\x85b"},
            "reason",
            id="U+0085 in the reason",
        ),
    ],
)
def test_exclusions_outside_the_measurement_window_or_2000_to_2099_are_a_422(
    ctx: AppContext, tenants: list[str], scope: str, body: dict, field: str
) -> None:
    ctx.admin.put_tenant(TenantRecord(tenant="eindhoven", go_live=date(2026, 1, 5), contract_end=date(2030, 12, 31)))
    reply = call_http(
        "tenant_exclusions",
        method="POST",
        url=f"http://localhost/api/tenants/{scope}/exclusions",
        body=body,
        headers=ADMIN,
        route_params={"tenant": scope},
    )
    assert_problem(reply, 422, field)
    assert ctx.admin.exclusions(scope if scope != "_all" else "enschede") == []


@pytest.mark.parametrize(
    ("name", "route", "field"),
    [
        pytest.param("get_audit_day", {"day": "1999-12-31"}, "day", id="an audit day before 2000"),
        pytest.param("get_audit_day", {"day": "0001-01-01"}, "day", id="an audit day in year 1"),
        pytest.param("get_report", {"tenant": "enschede", "month": "0001-01"}, "month", id="a report month in year 1"),
        pytest.param("tenant_resource", {"tenant": "a\ud800b"}, "tenant", id="a lone surrogate in a tenant path"),
    ],
)
def test_admin_path_values_outside_the_rules_are_a_4xx_naming_them(
    ctx: AppContext, tenants: list[str], name: str, route: dict[str, str], field: str
) -> None:
    reply = call_http(name, method="GET", url="http://localhost/api/x", headers=ADMIN, route_params=route)
    assert 400 <= reply.status < 500 and reply.mimetype == "application/problem+json", reply.body
    assert reply.body["field"] == field


@pytest.mark.parametrize(
    ("secret", "accepted"),
    [
        pytest.param("x" * 32, True, id="32 bytes are enough"),
        pytest.param("é" * 16, True, id="16 two-byte characters are 32 bytes"),
        pytest.param("x" * 31, False, id="31 bytes are not"),
        pytest.param(
            "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/s/)" + "x" * 40,
            False,
            id="an unresolved reference however long",
        ),
        pytest.param(
            "prefix @MICROSOFT.KEYVAULT( suffix, long enough to pass the length check",
            False,
            id="reference text anywhere, in any case",
        ),
    ],
)
def test_check_secret_refuses_what_cannot_be_a_configured_secret(secret: str, accepted: bool) -> None:
    from sla_app.errors import ConfigurationError
    from sla_app.http.auth import check_secret

    if accepted:
        assert check_secret(secret, "Jira master secret") == secret
    else:
        with pytest.raises(ConfigurationError) as caught:
            check_secret(secret, "Jira master secret")
        assert caught.value.status == 503 and secret not in caught.value.detail

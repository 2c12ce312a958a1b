"""The admin API: roles from X-MS-CLIENT-PRINCIPAL, tenants with ETags, exclusions, reports, audit."""

from __future__ import annotations

import base64
from datetime import date, timedelta
from typing import Any

import pytest

from sla_app.bootstrap import AppContext
from sla_app.http.api_fields import ProblemDetails
from sla_app.http.api_report_models import AuditEntry, Report, ReportVersion
from sla_app.http.api_tenant_models import Exclusion, Tenant
from sla_app.http.auth import encode_principal
from sla_app.records import TenantRecord
from tests.support.app import FixedClock, Reply, call_http

ADMIN_NAME = "beheerder@stratech.example"
ADMIN = {"X-MS-CLIENT-PRINCIPAL": encode_principal(ADMIN_NAME, ["SLA.Admin"])}
READER = {"X-MS-CLIENT-PRINCIPAL": encode_principal("lezer@enschede.example", ["SLA.Reader"], ["enschede"])}
NO_ROLE = {"X-MS-CLIENT-PRINCIPAL": encode_principal("iemand@enschede.example", [], ["enschede"])}
TODAY = date(2026, 11, 2)  # the clock fixture's UTC day


def call(
    name: str,
    method: str = "GET",
    *,
    route: dict[str, str] | None = None,
    body: Any = b"",
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> Reply:
    path = "/".join(route.values()) if route else ""
    return call_http(
        name,
        method=method,
        url=f"http://localhost/api/{path}",
        body=body,
        headers=headers,
        params=params,
        route_params=route,
    )


def put_tenant(tenant: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return call("tenant_resource", "PUT", route={"tenant": tenant}, body=body, headers={**ADMIN, **(headers or {})})


def audit(ctx: AppContext, action: str | None = None) -> list[dict]:
    entries = ctx.admin.audit_entries(TODAY)
    return [e for e in entries if action is None or e["action"] == action]


def assert_problem(reply: Reply, status: int, field: str | None = None) -> None:
    assert reply.status == status, reply.body
    assert reply.mimetype == "application/problem+json"
    problem = ProblemDetails.model_validate(reply.body)
    assert problem.status == status and problem.detail
    assert reply.body.get("field") == field, reply.body


# -- tenants -------------------------------------------------------------------------


def test_an_admin_lists_and_reads_tenants_with_an_etag(ctx: AppContext, tenants: list[str]) -> None:
    listed = call("list_tenants", headers=ADMIN)
    assert listed.status == 200
    assert [Tenant.model_validate(t).tenant for t in listed.body] == tenants
    one = call("tenant_resource", route={"tenant": "enschede"}, headers=ADMIN)
    assert one.status == 200 and one.body["go_live"] == "2025-09-15"
    assert one.headers["ETag"].startswith('"') and one.headers["ETag"].endswith('"')
    assert_problem(call("tenant_resource", route={"tenant": "atlantis"}, headers=ADMIN), 404, "tenant")
    assert_problem(call("tenant_resource", route={"tenant": "\r"}, headers=ADMIN), 404, "tenant")  # names nothing


def test_put_creates_then_replaces_a_tenant_and_audits_both(ctx: AppContext, tenants: list[str]) -> None:
    body = {
        "go_live": "2026-10-20",
        "name": "Gemeente Oldenzaal",
        "recipients": ["sla@oldenzaal.example.nl"],
        "contract_override": {"availability": {"norm": 99.5}},
    }
    created = put_tenant("oldenzaal", body)
    assert created.status == 201, created.body
    assert created.headers["Location"] == "/api/tenants/oldenzaal"
    assert Tenant.model_validate(created.body).contract_override == {"availability": {"norm": 99.5}}
    stored = ctx.admin.tenant("oldenzaal")
    assert stored is not None and stored.recipients == ("sla@oldenzaal.example.nl",)

    body |= {"contract_end": "2030-01-01", "recipients": ["j.de.vries+sla@oldenzaal.example.nl", "Team@Example.NL"]}
    replaced = put_tenant("oldenzaal", body, {"If-Match": created.headers["ETag"]})
    assert replaced.status == 200, replaced.body
    assert replaced.headers["ETag"] != created.headers["ETag"]
    assert replaced.body["contract_end"] == "2030-01-01"

    [first] = audit(ctx, "tenant.created")
    assert (first["actor"], first["tenant"], first["at"]) == (ADMIN_NAME, "oldenzaal", "2026-11-02T09:00:00+00:00")
    [second] = audit(ctx, "tenant.updated")
    assert second["detail"]["changed"] == ["contract_end", "recipients"]
    assert second["detail"]["values"]["contract_end"] == "2030-01-01"


def test_a_get_put_round_trip_is_accepted(ctx: AppContext, tenants: list[str]) -> None:
    read = call("tenant_resource", route={"tenant": "hengelo"}, headers=ADMIN)
    reply = put_tenant("hengelo", read.body | {"name": "Gemeente Hengelo"}, {"If-Match": read.headers["ETag"]})
    assert reply.status == 200, reply.body
    assert reply.body["name"] == "Gemeente Hengelo"


def test_a_stale_etag_is_412_and_changes_nothing(ctx: AppContext, tenants: list[str]) -> None:
    read = call("tenant_resource", route={"tenant": "enschede"}, headers=ADMIN)
    condition = {"If-Match": read.headers["ETag"]}
    assert put_tenant("enschede", {"go_live": "2025-09-15", "name": "Eerste"}, condition).status == 200
    stale = put_tenant("enschede", {"go_live": "2025-09-15", "name": "Tweede"}, condition)
    assert_problem(stale, 412, "If-Match")
    assert ctx.admin.tenant("enschede").name == "Eerste"  # type: ignore[union-attr]
    assert len(audit(ctx, "tenant.updated")) == 1


def test_a_weak_etag_never_matches(ctx: AppContext, tenants: list[str]) -> None:
    read = call("tenant_resource", route={"tenant": "enschede"}, headers=ADMIN)
    reply = put_tenant("enschede", {"go_live": "2025-09-15"}, {"If-Match": "W/" + read.headers["ETag"]})
    assert_problem(reply, 412, "If-Match")


def test_a_change_between_read_and_write_is_409(
    ctx: AppContext, tenants: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    read = call("tenant_resource", route={"tenant": "enschede"}, headers=ADMIN)
    real_tenant = ctx.admin.tenant
    stale = real_tenant("enschede")
    ctx.admin.put_tenant(TenantRecord(tenant="enschede", go_live=date(2025, 9, 15), name="Andere schrijver"))
    # the handler reads the record before the other writer's change lands, then writes conditionally
    monkeypatch.setattr(ctx.admin, "tenant", lambda t: stale if t == "enschede" else real_tenant(t))
    mine = {"go_live": "2025-09-15", "name": "Mijn wijziging"}
    reply = put_tenant("enschede", mine, {"If-Match": read.headers["ETag"]})
    assert_problem(reply, 409)
    assert real_tenant("enschede").name == "Andere schrijver"  # type: ignore[union-attr]
    assert audit(ctx, "tenant.updated") == []


def test_if_none_match_star_only_creates(ctx: AppContext, tenants: list[str]) -> None:
    assert_problem(put_tenant("enschede", {"go_live": "2025-09-15"}, {"If-None-Match": "*"}), 412, "If-None-Match")
    assert put_tenant("losser", {"go_live": "2026-01-05"}, {"If-None-Match": "*"}).status == 201


def test_if_match_on_a_missing_tenant_is_412(ctx: AppContext, tenants: list[str]) -> None:
    assert_problem(put_tenant("losser", {"go_live": "2026-01-05"}, {"If-Match": '"abc"'}), 412, "If-Match")
    assert ctx.admin.tenant("losser") is None


GOOD = {"go_live": "2026-01-05"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(
            GOOD | {"contract_override": {"availability": {"norm": 120}}},
            "contract_override.availability.norm",
            id="a norm above 100 names contract_override.availability.norm",
        ),
        pytest.param(
            GOOD | {"contract_override": {"timezone": "Mars/Olympus"}},
            "contract_override.timezone",
            id="an unknown timezone names contract_override.timezone",
        ),
        pytest.param(
            GOOD | {"contract_override": {"colour": "blue"}},
            "contract_override.colour",
            id="an unknown contract key names it",
        ),
        pytest.param(
            GOOD | {"contract_override": {"metrics": {"response_time": {"targets": {"urgent": {"value": 0}}}}}},
            "contract_override.metrics.response_time.targets.urgent.value",
            id="a target of zero hours",
        ),
        pytest.param(
            GOOD | {"contract_override": {"tenants": {"x": {"go_live": "2020-01-01"}}}},
            "contract_override.tenants",
            id="the window cannot be overridden",
        ),
        pytest.param(GOOD | {"contract_override": []}, "contract_override", id="an override that is not an object"),
        pytest.param(
            GOOD | {"contract_override": {"availability": {"norm": "99.4"}}},
            "contract_override.availability.norm",
            id="a norm written as a string is refused, not read as a number",
        ),
        pytest.param(
            GOOD | {"contract_override": {"holidays": {"algemene_termijnenwet": "yes"}}},
            "contract_override.holidays.algemene_termijnenwet",
            id="a flag written as yes is refused",
        ),
        pytest.param(
            GOOD
            | {
                "contract_override": {
                    "availability": {
                        "tests": [{"name": "portaal", "from": "2026-01-05T00:00:00Z", "until": "2026-01-05T00:00:00Z"}]
                    }
                }
            },
            "contract_override.availability.tests.0.until",
            id="a listed test's until not after its from names it (measurement §8.7)",
        ),
        pytest.param(GOOD | {"contract_end": "2025-12-31"}, "contract_end", id="contract_end before go_live"),
        pytest.param({"go_live": "2026-13-01"}, "go_live", id="an impossible date"),
        pytest.param({"go_live": 20260105}, "go_live", id="a date that is not a string"),
        pytest.param({"name": "Losser"}, "go_live", id="go_live is required"),
        pytest.param(GOOD | {"name": "x" * 201}, "name", id="a name longer than 200"),
        pytest.param(GOOD | {"colour": "blue"}, "colour", id="an unknown key names it"),
        pytest.param(GOOD | {"tenant": "enschede"}, "tenant", id="a body tenant other than the path's"),
        pytest.param(GOOD | {"recipients": ["geen-adres"]}, "recipients.0", id="an address without @"),
        pytest.param(GOOD | {"recipients": ["a@b.nl", "jan@@losser.nl"]}, "recipients.1", id="two @ signs"),
        pytest.param(GOOD | {"recipients": ["jan@losser"]}, "recipients.0", id="no top-level domain"),
        pytest.param(GOOD | {"recipients": ["jan..jansen@losser.nl"]}, "recipients.0", id="two dots in a row"),
        pytest.param(GOOD | {"recipients": ["jan@-losser.nl"]}, "recipients.0", id="a label starting with a hyphen"),
        pytest.param(GOOD | {"recipients": ["Jan Jansen <jan@losser.nl>"]}, "recipients.0", id="a display name"),
        pytest.param(GOOD | {"recipients": ["x" * 65 + "@losser.nl"]}, "recipients.0", id="a local part over 64"),
        pytest.param(GOOD | {"recipients": [7]}, "recipients.0", id="an address that is not a string"),
        pytest.param(GOOD | {"recipients": ["a@losser.nl", "A@Losser.nl"]}, "recipients", id="the same address twice"),
        pytest.param(GOOD | {"recipients": "a@losser.nl"}, "recipients", id="recipients not a list"),
        pytest.param([GOOD], None, id="a body that is not an object"),
    ],
)
def test_an_invalid_tenant_is_422_naming_the_field_and_stores_nothing(
    ctx: AppContext, tenants: list[str], body: Any, field: str | None
) -> None:
    assert_problem(put_tenant("losser", body), 422, field)
    assert ctx.admin.tenant("losser") is None
    assert audit(ctx) == []


@pytest.mark.parametrize("tenant", ["_all", "-x", "a b", "x" * 101])
def test_an_invalid_tenant_id_is_422(ctx: AppContext, tenant: str) -> None:
    assert_problem(put_tenant(tenant, GOOD), 422, "tenant")


def test_malformed_json_is_400(ctx: AppContext, tenants: list[str]) -> None:
    assert_problem(put_tenant("losser", b"{not json"), 400)


# -- exclusions --------------------------------------------------------------------------


def exclusion(start: str = "2026-10-05T08:00:00+02:00", end: str = "2026-10-05T10:00:00+02:00", **extra: Any) -> dict:
    return {"start": start, "end": end, "reason": "Storing bij KPN (niet toerekenbaar)", **extra}


def post_exclusion(tenant: str, body: Any, headers: dict[str, str] = ADMIN) -> Reply:
    return call("tenant_exclusions", "POST", route={"tenant": tenant}, body=body, headers=headers)


def get_exclusions(tenant: str) -> Reply:
    return call("tenant_exclusions", route={"tenant": tenant}, headers=ADMIN)


def test_exclusions_are_recorded_with_who_and_when_and_audited(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    own = post_exclusion("enschede", exclusion())
    assert own.status == 201, own.body
    recorded = Exclusion.model_validate(own.body)
    assert (recorded.applies_to, recorded.recorded_by, recorded.recorded_at) == (
        "enschede",
        "SLA.Admin",
        "2026-11-02T09:00:00+00:00",
    )  # the role; the person is audited
    every = post_exclusion("_all", exclusion("2026-10-01T06:00:00Z", "2026-10-01T07:00:00Z", reason="Azure-storing"))
    assert every.status == 201, every.body

    listed = get_exclusions("enschede")
    assert listed.status == 200
    assert [(e["applies_to"], e["start"]) for e in listed.body] == [
        ("_all", "2026-10-01T06:00:00Z"),
        ("enschede", "2026-10-05T08:00:00+02:00"),
    ]
    assert {e["id"] for e in listed.body} == {own.body["id"], every.body["id"]}
    assert [e["applies_to"] for e in get_exclusions("hengelo").body] == ["_all"]
    assert [e["reason"] for e in get_exclusions("_all").body] == ["Azure-storing"]
    # the monthly run sees both
    assert [e.reason for e in ctx.admin.exclusions("enschede")] == ["Azure-storing", exclusion()["reason"]]

    entries = {e["tenant"]: e for e in audit(ctx, "exclusion.added")}  # same instant: no order among them
    assert {(e["actor"], e["at"]) for e in entries.values()} == {(ADMIN_NAME, "2026-11-02T09:00:00+00:00")}
    assert set(entries) == {"enschede", "_all"}
    assert entries["enschede"]["detail"] == {"id": own.body["id"], **exclusion()}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(exclusion(end="2026-10-05T07:00:00+02:00"), "end", id="end before start"),
        pytest.param(exclusion(end="2026-10-05T08:00:00+02:00"), "end", id="end equal to start"),
        pytest.param(exclusion(start="2026-10-05T08:00:00"), "start", id="a naive start"),
        pytest.param(exclusion(end="2026-10-05T10:00:00"), "end", id="a naive end"),
        pytest.param(exclusion(start="gisteren"), "start", id="not a timestamp"),
        pytest.param(exclusion(reason="   "), "reason", id="a blank reason"),
        pytest.param({"start": "2026-10-05T08:00:00Z", "end": "2026-10-05T09:00:00Z"}, "reason", id="no reason"),
        pytest.param(exclusion(reason="x" * 501), "reason", id="a reason over 500 characters"),
        pytest.param(
            exclusion(recorded_by="iemand anders"), "recorded_by", id="the recorder is not the client's to say"
        ),
        pytest.param(exclusion(start=1790000000), "start", id="a number as start"),
    ],
)
def test_an_invalid_exclusion_is_422_naming_the_field_and_stores_nothing(
    ctx: AppContext, tenants: list[str], body: dict, field: str
) -> None:
    assert_problem(post_exclusion("enschede", body), 422, field)
    assert get_exclusions("enschede").body == []
    assert audit(ctx) == []


def test_exclusions_of_an_unknown_tenant_are_404(ctx: AppContext, tenants: list[str]) -> None:
    assert_problem(post_exclusion("atlantis", exclusion()), 404, "tenant")
    assert_problem(get_exclusions("atlantis"), 404, "tenant")


# -- reports -----------------------------------------------------------------------------


@pytest.fixture
def reports(ctx: AppContext, tenants: list[str]) -> None:
    ctx.reports.save("enschede", "2026-10", "hash-1", "inputs-1", "2026-11-01T02:00:00+00:00", {"figure": 1})
    ctx.reports.save("enschede", "2026-10", "hash-2", "inputs-2", "2026-11-02T08:00:00+00:00", {"figure": 2})
    ctx.reports.save("hengelo", "2026-10", "hash-h", "inputs-h", "2026-11-01T02:00:00+00:00", {"figure": 3})


def get_report(tenant: str, month: str = "2026-10", headers: dict[str, str] = READER, **params: str) -> Reply:
    return call("get_report", route={"tenant": tenant, "month": month}, headers=headers, params=params)


def get_versions(tenant: str, month: str = "2026-10", headers: dict[str, str] = READER) -> Reply:
    return call("list_report_versions", route={"tenant": tenant, "month": month}, headers=headers)


def test_a_reader_reads_the_latest_report_of_its_own_tenant(reports: None) -> None:
    reply = get_report("enschede")
    assert reply.status == 200, reply.body
    report = Report.model_validate(reply.body)
    assert (report.tenant, report.month, report.version, report.report) == ("enschede", "2026-10", 2, {"figure": 2})
    assert (report.content_hash, report.inputs_fingerprint) == ("hash-2", "inputs-2")


def test_an_older_version_is_read_with_the_version_parameter(reports: None) -> None:
    reply = get_report("enschede", version="1")
    assert reply.status == 200 and (reply.body["version"], reply.body["report"]) == (1, {"figure": 1})
    assert_problem(get_report("enschede", version="3"), 404)
    for bad in ("0", "abc", "-1", "1.5"):
        assert_problem(get_report("enschede", version=bad), 400, "version")


def test_the_versions_are_listed_without_their_bodies(reports: None) -> None:
    reply = get_versions("enschede")
    assert reply.status == 200
    versions = [ReportVersion.model_validate(v) for v in reply.body]
    assert [(v.version, v.computed_at, v.content_hash, v.inputs_fingerprint) for v in versions] == [
        (1, "2026-11-01T02:00:00+00:00", "hash-1", "inputs-1"),
        (2, "2026-11-02T08:00:00+00:00", "hash-2", "inputs-2"),
    ]
    keys = {"version", "computed_at", "content_hash", "inputs_fingerprint", "status", "watermark", "changes"}
    assert all(set(v) == keys for v in reply.body)
    assert [(v.status, v.watermark) for v in versions] == [
        ("final", "2026-11-01T02:00:00+00:00"),
        ("final", "2026-11-02T08:00:00+00:00"),
    ]


def test_no_report_is_404_and_a_bad_month_400(reports: None) -> None:
    assert_problem(get_report("enschede", "2026-09"), 404)
    assert_problem(get_versions("enschede", "2026-09"), 404)
    assert_problem(get_report("enschede", "oktober"), 400, "month")


def test_a_reader_gets_403_for_another_tenant(reports: None) -> None:
    assert_problem(get_report("hengelo"), 403)
    assert_problem(get_versions("hengelo"), 403)
    assert_problem(get_report("hengelo", headers=NO_ROLE), 403)


def test_an_admin_reads_every_tenant(reports: None) -> None:
    assert get_report("hengelo", headers=ADMIN).body["report"] == {"figure": 3}


GARBAGE = [
    pytest.param("not base64 at all!", id="not base64"),
    pytest.param(base64.b64encode(b"not json").decode(), id="base64 of no JSON"),
    pytest.param(base64.b64encode(b"[1, 2]").decode(), id="JSON that is not an object"),
    pytest.param(base64.b64encode(b'{"claims": [{"typ": "roles"}]}').decode(), id="a claim without a value"),
]


def management_calls(headers: dict[str, str], *, put_tenant: str) -> list[Any]:
    """Every tenant, exclusion and audit route called once with ``headers`` (the PUT creates or updates ``put_tenant``)."""
    return [
        call("list_tenants", headers=headers),
        call("tenant_resource", route={"tenant": "enschede"}, headers=headers),
        call("tenant_resource", "PUT", route={"tenant": put_tenant}, body=GOOD, headers=headers),
        call("tenant_exclusions", route={"tenant": "enschede"}, headers=headers),
        call("tenant_exclusions", "POST", route={"tenant": "enschede"}, body=exclusion(), headers=headers),
        call("get_audit_day", route={"day": "2026-11-02"}, headers=headers),
    ]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no principal"),
        *[pytest.param({"X-MS-CLIENT-PRINCIPAL": p.values[0]}, id=p.id) for p in GARBAGE],
    ],
)
def test_without_a_readable_principal_every_admin_route_is_401(
    reports: None, ctx: AppContext, headers: dict[str, str]
) -> None:
    replies = [
        get_report("enschede", headers=headers),
        get_versions("enschede", headers=headers),
        *management_calls(headers, put_tenant="losser"),
    ]
    for reply in replies:
        assert_problem(reply, 401, None if not headers else "X-MS-CLIENT-PRINCIPAL")
        assert reply.headers.get("WWW-Authenticate")
    assert ctx.admin.tenant("losser") is None and ctx.admin.exclusions("enschede") == []


@pytest.mark.parametrize("headers", [pytest.param(READER, id="a reader"), pytest.param(NO_ROLE, id="no role")])
def test_only_an_admin_manages_tenants_exclusions_and_audit(
    ctx: AppContext, tenants: list[str], headers: dict[str, str]
) -> None:
    replies = management_calls(headers, put_tenant="enschede")
    for reply in replies:
        assert_problem(reply, 403)
    assert ctx.admin.tenant("enschede").go_live == date(2025, 9, 15)  # type: ignore[union-attr]
    assert ctx.admin.exclusions("enschede") == [] and audit(ctx) == []


# -- audit -------------------------------------------------------------------------------


def test_the_audit_log_of_a_day_is_read_by_an_admin(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    put_tenant("losser", GOOD)
    clock.now += timedelta(minutes=1)
    post_exclusion("losser", exclusion())
    reply = call("get_audit_day", route={"day": "2026-11-02"}, headers=ADMIN)
    assert reply.status == 200
    entries = [AuditEntry.model_validate(e) for e in reply.body]
    assert [(e.action, e.actor, e.tenant) for e in entries] == [
        ("tenant.created", ADMIN_NAME, "losser"),
        ("exclusion.added", ADMIN_NAME, "losser"),
    ]
    assert entries[1].detail["reason"] == "Storing bij KPN (niet toerekenbaar)"
    assert call("get_audit_day", route={"day": "2026-11-01"}, headers=ADMIN).body == []


@pytest.mark.parametrize("day", ["20261102", "2026-11-31", "gisteren", "2026-W45-1"])
def test_a_malformed_audit_day_is_400(ctx: AppContext, day: str) -> None:
    assert_problem(call("get_audit_day", route={"day": day}, headers=ADMIN), 400, "day")

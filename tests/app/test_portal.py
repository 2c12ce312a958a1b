"""The portal's pages through the registered functions over Azurite: access, security headers, CSRF, forms.

Browser behaviour (axe-core, keyboard, screenshots) is in tests/portal/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from urllib.parse import urlencode

import pytest

from sla_app import bootstrap
from sla_app.bootstrap import AppContext
from sla_app.http.auth import encode_principal
from sla_app.portal import security
from sla_app.records import TenantRecord
from sla_app.services.availability_ingest import AvailabilityIngestService
from sla_core.periods import Month
from tests.app.test_availability_ingest import AMSTERDAM, ScriptedSource  # Home page and Login on each day
from tests.support.app import FixedClock, Reply, call_http

ADMIN = encode_principal("beheer@stratech.example", ["SLA.Admin"])
ALMELO = encode_principal("contract@almelo.example", ["SLA.Reader"], ["almelo"])
HENGELO = encode_principal("contract@hengelo.example", ["SLA.Reader"], ["hengelo"])
TOKEN = "A" * 43


@pytest.fixture(autouse=True)
def platform_auth(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As on Azure with App Service Authentication in front (no local sign-in)."""
    monkeypatch.setenv("WEBSITE_AUTH_ENABLED", "True")
    yield


@pytest.fixture
def municipalities(ctx: AppContext) -> list[str]:
    for tenant, go_live in (("almelo", "2026-02-16"), ("hengelo", "2025-11-03")):
        ctx.admin.put_tenant(
            TenantRecord(
                tenant=tenant,
                go_live=date.fromisoformat(go_live),
                name=f"Gemeente {tenant.title()}",
                recipients=(f"rapport@{tenant}.example",),
            )
        )
    return ["almelo", "hengelo"]


def get(name: str, who: str | None, **route: str) -> Reply:
    headers = {"X-MS-CLIENT-PRINCIPAL": who} if who else {}
    return call_http(name, method="GET", url="https://sla.example/api/portal", headers=headers, route_params=route)


def post(
    name: str, who: str, form: dict[str, str], cookie: str | None = TOKEN, origin: str | None = None, **route: str
) -> Reply:
    headers = {"X-MS-CLIENT-PRINCIPAL": who, "Content-Type": "application/x-www-form-urlencoded", "Host": "sla.example"}
    if cookie is not None:
        headers["Cookie"] = f"__Host-sla-csrf={cookie}"
    if origin is not None:
        headers["Origin"] = origin
    return call_http(
        name,
        method="POST",
        url="https://sla.example/api/portal",
        headers=headers,
        route_params=route,
        body=urlencode(form),
    )


ACCESS = [
    pytest.param("portal_tenant", ALMELO, {"tenant": "almelo"}, 200, id="a reader sees the own municipality"),
    pytest.param("portal_tenant", ALMELO, {"tenant": "hengelo"}, 403, id="a reader never sees another municipality"),
    pytest.param("portal_tenant", ADMIN, {"tenant": "hengelo"}, 200, id="the supplier sees every municipality"),
    pytest.param("portal_overview", ALMELO, {}, 403, id="a reader never sees the supplier overview"),
    pytest.param("portal_overview", ADMIN, {}, 200, id="the supplier sees the overview"),
    pytest.param("portal_tenant", None, {"tenant": "almelo"}, 401, id="nobody signed in sees nothing"),
    pytest.param(
        "portal_download",
        HENGELO,
        {"tenant": "almelo", "month": "2026-05", "version": "v1", "fmt": "json"},
        403,
        id="a reader cannot download another municipality's report",
    ),
    pytest.param(
        "portal_download",
        ALMELO,
        {"tenant": "almelo", "month": "2026-05", "version": "v1", "fmt": "exe"},
        404,
        id="an unknown document format is not found",
    ),
    pytest.param(
        "portal_download",
        ALMELO,
        {"tenant": "almelo", "month": "2026-05", "version": "v9", "fmt": "json"},
        404,
        id="a version that does not exist is not found",
    ),
    pytest.param(
        "portal_download",
        ALMELO,
        {"tenant": "almelo", "month": "2026-13", "version": "v1", "fmt": "json"},
        400,
        id="a month that is not a month is a bad request",
    ),
]


@pytest.mark.parametrize(("name", "who", "route", "status"), ACCESS)
def test_access(municipalities: list[str], name: str, who: str | None, route: dict[str, str], status: int) -> None:
    reply = get(name, who, **route)
    assert reply.status == status
    if status >= 400:
        assert "Gemeente Hengelo" not in reply.body or who == ADMIN


def test_every_page_sends_strict_security_headers_and_no_inline_script_or_style(municipalities: list[str]) -> None:
    for reply in (
        get("portal_tenant", ALMELO, tenant="almelo"),
        get("portal_overview", ADMIN),
        get("portal_tenant", ALMELO, tenant="hengelo"),
    ):
        csp = reply.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp
        assert reply.headers["X-Frame-Options"] == "DENY"
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
        assert re.search(r"<script(?![^>]*\bsrc=)", reply.body) is None
        assert " style=" not in reply.body and "<style" not in reply.body


def test_the_municipality_page_shows_the_month_so_far_and_what_is_left(municipalities: list[str]) -> None:
    body = get("portal_tenant", ALMELO, tenant="almelo").body
    for text in (
        "Deze maand tot nu toe",
        "Beschikbaarheid",
        "Reactietijd",
        "Nog over",
        "Lopende meldingen",
        "Twaalf maanden",
        "Ontvangers van de rapportage",
        "rapport@almelo.example",
    ):
        assert text in body


CSRF = [
    pytest.param({}, TOKEN, None, id="no token in the form"),
    pytest.param({"csrf": TOKEN}, None, None, id="no token cookie"),
    pytest.param({"csrf": "B" * 43}, TOKEN, None, id="form token differs from the cookie"),
    pytest.param({"csrf": TOKEN}, TOKEN, "https://evil.example", id="posted from another site"),
]


@pytest.mark.parametrize(("extra", "cookie", "origin"), CSRF)
def test_a_form_without_a_matching_csrf_token_changes_nothing(
    ctx: AppContext, municipalities: list[str], extra: dict[str, str], cookie: str | None, origin: str | None
) -> None:
    reply = post(
        "portal_recipients", ALMELO, {"recipients": "nieuw@almelo.example", **extra}, cookie, origin, tenant="almelo"
    )
    assert reply.status == 403
    assert ctx.admin.tenant("almelo").recipients == ("rapport@almelo.example",)


def test_the_municipality_keeps_its_recipients_current_and_it_is_audited(
    ctx: AppContext, municipalities: list[str]
) -> None:
    form = {"csrf": TOKEN, "recipients": "Contract@Almelo.example\ncontract@almelo.example\n\nfinance@almelo.example"}
    reply = post("portal_recipients", ALMELO, form, origin="https://sla.example", tenant="almelo")
    assert reply.status == 303
    assert ctx.admin.tenant("almelo").recipients == ("Contract@Almelo.example", "finance@almelo.example")
    entries = ctx.admin.audit_entries(ctx.clock().date())
    change = next(e for e in entries if e["action"] == "tenant.recipients")
    assert change["actor"] == "contract@almelo.example"


BAD_RECIPIENTS = [
    pytest.param("geen-adres", id="not an e-mail address"),
    pytest.param("a@b.example\nPiet <piet@x.example>", id="a display name with the address"),
    pytest.param("\n".join(f"r{i}@almelo.example" for i in range(21)), id="more than 20 recipients"),
]


@pytest.mark.parametrize("recipients", BAD_RECIPIENTS)
def test_bad_recipients_are_refused_and_nothing_is_stored(
    ctx: AppContext, municipalities: list[str], recipients: str
) -> None:
    reply = post("portal_recipients", ALMELO, {"csrf": TOKEN, "recipients": recipients}, tenant="almelo")
    assert reply.status == 422
    assert ctx.admin.tenant("almelo").recipients == ("rapport@almelo.example",)


def test_a_reader_cannot_change_another_municipalitys_recipients(ctx: AppContext, municipalities: list[str]) -> None:
    reply = post("portal_recipients", ALMELO, {"csrf": TOKEN, "recipients": "x@almelo.example"}, tenant="hengelo")
    assert reply.status == 403
    assert ctx.admin.tenant("hengelo").recipients == ("rapport@hengelo.example",)


def test_the_supplier_records_an_exclusion_with_its_reason(ctx: AppContext, municipalities: list[str]) -> None:
    form = {
        "csrf": TOKEN,
        "tenant": "almelo",
        "start": "2026-11-02T08:00:00+01:00",
        "end": "2026-11-02T09:00:00+01:00",
        "reason": "storing Vtlb-calculator (derde partij)",
    }
    assert post("portal_exclusion", ADMIN, form).status == 303
    (exclusion,) = ctx.admin.exclusions("almelo")
    assert exclusion.reason == "storing Vtlb-calculator (derde partij)"
    stored = [row for row in ctx.store.partition("exclusions", "almelo")]
    assert [row["recorded_by"] for row in stored] == ["SLA.Admin"]  # the role, never the person
    audit = ctx.admin.audit_entries(ctx.clock().date())
    assert any(e["action"] == "exclusion.added" and e["actor"] == "beheer@stratech.example" for e in audit)
    assert post("portal_exclusion", ALMELO, form).status == 403


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"end": "2026-11-02T07:00:00+01:00"}, id="an exclusion that ends before it starts"),
        pytest.param({"start": "gisteren"}, id="a start that is not an instant"),
        pytest.param({"tenant": "onbekend"}, id="an unknown municipality"),
    ],
)
def test_a_bad_exclusion_is_refused_and_nothing_is_stored(
    ctx: AppContext, municipalities: list[str], change: dict[str, str]
) -> None:
    form = {
        "csrf": TOKEN,
        "tenant": "almelo",
        "start": "2026-11-02T08:00:00+01:00",
        "end": "2026-11-02T09:00:00+01:00",
        "reason": "storing bij derde partij",
        **change,
    }
    assert post("portal_exclusion", ADMIN, form).status in (404, 422)
    assert ctx.admin.exclusions("almelo") == []


def test_without_app_service_authentication_the_portal_refuses(
    municipalities: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WEBSITE_AUTH_ENABLED")
    assert get("portal_tenant", ADMIN, tenant="almelo").status == 503


LOCAL_LOGIN = [
    pytest.param(True, {}, True, id="switched on, on a developer machine: allowed"),
    pytest.param(False, {}, False, id="switched off: never"),
    pytest.param(True, {"WEBSITE_INSTANCE_ID": "abc"}, False, id="switched on, but on an App Service instance: never"),
    pytest.param(True, {"WEBSITE_SITE_NAME": "func-sla"}, False, id="switched on, but a site name is set: never"),
]


@pytest.mark.parametrize(("flag", "environ", "allowed"), LOCAL_LOGIN)
def test_the_local_sign_in_cannot_be_enabled_in_azure(flag: bool, environ: dict[str, str], allowed: bool) -> None:
    assert security.local_login_allowed(flag, environ) is allowed


def test_the_local_sign_in_page_does_not_exist_in_azure(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBSITE_INSTANCE_ID", "0123456789abcdef")
    bootstrap.use(ctx.with_settings(portal_local_login=True))
    reply = call_http("portal_local_login", method="GET", url="https://sla.example/api/portal/local-login")
    assert reply.status == 404
    forged = {"Cookie": f"{security.LOCAL_PRINCIPAL_COOKIE}={security.encode_local_principal('SLA.Admin', None)}"}
    reply = call_http("portal_overview", method="GET", url="https://sla.example/api/portal/overview", headers=forged)
    assert reply.status == 401


def test_a_correction_is_listed_with_its_changes_and_both_versions_can_be_downloaded(
    ctx: AppContext, municipalities: list[str]
) -> None:
    body = {
        "tenant": "almelo",
        "month": "2026-10",
        "status": "final",
        "missing_days": [],
        "service_levels": {
            "restore_time_platform": {"norm": 95.0, "value": 100.0, "met": True, "decided": 1, "within": 1}
        },
    }
    ctx.reports.save("almelo", "2026-10", "h1", "f1", "2026-11-01T03:00:00+00:00", body)
    changed = {
        **body,
        "service_levels": {
            "restore_time_platform": {"norm": 95.0, "value": None, "met": None, "decided": 0, "within": 0}
        },
    }
    changes = {
        "service_levels": [{"metric": "restore_time_platform", "before": 100.0, "after": None}],
        "outcomes": [{"ticket_id": "M2610-0042", "metric": "restore_time_platform", "before": "met", "after": None}],
        "cause": ["M2610-0042 heropend op 3 november 2026"],
    }
    ctx.reports.save("almelo", "2026-10", "h2", "f2", "2026-11-02T03:00:00+00:00", changed, changes=lambda _: changes)
    page = get("portal_tenant", ALMELO, tenant="almelo").body
    assert "M2610-0042 (Functiehersteltijd platform): binnen streeftijd → niet in deze maand" in page
    assert "Oorzaak: M2610-0042 heropend op 3 november 2026" in page
    for version in ("v1", "v2"):
        reply = get("portal_download", ALMELO, tenant="almelo", month="2026-10", version=version, fmt="json")
        assert reply.status == 200 and reply.body["month"] == "2026-10"


def test_the_supplier_sees_who_changed_the_recipients(ctx: AppContext, municipalities: list[str]) -> None:
    post("portal_recipients", ALMELO, {"csrf": TOKEN, "recipients": "nieuw@almelo.example"}, tenant="almelo")
    page = get("portal_overview", ADMIN).body
    assert "contract@almelo.example" in page and "rapport@almelo.example" in page and "nieuw@almelo.example" in page


def test_the_supplier_reruns_a_month_for_every_measured_municipality(
    ctx: AppContext, municipalities: list[str]
) -> None:
    reply = post("portal_rerun", ADMIN, {"csrf": TOKEN, "month": "2026-10"})
    assert reply.status == 303 and "2+gemeenten" in reply.headers["Location"]
    queued = sorted(json.loads(m.content)["tenant"] for m in ctx.monthly_queue.client.receive_messages(max_messages=32))
    assert queued == ["almelo", "hengelo"]
    assert post("portal_rerun", ADMIN, {"csrf": TOKEN, "month": "oktober"}).status == 400
    assert post("portal_rerun", ALMELO, {"csrf": TOKEN, "month": "2026-10"}).status == 403


def test_the_municipality_page_names_the_tests_whose_results_were_ignored(ctx: AppContext, clock: FixedClock) -> None:
    """Measurement §8.7: with the contract's list of tests, the page says whose results were ignored, as the report
    does: for the month so far and for each month's latest report."""
    listed = {"availability": {"tests": [{"name": "Home page", "from": "2026-01-01T00:00:00+01:00"}]}}
    ctx.admin.put_tenant(
        TenantRecord(tenant="almelo", go_live=date(2026, 2, 16), name="Gemeente Almelo", contract_override=listed)
    )
    ctx.admin.put_tenant(TenantRecord(tenant="hengelo", go_live=date(2025, 11, 3), name="Gemeente Hengelo"))
    clock.now = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)
    ingest = AvailabilityIngestService(
        ScriptedSource(), ctx.availability, ctx.admin, clock, AMSTERDAM, retention_days=800
    )
    for day in (date(2026, 10, 30), date(2026, 11, 2)):
        ingest.ingest_day(day)
    ctx.monthly.compute("almelo", Month(2026, 10))
    ctx.monthly.compute("hengelo", Month(2026, 10))
    note = "Resultaten van niet in de overeenkomst genoemde tests zijn genegeerd: Login."

    almelo = get("portal_tenant", ALMELO, tenant="almelo").body
    assert almelo.count(note) == 2, "once for november so far, once for october's report"
    assert f"oktober 2026: {note}" in almelo
    hengelo = get("portal_tenant", HENGELO, tenant="hengelo").body
    assert "genegeerd" not in hengelo, "without a list in the contract every test counts"

"""The supplier overview and the mid-month at-risk notice, over Azurite.

Reports are computed by ``sla_core`` from small hand-made inputs and stored
with ``ctx.reports.save``, as the monthly run stores them. The platform is
shared, so every tenant has the same availability:

* September 2026: two days measured (7 and 8 September, 1,440 minutes), all up: 100 %;
* October 2026: one day measured (5 October, 720 minutes), 60 minutes down: 91,66 % shown, truncated (missed).

Summed, the year is (2,160 − 60) / 2,160 = 97,22 %; the average of the two
monthly percentages would be 95,83 %. Tickets (response time, priority hoog, 2 h):
enschede has 1 of 1 within the target in September and 15 of 20 in October
(stored as version 2; version 1 held 1 of 1): the year is 16 of 21 = 76,19 %,
the average of the months 87,5 %. hengelo has 1 of 1 in October; October
over both tenants is 16 of 21 (the average of 75 % and 100 % would be 87,5 %).

Measurement windows (``tenants`` fixture): enschede from 2025-10, hengelo from
2025-12 (only September and October stored: the rest is listed as missing),
almelo from 2026-03 (a stale February report, computed under an earlier go-live,
is stored and must not count).

The at-risk notice runs on November 2026 (21 working days, 15,120 minutes; the
norm of 99,4 % allows 90,72 minutes): two hours down on Monday 2 November make
the month unreachable for every tenant except hengelo, whose own exclusion
covers them.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import azure.functions as func
import pytest

from sla_app.bootstrap import AppContext
from sla_app.functions import overview as overview_functions
from sla_app.http.auth import encode_principal
from sla_app.overview import at_risk_notice
from sla_app.records import TenantRecord
from sla_core.availability_input import TestResult as Result
from sla_core.business_calendar import to_us
from sla_core.contract import contract_from_mapping
from sla_core.events import TicketEvent, parse_event
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_json import report_json
from tests.support.app import FixedClock, Reply, functions

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ADMIN = {"X-MS-CLIENT-PRINCIPAL": encode_principal("beheerder@stratech.example", ["SLA.Admin"])}
READER = {"X-MS-CLIENT-PRINCIPAL": encode_principal("lezer@enschede.example", ["SLA.Reader"], ["enschede"])}
WINDOWS = {"enschede": "2025-09-15", "hengelo": "2025-11-03", "almelo": "2026-02-16"}  # as in the tenants fixture
REPORTED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


# -- calling the functions --------------------------------------------------------------

_OWN: dict[str, Any] = {}


def overview_function(name: str) -> Any:
    """A function of this blueprint: from ``function_app`` once registered there, else from an app of its own."""
    registered = functions()
    if name in registered:
        return registered[name]
    if not _OWN:
        app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
        app.register_functions(overview_functions.bp)
        _OWN.update({f.get_function_name(): f for f in app.get_functions()})
    return _OWN[name]


def call(
    name: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    route_params: dict[str, str] | None = None,
) -> Reply:
    """A GET through a real ``func.HttpRequest``; JSON bodies decoded."""
    request = func.HttpRequest(
        method="GET",
        url="http://localhost/api/admin/overview",
        headers=headers or {},
        params=params or {},
        route_params=route_params or {},
        body=b"",
    )
    response = overview_function(name).get_user_function()(request)
    text = response.get_body().decode()
    body: Any = json.loads(text) if response.mimetype in ("application/json", "application/problem+json") else text
    return Reply(response.status_code, body, response.mimetype, dict(response.headers))


# -- hand-made inputs ---------------------------------------------------------------------


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=AMSTERDAM)


def service_hours_results(day: str, *, down: tuple[str, str] | None = None, until: str | None = None) -> list[Result]:
    """Results every 5 minutes 07:00–19:00 (local) from two locations; both fail in ``down = (from, to)``."""
    start, end = local(f"{day}T07:00"), local(f"{day}T{until or '19:00'}")
    failing = None if down is None else (local(f"{day}T{down[0]}"), local(f"{day}T{down[1]}"))
    rows = []
    slot = start
    while slot < end:
        ok = failing is None or not failing[0] <= slot < failing[1]
        rows += [Result(to_us(slot + timedelta(minutes=1)), "home", where, ok, 700.0) for where in ("weu", "neu")]
        slot += timedelta(minutes=5)
    return rows


def ticket(tenant: str, number: int, opened: str, resolved_after: int | None) -> list[TicketEvent]:
    """An incident (hoog) opened at local ``opened``, resolved ``resolved_after`` minutes later (None: never)."""
    at = local(opened)
    events = [
        {
            "event_id": f"{tenant}-{number}-o",
            "tenant": tenant,
            "ticket_id": f"M{number:04d}",
            "occurred_at": at.isoformat(),
            "kind": "opened",
            "type": "incident",
            "priority": "hoog",
            "status": "nieuw",
        }
    ]
    if resolved_after is not None:
        events.append(
            {
                "event_id": f"{tenant}-{number}-r",
                "tenant": tenant,
                "ticket_id": f"M{number:04d}",
                "occurred_at": (at + timedelta(minutes=resolved_after)).isoformat(),
                "kind": "resolved",
            }
        )
    return [parse_event(e, "test") for e in events]


def october_enschede(count: int) -> list[TicketEvent]:
    """``count`` tickets on 6 October: the first 15 resolved in 30 minutes, the others never."""
    events: list[TicketEvent] = []
    for n in range(count):
        events += ticket("enschede", 100 + n, f"2026-10-06T09:{n:02d}", 30 if n < 15 else None)
    return events


def contract_for(windows: dict[str, str]) -> Any:
    return contract_from_mapping({"tenants": {t: {"go_live": g} for t, g in windows.items()}})


def computed(reporter: Reporter, tenant: str, month: str, events: list[TicketEvent]) -> tuple[str, str, dict]:
    return tenant, month, report_json(reporter.report(tenant, Month.parse(month), events))


PLATFORM = [
    *service_hours_results("2026-09-07"),
    *service_hours_results("2026-09-08"),
    *service_hours_results("2026-10-05", down=("09:00", "10:00")),
]


@functools.cache
def report_bodies() -> list[tuple[str, str, dict]]:
    """(tenant, month, body) in the order stored; computed once per session."""
    reporter = Reporter(contract_for(WINDOWS), PLATFORM, [], to_us(REPORTED_AT))
    september = ticket("enschede", 1, "2026-09-09T09:00", 30)
    bodies = []
    for m in range(1, 11):
        month = f"2026-{m:02d}"
        if month == "2026-10":
            bodies.append(computed(reporter, "enschede", month, september + october_enschede(1)))  # version 1
        bodies.append(computed(reporter, "enschede", month, september + october_enschede(20)))
        if m >= 3:
            bodies.append(computed(reporter, "almelo", month, []))
    for month in ("2026-09", "2026-10"):
        bodies.append(computed(reporter, "hengelo", month, ticket("hengelo", 1, "2026-10-07T10:00", 20)))
    stale = Reporter(contract_for({"almelo": "2026-01-10"}), PLATFORM, [], to_us(REPORTED_AT))
    bodies.append(computed(stale, "almelo", "2026-02", ticket("almelo", 1, "2026-02-10T10:00", None)))  # outside
    return bodies


@pytest.fixture
def reports(ctx: AppContext, tenants: list[str]) -> None:
    """The stored reports described in the module docstring."""
    for tenant, month, body in report_bodies():
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        ctx.reports.save(tenant, month, digest, digest, REPORTED_AT.isoformat(), body)


# -- the overview ------------------------------------------------------------------------------


def overview(ctx: AppContext, month: str = "2026-10") -> dict[str, Any]:
    return ctx.overview.overview(Month.parse(month))


def by_tenant(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["tenant"]: t for t in data["tenants"]}


def test_the_overview_lists_the_norms_missed_per_tenant_and_level(ctx: AppContext, reports: None) -> None:
    data = overview(ctx)
    assert [t["tenant"] for t in data["tenants"]] == ["almelo", "enschede", "hengelo"]
    assert sorted((m["tenant"], m["metric"]) for m in data["missed"]) == [
        ("almelo", "availability"),
        ("enschede", "availability"),
        ("enschede", "response_time"),
        ("enschede", "restore_time_application"),
        ("hengelo", "availability"),
    ]
    enschede = by_tenant(data)["enschede"]
    assert enschede["version"] == 2, "the latest stored version"
    response = enschede["service_levels"]["response_time"]
    assert (response["within"], response["decided"], response["value"], response["met"]) == (15, 20, 75.0, False)
    assert enschede["service_levels"]["restore_time_platform"]["met"] is True, "nothing decided: n.v.t., met"
    assert by_tenant(data)["hengelo"]["service_levels"]["response_time"]["met"] is True


YEAR_CASES = [
    pytest.param(
        "enschede",
        "response_time",
        16 / 21 * 100,
        (100.0 + 75.0) / 2,
        id="enschede response time: 16 of 21 summed, not the months' average of 87,5 %",
    ),
    pytest.param(
        "enschede",
        "availability",
        (2160 - 60) / 2160 * 100,
        (100.0 + 660 / 720 * 100) / 2,
        id="enschede availability: minutes summed (97,22 %), not the months' average of 95,83 %",
    ),
    pytest.param(
        "almelo",
        "availability",
        (2160 - 60) / 2160 * 100,
        (100.0 + 660 / 720 * 100) / 2,
        id="almelo availability from March on: the same platform minutes",
    ),
]


@pytest.mark.parametrize(("tenant", "metric", "summed", "averaged"), YEAR_CASES)
def test_year_to_date_is_summed_from_minutes_and_counts_never_averaged(
    ctx: AppContext, reports: None, tenant: str, metric: str, summed: float, averaged: float
) -> None:
    cell = by_tenant(overview(ctx))[tenant]["year_to_date"]["service_levels"][metric]
    assert cell["value"] == pytest.approx(summed)
    assert cell["value"] != pytest.approx(averaged)


def test_year_to_date_counts_only_the_months_inside_each_tenants_window(ctx: AppContext, reports: None) -> None:
    tenants = by_tenant(overview(ctx))
    assert tenants["enschede"]["year_to_date"]["months"] == [f"2026-{m:02d}" for m in range(1, 11)]
    almelo = tenants["almelo"]["year_to_date"]
    assert almelo["months"] == [f"2026-{m:02d}" for m in range(3, 11)], "the stale February report is outside"
    assert almelo["service_levels"]["response_time"]["decided"] == 0, "its breached ticket is not counted"
    hengelo = tenants["hengelo"]["year_to_date"]
    assert hengelo["months"] == ["2026-09", "2026-10"]
    assert hengelo["missing_months"] == [f"2026-{m:02d}" for m in range(1, 9)]


def test_totals_sum_the_tenants_counts_and_minutes(ctx: AppContext, reports: None) -> None:
    totals = overview(ctx)["totals"]
    assert totals["tenants"] == 3
    response = totals["service_levels"]["response_time"]
    assert (response["within"], response["decided"]) == (16, 21), "enschede 15 of 20 and hengelo 1 of 1"
    assert response["value"] == pytest.approx(16 / 21 * 100) and response["met"] is False
    availability = totals["service_levels"]["availability"]
    assert (availability["down_minutes"], availability["value"]) == (3 * 60, pytest.approx(660 / 720 * 100))
    year = totals["year_to_date"]["response_time"]
    assert (year["within"], year["decided"]) == (17, 22)


def test_a_measured_tenant_without_a_stored_report_is_named(ctx: AppContext, reports: None) -> None:
    ctx.admin.put_tenant(TenantRecord(tenant="oldenzaal", go_live=date(2026, 5, 1)))
    ctx.admin.put_tenant(TenantRecord(tenant="losser", go_live=date(2026, 10, 20)))  # measured from November
    data = overview(ctx)
    assert data["without_report"] == ["oldenzaal"]
    assert "oldenzaal" not in by_tenant(data)


class Structure(HTMLParser):
    """What the accessibility checks need: the lang attribute, tables, captions and th scopes."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.tables = self.captions = 0
        self.scopes: list[str | None] = []
        self.title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        self.tables += tag == "table"
        self.captions += tag == "caption"
        self.title = self.title or tag == "title"
        if tag == "th":
            self.scopes.append(found.get("scope"))


def structure(html: str) -> Structure:
    parsed = Structure()
    parsed.feed(html)
    return parsed


def test_the_html_overview_is_dutch_with_captions_and_header_scopes(ctx: AppContext, reports: None) -> None:
    reply = call("get_supplier_overview", headers=ADMIN, params={"format": "html"}, route_params={"month": "2026-10"})
    assert reply.status == 200 and reply.mimetype == "text/html"
    found = structure(reply.body)
    assert found.lang == "nl" and found.title
    assert found.tables == found.captions == 3, "missed, per tenant, year to date: each with a caption"
    assert found.scopes and set(found.scopes) <= {"col", "row"}
    assert "SLA-overzicht Stratech Perspectief Cloud — oktober 2026" in reply.body
    assert "75,00 % — niet gehaald (15 van 20 binnen de streeftijd)" in reply.body
    assert "76,19 % — niet gehaald (16 van 21 binnen de streeftijd)" in reply.body, "year to date, from counts"
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]


def test_the_text_overview_names_missed_norms_and_missing_months(ctx: AppContext, reports: None) -> None:
    reply = call("get_supplier_overview", headers=ADMIN, params={"format": "text"}, route_params={"month": "2026-10"})
    assert reply.status == 200 and reply.mimetype == "text/plain"
    assert "enschede: Reactietijd 75,00 % (norm 95,00 %)" in reply.body
    assert "hengelo: januari 2026, februari 2026" in reply.body
    assert "dekking 4,54 %, onvoldoende gemeten" in reply.body, (
        "October: 720 of 15,840 minutes measured (4.545…, truncated)"
    )
    assert "97,22 % — niet gehaald (60,0 min niet beschikbaar van 2.160 min gemeten; dekking " in reply.body


def test_tenant_names_are_escaped_in_the_html(ctx: AppContext, reports: None) -> None:
    ctx.admin.put_tenant(TenantRecord(tenant="enschede", go_live=date(2025, 9, 15), name='<script>x</script> & "Co"'))
    html = call(
        "get_supplier_overview", headers=ADMIN, params={"format": "html"}, route_params={"month": "2026-10"}
    ).body
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; &#34;Co&#34;" in html


ACCESS_CASES = [
    pytest.param({}, {"month": "2026-10"}, {}, 401, id="no principal is a 401"),
    pytest.param(READER, {"month": "2026-10"}, {}, 403, id="a municipality's reader may not see other tenants"),
    pytest.param(ADMIN, {"month": "oktober"}, {}, 400, id="a malformed month is a 400"),
    pytest.param(ADMIN, {"month": "2026-10"}, {"format": "pdf"}, 400, id="an unknown format is a 400"),
    pytest.param(ADMIN, {"month": "2026-10"}, {"format": ""}, 400, id="an empty format is a 400, not the default"),
    pytest.param(ADMIN, {"month": "2026-10"}, {}, 200, id="the supplier's admin gets the JSON"),
]


@pytest.mark.parametrize(("headers", "route", "params", "status"), ACCESS_CASES)
def test_the_overview_endpoint_is_for_the_supplier_only(
    ctx: AppContext, reports: None, headers: dict, route: dict, params: dict, status: int
) -> None:
    reply = call("get_supplier_overview", headers=headers, route_params=route, params=params)
    assert reply.status == status
    if status == 200:
        assert reply.mimetype == "application/json" and reply.body["month"] == "2026-10"
    else:
        assert reply.mimetype == "application/problem+json"


# -- the at-risk notice ----------------------------------------------------------------------------

NOVEMBER_DAYS = ("2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-09")


@pytest.fixture
def heavy_downtime(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    """Two hours down on 2 November, results up to Tuesday 10 November 13:00; hengelo's own exclusion covers it."""
    clock.now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    for day in NOVEMBER_DAYS:
        rows = service_hours_results(day, down=("09:00", "11:00") if day == "2026-11-02" else None)
        ctx.availability.save_day(date.fromisoformat(day), rows, complete=True, ingested_at=clock().isoformat())
    ctx.availability.save_day(
        date(2026, 11, 10),
        service_hours_results("2026-11-10", until="13:00"),
        complete=False,
        ingested_at=clock().isoformat(),
    )
    ctx.admin.add_exclusion(
        "hengelo",
        {
            "start": "2026-11-02T09:00:00+01:00",
            "end": "2026-11-02T11:00:00+01:00",
            "reason": "storing in het applicatielandschap van de gemeente",
        },
    )
    ctx.events.save(ticket("enschede", 7, "2026-11-03T09:00", None))  # response and restore breached


def levels(entry: dict[str, Any]) -> list[tuple[str, str]]:
    return [(level["metric"], level["status"]) for level in entry["levels"]]


def test_heavy_downtime_early_in_the_month_is_reported_at_risk(ctx: AppContext, heavy_downtime: None) -> None:
    reply = call("get_at_risk", headers=ADMIN)
    assert reply.status == 200 and reply.body["month"] == "2026-11"
    assert reply.body["as_of"] == "2026-11-10T13:00:00+01:00"
    at_risk = {entry["tenant"]: levels(entry) for entry in reply.body["at_risk"]}
    assert at_risk == {
        "almelo": [("availability", "niet_haalbaar")],
        "enschede": [
            ("availability", "niet_haalbaar"),
            ("response_time", "risico"),
            ("restore_time_application", "risico"),
        ],
    }, "hengelo's exclusion keeps its budget intact"
    enschede = {t["tenant"]: t for t in reply.body["tenants"]}["enschede"]["service_levels"]
    availability = enschede["availability"]
    assert (availability["month_minutes"], availability["elapsed_minutes"]) == (15_120, 4_680)
    assert (availability["down_minutes"], availability["unknown_minutes"]) == (120, 0)
    assert availability["allowed_minutes"] == pytest.approx(90.72)
    assert "kan niet meer gehaald worden" in availability["reason"]
    assert enschede["response_time"]["needed_met"] == 19


def test_the_at_risk_notice_renders_subject_html_and_text(
    ctx: AppContext, heavy_downtime: None, clock: FixedClock
) -> None:
    subject, html, text = at_risk_notice(ctx.overview, Month(2026, 11), clock())
    assert subject == "SLA-signalering november 2026: 2 gemeenten met risico"
    found = structure(html)
    assert found.lang == "nl" and found.tables == found.captions == 2
    assert set(found.scopes) <= {"col", "row"}
    assert "Stand op 10 november 2026 13:00" in html and "Stand op 10 november 2026 13:00" in text
    assert "enschede — Reactietijd: risico: 0 van 1 binnen de streeftijd" in text


def test_the_at_risk_html_and_text_formats(ctx: AppContext, heavy_downtime: None) -> None:
    html = call("get_at_risk", headers=ADMIN, params={"format": "html"})
    assert html.status == 200 and html.mimetype == "text/html" and structure(html.body).lang == "nl"
    text = call("get_at_risk", headers=ADMIN, params={"format": "text"})
    assert text.status == 200 and text.body.startswith("SLA-signalering november 2026: 2 gemeenten met risico")


@pytest.mark.parametrize(
    ("headers", "status"),
    [pytest.param({}, 401, id="no principal is a 401"), pytest.param(READER, 403, id="a reader is a 403")],
)
def test_the_at_risk_endpoint_is_for_the_supplier_only(ctx: AppContext, headers: dict, status: int) -> None:
    reply = call("get_at_risk", headers=headers)
    assert reply.status == status and reply.mimetype == "application/problem+json"


TIMER_CASES = [
    pytest.param(datetime(2026, 11, 15, 6, 0, tzinfo=UTC), True, id="06:00 UTC on 15 November is the 15th locally"),
    pytest.param(
        datetime(2026, 11, 14, 23, 30, tzinfo=UTC), True, id="23:30 UTC on the 14th is already the 15th locally"
    ),
    pytest.param(datetime(2026, 11, 14, 6, 0, tzinfo=UTC), False, id="a run on the 14th does nothing"),
    pytest.param(datetime(2026, 11, 15, 23, 30, tzinfo=UTC), False, id="23:30 UTC on the 15th is the 16th locally"),
]


@pytest.mark.parametrize(("now", "acts"), TIMER_CASES)
def test_the_mid_month_timer_audits_the_levels_at_risk(
    ctx: AppContext, heavy_downtime: None, clock: FixedClock, now: datetime, acts: bool
) -> None:
    clock.now = now
    overview_function("at_risk_mid_month").get_user_function()(None)
    entries = [e for e in ctx.admin.audit_entries(now.date()) if e["action"] == "overview.at_risk"]
    if not acts:
        assert entries == []
        return
    [entry] = entries
    detail = entry["detail"]
    assert (entry["actor"], detail["month"], detail["checked"]) == ("system", "2026-11", 3)
    assert [(t["tenant"], [lv["metric"] for lv in t["levels"]]) for t in detail["tenants"]] == [
        ("almelo", ["availability"]),
        ("enschede", ["availability", "response_time", "restore_time_application"]),
    ]

"""The monthly run: fan-out per tenant, per-tenant reports, idempotent re-runs, failures audited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.functions.queue import QueueMessage

from sla_app.bootstrap import AppContext
from sla_app.errors import AppError
from sla_app.http.auth import encode_principal
from sla_app.records import TenantRecord
from sla_core.periods import Month
from tests.support.app import FixedClock, call_http, functions
from tests.support.core import incident

ADMIN = {"X-MS-CLIENT-PRINCIPAL": encode_principal("beheerder@stratech.example", ["SLA.Admin"])}
READER = {"X-MS-CLIENT-PRINCIPAL": encode_principal("lezer@enschede.example", ["SLA.Reader"], ["enschede"])}


def drain(ctx: AppContext) -> list[dict]:
    client = ctx.monthly_queue.client
    try:
        messages = list(client.receive_messages(max_messages=32))
    except ResourceNotFoundError:
        return []  # nothing was ever sent
    return sorted((json.loads(m.content) for m in messages), key=lambda m: m["tenant"])


def test_fan_out_enqueues_one_message_per_tenant_measured_that_month(ctx: AppContext, tenants: list[str]) -> None:
    ctx.admin.put_tenant(TenantRecord(tenant="oldenzaal", go_live=date(2026, 10, 20)))  # measured from 2026-11
    ctx.admin.put_tenant(TenantRecord(tenant="losser", go_live=date(2024, 1, 1), contract_end=date(2026, 10, 1)))
    chosen = ctx.monthly.fan_out(Month(2026, 10), ctx.monthly_queue.send)
    assert chosen == ["almelo", "enschede", "hengelo"]
    assert drain(ctx) == [{"month": "2026-10", "tenant": t} for t in chosen]


def test_a_tenant_month_is_stored_once_and_a_changed_input_makes_a_new_version(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    ctx.events.save(incident("enschede", 1, "2026-10-05T09:00:00+02:00", "2026-10-05T09:30:00+02:00"))
    first = ctx.monthly.compute("enschede", Month(2026, 10))
    assert (first.version, first.stored) == (1, True)
    clock.now = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    again = ctx.monthly.compute("enschede", Month(2026, 10))
    assert (again.version, again.stored) == (1, False), "same content, later as_of: no new version"
    ctx.events.save(incident("enschede", 2, "2026-10-06T09:00:00+02:00"))  # breached, decided in October
    changed = ctx.monthly.compute("enschede", Month(2026, 10))
    assert (changed.version, changed.stored) == (2, True)
    latest = ctx.reports.latest("enschede", "2026-10")
    assert latest is not None and latest.body["service_levels"]["response_time"]["decided"] == 2
    assert [v.version for v in ctx.reports.versions("enschede", "2026-10")] == [1, 2]


def queue_message(body: dict, dequeue_count: int = 1) -> QueueMessage:
    """A message as the Functions worker builds it (azure.functions.queue.QueueMessage)."""
    return QueueMessage(id="m1", body=json.dumps(body).encode(), dequeue_count=dequeue_count)


def test_the_queue_trigger_computes_the_tenants_report(ctx: AppContext, tenants: list[str]) -> None:
    functions()["monthly_tenant_report"].get_user_function()(queue_message({"tenant": "hengelo", "month": "2026-10"}))
    assert ctx.reports.latest("hengelo", "2026-10") is not None


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"tenant": "atlantis", "month": "2026-10"}, id="an unknown tenant"),
        pytest.param({"tenant": "almelo", "month": "2026-01"}, id="a month before go-live"),
        pytest.param({"tenant": "almelo"}, id="a message without a month"),
    ],
)
def test_a_failing_message_is_audited_and_raised_for_the_hosts_retry(
    ctx: AppContext, tenants: list[str], clock: FixedClock, body: dict
) -> None:
    with pytest.raises((AppError, KeyError)):
        functions()["monthly_tenant_report"].get_user_function()(queue_message(body, dequeue_count=3))
    [entry] = [e for e in ctx.admin.audit_entries(clock().date()) if e["action"] == "report.failed"]
    assert entry["detail"]["dequeue_count"] == 3


def test_a_poisoned_message_is_visible_in_the_audit_log(ctx: AppContext, clock: FixedClock) -> None:
    functions()["monthly_poisoned"].get_user_function()(queue_message({"tenant": "x", "month": "2026-10"}))
    assert [e["action"] for e in ctx.admin.audit_entries(clock().date())] == ["report.poisoned"]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(
            datetime(2026, 11, 1, 2, 0, tzinfo=UTC), ["2026-10"] * 3, id="02:00 UTC on 1 November is the 1st locally"
        ),
        pytest.param(
            datetime(2026, 10, 31, 23, 30, tzinfo=UTC),
            ["2026-10"] * 3,
            id="23:30 UTC on 31 October is 1 November locally",
        ),
        pytest.param(
            datetime(2026, 10, 1, 2, 0, tzinfo=UTC), ["2026-09"] * 3, id="on 1 October the month reported is September"
        ),
        pytest.param(datetime(2026, 11, 2, 2, 0, tzinfo=UTC), [], id="a late run on the 2nd does nothing"),
        pytest.param(
            datetime(2026, 10, 31, 22, 30, tzinfo=UTC), [], id="22:30 UTC on 31 October is still October locally"
        ),
    ],
)
def test_the_timer_acts_only_on_the_local_first(
    ctx: AppContext, tenants: list[str], clock: FixedClock, now: datetime, expected: list[str]
) -> None:
    clock.now = now
    functions()["monthly_fan_out"].get_user_function()(None)
    assert [m["month"] for m in drain(ctx)] == expected


def test_admin_can_rerun_a_month_and_recompute_a_tenant(ctx: AppContext, tenants: list[str]) -> None:
    reply = call_http("run_month", headers=ADMIN, route_params={"month": "2026-10"})
    assert reply.status == 202 and reply.body["enqueued"] == tenants
    reply = call_http("recompute_report", headers=ADMIN, route_params={"tenant": "enschede", "month": "2026-10"})
    assert reply.status == 200 and reply.body == {
        "tenant": "enschede",
        "month": "2026-10",
        "version": 1,
        "stored": True,
    }
    again = call_http("recompute_report", headers=ADMIN, route_params={"tenant": "enschede", "month": "2026-10"})
    assert again.body["stored"] is False


@pytest.mark.parametrize(
    ("headers", "route", "status"),
    [
        pytest.param({}, {"month": "2026-10"}, 401, id="no principal is a 401"),
        pytest.param(READER, {"month": "2026-10"}, 403, id="a reader may not re-run a month"),
        pytest.param(ADMIN, {"month": "oktober"}, 400, id="a malformed month is a 400"),
    ],
)
def test_rerun_refuses_bad_callers_and_input(
    ctx: AppContext, tenants: list[str], headers: dict, route: dict, status: int
) -> None:
    reply = call_http("run_month", headers=headers, route_params=route)
    assert reply.status == status and reply.mimetype == "application/problem+json"
    assert drain(ctx) == []

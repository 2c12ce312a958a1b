"""The operator's confirmation of an e-mail whose outcome is unknown, through the HTTP route, over Azurite.

``POST /api/admin/months/{month}/deliveries/{tenant}/confirm``: the state
machine itself is unit-tested over in-memory ports in
``tests/test_delivery_states.py``; here the route, its refusals and the
records as Table Storage keeps them.
"""

from __future__ import annotations

from typing import Any

import pytest

from sla_app.bootstrap import AppContext
from sla_app.mail import MailError
from sla_app.records import DeliveryRecord
from sla_app.storage.deliveries_repo import DeliveryRepository
from tests.app.test_delivery import ADMIN, OCTOBER, READER, RecordingMailer, mailer, municipalities, record
from tests.app.test_delivery_runs import store
from tests.support.app import FixedClock, Reply, call_http, functions

FIXTURES = (mailer, municipalities)  # from test_delivery: pytest finds them by name in this module
ROUTE = "admin/months/{month}/deliveries/{tenant}/confirm"
FOUND = {"sent": True, "note": "In Verzonden items gevonden (X-SLA-Delivery)"}
CHANGED = {"service_levels": [{"metric": "availability", "before": 100.0, "after": 99.5}], "outcomes": [], "cause": []}


def confirm(body: Any, tenant: str = "enschede", month: str = "2026-10", headers: dict | None = None) -> Reply:
    return call_http(
        "confirm_delivery",
        url=f"http://localhost/api/admin/months/{month}/deliveries/{tenant}/confirm",
        body=body,
        headers=ADMIN if headers is None else headers,
        route_params={"month": month, "tenant": tenant},
    )


def flag(ctx: AppContext, mailer: RecordingMailer, tenant: str = "enschede") -> DeliveryRecord:
    """Send ``tenant``'s October report with an unknown outcome (Graph answered 504 after accepting it)."""
    mailer.errors.append(MailError("504 Gateway Timeout", outcome="unknown", status=504))
    [outcome] = ctx.delivery.deliver_month(OCTOBER, tenants=[tenant])
    assert outcome.outcome == "unknown"
    return record(ctx, tenant)


def test_the_route_is_registered_next_to_the_other_delivery_routes() -> None:
    [binding] = [b for b in functions()["confirm_delivery"].get_bindings() if b.type == "httpTrigger"]
    assert binding.route == ROUTE and [str(getattr(m, "value", m)) for m in binding.methods] == ["POST"]


def test_confirmed_sent_the_month_counts_as_delivered_and_a_correction_follows(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    flagged = flag(ctx, mailer)
    reply = confirm(FOUND)
    assert reply.status == 200 and reply.mimetype == "application/json"
    assert reply.body["state"] == "sent" and reply.body["needs_manual_check"] is False
    assert reply.body["actor"] == "beheerder@stratech.example" and reply.body["note"] == FOUND["note"]
    assert reply.body["sent_at"] == flagged.claimed_at and reply.body["claim_id"] == flagged.claim_id
    [entry] = [e for e in ctx.admin.audit_entries(clock().date()) if e["action"] == "delivery.confirmed_sent"]
    assert entry["actor"] == "beheerder@stratech.example" and entry["detail"]["note"] == FOUND["note"]

    store(ctx, "enschede", content="b", changes=CHANGED)
    [outcome] = ctx.delivery.deliver_month(OCTOBER, tenants=["enschede"])
    assert (outcome.outcome, outcome.kind, outcome.version) == ("sent", "correction", 2)
    assert [(e.kind, e.version) for e, _ in mailer.sent] == [("correction", 2)]


def test_confirmed_not_sent_the_next_delivery_sends_it_once(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer
) -> None:
    flag(ctx, mailer)
    reply = confirm({"sent": False, "note": "Niet in Verzonden items"})
    assert reply.status == 200 and (reply.body["state"], reply.body["needs_manual_check"]) == ("failed", False)
    for _ in range(2):
        ctx.delivery.deliver_month(OCTOBER, tenants=["enschede"])
    assert [(e.tenant, e.kind) for e, _ in mailer.sent] == [("enschede", "report")]
    assert record(ctx, "enschede").state == "sent"


@pytest.mark.parametrize(
    ("body", "tenant", "month", "headers", "status", "field"),
    [
        pytest.param(FOUND, "enschede", "2026-10", {}, 401, None, id="without a principal: 401"),
        pytest.param(FOUND, "enschede", "2026-10", READER, 403, None, id="a reader may not confirm: 403"),
        pytest.param(FOUND, "enschede", "oktober", None, 400, "month", id="a malformed month: 400"),
        pytest.param("{not json", "enschede", "2026-10", None, 400, None, id="a body that is not JSON: 400"),
        pytest.param(["x"], "enschede", "2026-10", None, 400, None, id="a body that is not an object: 400"),
        pytest.param({"note": "x"}, "enschede", "2026-10", None, 422, "sent", id="sent missing: 422"),
        pytest.param({"sent": True}, "enschede", "2026-10", None, 422, "note", id="note missing: 422"),
        pytest.param(FOUND, "atlantis", "2026-10", None, 404, "tenant", id="an unknown tenant: 404"),
        pytest.param(FOUND, "hengelo", "2026-10", None, 404, None, id="a tenant-month without a record: 404"),
        pytest.param(FOUND, "almelo", "2026-10", None, 409, "sent", id="a report e-mail that was sent: 409"),
    ],
)
def test_the_route_refuses_bad_callers_input_and_states(
    ctx: AppContext,
    municipalities: list[str],
    mailer: RecordingMailer,
    body: Any,
    tenant: str,
    month: str,
    headers: dict | None,
    status: int,
    field: str | None,
) -> None:
    flagged = flag(ctx, mailer)
    ctx.delivery.deliver_month(OCTOBER, tenants=["almelo"])
    reply = confirm(body, tenant, month, headers)
    assert reply.status == status and reply.mimetype == "application/problem+json"
    assert reply.body.get("field") == field
    assert DeliveryRepository(ctx.store).get("enschede", "2026-10") == flagged, "nothing changed"

"""POST /api/tickets/events: authentication first, strict validation, duplicates once, any order."""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest

from sla_app.bootstrap import AppContext
from sla_app.http.auth import sign_timestamped
from tests.support.app import SECRETS, FixedClock, call_http
from tests.support.ticket_tools import STORED_EVENT_COLUMNS

URL = "http://localhost/api/tickets/events"


def event(n: int, kind: str = "opened", tenant: str = "enschede", ticket: str = "M1", **extra: object) -> dict:
    data = {
        "event_id": f"e-{n}",
        "tenant": tenant,
        "ticket_id": ticket,
        "occurred_at": f"2026-10-05T09:{n:02d}:00+02:00",
        "kind": kind,
    }
    data.update(extra)
    return data


def post(
    clock: FixedClock, payload: object, *, secret: str = SECRETS["events"], skew: int = 0, raw: bytes | None = None
):
    body = raw if raw is not None else json.dumps(payload).encode()
    stamp = int(clock().timestamp()) + skew
    return call_http("post_ticket_events", url=URL, body=body, headers=sign_timestamped(secret, body, stamp))


def stored(ctx: AppContext, tenant: str = "enschede") -> list[dict]:
    return list(ctx.store.partition("ticketevents", tenant))


def test_a_signed_batch_is_stored_and_counted(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    batch = [event(1, type="incident", priority="hoog", status="nieuw"), event(2, "responded")]
    reply = post(clock, batch)
    assert reply.status == 200, reply.body
    assert reply.body == {"received": 2, "unique": 2, "tickets": 1}
    assert {e["event_id"] for e in stored(ctx)} == {"e-1", "e-2"}


def test_free_text_and_personal_data_are_never_stored(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    payload = event(
        1, type="incident", caller="Jan Jansen", description="BSN 123456782 kan niet inloggen", email="jan@example.org"
    )
    assert post(clock, payload).status == 200
    [entity] = stored(ctx)
    text = json.dumps(dict(entity))
    for secret in ("Jan Jansen", "123456782", "jan@example.org", "caller", "description"):
        assert secret not in text
    assert set(entity) <= STORED_EVENT_COLUMNS


def test_the_same_events_twice_are_stored_once(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    batch = [event(1, type="incident"), event(2, "responded")]
    assert post(clock, batch).status == 200
    assert post(clock, batch + batch).status == 200
    assert len(stored(ctx)) == 2


def test_events_in_any_order_give_the_same_stored_events(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    batch = [event(i, kind, ticket=f"M{i % 3}") for i, kind in enumerate(["opened", "updated", "responded"] * 5)]
    shuffled = batch[:]
    random.Random(4).shuffle(shuffled)
    for chunk in (shuffled[:7], shuffled[7:]):
        assert post(clock, chunk).status == 200
    assert sorted(e.event_id for e in ctx.events.of_tenant("enschede")) == sorted(e["event_id"] for e in batch)


def test_a_1000_event_batch_is_written_in_at_most_0_05_requests_per_event(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    batch = [event(i % 60, ticket=f"M{i}", event_id=f"x-{i}") for i in range(1000)]
    before = ctx.store.requests
    assert post(clock, batch).status == 200
    assert (ctx.store.requests - before) / 1000 <= 0.05


@pytest.mark.parametrize(
    ("secret", "skew", "reason"),
    [
        pytest.param("wrong-secret", 0, "signature does not match", id="a wrong secret is refused"),
        pytest.param(SECRETS["events"], -301, "5-minute window", id="a replay older than five minutes is refused"),
        pytest.param(SECRETS["events"], 301, "5-minute window", id="a timestamp in the future is refused"),
    ],
)
def test_unauthenticated_requests_get_401_and_store_nothing(
    ctx: AppContext, tenants: list[str], clock: FixedClock, secret: str, skew: int, reason: str
) -> None:
    reply = post(clock, [event(1)], secret=secret, skew=skew)
    assert reply.status == 401 and reason in reply.body["detail"]
    assert reply.mimetype == "application/problem+json"
    assert stored(ctx) == []


def test_missing_signature_headers_get_401(ctx: AppContext, tenants: list[str]) -> None:
    reply = call_http("post_ticket_events", url=URL, body=json.dumps(event(1)))
    assert reply.status == 401 and stored(ctx) == []


def test_the_signature_is_checked_before_the_body_is_parsed(ctx: AppContext, clock: FixedClock) -> None:
    reply = post(clock, None, secret="wrong", raw=b"{not json")
    assert reply.status == 401


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        pytest.param(b"{not json", 400, None, id="malformed JSON is a 400"),
        pytest.param([event(1, tenant="atlantis")], 422, "tenant", id="an unknown tenant is a 422 naming tenant"),
        pytest.param([event(1, kind="moved")], 422, "kind", id="an unknown kind is a 422 naming kind"),
        pytest.param(
            [event(1, occurred_at="2026-10-05T09:00:00")], 422, "occurred_at", id="a naive timestamp is a 422"
        ),
        pytest.param([event(1), {"event_id": "e-9"}], 422, "tenant", id="one bad event rejects the whole batch"),
        pytest.param([event(1)] * 1001, 413, None, id="more than 1,000 events is a 413"),
    ],
)
def test_bad_input_is_a_problem_response_and_stores_nothing(
    ctx: AppContext, tenants: list[str], clock: FixedClock, payload: object, status: int, field: str | None
) -> None:
    raw = payload if isinstance(payload, bytes) else None
    reply = post(clock, payload, raw=raw)
    assert reply.status == status, reply.body
    assert reply.mimetype == "application/problem+json"
    assert reply.body["status"] == status and reply.body["detail"]
    assert reply.body.get("field") == field
    assert stored(ctx) == []


def test_clock_used_for_the_replay_window_is_the_services_clock(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    body = json.dumps([event(1)]).encode()
    headers = sign_timestamped(SECRETS["events"], body, int(clock().timestamp()))
    clock.now += timedelta(minutes=6)
    assert call_http("post_ticket_events", url=URL, body=body, headers=headers).status == 401

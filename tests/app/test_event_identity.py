"""One event identity (tenant, event_id) in the webhook and in storage (measurement §8.1).

"The same id with the same content is one event. The same id with different
content, or on another ticket, is a conflict: … the webhook answers 409
(problem details naming event_id) and stores nothing of that request. Never
keep one silently." Storage enforces it with the key itself (PartitionKey
tenant, RowKey event_id) and insert-only writes, also under concurrency.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from sla_app.bootstrap import AppContext
from sla_app.http.auth import sign_timestamped
from sla_app.storage.event_rows import TABLE
from sla_core.events import EventConflict, parse_event
from tests.support.app import SECRETS, FixedClock, Reply, call_http, functions

URL = "http://localhost/api/tickets/events"


def event(event_id: str, ticket: str = "M1", tenant: str = "enschede", **fields: object) -> dict:
    data = {
        "event_id": event_id,
        "tenant": tenant,
        "ticket_id": ticket,
        "occurred_at": "2026-10-05T09:00:00+02:00",
        "kind": "opened",
        "type": "incident",
        "priority": "hoog",
    }
    return {**data, **fields}


def post(clock: FixedClock, payload: object) -> Reply:
    body = json.dumps(payload).encode()
    headers = sign_timestamped(SECRETS["events"], body, int(clock().timestamp()))
    return call_http("post_ticket_events", url=URL, body=body, headers=headers)


def rows(ctx: AppContext, tenant: str = "enschede") -> dict[str, dict]:
    return {e["RowKey"]: dict(e) for e in ctx.store.partition(TABLE, tenant)}


def test_the_table_key_is_the_identity(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    assert post(clock, [event("e-1"), event("e-2", ticket="M2")]).status == 200
    stored = rows(ctx)
    assert set(stored) == {"e-1", "e-2"}
    assert {r["PartitionKey"] for r in stored.values()} == {"enschede"}


def test_the_same_event_again_is_one_event(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    assert post(clock, [event("e-1")]).status == 200
    other_offset = event("e-1", occurred_at="2026-10-05T07:00:00Z")  # the same instant: the same content
    reply = post(clock, [event("e-1"), event("e-1"), other_offset, event("e-2")])
    assert reply.status == 200, reply.body
    assert reply.body == {"received": 4, "unique": 2, "tickets": 1}
    assert set(rows(ctx)) == {"e-1", "e-2"}
    assert rows(ctx)["e-1"]["occurred_at"] == "2026-10-05T09:00:00+02:00", "the first stored form is kept"


CONFLICTS = [
    pytest.param(event("e-1", ticket="M2"), "on another ticket", id="the same id on another ticket"),
    pytest.param(event("e-1", priority="urgent"), "other content (priority)", id="the same id with another priority"),
    pytest.param(event("e-1", kind="closed"), "other content (kind)", id="the same id with another kind"),
    pytest.param(
        event("e-1", occurred_at="2026-10-05T09:01:00+02:00"),
        "other content (occurred_at)",
        id="the same id at another instant",
    ),
]


@pytest.mark.parametrize(("second", "reason"), CONFLICTS)
def test_a_stored_id_with_other_content_is_a_409_and_nothing_of_the_request_is_stored(
    ctx: AppContext, tenants: list[str], clock: FixedClock, second: dict, reason: str
) -> None:
    assert post(clock, [event("e-1")]).status == 200
    before = rows(ctx)
    reply = post(clock, [event("e-new-1"), second, event("e-new-2", tenant="hengelo")])
    assert reply.status == 409 and reply.mimetype == "application/problem+json"
    assert reply.body["field"] == "event_id" and "'e-1'" in reply.body["detail"] and reason in reply.body["detail"]
    assert rows(ctx) == before and rows(ctx, "hengelo") == {}


@pytest.mark.parametrize(("second", "reason"), CONFLICTS)
def test_one_id_twice_in_a_request_with_other_content_is_a_409_storing_nothing(
    ctx: AppContext, tenants: list[str], clock: FixedClock, second: dict, reason: str
) -> None:
    reply = post(clock, [event("e-0"), event("e-1"), second])
    assert reply.status == 409 and reply.body["field"] == "event_id" and reason in reply.body["detail"]
    assert rows(ctx) == {}


def test_a_conflict_in_a_later_transaction_removes_the_rows_the_request_wrote_before(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    assert post(clock, [event("z-1")]).status == 200
    batch = [event(f"b-{i:03d}", ticket=f"M{i}") for i in range(150)] + [event("z-1", priority="laag")]
    reply = post(clock, batch)  # b-000..b-099 go in the first transaction, b-100.. and z-1 in the second
    assert reply.status == 409, reply.body
    assert set(rows(ctx)) == {"z-1"} and rows(ctx)["z-1"]["priority"] == "hoog"


def test_twenty_concurrent_pairs_with_one_id_keep_exactly_the_acknowledged_event(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    """Before: last writer wins (stored priority laag 13×, urgent 7×, both answered 200)."""
    requests = [[event(f"c-{i}", priority=p)] for i in range(20) for p in ("laag", "urgent")]
    functions()  # registered once, before the threads
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda payload: post(clock, payload), requests))
    stored = rows(ctx)
    for i in range(20):
        pair = replies[2 * i : 2 * i + 2]
        assert sorted(r.status for r in pair) == [200, 409], [r.body for r in pair]
        winner = requests[2 * i + [r.status for r in pair].index(200)][0]
        assert stored[f"c-{i}"]["priority"] == winner["priority"]


def test_concurrent_identical_requests_are_all_acknowledged_and_stored_once(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    batch = [event(f"d-{i}") for i in range(30)]
    functions()  # registered once, before the threads
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda _: post(clock, batch), range(6)))
    assert [r.status for r in replies] == [200] * 6, [r.body for r in replies]
    assert set(rows(ctx)) == {f"d-{i}" for i in range(30)}


# -- the repository --------------------------------------------------------------------------------


def parsed(data: dict):
    return parse_event(data, "test")


def test_a_row_confirmed_by_an_identical_request_survives_the_undo_of_a_conflicting_one(ctx: AppContext) -> None:
    """Request A created e-1 and then met a conflict; meanwhile request B confirmed e-1 and answered 200."""
    repo = ctx.events
    repo.save([parsed(event("e-1"))])  # A's create
    client = ctx.store.table(TABLE)
    etag_of_a = client.get_entity("enschede", "e-1").metadata["etag"]
    repo.save([parsed(event("e-1"))])  # B: the same event, confirmed (its ETag moves on)
    repo._undo(client, [("enschede", "e-1", etag_of_a)])  # A undoes what it wrote
    assert [e.event_id for e in repo.of_tenant("enschede")] == ["e-1"]


def test_a_conflict_is_raised_by_the_repository_with_the_identity(ctx: AppContext) -> None:
    ctx.events.save([parsed(event("e-1"))])
    with pytest.raises(EventConflict) as caught:
        ctx.events.save([parsed(event("e-2")), parsed(event("e-1", ticket="M9"))])
    assert (caught.value.tenant, caught.value.event_id) == ("enschede", "e-1")
    assert [e.event_id for e in ctx.events.of_tenant("enschede")] == ["e-1"]


def test_rows_of_the_first_layout_are_read_and_migrated_to_the_identity_key(ctx: AppContext) -> None:
    """Migration: RowKey <ticket>|<event> (upserted) becomes <event>; rows the rules now refuse stay and are listed."""
    legacy = [
        {"RowKey": "M1|e-1", **event("e-1")},
        {"RowKey": "M2|e-1", **event("e-1", ticket="M2")},  # the first release kept both: a conflict now
        {"RowKey": "M3|e-3", **event("e-3", ticket="M3", occurred_at="1900-01-01T09:00:00+01:00")},  # poison
        {"RowKey": "TEST-2 Jansen|e-4", **event("e-4", ticket="TEST-2 Jansen")},  # an id outside the pattern
    ]
    client = ctx.store.table(TABLE)
    for row in legacy:
        client.upsert_entity({"PartitionKey": "enschede", **row})
    readable = sorted((e.event_id, e.ticket_id) for e in ctx.events.of_tenant("enschede"))
    assert readable == [("e-1", "M1"), ("e-1", "M2")], "rows the strict parser refuses are skipped, never fatal"

    done = ctx.events.migrate_keys()
    assert done.moved == 1 and len(done.refused) == 3
    assert any("M2|e-1" in r and "another ticket" in r for r in done.refused)
    assert set(rows(ctx)) == {"e-1", "M2|e-1", "M3|e-3", "TEST-2 Jansen|e-4"}
    again = ctx.events.migrate_keys()
    assert again.moved == 0 and len(again.refused) == 3, "the migration is idempotent"
    with pytest.raises(EventConflict):
        ctx.events.save([parsed(event("e-1", priority="laag"))])

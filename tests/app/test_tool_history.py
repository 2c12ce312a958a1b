"""Ticket-tool histories are a function of the snapshots received, not of their arrival.

The defect: two TOPdesk snapshots of one incident (09:00 laag; 11:00 urgent,
responded 10:30) gave "laag, met" in order but "urgent, breached" in reverse or
when sent at the same moment, with spurious ``updated`` events left by the
losing attempt; 12 concurrent snapshots drew 422s. Here every order and every
interleaving (threads against Azurite) must store exactly the history derived
from all snapshots, contention answers 503 with ``Retry-After`` (never 422),
and an attempt that loses leaves nothing behind.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from sla_app.bootstrap import AppContext
from sla_app.services import tool_history
from sla_app.storage.history_repo import HistoryConflict, HistoryRepository
from sla_core.events import TicketEvent
from tests.app import test_jira as jira
from tests.app import test_topdesk as topdesk
from tests.support.app import functions
from tests.support.core import outcome_of, us

AS_OF = "2026-11-01T00:00:00+01:00"


def laag_then_urgent() -> list[dict[str, Any]]:
    """The issue's two TOPdesk snapshots: 09:00 laag; 11:00 urgent, responded at 10:30."""
    first = topdesk.incident(priority=topdesk.named("P4 Laag"))
    second = {
        **first,
        "priority": topdesk.named("P1 Urgent"),
        "modificationDate": topdesk.td("2026-10-05 11:00"),
        "responded": True,
        "responseDate": topdesk.td("2026-10-05 10:30"),
        "processingStatus": topdesk.named("In behandeling"),
    }
    return [first, second]


def jira_laag_then_urgent() -> list[dict[str, Any]]:
    """The same story in Jira: created Low at 09:00, In Progress at 09:10, raised to Highest at 09:20."""
    return [
        jira.issue(webhook_event="jira:issue_created", priority="Low"),
        jira.issue("2026-10-05 09:10", status="In Progress", priority="Low"),
        jira.issue("2026-10-05 09:20", status="In Progress", priority="Highest"),
    ]


def stored(ctx: AppContext, ticket: str) -> list[str]:
    """The ticket's stored events, comparable (each as sorted canonical JSON)."""
    events = sorted(ctx.events.of_ticket("enschede", ticket), key=TicketEvent.sort_key)
    return [json.dumps(e.to_json(), sort_keys=True) for e in events]


def expected(
    derive: Callable[[list[dict[str, Any]]], list[dict[str, Any]]], payloads: list[dict[str, Any]]
) -> list[str]:
    """The history derived from all payloads, comparable with :func:`stored`."""
    from sla_core.events import parse_event

    events = sorted((parse_event(e, "expected") for e in derive(payloads)), key=TicketEvent.sort_key)
    return [json.dumps(e.to_json(), sort_keys=True) for e in events]


def concurrently(post: Callable[[dict[str, Any]], Any], payloads: list[dict[str, Any]]) -> list[Any]:
    """Post every payload from its own thread, all released at the same moment."""
    functions()  # the registry is built once, before the threads share it
    barrier = threading.Barrier(len(payloads))
    replies: list[Any] = [None] * len(payloads)

    def send(index: int) -> None:
        barrier.wait()
        try:
            replies[index] = post(payloads[index])
        except Exception as exc:  # noqa: BLE001 — reported by the assertion below
            replies[index] = exc

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(payloads))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(isinstance(r, Exception) or r is None for r in replies), replies
    return replies


def post_until_accepted(post: Callable[[dict[str, Any]], Any], payload: dict[str, Any]) -> list[int]:
    """Post as a sender does: again after a 503 (honouring that Retry-After was given); the statuses seen."""
    statuses = []
    for _ in range(5):
        reply = post(payload)
        statuses.append(reply.status)
        if reply.status != 503:
            break
        assert "Retry-After" in reply.headers
    return statuses


def topdesk_post(payload: dict[str, Any]) -> Any:
    return topdesk.post(payload)


@pytest.mark.parametrize(
    "arrival",
    [
        pytest.param("in order", id="in order: laag, met"),
        pytest.param("reversed", id="reversed: the same laag, met"),
        pytest.param("concurrent", id="at the same moment: the same laag, met"),
    ],
)
def test_two_topdesk_snapshots_give_one_history_whatever_their_arrival(
    ctx: AppContext, tenants: list[str], arrival: str
) -> None:
    payloads = laag_then_urgent()
    if arrival == "concurrent":
        replies = concurrently(topdesk_post, payloads)
        assert [r.status for r in replies] == [200, 200], [r.body for r in replies]
    else:
        for payload in payloads if arrival == "in order" else payloads[::-1]:
            assert topdesk.post(payload).status == 200
    assert stored(ctx, topdesk.TICKET) == expected(topdesk.events_of, payloads)
    response = outcome_of(ctx.events.of_ticket("enschede", topdesk.TICKET), AS_OF, "response_time")
    assert (response.priority, response.outcome, response.decided_at) == (
        "laag",
        "met",
        us("2026-10-05T10:30:00+02:00"),
    )
    kinds = [json.loads(e)["kind"] for e in stored(ctx, topdesk.TICKET)]
    assert kinds == ["opened", "responded", "updated"]  # no spurious updates from a losing attempt


@pytest.mark.parametrize("arrival", ["in order", "reversed", "concurrent"])
def test_three_jira_deliveries_give_one_history_whatever_their_arrival(
    ctx: AppContext, tenants: list[str], arrival: str
) -> None:
    payloads = jira_laag_then_urgent()

    def post(payload: dict[str, Any]) -> Any:  # every delivery received at 09:21, within the replay window
        return jira.post(payload, delay=timedelta(milliseconds=jira.ms("2026-10-05 09:21") - payload["timestamp"]))

    if arrival == "concurrent":
        assert [r.status for r in concurrently(post, payloads)] == [200, 200, 200]
    else:
        for payload in payloads if arrival == "in order" else payloads[::-1]:
            assert post(payload).status == 200
    assert stored(ctx, jira.KEY) == expected(jira.events_of, payloads)
    response = outcome_of(ctx.events.of_ticket("enschede", jira.KEY), AS_OF, "response_time")
    assert (response.priority, response.outcome) == ("laag", "met")


def twelve_snapshots() -> list[dict[str, Any]]:
    """Twelve snapshots of one incident, 09:00–11:45 every quarter hour: priority and status change as it goes."""
    priorities = ("P4 Laag", "P3 Gemiddeld", "P2 Hoog", "P1 Urgent")
    statuses = ("Geregistreerd", "In behandeling", "Wachten op gebruiker", "In behandeling")
    snapshots = []
    for index in range(12):
        at = topdesk.td(f"2026-10-05 {9 + index // 4:02d}:{15 * (index % 4):02d}")
        snapshot = topdesk.incident(
            priority=topdesk.named(priorities[index % 4]),
            processingStatus=topdesk.named(statuses[(index // 2) % 4]),
            modificationDate=at,
        )
        if index >= 5:
            snapshot.update(responded=True, responseDate=topdesk.td("2026-10-05 10:15"))
        if index == 11:
            snapshot.update(completed=True, completedDate=at, processingStatus=topdesk.named("Afgemeld"))
        snapshots.append(snapshot)
    return snapshots


def test_twelve_concurrent_snapshots_store_exactly_the_history_of_all_twelve(
    ctx: AppContext, tenants: list[str]
) -> None:
    payloads = twelve_snapshots()
    shuffled = payloads[:]
    random.Random(9).shuffle(shuffled)
    statuses = concurrently(lambda p: post_until_accepted(topdesk_post, p), shuffled)
    assert all(s[-1] == 200 for s in statuses), statuses
    assert not any(422 in s for s in statuses), statuses
    assert set(code for s in statuses for code in s) <= {200, 503}
    assert stored(ctx, topdesk.TICKET) == expected(topdesk.events_of, payloads)
    rows = topdesk.stored_readings(ctx)
    assert len(rows) == 12 + 1  # twelve readings and the head
    assert len(topdesk.stored_events(ctx)) == len(expected(topdesk.events_of, payloads))  # nothing left over


def test_an_attempt_that_loses_to_a_concurrent_delivery_leaves_nothing_behind(
    ctx: AppContext, tenants: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rival delivery commits between our read and our commit: our commit fails whole; the retry derives anew."""
    first, second = laag_then_urgent()
    real_read = HistoryRepository.read
    rival_done = []

    def read_then_rival(self: HistoryRepository, *args: Any) -> Any:
        current = real_read(self, *args)
        if not rival_done:
            rival_done.append("running")
            rival_done[0] = topdesk.post(first).status  # commits while our read is still in hand
        return current

    monkeypatch.setattr(tool_history, "BACKOFF_SECONDS", (0.0, 0.0))
    monkeypatch.setattr(HistoryRepository, "read", read_then_rival)
    reply = topdesk.post(second)
    assert rival_done == [200] and reply.status == 200
    assert stored(ctx, topdesk.TICKET) == expected(topdesk.events_of, [first, second])


def test_lasting_contention_answers_503_with_retry_after_and_stores_nothing(
    ctx: AppContext, tenants: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = laag_then_urgent()
    assert topdesk.post(first).status == 200
    before = topdesk.entities(topdesk.stored_events(ctx) + topdesk.stored_readings(ctx))

    def always_lose(self: HistoryRepository, *args: Any, **kwargs: Any) -> int:
        raise HistoryConflict("another delivery committed first")

    monkeypatch.setattr(tool_history, "BACKOFF_SECONDS", (0.0, 0.0))
    monkeypatch.setattr(HistoryRepository, "commit", always_lose)
    reply = topdesk.post(second)
    assert reply.status == 503 and reply.mimetype == "application/problem+json", reply.body
    assert reply.headers.get("Retry-After") == str(tool_history.RETRY_AFTER_SECONDS)
    assert topdesk.entities(topdesk.stored_events(ctx) + topdesk.stored_readings(ctx)) == before


def test_every_order_of_the_story_gives_the_same_history() -> None:
    """Pure: the fold over the readings does not depend on the order they are given in (TOPdesk and Jira)."""
    rng = random.Random(4)
    for derive, story in ((topdesk.events_of, topdesk.story()), (jira.events_of, jira.english_story())):
        reference = derive(story)
        for _ in range(20):
            shuffled = story[:]
            rng.shuffle(shuffled)
            assert derive(shuffled) == reference

"""Ticket events through the webhook into Table Storage.

Azurite is started in memory on loopback. Events are posted to
``POST /api/tickets/events`` through the registered function with real
``azure.functions.HttpRequest`` objects, signed, in batches of 1,000: first
the sample month (``samples/events.jsonl``, three municipalities), then a
larger generated set (the month benchmark's generator, 20 tenants). Printed:
events per second and Table Storage requests per event (batched writes:
target at most 0.05 for 1,000-event posts). Peer: the same events written one
request per event (``upsert_entity``) in the same run, for the ratio.
"""

from __future__ import annotations

import json
import tempfile
import time as clock
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import verdict
from benchmarks.month_bench import generate_events

ROOT = Path(__file__).resolve().parent.parent
TARGET_REQUESTS_PER_EVENT = 0.05
BATCH = 1000


def _post_all(ctx, lines: list[dict], tenants: set[str]) -> tuple[float, int]:
    import azure.functions as func

    from sla_app.records import TenantRecord
    from tools import local_pipeline

    for tenant in sorted(tenants):
        ctx.admin.put_tenant(TenantRecord(tenant=tenant, go_live=datetime(2025, 1, 1).date()))
    post = local_pipeline.registered()["post_ticket_events"].get_user_function()
    before = ctx.store.requests
    started = clock.perf_counter()
    for start in range(0, len(lines), BATCH):
        body = json.dumps(lines[start : start + BATCH]).encode()
        headers = sign(ctx, body)
        request = func.HttpRequest(
            method="POST",
            url="http://localhost/api/tickets/events",
            headers=headers,
            params={},
            route_params={},
            body=body,
        )
        response = post(request)
        if response.status_code != 200:
            raise SystemExit(f"webhook answered {response.status_code}: {response.get_body()[:300]!r}")
    return clock.perf_counter() - started, ctx.store.requests - before


def sign(ctx, body: bytes) -> dict[str, str]:
    from sla_app.http.auth import sign_timestamped

    return sign_timestamped(ctx.settings.webhook_secret_events, body, int(ctx.clock().timestamp()))


def _one_by_one(ctx, lines: list[dict]) -> float:
    """The peer: every event its own upsert request (no batching), in a table of its own."""
    from sla_app.storage.event_rows import to_entity
    from sla_core.events import parse_event

    table = ctx.store.table("peerevents")
    started = clock.perf_counter()
    for index, line in enumerate(lines):
        table.upsert_entity(to_entity(parse_event(line, f"line {index}")))
    return clock.perf_counter() - started


def _graph(connection_string: str, prefix: str):
    from sla_app import bootstrap
    from tools.demo import local_settings

    ctx = bootstrap.build(local_settings(connection_string), clock=lambda: datetime.now(UTC), table_prefix=prefix)
    bootstrap.use(ctx)
    return ctx


def run(quick: bool = False) -> float:
    """Run and print; returns the Table Storage requests per event of the generated set."""
    from tools import azurite

    print("== webhook: POST /api/tickets/events → Table Storage (Azurite), batches of 1,000 ==")
    server = azurite.start()
    try:
        samples = [json.loads(x) for x in (ROOT / "samples" / "events.jsonl").read_text(encoding="utf-8").splitlines()]
        ctx = _graph(server.connection_string, "benchsample")
        seconds, requests = _post_all(ctx, samples, {e["tenant"] for e in samples})
        print(
            f"  sample month: {len(samples):,} events in {seconds:.2f} s = {len(samples) / seconds:,.0f} events/s; "
            f"{requests} Table Storage requests = {requests / len(samples):.3f} per event"
        )
        with tempfile.TemporaryDirectory(prefix="sla-bench-webhook-") as tmp:
            path = Path(tmp) / "events.jsonl"
            total = 5_000 if quick else 40_000
            generate_events(path, 20, total)
            lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
        ctx = _graph(server.connection_string, "benchgen")
        seconds, requests = _post_all(ctx, lines, {e["tenant"] for e in lines})
        per_event = requests / len(lines)
        print(
            f"  generated: {len(lines):,} events (20 tenants) in {seconds:.2f} s = {len(lines) / seconds:,.0f} "
            f"events/s; {requests} requests = {per_event:.4f} per event "
            f"(target <= {TARGET_REQUESTS_PER_EVENT})  {verdict(per_event <= TARGET_REQUESTS_PER_EVENT)}"
        )
        peer_count = min(len(lines), 2_000)
        peer = _one_by_one(ctx, lines[:peer_count])
        ours_rate, peer_rate = len(lines) / seconds, peer_count / peer
        print(
            f"  peer, one upsert per event: {peer_rate:,.0f} events/s on the first {peer_count:,}; "
            f"batched webhook is {ours_rate / peer_rate:.1f}x faster"
        )
        return per_event
    finally:
        from sla_app import bootstrap

        bootstrap.use(None)
        server.stop()

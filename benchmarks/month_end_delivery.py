"""Month end, second half: render + deliver per tenant through the registered ``delivery_item`` queue function.

For each tenant one message as the delivery timers enqueue it (the 13 months
of the look-back), with outbox mail (``.eml`` files in a scratch folder): wall
and CPU seconds, of which rendering (HTML, charts, PDF, ODS: the app's own
renderer, timed), storage requests, the e-mails written and the worker's RSS
after the message. The tables exist (infra creates them), so they are touched
before counting. Then the memory figure behind host.json's queue concurrency:
the first ``concurrent`` tenants' records are removed and their messages run
again, all at once on threads (as the Functions host runs a batch), and the
worker's peak RSS is read. Target: render + deliver < 1 s per tenant.
"""

from __future__ import annotations

import json
import resource
import statistics
import time as clock
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks import rss_mb


def run_message(function: Any, meter: Any, bucket: str, message: dict[str, Any]) -> tuple[float, float, list[int]]:
    """Run a queue function on one JSON message: wall and thread CPU seconds, (requests, bytes) counted in ``bucket``."""
    from azure.functions.queue import QueueMessage

    meter.local.bucket = bucket
    body = json.dumps(message).encode()
    t0, cpu0 = clock.perf_counter(), clock.thread_time()
    function(QueueMessage(id=uuid.uuid4().hex, body=body, dequeue_count=1))
    seconds, cpu = clock.perf_counter() - t0, clock.thread_time() - cpu0
    meter.local.bucket = "other"
    return seconds, cpu, meter.take(bucket)


def deliver(ctx: Any, meter: Any, tenants: list[str], outbox: str, now: datetime) -> list[dict[str, Any]]:
    """One ``delivery_item`` message per tenant through the registered function; per tenant seconds and e-mails."""
    from sla_app.services.delivery_runs import lookback
    from tools import local_pipeline

    function = local_pipeline.registered()["delivery_item"].get_user_function()
    months = [str(m) for m in lookback(now, ctx.availability._zone)]
    render = ctx.render
    spent = {"render_s": 0.0, "render_cpu_s": 0.0}

    def timed_render(report: dict[str, Any]) -> Any:
        t0, cpu0 = clock.perf_counter(), clock.thread_time()
        try:
            return render(report)
        finally:
            spent["render_s"] += clock.perf_counter() - t0
            spent["render_cpu_s"] += clock.thread_time() - cpu0

    ctx.render = timed_render  # the same renderer, timed
    for table in ("deliveries", "audit", "tenants", "reports"):
        ctx.store.table(table)  # declared by infra/; created once per process otherwise
    written = Path(outbox)
    rows = []
    for tenant in tenants:
        before = len(list(written.rglob("*.eml")))
        spent["render_s"] = spent["render_cpu_s"] = 0.0
        seconds, cpu, (requests, _) = run_message(
            function, meter, f"deliver:{tenant}", {"tenant": tenant, "months": months}
        )
        rows.append(
            {
                "tenant": tenant,
                "deliver_s": seconds,
                "deliver_cpu_s": cpu,
                "render_s": spent["render_s"],
                "render_cpu_s": spent["render_cpu_s"],
                "requests": requests,
                "mails": len(list(written.rglob("*.eml"))) - before,
                "rss_mb": rss_mb(),
            }
        )
    return rows


def deliver_concurrently(ctx: Any, meter: Any, tenants: list[str], now: datetime) -> dict[str, Any]:
    """The tenants' records removed, then their messages at once on threads: wall seconds and the worker's peak RSS."""
    from sla_app.services.delivery_runs import lookback
    from sla_app.storage.tables import escape_key
    from tools import local_pipeline

    function = local_pipeline.registered()["delivery_item"].get_user_function()
    months = [str(m) for m in lookback(now, ctx.availability._zone)]
    for tenant in tenants:
        keys = [(escape_key(tenant), r.row_key) for r in ctx.deliveries.of_tenant(tenant, months[0], months[-1])]
        ctx.store.delete_many("deliveries", keys)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = clock.perf_counter()
    with ThreadPoolExecutor(len(tenants)) as pool:
        list(pool.map(lambda t: run_message(function, meter, f"again:{t}", {"tenant": t, "months": months}), tenants))
    return {
        "messages": len(tenants),
        "seconds": clock.perf_counter() - t0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_before_mb": before,
        "rss_after_mb": rss_mb(),
    }


def delivery_lines(figures: dict[str, Any]) -> float:
    """Print the per-tenant delivery table and its summary; returns the mean seconds per tenant."""
    sent = figures["delivery"]
    deliver_s = statistics.mean(r["deliver_s"] for r in sent)
    print(
        f"{'tenant':<16}{'deliver s':>10}{'CPU s':>7}{'render s':>9}{'render CPU':>11}{'requests':>9}{'e-mails':>8}"
        f"{'RSS MB':>8}"
    )
    for r in sent:
        print(
            f"{r['tenant']:<16}{r['deliver_s']:>10.3f}{r['deliver_cpu_s']:>7.3f}{r['render_s']:>9.3f}"
            f"{r['render_cpu_s']:>11.3f}{r['requests']:>9}{r['mails']:>8}{r['rss_mb']:>8.0f}"
        )
    print(
        f"render + deliver per tenant: mean {deliver_s:.3f} s, median {statistics.median(r['deliver_s'] for r in sent):.3f}"
        f" s, max {max(r['deliver_s'] for r in sent):.3f} s (first: {sent[0]['deliver_s']:.3f} s); rendering mean"
        f" {statistics.mean(r['render_s'] for r in sent):.3f} s; CPU besides rendering mean"
        f" {statistics.mean(r['deliver_cpu_s'] - r['render_cpu_s'] for r in sent):.3f} s;"
        f" {sum(r['mails'] for r in sent)} e-mails written;"
        f" worker peak RSS after delivery {figures['delivery_peak_rss_mb']:.0f} MB"
    )
    together = figures.get("delivery_concurrent")
    if together:
        print(
            f"delivery, {together['messages']} messages at once (records removed, sent again):"
            f" {together['seconds']:.2f} s, worker peak RSS {together['peak_rss_mb']:.0f} MB"
            f" (before: {together['peak_before_mb']:.0f} MB), RSS after {together['rss_after_mb']:.0f} MB"
        )
    return deliver_s

"""Month end, second half: render + deliver per tenant through the registered ``delivery_item`` queue function.

For each tenant one message as the delivery timers enqueue it (the 13 months
of the look-back), with outbox mail (``.eml`` files in a scratch folder): wall
and CPU seconds, of which rendering (HTML, charts, PDF, ODS: the app's own
renderer, timed), storage requests and the e-mails written. Target: render +
deliver < 1 s per tenant.
"""

from __future__ import annotations

import json
import statistics
import time as clock
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any


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
    spent = {"render_s": 0.0}

    def timed_render(report: dict[str, Any]) -> Any:
        t0 = clock.perf_counter()
        try:
            return render(report)
        finally:
            spent["render_s"] += clock.perf_counter() - t0

    ctx.render = timed_render  # the same renderer, timed
    written = Path(outbox)
    rows = []
    for tenant in tenants:
        before = len(list(written.rglob("*.eml")))
        spent["render_s"] = 0.0
        seconds, cpu, (requests, _) = run_message(
            function, meter, f"deliver:{tenant}", {"tenant": tenant, "months": months}
        )
        rows.append(
            {
                "tenant": tenant,
                "deliver_s": seconds,
                "deliver_cpu_s": cpu,
                "render_s": spent["render_s"],
                "requests": requests,
                "mails": len(list(written.rglob("*.eml"))) - before,
            }
        )
    return rows


def delivery_lines(figures: dict[str, Any]) -> float:
    """Print the per-tenant delivery table and its summary; returns the mean seconds per tenant."""
    sent = figures["delivery"]
    deliver_s = statistics.mean(r["deliver_s"] for r in sent)
    print(f"{'tenant':<16}{'deliver s':>10}{'CPU s':>7}{'render s':>9}{'requests':>9}{'e-mails':>8}")
    for r in sent:
        print(
            f"{r['tenant']:<16}{r['deliver_s']:>10.3f}{r['deliver_cpu_s']:>7.3f}{r['render_s']:>9.3f}{r['requests']:>9}"
            f"{r['mails']:>8}"
        )
    print(
        f"render + deliver per tenant: mean {deliver_s:.3f} s, median {statistics.median(r['deliver_s'] for r in sent):.3f}"
        f" s, max {max(r['deliver_s'] for r in sent):.3f} s (first: {sent[0]['deliver_s']:.3f} s); rendering mean"
        f" {statistics.mean(r['render_s'] for r in sent):.3f} s; {sum(r['mails'] for r in sent)} e-mails written;"
        f" worker peak RSS after delivery {figures['delivery_peak_rss_mb']:.0f} MB"
    )
    return deliver_s

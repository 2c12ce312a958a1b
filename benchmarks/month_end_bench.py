"""Month end through the app: the real queue-triggered compute per tenant over Azurite.

Setup (not timed): Azurite on loopback; 13 months of daily availability
summaries (2025-10 … 2026-10; 3 tests × 5 locations every 5 minutes, a few
outages and failures, ~0.1 % missing results — summarised from generated rows
exactly as ingestion does) with their day statuses; N tenants (go-live
2025-09-15, so each report has 12 trailing months) with about 2,000 ticket
events of October 2026 each (the month benchmark's generator).

Measured, in a child process of its own (its peak RSS is the worker's): for
each tenant one ``monthly_tenant_report`` queue message for 2026-10, through
the registered function (``function_app``), one after another. Per tenant:
wall seconds, HTTP requests to storage (every request and every result page,
counted at the HTTP transport) and response bytes — the tenant's event reads
separately — and the RSS after. Then the same for ``CONCURRENT`` messages at
once on threads (as the Functions host runs a batch of queue messages), for
the memory figure behind host.json's queue concurrency. Then, in the same
worker, render + deliver: for each tenant one ``delivery_item`` queue message
as the delivery timers enqueue it (the 13 months of the look-back), through
the registered function with outbox mail (``.eml`` files in a scratch folder):
wall seconds, of which rendering (HTML, charts, PDF, ODS), and the e-mails
written.

Targets: compute < 0.5 s and ≤ 30 storage requests per tenant
besides its events, peak RSS < 300 MB, render + deliver < 1 s per tenant.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time as clock
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks import SEED, rss_mb, verdict
from benchmarks.month_bench import LOCATIONS, TESTS, generate_events
from benchmarks.month_end_delivery import deliver, deliver_concurrently, delivery_lines, run_message

ROOT = Path(__file__).resolve().parent.parent
MONTH = "2026-10"
FIRST_DAY, END_DAY = date(2025, 10, 1), date(2026, 11, 1)
EVENTS_PER_TENANT = 2_000
CONCURRENT = 3  # = host.json queues batchSize 2 + newBatchThreshold 1 (the most one instance runs at once)
TARGET_S, TARGET_REQUESTS, TARGET_RSS_MB, TARGET_DELIVER_S = 0.5, 30, 300.0, 1.0
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _settings(connection_string: str, queue: str, outbox: str | None = None) -> Any:
    """The tests' Azurite settings (tests/support/app.py), mailing into ``outbox``."""
    from tests.support.app import settings_for

    settings = settings_for(connection_string, queue)
    return settings.model_copy(update={"outbox_dir": outbox}) if outbox else settings


def _graph(connection_string: str, prefix: str, outbox: str | None = None) -> Any:
    from sla_app import bootstrap

    settings = _settings(connection_string, f"monthly-{prefix}", outbox)
    return bootstrap.build(settings, clock=lambda: NOW, table_prefix=prefix)


# --------------------------------------------------------------------------
# Setup (not timed)
# --------------------------------------------------------------------------


def _day_rows(day: date, rng: random.Random, zone: Any) -> tuple[list[Any], int, int]:
    from sla_core.availability_input import TestResult
    from sla_core.business_calendar import US_PER_MINUTE
    from sla_core.periods import day_bounds

    start, end = day_bounds(day, zone)
    slot = 5 * US_PER_MINUTE
    outage = None
    if rng.random() < 0.05:  # an outage of one test on all locations, 10–45 minutes
        a = rng.randrange(start, end) // slot * slot
        outage = (a, a + rng.randint(2, 9) * slot, rng.choice(TESTS))
    rows = []
    for index in range(start // slot, end // slot):
        for test in TESTS:
            down = outage is not None and outage[0] <= index * slot < outage[1] and outage[2] == test
            for location in LOCATIONS:
                if rng.random() < 0.001:
                    continue
                at = index * slot + rng.randrange(slot // 10) * 10
                success = not down and rng.random() > 0.002
                rows.append(TestResult(at, test, location, success, round(rng.lognormvariate(math.log(900), 0.5), 1)))
    return rows, start, end


def seed(connection_string: str, prefix: str, tenants: int) -> dict[str, Any]:
    """Summaries, day statuses, tenants and events in Azurite; returns sizes."""
    from sla_app.records import TenantRecord
    from sla_app.storage.availability_repo import DAYS_TABLE
    from sla_core.availability_summary import summarise_day
    from sla_core.day_summary import encode_day, encode_load
    from sla_core.events import parse_jsonl

    ctx = _graph(connection_string, prefix)
    zone = ctx.availability._zone
    rng = random.Random(SEED + 11)
    days, statuses, sizes = [], [], [0, 0]
    day = FIRST_DAY
    while day < END_DAY:
        rows, start, end = _day_rows(day, rng, zone)
        summary, load = summarise_day(rows, start, end)
        sizes[0] += len(encode_day(summary))
        sizes[1] += len(encode_load(load))
        days.append((day, summary, load))
        statuses.append(
            {
                "PartitionKey": "day",
                "RowKey": day.isoformat(),
                "complete": True,
                "rows": len(rows),
                "ingested_at": NOW.isoformat(),
                "note": "",
            }
        )
        day += timedelta(days=1)
    ctx.availability.summaries.save_new(days)
    ctx.store.upsert_many(DAYS_TABLE, statuses)
    with tempfile.TemporaryDirectory(prefix="sla-month-end-") as tmp:
        path = Path(tmp) / "events.jsonl"
        generate_events(path, tenants, tenants * EVENTS_PER_TENANT)
        events = list(parse_jsonl(path.read_text(encoding="utf-8").splitlines(), str(path)))
    names = sorted({e.tenant for e in events})
    for name in names:
        ctx.admin.put_tenant(
            TenantRecord(tenant=name, go_live=date(2025, 9, 15), recipients=(f"sla@{name}.example.org",))
        )
    ctx.events.save(events)
    return {"days": len(days), "tenants": names, "events": len(events), "summary_bytes": sizes}


# --------------------------------------------------------------------------
# The measured run (child process)
# --------------------------------------------------------------------------


class _Meter:
    """Counts HTTP requests and response bytes at azure-core's requests transport, per thread-local bucket."""

    def __init__(self) -> None:
        from azure.core.pipeline.transport import RequestsTransport

        self.counts: dict[str, list[int]] = {}
        self.local = threading.local()
        self._lock = threading.Lock()
        original = RequestsTransport.send
        meter = self

        def send(transport: Any, request: Any, **kwargs: Any) -> Any:
            response = original(transport, request, **kwargs)
            size = len(response.internal_response.content or b"")
            bucket = getattr(meter.local, "bucket", "other")
            with meter._lock:
                count = meter.counts.setdefault(bucket, [0, 0])
                count[0] += 1
                count[1] += size
            return response

        RequestsTransport.send = send  # type: ignore[method-assign]

    def take(self, bucket: str) -> list[int]:
        with self._lock:
            return self.counts.pop(bucket, [0, 0])


def measure(connection_string: str, prefix: str, tenants: list[str], outbox: str) -> dict[str, Any]:
    """Run the queue function for every tenant (then CONCURRENT at once), then delivery; figures as JSON."""

    from sla_app import bootstrap
    from tools import local_pipeline

    meter = _Meter()
    ctx = _graph(connection_string, prefix, outbox)
    bootstrap.use(ctx)
    function = local_pipeline.registered()["monthly_tenant_report"].get_user_function()

    def timed(read: Any) -> Any:  # the tenant's events: counted and timed apart
        def wrapper(tenant: str) -> Any:
            meter.local.bucket = f"events:{tenant}"
            t0 = clock.perf_counter()
            try:
                return read(tenant)
            finally:
                meter.local.events_s = getattr(meter.local, "events_s", 0.0) + clock.perf_counter() - t0
                meter.local.bucket = f"tenant:{tenant}"

        return wrapper

    for name in ("of_tenant", "of_tenant_received"):
        if hasattr(ctx.events, name):
            setattr(ctx.events, name, timed(getattr(ctx.events, name)))
    ctx.store.table("reports")  # tables exist in a deployment: not counted per tenant
    baseline = rss_mb()

    def one(tenant: str) -> dict[str, Any]:
        meter.local.events_s = 0.0
        seconds, cpu, (requests, read) = run_message(
            function, meter, f"tenant:{tenant}", {"tenant": tenant, "month": MONTH}
        )
        event_requests, event_bytes = meter.take(f"events:{tenant}")
        return {
            "tenant": tenant,
            "compute_s": seconds,
            "cpu_s": cpu,
            "events_s": meter.local.events_s,
            "requests": requests,
            "bytes": read,
            "event_requests": event_requests,
            "event_bytes": event_bytes,
            "rss_mb": rss_mb(),
        }

    per_tenant = [one(t) for t in tenants]
    sequential_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stored = ctx.reports.latest(tenants[0], MONTH)
    concurrent = tenants[: min(CONCURRENT, len(tenants))]
    t0 = clock.perf_counter()
    with ThreadPoolExecutor(len(concurrent)) as pool:
        list(pool.map(one, concurrent))
    concurrent_s = clock.perf_counter() - t0
    compute_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    delivered = deliver(ctx, meter, tenants, outbox, NOW)
    delivery_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "per_tenant": per_tenant,
        "delivery": delivered,
        "delivery_peak_rss_mb": delivery_peak,
        "delivery_concurrent": deliver_concurrently(ctx, meter, concurrent, NOW),
        "baseline_rss_mb": baseline,
        "sequential_peak_rss_mb": sequential_peak,
        "concurrent": len(concurrent),
        "concurrent_s": concurrent_s,
        "peak_rss_mb": compute_peak,
        "report_version": None if stored is None else stored.version,
    }


def _child(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.month_end_bench")
    parser.add_argument("connection_string")
    parser.add_argument("prefix")
    parser.add_argument("tenants")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sla-month-end-outbox-") as outbox:
        print(json.dumps(measure(args.connection_string, args.prefix, args.tenants.split(","), outbox)))


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def run(tenants: int = 400) -> dict[str, float]:
    """Set up, measure in a child process, print per-tenant lines and the three summary lines."""
    from tools import azurite

    server = azurite.start()
    try:
        prefix = f"b{uuid.uuid4().hex[:8]}"
        t0 = clock.perf_counter()
        seeded = seed(server.connection_string, prefix, tenants)
        a_bytes, l_bytes = seeded["summary_bytes"]
        print(
            f"month-end: {len(seeded['tenants'])} tenants, {seeded['events']:,} events of {MONTH}, "
            f"{seeded['days']} days of summaries ({a_bytes / seeded['days'] / 1024:.2f} KB availability + "
            f"{l_bytes / seeded['days'] / 1024:.1f} KB load time per day); setup {clock.perf_counter() - t0:.0f} s"
        )
        command = [
            sys.executable,
            "-m",
            "benchmarks.month_end_bench",
            server.connection_string,
            prefix,
            ",".join(seeded["tenants"]),
        ]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"month-end benchmark child failed with exit code {done.returncode}")
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        server.stop()
    rows = figures["per_tenant"]
    print(
        f"{'tenant':<16}{'compute s':>10}{'CPU s':>7}{'events s':>9}{'requests':>9}{'KB read':>9}{'event req':>10}"
        f"{'event KB':>10}{'RSS MB':>8}"
    )
    for r in rows:
        print(
            f"{r['tenant']:<16}{r['compute_s']:>10.3f}{r['cpu_s']:>7.3f}{r['events_s']:>9.3f}{r['requests']:>9}"
            f"{r['bytes'] / 1024:>9.0f}"
            f"{r['event_requests']:>10}{r['event_bytes'] / 1024:>10.0f}{r['rss_mb']:>8.0f}"
        )
    seconds = statistics.mean(r["compute_s"] for r in rows)
    requests = max(r["requests"] for r in rows)
    peak = figures["peak_rss_mb"]
    print(
        f"per tenant: compute mean {seconds:.3f} s, median {statistics.median(r['compute_s'] for r in rows):.3f} s,"
        f" max {max(r['compute_s'] for r in rows):.3f} s (first, with imports warm: {rows[0]['compute_s']:.3f} s);"
        f" CPU mean {statistics.mean(r['cpu_s'] for r in rows):.3f} s; reading the events (wall) mean"
        f" {statistics.mean(r['events_s'] for r in rows):.3f} s; "
        f"storage requests besides events max {requests}, mean {statistics.mean(r['requests'] for r in rows):.1f}; "
        f"KB read besides events mean {statistics.mean(r['bytes'] for r in rows) / 1024:.0f}"
    )
    print(
        f"worker RSS: {figures['baseline_rss_mb']:.0f} MB after start-up, {figures['sequential_peak_rss_mb']:.0f} MB peak"
        f" one message at a time, {peak:.0f} MB peak with {figures['concurrent']} messages at once"
        f" ({figures['concurrent_s']:.2f} s for those)"
    )
    deliver_s = delivery_lines(figures)
    print(
        f"targets: compute < {TARGET_S} s {verdict(seconds < TARGET_S)}; requests <= {TARGET_REQUESTS} "
        f"{verdict(requests <= TARGET_REQUESTS)}; peak RSS < {TARGET_RSS_MB:.0f} MB {verdict(peak < TARGET_RSS_MB)};"
        f" render + deliver < {TARGET_DELIVER_S:.0f} s {verdict(deliver_s < TARGET_DELIVER_S)}"
    )
    print(f"month_end_compute_s_per_tenant: {seconds:.3f}")
    print(f"month_end_peak_rss_mb: {peak:.0f}")
    print(f"month_end_storage_requests_per_tenant: {requests}")
    print(f"month_end_render_deliver_s_per_tenant: {deliver_s:.3f}")
    return {"compute_s": seconds, "peak_rss_mb": peak, "requests": requests, "render_deliver_s": deliver_s}


if __name__ == "__main__":
    _child(sys.argv[1:])

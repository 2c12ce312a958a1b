"""``python -m sla_core report-all``: every tenant's month from exported data, on all cores.

The shell around the core for the service manager who recomputes all
municipalities at once (and for the benchmark): the files are read once, the
events grouped per tenant, and the tenants shared out over worker processes
(forked after loading, so they share the parsed inputs). Each worker writes
``<out>/<tenant>-<YYYY-MM>.json`` — the same JSON as ``report --format json``.
Tenants whose measurement window does not contain the month are skipped and
named.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sla_core.cli import Inputs, render
from sla_core.events import TicketEvent
from sla_core.periods import Month, trailing_months
from sla_core.report import Reporter

_SHARED: dict[str, object] = {}  # set before forking; read by the workers


@dataclass(frozen=True)
class BatchResult:
    """What a batch run wrote."""

    written: list[str]
    skipped: list[str]
    bytes_written: int


def _tenants(inputs: Inputs, by_tenant: dict[str, list[TicketEvent]]) -> list[str]:
    return sorted(set(inputs.contract.tenants) | set(by_tenant))


def _work(tenants: list[str]) -> tuple[list[str], list[str], int]:
    reporter: Reporter = _SHARED["reporter"]  # type: ignore[assignment]
    by_tenant: dict[str, list[TicketEvent]] = _SHARED["by_tenant"]  # type: ignore[assignment]
    month: Month = _SHARED["month"]  # type: ignore[assignment]
    out: Path = _SHARED["out"]  # type: ignore[assignment]
    written, skipped, size = [], [], 0
    for tenant in tenants:
        window = reporter.window(tenant)
        if window is not None and not window.contains(month):
            skipped.append(tenant)
            continue
        text = render(reporter.report(tenant, month, by_tenant.get(tenant, [])), "json")
        data = text.encode("utf-8") + b"\n"
        (out / f"{tenant}-{month}.json").write_bytes(data)
        written.append(tenant)
        size += len(data)
    return written, skipped, size


def report_all(inputs: Inputs, month: Month, as_of: int, out: Path, jobs: int | None = None) -> BatchResult:
    """Write every tenant's report for ``month``; ``jobs`` worker processes (default: all cores)."""
    out.mkdir(parents=True, exist_ok=True)
    by_tenant: dict[str, list[TicketEvent]] = defaultdict(list)
    for event in inputs.events:
        by_tenant[event.tenant].append(event)
    reporter = Reporter(inputs.contract, inputs.results, inputs.exclusions, as_of)
    for earlier in trailing_months(month, None):  # shared work, done once before the fork
        reporter.availability_of(earlier)
    reporter.availability_by_day(month)
    reporter.load_time_of(month)
    tenants = _tenants(inputs, by_tenant)
    _SHARED.update(reporter=reporter, by_tenant=by_tenant, month=month, out=out)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(tenants) or 1))
    try:
        if workers == 1:
            parts = [_work(tenants)]
        else:
            gc.freeze()  # keep the collector out of the shared pages in the children
            shares = [tenants[i::workers] for i in range(workers)]
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                parts = pool.map(_work, shares)
    finally:
        _SHARED.clear()
    written = sorted(t for part in parts for t in part[0])
    skipped = sorted(t for part in parts for t in part[1])
    return BatchResult(written, skipped, sum(part[2] for part in parts))

"""``python -m sla_cli report-all``: every tenant's month from exported data, on all cores.

For the service manager who recomputes all municipalities at once (and for
the benchmark). Memory and time grow with the input, no faster:

1. The parent maps the events file; a forked child routes each
   line to its tenant (:mod:`sla_cli.routing`: a byte search, no parse) while
   the parent parses the results CSV once into one :class:`Reporter` and
   computes the availability every tenant shares (the month and its trailing
   year) once; then the parent scans the chunks of the file the child has not
   taken yet (they take them from one shared counter) and puts the routes together.
2. Worker processes are forked with that state; each asks for the next
   tenant (largest first, from a counter they share) until none are left, so
   a worker on a slower core simply takes fewer, and parses that tenant's lines (each line is parsed once, by one worker), computes its
   report and writes ``<tenant>-<YYYY-MM>.json`` — the same JSON as
   ``report --format json`` — then drops the tenant's events. No process holds
   every parsed event.
3. Files are written into a staging folder inside ``out`` and moved in place
   only when every line was valid: a bad line (the first in the file, as
   :func:`sla_core.events.parse_jsonl` would name it) writes nothing.

Tenants whose measurement window does not contain the month are skipped and named.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from sla_cli.files import collector_paused, mapped_bytes, read_contract, read_exclusions, read_results
from sla_cli.forks import route_aside, run_forked
from sla_cli.routing import Routes, route_lines
from sla_core.contract import default_contract
from sla_core.errors import InputError
from sla_core.events import parse_numbered_lines
from sla_core.periods import Month, trailing_months
from sla_core.report import Reporter
from sla_core.report_json import report_json
from sla_core.report_records import MonthlyReport


def report_bytes(report: MonthlyReport) -> bytes:
    """The report JSON (``report --format json``) as UTF-8 bytes."""
    return orjson.dumps(report_json(report))


@dataclass(frozen=True)
class Sources:
    """The input files of a batch run."""

    events: Path
    availability: Path
    exclusions: Path | None = None
    contract: Path | None = None


@dataclass(frozen=True)
class BatchResult:
    """What a batch run wrote, and how long its phases took (seconds: wall clock, and CPU where named)."""

    written: list[str]
    skipped: list[str]
    bytes_written: int
    workers: int
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Job:
    """What every worker shares (inherited through fork, never pickled)."""

    reporter: Reporter
    routes: Routes
    month: Month
    staging: Path
    source: str


@dataclass
class _Share:
    """A worker's outcome: its reports, or the first bad line it found (line number, message)."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    size: int = 0
    error: tuple[int, str] | None = None
    cpu_s: float = 0.0


class _Numbered:
    """The ``(number, line)`` pairs of one tenant, remembering the last one handed out (where a parse failed)."""

    def __init__(self, pairs: Iterator[tuple[int, bytes]]) -> None:
        self._pairs = pairs
        self.last = 0

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        for number, line in self._pairs:
            self.last = number
            yield number, line


def _work(job: _Job, tenants: Iterable[str], first_error: tuple[int, str] | None = None) -> _Share:
    cpu = time.process_time()
    share = _Share(error=first_error)
    with collector_paused():  # a tenant's records hold no cycles: reference counting frees them after the tenant
        for tenant in tenants:
            _one_tenant(job, tenant, share)
    share.cpu_s = time.process_time() - cpu
    return share


def _one_tenant(job: _Job, tenant: str, share: _Share) -> None:
    """Parse ``tenant``'s lines, write its report into the staging folder (or note why not) in ``share``."""
    window = job.reporter.window(tenant)
    outside = window is not None and not window.contains(job.month)
    if outside:
        share.skipped.append(tenant)
    try:
        events = list(parse_numbered_lines(job.routes.lines(tenant), job.source))
    except InputError:
        number, message = _first_error(job, tenant)
        if share.error is None or number < share.error[0]:
            share.error = (number, message)
        return
    if share.error is not None or outside:
        return  # after a bad line only the parse goes on: to name the first bad line of the file
    if any(event.tenant != tenant for event in events):
        raise RuntimeError(f"lines of another tenant were routed to {tenant!r}")
    data = report_bytes(job.reporter.report(tenant, job.month, events)) + b"\n"
    (job.staging / f"{tenant}-{job.month}.json").write_bytes(data)
    share.written.append(tenant)
    share.size += len(data)


def _first_error(job: _Job, tenant: str) -> tuple[int, str]:
    """The line number and message of the first bad line of ``tenant`` (parsed again, now noting each line)."""
    lines = _Numbered(job.routes.lines(tenant))
    try:
        for _ in parse_numbered_lines(lines, job.source):
            pass
    except InputError as exc:
        return lines.last, str(exc)
    raise AssertionError(f"the lines of {tenant!r} failed to parse once, not twice")


def largest_first(tenants: list[str], routes: Routes) -> list[str]:
    """The tenants by line count, largest first (then by name): dealt in this order, the last tenants
    handed out are the smallest, so the workers finish close together."""
    return sorted(tenants, key=lambda t: (-routes.count(t), t))


def _run_workers(job: _Job, tenants: list[str], workers: int, first_error: tuple[int, str] | None) -> list[_Share]:
    if workers == 1:
        return [_work(job, tenants, first_error)]
    return run_forked(lambda dealt: _work(job, dealt, first_error), tenants, workers, "report-all worker")


def report_all(sources: Sources, month: Month, as_of: int, out: Path, jobs: int | None = None) -> BatchResult:
    """Write every tenant's report for ``month`` into ``out``; ``jobs`` worker processes (default: all cores).

    With more than one job the events are routed in a child process while this one parses the results
    and computes the shared availability, then helps route the chunks still left (all before the workers
    start). The events file is mapped
    for the run (:func:`sla_cli.files.mapped_bytes`); the workers read it through the fork.
    """
    clock = time.perf_counter
    started, cpu = clock(), time.process_time()
    parallel = (jobs or os.cpu_count() or 1) > 1
    with ExitStack() as mapped:
        with collector_paused():
            contract = read_contract(sources.contract) if sources.contract else default_contract()
            exclusions = read_exclusions(sources.exclusions)
            data = mapped.enter_context(mapped_bytes(sources.events, "events"))
            pending = route_aside(data, str(sources.events)) if parallel else None
            routes, route_cpu = (None, 0.0) if pending else (route_lines(data, str(sources.events)), 0.0)
            routed = clock()
            reporter = Reporter(contract, read_results(sources.availability), exclusions, as_of)
        for earlier in trailing_months(month, None):  # shared work, done once before the fork
            reporter.availability_of(earlier)
        reporter.availability_by_day(month)
        reporter.load_time_of(month)
        shared = clock()
        if pending is not None:
            routes, route_cpu = pending()
        assert routes is not None
        ready, serial_cpu = clock(), time.process_time() - cpu
        tenants = sorted(set(contract.tenants) | set(routes.tenants()))
        workers = max(1, min(jobs or os.cpu_count() or 1, len(tenants) or 1))
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".report-all-", dir=out))
        try:
            job = _Job(reporter, routes, month, staging, str(sources.events))
            parts = _run_workers(job, largest_first(tenants, routes), workers, routes.error)
            errors = [part.error for part in parts if part.error is not None]
            if errors:
                raise InputError(min(errors)[1])
            for part in parts:
                for tenant in part.written:
                    name = f"{tenant}-{month}.json"
                    os.replace(staging / name, out / name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        done = clock()
        return BatchResult(
            written=sorted(t for part in parts for t in part.written),
            skipped=sorted(t for part in parts for t in part.skipped),
            bytes_written=sum(part.size for part in parts),
            workers=workers,
            seconds={
                "route_events": routed - started,  # reading the events file (and routing it, with one job)
                "shared": shared - routed,  # results and shared availability (the routing runs aside meanwhile)
                "wait_for_routes": ready - shared,  # scanning the chunks the router left, then the routes put together
                "reports": done - ready,
                "parent_cpu_before_fork": serial_cpu,
                "router_cpu": route_cpu,
                "worker_cpu_max": max(part.cpu_s for part in parts),
            },
        )

"""Benchmarks of the measurement core (``make bench``; not part of the tests).

* :mod:`benchmarks.calendar_bench` — business durations on the business
  calendar's index, against ``businesstimedelta`` on the same intervals;
* :mod:`benchmarks.month_bench` — one full month for 400 tenants through the
  CLI path (parse → Reporter → report_json → json.dumps), and its doubling.

Run ``python -m benchmarks [calendar|month] [--quick]``; see ``README.md``.
Every input is generated from a fixed seed, so two runs measure the same work.
"""

from __future__ import annotations

import os
import resource
import sys
import time

SEED = 20261001


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB (MiB; ``ru_maxrss`` is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def rss_mb() -> float:
    """Resident set size of this process now, in MB (MiB; ``VmRSS`` of ``/proc/self/status``; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def verdict(ok: bool) -> str:
    """``OK`` or ``MISSED``, for a line that states a target."""
    return "OK" if ok else "MISSED"


def machine_line() -> str:
    """CPUs and load average: the timings are wall-clock times, so a busy machine shows in them."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"(machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {load} at the start)"


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                found += [int(p) for p in children.read().split()]
    except OSError:
        pass
    return found


def _resident_pages(pid: int) -> int:
    """Resident pages of a process from ``/proc/PID/statm`` (counters: no page-table walk); 0 when gone."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


class TreeMemory:
    """Peak memory of this process and its children: the sum of their proportional set sizes (PSS).

    PSS shares each page among the processes that map it, so forked workers
    that share the parent's parsed inputs are not counted twice (as summed
    RSS would). Linux only (0 elsewhere).

    Reading PSS makes the kernel walk a process's page tables (2.6 ms for a
    450 MB process here); walking the tree every 100 ms took 0.3-1.7 s of CPU
    from the 8-9 s month run it measured on two cores. So every ``interval``
    seconds the sampler reads only the resident-size counters (``statm``), and
    walks when their sum has grown by ``grow`` (1 %) since the last walk, or
    ``every`` seconds (1 s) have passed. The tree's PSS grows only when pages
    are added: a new page raises a resident size too; a copy-on-write copy
    does not, and is caught by the walk each second. A sample during which a
    child was forked or ended is dropped: the parent read before a fork and the
    child after it would count the shared pages twice.
    """

    def __init__(self, interval: float = 0.05, grow: float = 0.01, every: float = 1.0) -> None:
        import threading

        self.interval, self.grow, self.every = interval, grow, every
        self.peak_mb = 0.0
        self.walks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        walked_pages, walked_at = -1, 0.0
        while not self._stop.is_set():
            before = _children(me)
            pages = sum(_resident_pages(pid) for pid in [me, *before])
            if pages > walked_pages * (1 + self.grow) or time.monotonic() - walked_at >= self.every:
                total = _pss_kib(me) + sum(_pss_kib(child) for child in before)
                self.walks += 1
                if _children(me) == before:  # a fork (or an exit) during the sample would count shared pages twice
                    self.peak_mb = max(self.peak_mb, total / 1024)
                    walked_pages, walked_at = pages, time.monotonic()
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

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


class TreeMemory:
    """Peak memory of this process and its children: the sum of their proportional set sizes (PSS).

    PSS shares each page among the processes that map it, so forked workers
    that share the parent's parsed inputs are not counted twice (as summed
    RSS would). Sampled every ``interval`` seconds (default 20 ms) on Linux; 0 elsewhere.
    Each sample makes the kernel walk every process's page tables: on a large
    tree, sample less often, or the sampling competes with what it measures. A
    sample during which a child was forked or ended is dropped: the parent read
    before a fork and the child after it would count the shared pages twice.
    """

    def __init__(self, interval: float = 0.02) -> None:
        import threading

        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            before = _children(me)
            total = _pss_kib(me) + sum(_pss_kib(child) for child in before)
            if _children(me) == before:  # a fork (or an exit) during the sample would count shared pages twice
                self.peak_mb = max(self.peak_mb, total / 1024)
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

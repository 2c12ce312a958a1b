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


def verdict(ok: bool) -> str:
    """``OK`` or ``MISSED``, for a line that states a target."""
    return "OK" if ok else "MISSED"


def machine_line() -> str:
    """CPUs and load average: the timings are wall-clock times, so a busy machine shows in them."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"(machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average {load} at the start)"

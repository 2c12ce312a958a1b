"""The benchmarks still run through today's code paths (figures are not judged here: see ``make bench``).

Each part runs as ``python -m benchmarks`` does, at its smallest size, and must
end with its ``name: value`` lines. A refactoring that breaks a benchmark's
wiring (as the composition root once did for the month-end delivery) fails
here instead of on the next ``make bench``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIGURE = re.compile(r"^([a-z0-9_]+): (-?[0-9.]+)x?$", re.MULTILINE)


def figures(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {name: float(value) for name, value in FIGURE.findall(done.stdout)}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ("month-end", "--tenants", "2"),
            {
                "month_end_compute_s_per_tenant",
                "month_end_peak_rss_mb",
                "month_end_storage_requests_per_tenant",
                "month_end_render_deliver_s_per_tenant",
            },
            id="the month-end run computes and delivers two tenants through the registered queue functions",
        ),
        pytest.param(
            ("month", "--quick"),
            {"report_all_20_s", "report_all_20_peak_rss_mb", "report_all_doubling_time_ratio", "doubling_ratio"},
            id="the command line's report-all runs at the quick size and its doubling",
        ),
    ],
)
def test_a_benchmark_part_runs_to_its_figures(args: tuple[str, ...], expected: set[str]) -> None:
    printed = figures(*args)
    assert expected <= set(printed), f"missing: {sorted(expected - set(printed))}"
    assert all(value >= 0 for value in printed.values())

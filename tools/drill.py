"""``make drill``: the month-end drill from the command line.

    python -m tools.drill [--tenants N] [--scenario june-2026|october-2026|late-day-2026-07|all] [--start-day D]

``make drill TENANTS=400 SCENARIO=all START_DAY=14`` passes the same options.

Plays the production sequence of a month end in-process over a fresh Azurite
with a simulated clock (see ``tests/drill/drill_run.py``), then prints what
went wrong, if anything, and ends with one line per scenario::

    drill: N tenants, delivered N, duplicates 0, missing 0, wrong 0, last delivered <local time>

Exit code 0 when every scenario delivered every tenant exactly one report with
the CLI's figures, 1 otherwise.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time

from tests.drill.drill_run import run
from tests.drill.drill_world import SCENARIOS

LARGE = 50  # tenants from which a run starts a few days before the month end (each simulated day costs ~2 messages per tenant)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.drill", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tenants", type=int, default=6, help="measured tenants (default 6: one per kind of Graph fault)"
    )
    parser.add_argument("--scenario", default="june-2026", choices=[*SCENARIOS, "all"])
    parser.add_argument(
        "--start-day",
        type=int,
        help="day of the month the simulated clock starts (default: the 14th,"
        f" so the mid-month notice is in; from {LARGE} tenants the 27th, the days before backfilled)",
    )
    parser.add_argument("--verbose", action="store_true", help="show the app's warnings")
    args = parser.parse_args(argv)
    if args.tenants < 1:
        parser.error("--tenants must be at least 1")
    start_day = args.start_day or (14 if args.tenants < LARGE else 27)
    logging.basicConfig(level=logging.WARNING if args.verbose else logging.CRITICAL, format="%(name)s: %(message)s")
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    lines, ok = [], True
    for name in names:
        started = time.monotonic()
        drill = run(
            SCENARIOS[name].sized(args.tenants, start_day),
            progress=lambda text, name=name: print(f"  {name} {text}", file=sys.stderr, flush=True),
        )
        host = drill.host
        print(
            f"{name}: {len(host.timer_runs)} timer runs, {host.handled} queue messages "
            f"({host.redelivered} delivered twice, {len(host.failures)} failed attempts, {len(host.poisoned)} poisoned), "
            f"{len(drill.graph.faults_applied)} Graph faults, {len(drill.operator_confirmations)} operator confirmations, "
            f"{len(drill.operator_resends)} operator resends, "
            f"{len(drill.supplier_mails)} supplier notices, "
            f"{time.monotonic() - started:.0f} s",
            file=sys.stderr,
        )
        for when, timer, error in host.timer_errors:
            print(f"  timer {timer} failed at {when.isoformat()}: {error.splitlines()[0]}", file=sys.stderr)
        for problem in drill.verdict.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
        if len(drill.verdict.problems) > 20:
            print(f"  … and {len(drill.verdict.problems) - 20} more", file=sys.stderr)
        lines.append(drill.line)
        ok = ok and drill.verdict.ok
    sys.stderr.flush()
    for line in lines:
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""``python -m benchmarks [all|calendar|month|month-end|webhook|portal] [--quick] [--profile] [--tenants N]``.

``make bench`` runs all.

With ``all`` the month runs first and the calendar last, so that the last line
of the whole run is ``business_duration_speedup: <ratio>x``.
"""

from __future__ import annotations

import argparse

from benchmarks import calendar_bench, machine_line, month_bench, month_end_bench, portal_bench, webhook_bench


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Benchmarks of sla_core (not tests).")
    parser.add_argument(
        "part", nargs="?", choices=("all", "calendar", "month", "month-end", "webhook", "portal"), default="all"
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    parser.add_argument(
        "--profile", action="store_true", help="month: run the first size under cProfile and print the top 15"
    )
    parser.add_argument(
        "--tenants", type=int, default=None, help="month-end: number of tenants (default 400; 20 with --quick)"
    )
    args = parser.parse_args()
    print(machine_line())
    if args.quick:
        print("(--quick: smaller sizes; the targets are meant for the full sizes)")
    if args.part in ("all", "webhook"):
        webhook_bench.run(quick=args.quick)
    if args.part in ("all", "portal"):
        portal_bench.run(quick=args.quick)
    if args.part in ("all", "month"):
        month_bench.run(quick=args.quick, profile=args.profile)
    if args.part in ("all", "month-end"):
        month_end_bench.run(tenants=args.tenants or (20 if args.quick else 400))
    if args.part in ("all", "calendar"):
        calendar_bench.run(quick=args.quick)


if __name__ == "__main__":
    main()

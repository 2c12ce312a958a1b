"""Command line (measurement §7): recompute a tenant's month from exported data.

    python -m sla_cli report --tenant TENANT --month YYYY-MM \\
        --events EVENTS.jsonl --availability RESULTS.csv \\
        [--exclusions EXCLUSIONS.json] [--contract CONTRACT.json] \\
        [--as-of RFC3339] [--format json|text]

    python -m sla_cli report-all --month YYYY-MM --events EVENTS.jsonl \\
        --availability RESULTS.csv --out FOLDER [--jobs N] [...]

Bad files or arguments print one line ``error: …`` on stderr and exit with 2.
This module is the shell around the pure core: it reads the arguments and the
clock; :mod:`sla_cli.files` reads the files, :mod:`sla_cli.batch` runs ``report-all``.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from sla_cli.batch import Sources, report_all, report_bytes
from sla_cli.files import Inputs, load_inputs
from sla_core.availability_input import parse_instant
from sla_core.business_calendar import to_us
from sla_core.errors import InputError
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_json import report_json
from sla_core.report_records import MonthlyReport
from sla_core.report_text import report_text


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError(message)


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _input_arguments(command: argparse.ArgumentParser) -> None:
    """The month and the input files, the same for ``report`` and ``report-all``."""
    command.add_argument("--month", required=True, type=_month, help="YYYY-MM")
    command.add_argument("--events", required=True, type=Path, help="canonical ticket events, JSON Lines")
    command.add_argument("--availability", required=True, type=Path, help="AppAvailabilityResults CSV export")
    command.add_argument("--exclusions", type=Path, help='JSON list of {"start", "end", "reason"}')
    command.add_argument("--contract", type=Path, help="contract JSON (default: the built-in seed SLA)")
    command.add_argument("--as-of", help="RFC 3339 instant up to which events are known (default: now)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (errors raise InputError instead of exiting)."""
    parser = _Parser(prog="python -m sla_cli", description="SLA-metingen Stratech Perspectief Cloud")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    report = commands.add_parser("report", help="compute a tenant's monthly report")
    report.add_argument("--tenant", required=True, help="tenant (municipality) id")
    _input_arguments(report)
    report.add_argument("--format", choices=("json", "text"), default="json")
    batch = commands.add_parser("report-all", help="compute every tenant's report of a month into a folder")
    _input_arguments(batch)
    batch.add_argument("--out", required=True, type=Path, help="folder for <tenant>-<YYYY-MM>.json")
    batch.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    return parser


def render(report: MonthlyReport, output: str) -> str:
    """The report as ``json`` or ``text``."""
    if output == "text":
        return report_text(report_json(report))
    return report_bytes(report).decode("utf-8")


def run(argv: Sequence[str], now: datetime) -> str:
    """Run the command line and return what it prints; raises InputError on bad input."""
    args = build_parser().parse_args(argv)
    as_of = now if args.as_of is None else parse_instant(args.as_of, "--as-of", "value")
    if args.command == "report-all":
        if args.jobs is not None and args.jobs < 1:
            raise InputError("--jobs must be at least 1")
        sources = Sources(args.events, args.availability, args.exclusions, args.contract)
        done = report_all(sources, args.month, to_us(as_of), args.out, args.jobs)
        lines = [f"{len(done.written)} reports for {args.month} written to {args.out}"]
        if done.skipped:
            lines.append(f"outside the measurement window, skipped: {', '.join(done.skipped)}")
        return "\n".join(lines)
    inputs = load_inputs(args.events, args.availability, args.exclusions, args.contract)
    gc.freeze()  # the inputs live until exit: keep the collector from walking them again and again
    check_tenant(args.tenant, inputs)
    reporter = Reporter(inputs.contract, inputs.results, inputs.exclusions, to_us(as_of))
    return render(reporter.report(args.tenant, args.month, inputs.events), args.format)


def known_tenants(inputs: Inputs) -> list[str]:
    """The tenants of the contract and of the events, sorted."""
    return sorted(set(inputs.contract.tenants) | {event.tenant for event in inputs.events})


def check_tenant(tenant: str, inputs: Inputs) -> None:
    """Refuse a tenant that is neither in the events nor in the contract (measurement §8.9): no empty report."""
    known = known_tenants(inputs)
    if tenant not in known:
        listed = ", ".join(known) if known else "none (no events, no tenants in the contract)"
        raise InputError(
            f"--tenant {tenant!r} is unknown: it is in neither the events nor the contract; known: {listed}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: print the report, or one error line and exit code 2."""
    try:
        print(run(sys.argv[1:] if argv is None else argv, datetime.now(UTC)))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0

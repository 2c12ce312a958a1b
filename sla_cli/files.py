"""Reading the command line's input files (measurement §7): events, results, exclusions, contract.

Every failure is an :class:`~sla_core.errors.InputError` naming the file (and,
through the core's parsers, the line and field). Parsing itself is the
core's: this module only reads bytes and text.
"""

from __future__ import annotations

import gc
import mmap
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sla_core.availability_input import Exclusion, TestResult, load_exclusions_text, parse_results_csv
from sla_core.contract import Contract, contract_from_json, default_contract
from sla_core.errors import InputError
from sla_core.events import TicketEvent, parse_jsonl


def read_bytes(path: Path, what: str) -> bytes:
    """The file's bytes; InputError naming the file when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror})") from exc


@contextmanager
def mapped_bytes(path: Path, what: str) -> Iterator[bytes | mmap.mmap]:
    """The file's bytes mapped read-only for the block (``b""`` for an empty file); InputError naming the file.

    Mapping, not reading: the pages are the operating system's file cache, shared with forked workers,
    so a large export is not copied into fresh memory of the process (151 MB, 37,000 page faults, for
    800,000 events). The file must not change while the block runs.
    """
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            data: bytes | mmap.mmap = b"" if size == 0 else mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror})") from exc
    try:
        yield data
    finally:
        if isinstance(data, mmap.mmap):
            data.close()


def read_text(path: Path, what: str) -> str:
    """The file as UTF-8 text; InputError naming the file when it cannot be read or is not UTF-8."""
    try:
        return read_bytes(path, what).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: {what} is not UTF-8 text") from exc


def read_lines(path: Path, what: str) -> list[str]:
    """The file's lines as text (see :func:`read_text`)."""
    return read_text(path, what).splitlines()


def read_contract(path: Path) -> Contract:
    """Read and validate a JSON contract file (merged over the default contract)."""
    return contract_from_json(read_text(path, "contract file"), source=str(path))


def read_exclusions(path: Path | None) -> list[Exclusion]:
    """The exclusions file's periods; none without a file."""
    if path is None:
        return []
    return load_exclusions_text(read_text(path, "exclusions"), str(path))


def read_results(path: Path) -> list[TestResult]:
    """The ``AppAvailabilityResults`` CSV export, parsed."""
    return list(parse_results_csv(read_lines(path, "results"), str(path)))


@dataclass(frozen=True)
class Inputs:
    """Everything read from the files of one run."""

    contract: Contract
    events: list[TicketEvent]
    results: list[TestResult]
    exclusions: list[Exclusion]


def load_inputs(events: Path, availability: Path, exclusions: Path | None, contract: Path | None) -> Inputs:
    """Read and validate the input files (raises InputError naming the file, line and field).

    The cyclic garbage collector is off while parsing: the parsed records hold
    no cycles, and repeated full collections over a growing heap would make
    the time grow faster than the input.
    """
    with collector_paused():
        return Inputs(
            contract=read_contract(contract) if contract else default_contract(),
            events=list(parse_jsonl(read_lines(events, "events"), str(events))),
            results=read_results(availability),
            exclusions=read_exclusions(exclusions),
        )


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (the parsers make no reference cycles)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

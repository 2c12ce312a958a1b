"""The lines of an events file (JSON Lines) routed to their tenants without parsing them.

``report-all`` parses each tenant's lines in the worker that reports on that
tenant; the parent only has to know which lines belong to whom. A canonical
event names its tenant once, as the top-level key ``"tenant"`` with a plain
string value, so a byte search finds it: a string in JSON cannot hold an
unescaped ``"``, so ``"tenant"`` followed by ``:`` is a key. A line where the
search is not conclusive (no such key, more than one, an escaped value) is
decoded to find its tenant; a line without a tenant string is parsed by the
core to name its first bad field. The worker's full parse validates every
line, and refuses a line whose tenant is not the one it was routed by.

The search runs over chunks of about 8 MiB cut at line ends, copied one after
another into one reused buffer (so the working set does not grow with the
file, and a mapped file is read without fresh pages per chunk). numpy finds
the line ends. In the common chunk every line holds exactly one key, and one
regex ``findall`` (in C) gives the names in line order; otherwise the keys'
offsets are put on their lines by a sorted search. Per tenant the routes hold
the line indices grouped by a stable radix sort on the tenant ids, and every
line's end offset (16 bytes a line), so the parent's memory is the file plus a
little, and the forked workers share both. Chunks may be scanned by more than
one process (:func:`scan_chunks`: each takes any chunks and numbers its own
tenants) and put together by :func:`assemble`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from mmap import mmap

import numpy as np
import orjson

from sla_core.errors import InputError
from sla_core.events import parse_numbered_lines

# Whitespace of JSON on one line (no ``\n``: lines are split on it).
_TENANT = re.compile(rb'"tenant"[ \t\r]*:[ \t\r]*"([^"\\\r\n]*)"')
_TENANT_TO_LINE_END = re.compile(_TENANT.pattern + rb"[^\n]*(?:\n|\Z)")  # at most one match per line
_KEY = b'"tenant"'
_KEY_ANYWHERE = re.compile(re.escape(_KEY))
Data = bytes | mmap  # the events file's bytes, or the file mapped (``sla_cli.files.mapped_bytes``)


@dataclass(frozen=True)
class Routes:
    """Which lines of ``data`` belong to which tenant; ``error`` is the first line without a tenant.

    ``ends[i]`` is the byte offset of line ``i``'s end (0-based; its ``\\n`` or the end of the file); a line
    starts after the previous one's end. ``order`` holds the line indices grouped by tenant, each group in
    file order, and ``spans[t]`` is tenant ``t``'s ``[lo, hi)`` in ``order`` (tenants in order of first
    appearance). 16 bytes a line in all.
    """

    data: Data
    ends: np.ndarray
    order: np.ndarray
    spans: dict[str, tuple[int, int]]
    error: tuple[int, str] | None

    def tenants(self) -> list[str]:
        """The tenants named by the lines, in order of first appearance."""
        return list(self.spans)

    def count(self, tenant: str) -> int:
        """How many lines are routed to ``tenant``."""
        lo, hi = self.spans.get(tenant, (0, 0))
        return hi - lo

    def lines(self, tenant: str) -> Iterator[tuple[int, bytes]]:
        """``(line number, line)`` of ``tenant``'s lines, in file order (made in C: no Python call per line)."""
        lo, hi = self.spans.get(tenant, (0, 0))
        found = self.order[lo:hi]
        ends = self.ends[found]
        starts = np.where(found > 0, self.ends[found - 1] + 1, 0)
        cuts = map(slice, starts.tolist(), ends.tolist())
        return zip((found + 1).tolist(), map(self.data.__getitem__, cuts))


def _tenant_of(line: bytes, number: int, source: str) -> str | None:
    """The tenant of a line the byte search could not settle; None for a blank line; InputError for a bad one."""
    if not line.strip():
        return None
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        obj = None
    if type(obj) is dict and type(obj.get("tenant")) is str:
        return obj["tenant"]
    for _ in parse_numbered_lines([(number, line)], source):  # raises, naming the line and its first bad field
        pass
    raise InputError(f"{source}:{number}: field tenant: must be a string", field="tenant")


CHUNK = 1 << 23  # bytes scanned at a time (8 MiB, cut at a line end): the working set stays the same size


def _chunks(data: Data) -> Iterator[tuple[int, int]]:
    """``[lo, hi)`` byte ranges of about :data:`CHUNK` bytes covering ``data``, each ending after a ``\\n`` (or at the end)."""
    lo = 0
    while lo < len(data):
        cut = data.find(b"\n", min(lo + CHUNK, len(data)) - 1)
        hi = len(data) if cut < 0 else cut + 1
        yield lo, hi
        lo = hi


def _scan(chunk: bytearray, size: int, lo: int, names: dict[bytes, int]) -> tuple[np.ndarray, np.ndarray]:
    """One chunk (``chunk[:size]``, from file offset ``lo``): its lines' ends (file offsets) and per line its
    tenant id, -1 where the search did not settle it.

    A line is settled when ``"tenant"`` occurs in it exactly once, as a key with a plain string value.
    The common chunk takes one regex pass: the key up to the end of its line is matched at most once per
    line, so as many matches as lines, and as many ``"tenant"`` as lines, means every line holds exactly
    one, and the names are in line order. Other chunks place every match on its line by offset.
    A key match never spans a line end, so a chunk cut at a line end loses none.
    """
    ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8, count=size) == ord("\n"))
    if size and chunk[size - 1] != ord("\n"):
        ends = np.append(ends, size)
    count, occurrences = len(ends), chunk.count(_KEY, 0, size)
    found = _TENANT_TO_LINE_END.findall(chunk, 0, size) if occurrences == count else None
    if found is not None and len(found) == count:
        return ends + lo, _ids(found, names)
    positions = np.fromiter(map(re.Match.start, _TENANT.finditer(chunk, 0, size)), dtype=np.int64)
    key_line = np.searchsorted(ends, positions, side="right")
    if len(positions) == occurrences:
        per_line = np.bincount(key_line, minlength=count)
    else:  # "tenant" also outside a key match: count every occurrence on its line
        where = np.fromiter((m.start() for m in _KEY_ANYWHERE.finditer(chunk, 0, size)), dtype=np.int64)
        per_line = np.bincount(np.searchsorted(ends, where, side="right"), minlength=count)
    tenant = np.full(count, -1, dtype=np.int64)
    tenant[key_line] = _ids(_TENANT.findall(chunk, 0, size), names)
    tenant[per_line != 1] = -1
    return ends + lo, tenant


def _ids(found: list[bytes], names: dict[bytes, int]) -> np.ndarray:
    """The ids of tenant names (raw bytes), numbering new ones in order of first appearance."""
    for name in dict.fromkeys(found):
        names.setdefault(name, len(names))
    return np.fromiter(map(names.__getitem__, found), dtype=np.int64, count=len(found))


def route_lines(data: Data, source: str) -> Routes:
    """Route every line of an events file (its bytes, or the file mapped) to its tenant; ``source`` names the file in errors.

    The file is scanned in chunks of :data:`CHUNK` bytes, so time and memory grow with its size, no faster.
    """
    bounds = chunk_bounds(data)
    return assemble(data, bounds, [scan_chunks(data, bounds, range(len(bounds)))], source)


def chunk_bounds(data: Data) -> list[tuple[int, int]]:
    """The file's chunks (``[lo, hi)`` byte ranges of about :data:`CHUNK` bytes, cut after a line end), in order."""
    return list(_chunks(data))


@dataclass(frozen=True)
class Scanned:
    """Chunks scanned by one process: per chunk number its lines' ends and tenant ids, numbered in ``names``
    (-1: not settled by the search). Processes scanning chunks of one file side by side each number their own."""

    names: dict[bytes, int]
    parts: dict[int, tuple[np.ndarray, np.ndarray]]


def scan_chunks(data: Data, bounds: list[tuple[int, int]], numbers: Iterable[int]) -> Scanned:
    """Scan the chunks ``numbers`` (indices into ``bounds``; any of them, in any order)."""
    names: dict[bytes, int] = {}
    parts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    chunk = bytearray(CHUNK + 4096)  # one buffer for every chunk: a mapped file has no ``count``, and a
    with memoryview(data) as view:  # fresh copy per chunk would cost fresh pages each time
        for number in numbers:
            lo, hi = bounds[number]
            if hi - lo > len(chunk):  # a line longer than the slack
                chunk = bytearray(hi - lo)
            chunk[: hi - lo] = view[lo:hi]
            parts[number] = _scan(chunk, hi - lo, lo, names)
    return Scanned(names, parts)


def assemble(data: Data, bounds: list[tuple[int, int]], scans: list[Scanned], source: str) -> Routes:
    """The routes from every chunk of ``bounds``, scanned by one or more :func:`scan_chunks` (each chunk by one).

    Each scan's tenant ids are renumbered into one numbering; lines the search did not settle are decoded
    here, one by one in file order (so the first error is the first bad line of the file).
    """
    names: dict[bytes, int] = {}
    renumber = []  # per scan: its ids' new numbers, and -1 for -1 (the last element)
    for scan in scans:
        for name in scan.names:
            names.setdefault(name, len(names))
        renumber.append(np.array([*(names[name] for name in scan.names), -1], dtype=np.int64))
    owner = {number: index for index, scan in enumerate(scans) for number in scan.parts}
    if sorted(owner) != list(range(len(bounds))):
        raise AssertionError("every chunk is scanned exactly once")
    empty = np.zeros(0, dtype=np.int64)
    parts = [scans[owner[number]].parts[number] for number in range(len(bounds))]
    ends = np.concatenate([p[0] for p in parts]) if parts else empty
    tenant_of_line = np.concatenate([renumber[owner[n]][p[1]] for n, p in enumerate(parts)]) if parts else empty
    # Lines the search did not settle: decoded one by one, in file order (the first error is the first line).
    # A decoded tenant that the search found too gets the search's id (distinct bytes decode to distinct names).
    by_name = {name.decode("utf-8", "surrogateescape"): index for name, index in names.items()}
    error: tuple[int, str] | None = None
    for index in np.flatnonzero(tenant_of_line < 0).tolist():
        try:
            start = 0 if index == 0 else int(ends[index - 1]) + 1
            tenant = _tenant_of(data[start : ends[index]], index + 1, source)
        except InputError as exc:
            tenant = None
            if error is None:
                error = (index + 1, str(exc))
        if tenant is not None:
            tenant_of_line[index] = by_name.setdefault(tenant, len(by_name))
    order, spans = _group(tenant_of_line, by_name)
    return Routes(data, ends, order, spans, error)


def _group(tenant_of_line: np.ndarray, by_name: dict[str, int]) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    """The line indices grouped by tenant (each group in file order), and each tenant's span in them.

    A stable sort on the tenant ids (16-bit while there are fewer than 32,767 tenants: numpy sorts those
    by radix, in linear time); unrouted lines (-1) sort first and are left out.
    """
    ids = tenant_of_line.astype(np.int16 if len(by_name) < 2**15 - 1 else np.int64)
    order = np.argsort(ids, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(ids + 1, minlength=len(by_name) + 1))))
    names = {index: name for name, index in by_name.items()}
    spans = {
        names[i]: (int(bounds[i + 1]), int(bounds[i + 2])) for i in range(len(by_name)) if bounds[i + 2] > bounds[i + 1]
    }
    first = {name: int(order[lo]) for name, (lo, _) in spans.items()}
    return order, {name: spans[name] for name in sorted(spans, key=first.__getitem__)}

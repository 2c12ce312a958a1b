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

The search runs over chunks of about 8 MiB cut at line ends, not per line
(and not over the whole file at once, so its working set does not grow with
the file): numpy finds the line ends, one regex scan gives the offsets of the ``"tenant": "…"`` keys
(``Match.start`` mapped in C) and a second one their names (``findall``;
cheaper than reading each match of one scan in Python), and a sorted search
puts each key on its line. Per tenant the routes hold the line indices into
three int64 columns (start, end, line number: 24 bytes a line), so the
parent's memory is the file plus a little, and the forked workers share both.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import orjson

from sla_core.errors import InputError
from sla_core.events import parse_numbered_lines

# Whitespace of JSON on one line (no ``\n``: lines are split on it).
_TENANT = re.compile(rb'"tenant"[ \t\r]*:[ \t\r]*"([^"\\\r\n]*)"')
_KEY = b'"tenant"'


@dataclass(frozen=True)
class Routes:
    """Which lines of ``data`` belong to which tenant; ``error`` is the first line without a tenant.

    ``by_tenant[t]`` holds the indices (0-based line numbers) of ``t``'s lines in file order, into
    ``starts`` and ``ends`` (byte offsets, ``[start, end)``, without the ``\\n``).
    """

    data: bytes
    starts: np.ndarray
    ends: np.ndarray
    by_tenant: dict[str, np.ndarray]
    error: tuple[int, str] | None

    def tenants(self) -> list[str]:
        """The tenants named by the lines, in order of first appearance."""
        return list(self.by_tenant)

    def count(self, tenant: str) -> int:
        """How many lines are routed to ``tenant``."""
        found = self.by_tenant.get(tenant)
        return 0 if found is None else len(found)

    def lines(self, tenant: str) -> Iterator[tuple[int, bytes]]:
        """``(line number, line)`` of ``tenant``'s lines, in file order."""
        found = self.by_tenant.get(tenant)
        if found is None:
            return
        data = self.data
        for index, start, end in zip(found.tolist(), self.starts[found].tolist(), self.ends[found].tolist()):
            yield index + 1, data[start:end]


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


def _chunks(data: bytes) -> Iterator[tuple[int, int]]:
    """``[lo, hi)`` byte ranges of about :data:`CHUNK` bytes covering ``data``, each ending after a ``\\n`` (or at the end)."""
    lo = 0
    while lo < len(data):
        cut = data.find(b"\n", min(lo + CHUNK, len(data)) - 1)
        hi = len(data) if cut < 0 else cut + 1
        yield lo, hi
        lo = hi


def _scan(data: bytes, lo: int, hi: int, names: dict[bytes, int], first_line: int) -> tuple[np.ndarray, ...]:
    """One chunk: its line ends, and per ``"tenant"`` key match its line (file-wide index) and tenant id.

    Also how many keys each of its lines holds when ``"tenant"`` occurs outside a key match (else None).
    A key match never spans a line end, so a chunk cut at a line end loses none.
    """
    octets = np.frombuffer(data, dtype=np.uint8, count=hi - lo, offset=lo)
    ends = np.flatnonzero(octets == ord("\n")) + lo
    if hi == len(data) and hi > lo and data[hi - 1] != ord("\n"):
        ends = np.append(ends, hi)
    positions = np.fromiter(map(re.Match.start, _TENANT.finditer(data, lo, hi)), dtype=np.int64)
    found = _TENANT.findall(data, lo, hi)  # the same matches' names, in C
    for name in dict.fromkeys(found):
        names.setdefault(name, len(names))
    ids = np.fromiter(map(names.__getitem__, found), dtype=np.int64, count=len(found))
    key_line = np.searchsorted(ends, positions, side="right") + first_line
    every = None
    if len(positions) != data.count(_KEY, lo, hi):  # "tenant" also outside a key match: count every occurrence
        where = np.fromiter((m.start() for m in re.finditer(re.escape(_KEY), data[lo:hi])), dtype=np.int64) + lo
        every = np.searchsorted(ends, where, side="right") + first_line
    return ends.astype(np.int64), key_line, ids, every


def _starts(ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    starts = np.empty_like(ends)
    if len(ends):
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
    return starts, ends


def route_lines(data: bytes, source: str) -> Routes:
    """Route every line of an events file (bytes) to its tenant; ``source`` names the file in errors.

    The file is scanned in chunks of :data:`CHUNK` bytes, so time and memory grow with its size, no faster.
    """
    names: dict[bytes, int] = {}  # numbered in order of first appearance
    parts: list[tuple[np.ndarray, ...]] = []
    lines = 0
    for lo, hi in _chunks(data):
        parts.append(_scan(data, lo, hi, names, lines))
        lines += len(parts[-1][0])
    starts, ends = _starts(np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int64))
    key_line = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    ids = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    per_line = np.bincount(key_line, minlength=lines)
    if any(p[3] is not None for p in parts):  # some line has "tenant" outside a key match: count per line
        per_line = np.bincount(np.concatenate([p[1] if p[3] is None else p[3] for p in parts]), minlength=lines)
    tenant_of_line = np.full(lines, -1, dtype=np.int64)
    tenant_of_line[key_line] = ids
    settled = (per_line == 1) & (tenant_of_line >= 0)
    tenant_of_line[~settled] = -1
    # Lines the search did not settle: decoded one by one, in file order (the first error is the first line).
    # A decoded tenant that the search found too gets the search's id (distinct bytes decode to distinct names).
    by_name = {name.decode("utf-8", "surrogateescape"): index for name, index in names.items()}
    error: tuple[int, str] | None = None
    for index in np.flatnonzero(~settled).tolist():
        try:
            tenant = _tenant_of(data[starts[index] : ends[index]], index + 1, source)
        except InputError as exc:
            tenant = None
            if error is None:
                error = (index + 1, str(exc))
        if tenant is not None:
            tenant_of_line[index] = by_name.setdefault(tenant, len(by_name))
    return Routes(data, starts, ends, _group(tenant_of_line, by_name), error)


def _group(tenant_of_line: np.ndarray, by_name: dict[str, int]) -> dict[str, np.ndarray]:
    """Per tenant the indices of its lines in file order; tenants in order of first appearance."""
    routed = np.flatnonzero(tenant_of_line >= 0)
    ids = tenant_of_line[routed]
    order = np.argsort(ids, kind="stable")
    ids_sorted = ids[order]
    bounds = np.flatnonzero(np.diff(ids_sorted)) + 1
    groups = np.split(routed[order], bounds) if len(ids_sorted) else []
    names = {index: name for name, index in by_name.items()}
    by_id = {int(ids_sorted[first]): group for first, group in zip([0, *bounds.tolist()], groups)}
    return {names[i]: by_id[i] for i in sorted(by_id, key=lambda i: by_id[i][0])}

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

The search runs over the whole buffer, not per line: numpy finds the line
ends, one regex scan gives the offsets of the ``"tenant": "…"`` keys
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


def _line_bounds(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """``[start, end)`` byte offsets of every line (split on ``\\n``; no empty line after a final ``\\n``)."""
    octets = np.frombuffer(data, dtype=np.uint8)
    step = 1 << 22  # 4 MiB at a time: a comparison of the whole file would touch a file-sized fresh array
    found = [np.flatnonzero(octets[at : at + step] == ord("\n")) + at for at in range(0, len(octets), step)]
    ends = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    if data and not data.endswith(b"\n"):
        ends = np.append(ends, len(data))
    starts = np.empty_like(ends)
    if len(ends):
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
    return starts.astype(np.int64), ends.astype(np.int64)


def route_lines(data: bytes, source: str) -> Routes:
    """Route every line of an events file (bytes) to its tenant; ``source`` names the file in errors."""
    starts, ends = _line_bounds(data)
    lines = len(ends)
    # One scan for the keys; a key belongs to the line whose end is the first at or after it.
    positions = list(map(re.Match.start, _TENANT.finditer(data)))
    found = _TENANT.findall(data)  # the same matches' names, in C; numbered in order of first appearance
    names = {name: index for index, name in enumerate(dict.fromkeys(found))}
    ids = list(map(names.__getitem__, found))
    key_line = np.searchsorted(ends, np.asarray(positions, dtype=np.int64), side="right")
    per_line = np.bincount(key_line, minlength=lines)
    if len(positions) != data.count(_KEY):  # "tenant" also outside a key match: count every occurrence per line
        every = [m.start() for m in re.finditer(re.escape(_KEY), data)]
        per_line = np.bincount(np.searchsorted(ends, np.asarray(every, dtype=np.int64), side="right"), minlength=lines)
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

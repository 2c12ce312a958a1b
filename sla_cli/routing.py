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

Per tenant the routes hold ``(start, end, line number)`` triples into the
file's bytes (24 bytes a line), so the parent's memory is the file plus a
little, and the forked workers share both.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

import orjson

from sla_core.errors import InputError
from sla_core.events import parse_numbered_lines

_TENANT = re.compile(rb'"tenant"\s*:\s*"([^"\\\r\n]*)"')
_KEY = b'"tenant"'


@dataclass(frozen=True)
class Routes:
    """Which lines of ``data`` belong to which tenant; ``error`` is the first line without a tenant."""

    data: bytes
    by_tenant: dict[str, array]
    error: tuple[int, str] | None

    def tenants(self) -> list[str]:
        """The tenants named by the lines, in order of first appearance."""
        return list(self.by_tenant)

    def count(self, tenant: str) -> int:
        """How many lines are routed to ``tenant``."""
        found = self.by_tenant.get(tenant)
        return 0 if found is None else len(found) // 3

    def lines(self, tenant: str) -> Iterator[tuple[int, bytes]]:
        """``(line number, line)`` of ``tenant``'s lines, in file order."""
        found = self.by_tenant.get(tenant)
        if found is None:
            return
        data = self.data
        for i in range(0, len(found), 3):
            yield found[i + 2], data[found[i] : found[i + 1]]


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


def route_lines(data: bytes, source: str) -> Routes:
    """Route every line of an events file (bytes) to its tenant; ``source`` names the file in errors."""
    by_key: dict[bytes | str, array] = {}
    error: tuple[int, str] | None = None
    find, count, search = data.find, data.count, _TENANT.search
    size = len(data)
    position = number = 0
    while position < size:
        end = find(b"\n", position)
        if end < 0:
            end = size
        number += 1
        match = search(data, position, end)
        if match is not None and count(_KEY, position, end) == 1:
            key: bytes | str | None = match.group(1)
        else:
            try:
                key = _tenant_of(data[position:end], number, source)
            except InputError as exc:
                key = None
                if error is None:
                    error = (number, str(exc))
        if key is not None:
            lines = by_key.get(key)
            if lines is None:
                lines = by_key[key] = array("q")
            lines.extend((position, end, number))
        position = end + 1
    by_tenant: dict[str, array] = {}
    for key, lines in by_key.items():
        tenant = key if isinstance(key, str) else key.decode("utf-8", "surrogateescape")
        if tenant in by_tenant:  # the same tenant found by the search and by decoding
            merged = by_tenant[tenant] + lines
            triples = sorted(zip(merged[0::3], merged[1::3], merged[2::3]), key=lambda t: t[2])
            lines = array("q", [value for triple in triples for value in triple])
        by_tenant[tenant] = lines
    return Routes(data, by_tenant, error)

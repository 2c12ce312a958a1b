"""One local day's availability summary and load-time samples (measurement §3, §4): the records and their binary form.

:class:`DaySummary` and :class:`LoadDay` are what
:func:`sla_core.availability_summary.summarise_day` makes of a day's results;
:func:`encode_day` / :func:`decode_day` and :func:`encode_load` /
:func:`decode_load` are their compact, lossless stored form (zlib over a small
JSON header and packed bits / numbers), and :class:`StoredDay` is an encoded
day as read from storage, decoded only when needed. Pure: no I/O, no clock.
"""

from __future__ import annotations

import json
import struct
import zlib
from dataclasses import dataclass

import numpy as np

FORMAT = 1
_U32 = float(2**32)


@dataclass(frozen=True)
class TestDay:
    """One test on one day: its locations (sorted) and ``seen`` / ``failed`` bits, shape ``(locations, minutes)``."""

    name: str
    locations: tuple[str, ...]
    seen: np.ndarray
    failed: np.ndarray


@dataclass(frozen=True)
class DaySummary:
    """Availability of one local day per test and minute; ``first_minute`` = epoch minute of local midnight."""

    first_minute: int
    minutes: int
    tests: tuple[TestDay, ...]


@dataclass(frozen=True)
class LoadDay:
    """Successful results' durations (ms) of one local day: ``counts`` per minute, ``durations`` grouped by minute."""

    first_minute: int
    minutes: int
    counts: np.ndarray
    durations: np.ndarray


def _pack(header: dict, *parts: bytes) -> bytes:
    head = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    return zlib.compress(struct.pack("<BI", FORMAT, len(head)) + head + b"".join(parts), 6)


def _unpack(blob: bytes) -> tuple[dict, memoryview]:
    raw = zlib.decompress(blob)
    version, size = struct.unpack_from("<BI", raw)
    if version != FORMAT:
        raise ValueError(f"unknown summary format {version}")
    return json.loads(raw[5 : 5 + size]), memoryview(raw)[5 + size :]


def encode_day(day: DaySummary) -> bytes:
    """The availability summary as bytes (lossless)."""
    header = {
        "first_minute": day.first_minute,
        "minutes": day.minutes,
        "tests": [[t.name, list(t.locations)] for t in day.tests],
    }
    if not day.tests:
        return _pack(header)
    seen = np.packbits(np.concatenate([t.seen for t in day.tests]).ravel())
    failed = np.packbits(np.concatenate([t.failed for t in day.tests]).ravel())
    return _pack(header, seen.tobytes(), failed.tobytes())


def decode_day(blob: bytes) -> DaySummary:
    """The inverse of :func:`encode_day`."""
    header, body = _unpack(blob)
    minutes = header["minutes"]
    names = [(name, tuple(locs)) for name, locs in header["tests"]]
    rows = sum(len(locs) for _, locs in names)
    size = (rows * minutes + 7) // 8
    packed = np.frombuffer(body, dtype=np.uint8)
    seen = np.unpackbits(packed[:size], count=rows * minutes).astype(bool).reshape(rows, minutes)
    failed = np.unpackbits(packed[size : 2 * size], count=rows * minutes).astype(bool).reshape(rows, minutes)
    tests, row = [], 0
    for name, locs in names:
        tests.append(TestDay(name, locs, seen[row : row + len(locs)], failed[row : row + len(locs)]))
        row += len(locs)
    return DaySummary(header["first_minute"], minutes, tuple(tests))


def _fixed_point(d: np.ndarray) -> int | None:
    """The smallest scale 10**k (k ≤ 3) at which every duration is a whole uint32 that reads back exactly."""
    if d.size and (np.signbit(d).any() or not np.isfinite(d).all()):
        return None
    for scale in (1, 10, 100, 1000):
        scaled = np.round(d * scale)
        if (d.size == 0 or scaled.max() < _U32) and np.array_equal(scaled / scale, d):
            return scale
    return None


def encode_load(day: LoadDay) -> bytes:
    """The load-time samples as bytes, lossless: uint32 fixed point (ms × 1, 10, 100 or 1000) when exact, else float64."""
    d = day.durations
    scale = _fixed_point(d)
    values = d.astype("<f8") if scale is None else np.round(d * scale).astype("<u4")
    header = {
        "first_minute": day.first_minute,
        "minutes": day.minutes,
        "dtype": "f8" if scale is None else "u4",
        "scale": scale or 1,
        "samples": int(d.size),
    }
    return _pack(header, day.counts.astype("<u4").tobytes(), values.tobytes())


def decode_load(blob: bytes) -> LoadDay:
    """The inverse of :func:`encode_load`."""
    header, body = _unpack(blob)
    minutes = header["minutes"]
    counts = np.frombuffer(body, dtype="<u4", count=minutes)
    values = np.frombuffer(body, dtype="<" + header["dtype"], count=header["samples"], offset=4 * minutes)
    durations = values.astype(np.float64)
    if header["dtype"] == "u4":
        durations = durations / header["scale"]
    return LoadDay(header["first_minute"], minutes, counts.astype(np.uint32), durations)


@dataclass(frozen=True)
class StoredDay:
    """An encoded :class:`DaySummary` as read from storage, decoded only when needed; ``digest`` names its content."""

    first_minute: int
    minutes: int
    digest: str
    blob: bytes

    def decode(self) -> DaySummary:
        """The summary (its header must agree with where it was stored)."""
        day = decode_day(self.blob)
        if (day.first_minute, day.minutes) != (self.first_minute, self.minutes):
            raise ValueError("a stored day summary does not belong to its day")
        return day

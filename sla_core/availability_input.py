"""Inputs of the availability figure: test results and exclusions (measurement §3, §7).

Results are rows of Application Insights' ``AppAvailabilityResults`` as a CSV
export with the header ``TimeGenerated,Name,Location,Success,DurationMs``.
Exclusions are a JSON list of ``{"start", "end", "reason"}`` objects (SLA §7.1:
causes not attributable to the supplier), with optional ``recorded_by`` and
``recorded_at``. Parsing is strict: an error names the line and the field.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sla_core.business_calendar import to_us
from sla_core.errors import InputError

CSV_HEADER = ("TimeGenerated", "Name", "Location", "Success", "DurationMs")
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(slots=True)
class TestResult:
    """One availability test result; ``at`` in µs since the epoch, duration in ms."""

    at: int
    name: str
    location: str
    success: bool
    duration_ms: float


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An interval ``[start, end)`` (µs) in which down time counts as available, with its reason."""

    start: int
    end: int
    reason: str
    start_text: str
    end_text: str
    recorded_by: str | None = None
    recorded_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The exclusion as evidence in a report."""
        data: dict[str, Any] = {"start": self.start_text, "end": self.end_text, "reason": self.reason}
        if self.recorded_by is not None:
            data["recorded_by"] = self.recorded_by
        if self.recorded_at is not None:
            data["recorded_at"] = self.recorded_at
        return data


def parse_instant(text: str, where: str, field: str) -> datetime:
    """An RFC 3339 / ISO 8601 instant with ``Z`` or an offset (up to 7 fraction digits, as KQL writes)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        try:  # KQL writes 7 fraction digits; Python reads at most 6
            value = datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", text.strip()))
        except ValueError as exc:
            raise InputError(f"{where}: field {field}: not an ISO 8601 timestamp: {text!r}", field=field) from exc
    if value.tzinfo is None:
        raise InputError(f"{where}: field {field}: timestamp without timezone (Z or offset): {text!r}", field=field)
    return value


# The common shape of a KQL stamp (UTC ``Z``, up to 9 fraction digits), read without ``datetime`` per row.
_ZULU = re.compile(r"(\d{4}-\d\d-\d\dT\d\d):([0-5]\d):([0-5]\d)(?:\.(\d{1,9}))?Z", re.ASCII)
_FLAGS = {"True": True, "False": False, "true": True, "false": False, "1": True, "0": False}


def _zulu_us(stamp: str, hours: dict[str, int]) -> int | None:
    """µs of a ``YYYY-MM-DDTHH:MM:SS[.f]Z`` stamp, as :func:`parse_instant` reads it (fraction truncated to µs).

    None for any other text (the full parser then decides). ``hours`` caches the µs of each UTC hour.
    """
    match = _ZULU.fullmatch(stamp)
    if match is None:
        return None
    hour, minute, second, fraction = match.groups()
    base = hours.get(hour)
    if base is None:
        try:
            base = hours[hour] = to_us(datetime.fromisoformat(hour + ":00:00+00:00"))
        except ValueError:
            return None  # no such date or hour
    micros = int(fraction[:6].ljust(6, "0")) if fraction else 0
    return base + (int(minute) * 60 + int(second)) * 1_000_000 + micros


def parse_results_csv(lines: Iterable[str], source: str) -> Iterator[TestResult]:
    """Parse a results CSV; the header must be exactly :data:`CSV_HEADER`.

    A row in the common shape (a KQL ``Z`` stamp, ``True``/``False``, a finite duration >= 0, names
    without surrounding spaces) takes a fast path; every other row is checked field by field.
    """
    numbered: Iterator[tuple[int, list[str]]]
    if not isinstance(lines, list) or any(
        '"' in line or "\x00" in line or "\r" in line or "\n" in line for line in lines
    ):
        reader = csv.reader(lines)
        numbered = ((reader.line_num, row) for row in reader)
    else:  # no quoting anywhere: csv would read every line as split on commas, one row a line
        numbered = ((number, line.split(",") if line else []) for number, line in enumerate(lines, start=1))
    header = next(numbered, (1, None))[1]
    if header is None or tuple(h.strip().lstrip("\ufeff") for h in header) != CSV_HEADER:
        raise InputError(f"{source}:1: header must be {','.join(CSV_HEADER)}")
    hours: dict[str, int] = {}
    names: dict[str, str] = {}  # each name once (they repeat on every row)
    for number, row in numbered:
        if len(row) == 5:
            stamp, name, location, success, duration = row
            flag = _FLAGS.get(success)
            at = _zulu_us(stamp, hours)
            try:
                duration_ms = float(duration)
            except ValueError:
                duration_ms = -1.0
            if (
                flag is not None
                and at is not None
                and 0 <= duration_ms < math.inf
                and name
                and location
                and not name[0].isspace()
                and not name[-1].isspace()
                and not location[0].isspace()
                and not location[-1].isspace()
            ):
                yield TestResult(
                    at, names.setdefault(name, name), names.setdefault(location, location), flag, duration_ms
                )
                continue
        where = f"{source}:{number}"
        if not row or row == [""]:
            continue
        if len(row) != len(CSV_HEADER):
            raise InputError(f"{where}: expected {len(CSV_HEADER)} columns, got {len(row)}")
        stamp, name, location, success, duration = row
        if not name.strip():
            raise InputError(f"{where}: field Name: empty", field="Name")
        if not location.strip():
            raise InputError(f"{where}: field Location: empty", field="Location")
        flag = success.strip().lower()
        if flag not in _TRUE and flag not in _FALSE:
            raise InputError(f"{where}: field Success: must be True or False, got {success!r}", field="Success")
        try:
            duration_ms = float(duration)
        except ValueError as exc:
            raise InputError(f"{where}: field DurationMs: not a number: {duration!r}", field="DurationMs") from exc
        if not math.isfinite(duration_ms) or duration_ms < 0:
            raise InputError(f"{where}: field DurationMs: must be a finite number >= 0", field="DurationMs")
        yield TestResult(
            at=to_us(parse_instant(stamp, where, "TimeGenerated")),
            name=name.strip(),
            location=location.strip(),
            success=flag in _TRUE,
            duration_ms=duration_ms,
        )


def parse_exclusions(data: Any, source: str) -> list[Exclusion]:
    """Validate a decoded exclusions JSON list; sorted by start."""
    if not isinstance(data, list):
        raise InputError(f"{source}: exclusions must be a JSON list of objects")
    result = []
    for index, item in enumerate(data):
        where = f"{source}: item {index}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: must be an object with start, end and reason")
        texts: dict[str, str] = {}
        for key in ("start", "end", "reason"):
            value = item.get(key)
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"{where}: field {key}: missing or not a non-empty string", field=key)
            texts[key] = value
        start = to_us(parse_instant(texts["start"], where, "start"))
        end = to_us(parse_instant(texts["end"], where, "end"))
        if end <= start:
            raise InputError(f"{where}: field end: must be after start", field="end")
        optional = {k: item.get(k) for k in ("recorded_by", "recorded_at")}
        for key, value in optional.items():
            if value is not None and not isinstance(value, str):
                raise InputError(f"{where}: field {key}: must be a string", field=key)
        result.append(Exclusion(start, end, texts["reason"], texts["start"], texts["end"], **optional))
    return sorted(result, key=lambda e: (e.start, e.end))


def load_exclusions_text(text: str, source: str) -> list[Exclusion]:
    """Parse an exclusions JSON document."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
    return parse_exclusions(data, source)

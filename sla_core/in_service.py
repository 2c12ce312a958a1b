"""Availability tests in service per period (measurement §8.7, SLA §7.1).

The contract may list the availability tests with the period each one is in
service: ``name``, ``from`` (inclusive) and ``until`` (exclusive; absent: still
in service). Both are RFC 3339 instants with an explicit offset (measurement
§8.2): a test goes into or out of service at a moment (a deployment), the
offset makes the instant mean the same whatever the contract's timezone, and
it is the one instant format the project accepts.

A slot is judged over the tests in service **at the slot's start** (the start
of the epoch-aligned slot, ``index × slot``). A period whose bounds do not lie
on slot boundaries therefore counts from the first slot that starts at or after
``from`` up to the first slot that starts at or after ``until``: in slot
indices ``[ceil(from / slot), ceil(until / slot))``. Results of listed tests
outside those slots, and every result of an unlisted test, are ignored.

Pure: no I/O, no clock. Instants in µs since the Unix epoch.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from sla_core.instants import InstantError, parse_rfc3339

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def _us(text: str) -> int:
    return (parse_rfc3339(text) - _EPOCH) // _US


def _checked(text: str) -> int:
    """µs of an RFC 3339 instant; ValueError (for pydantic) naming the accepted form, also for a date alone."""
    try:
        return _us(text)
    except InstantError as exc:
        hint = ""
        if isinstance(text, str) and len(text) == 10 and text[4:5] == "-":
            hint = f" (a date alone is refused: for local midnight write e.g. {text}T00:00:00+01:00)"
        raise ValueError(f"{exc}{hint}") from None


class ListedTest(BaseModel):
    """One availability test of the contract and its period in service ``[from, until)`` (measurement §8.7).

    ``name`` is compared exactly with the results' ``Name`` (which is read trimmed). ``from`` and
    ``until`` are kept as written (RFC 3339 with an offset); :attr:`start_us` / :attr:`end_us` give µs.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, validate_by_name=False, validate_by_alias=True, serialize_by_alias=True
    )

    name: str = Field(min_length=1, max_length=200, description="The test's Name in AppAvailabilityResults.")
    from_: str = Field(alias="from", description="In service from this instant on (inclusive), RFC 3339.")
    until: str | None = Field(
        default=None, description="Out of service from this instant on (exclusive); absent: still in service."
    )

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if value != value.strip():
            raise ValueError("a test name may not start or end with spaces (results' names are compared trimmed)")
        if any(unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff" for c in value):
            raise ValueError("a test name may not hold control characters")
        return value

    @field_validator("from_")
    @classmethod
    def _instant(cls, value: str) -> str:
        _checked(value)
        return value

    @field_validator("until")
    @classmethod
    def _after_from(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        end = _checked(value)
        start = info.data.get("from_")
        if start is not None and end <= _us(start):
            raise ValueError(f"until {value} must be after from {start}")
        return value

    @property
    def start_us(self) -> int:
        """``from`` in µs since the epoch."""
        return _us(self.from_)

    @property
    def end_us(self) -> int | None:
        """``until`` in µs since the epoch; None while still in service."""
        return None if self.until is None else _us(self.until)


def check_listed(tests: Sequence[ListedTest]) -> None:
    """A list names each test once and at least one test (leave the list out to count every test seen)."""
    if not tests:
        raise ValueError("the list of tests may not be empty (leave it out to count every test seen, §3)")
    seen: set[str] = set()
    for test in tests:
        if test.name in seen:
            raise ValueError(f"test {test.name!r} is listed twice (one period per test)")
        seen.add(test.name)


def slots_in_service(tests: Sequence[ListedTest], slot_us: int, first: int, last: int) -> dict[str, tuple[int, int]]:
    """Per listed test, the slot indices ``[lo, hi)`` within ``[first, last)`` whose start it is in service at.

    Tests in service in no slot of ``[first, last)`` are left out.
    """
    spans: dict[str, tuple[int, int]] = {}
    for test in tests:
        lo = max(first, -(-test.start_us // slot_us))
        end = test.end_us
        hi = last if end is None else min(last, -(-end // slot_us))
        if lo < hi:
            spans[test.name] = (lo, hi)
    return spans

"""Availability (SLA §7.1, measurement §3) and load time (SLA §7.2.4, measurement §4) of a period.

Time is cut into slots of ``slot_minutes`` aligned to the Unix epoch (UTC).
For one test and one slot a location *failed* when any of its results in the
slot failed; the test is *down* when at least ``min(min_failed_locations, L)``
locations failed (L: distinct locations seen for the test in the period),
*unknown* without any result, else *up*. The service is down when any test is
down, up when every test is up, else unknown. With the contract's list of
tests (measurement §8.7, :mod:`sla_core.in_service`) "every test" is every
listed test in service at the slot's start (none: unknown) and other results
are ignored. Only service-hours time counts:

* ``scheduled`` = service-hours minutes of the period,
* ``unknown``   = service-hours minutes in unknown slots,
* ``down``      = service-hours minutes in down slots outside exclusions,
* availability  = (scheduled − unknown − down) / (scheduled − unknown) × 100,
  None when the denominator is 0. Coverage = 1 − unknown / scheduled.

Slots are clipped to the period ``[start, end)``; all instants in µs.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sla_core.availability_input import Exclusion, TestResult
from sla_core.business_calendar import US_PER_MINUTE, BusinessCalendar
from sla_core.contract import AvailabilityRule, LoadTimeRule
from sla_core.in_service import slots_in_service


@dataclass(frozen=True, slots=True)
class DownPeriod:
    """Consecutive down slots: ``[start, end)`` µs, the counted and excluded service-hours minutes, tests down."""

    start: int
    end: int
    counted_minutes: float
    excluded_minutes: float
    tests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AvailabilityFigures:
    """Minutes of a period and the resulting percentage (unrounded)."""

    scheduled_minutes: float
    unknown_minutes: float
    down_minutes: float
    excluded_minutes: float
    tests: tuple[str, ...] = ()
    down_periods: tuple[DownPeriod, ...] = field(default=())
    ignored_tests: tuple[str, ...] = ()  # unlisted tests whose results were ignored (measurement §8.7)

    @property
    def value(self) -> float | None:
        """Availability in percent; None when nothing was measured."""
        measured = self.scheduled_minutes - self.unknown_minutes
        if measured <= 0:
            return None
        return (measured - self.down_minutes) / measured * 100.0

    @property
    def coverage(self) -> float | None:
        """Measured share of the service hours, in percent; None without service hours."""
        if self.scheduled_minutes <= 0:
            return None
        return (1.0 - self.unknown_minutes / self.scheduled_minutes) * 100.0

    def __add__(self, other: AvailabilityFigures) -> AvailabilityFigures:
        """Sum of minutes (trailing periods are aggregated from minutes, never from percentages)."""
        return AvailabilityFigures(
            scheduled_minutes=self.scheduled_minutes + other.scheduled_minutes,
            unknown_minutes=self.unknown_minutes + other.unknown_minutes,
            down_minutes=self.down_minutes + other.down_minutes,
            excluded_minutes=self.excluded_minutes + other.excluded_minutes,
        )


ZERO = AvailabilityFigures(0.0, 0.0, 0.0, 0.0)


def _union(exclusions: Sequence[Exclusion]) -> list[tuple[int, int]]:
    """The exclusions as sorted, disjoint intervals (overlaps merged: a minute is excluded once)."""
    merged: list[tuple[int, int]] = []
    for exclusion in sorted(exclusions, key=lambda e: e.start):
        if merged and exclusion.start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], exclusion.end))
        else:
            merged.append((exclusion.start, exclusion.end))
    return merged


def _overlap_business(calendar: BusinessCalendar, a: int, b: int, excluded: Sequence[tuple[int, int]]) -> int:
    total = 0
    for start, end in excluded:
        if start >= b:
            break
        lo, hi = max(a, start), min(b, end)
        if hi > lo:
            total += calendar.business_us(lo, hi)
    return total


def _runs(indices: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive slot indices as ``[first, last + 1)`` runs."""
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


@dataclass(frozen=True, slots=True)
class SlotStates:
    """Service state per slot of a period: the down slots (with the tests down) and the unknown slots.

    ``tests``: the tests judged (without a contract list: every test seen; with one: the listed tests in
    service in a slot of the period); ``ignored``: unlisted tests whose results were ignored (§8.7).
    """

    start: int
    end: int
    slot: int  # slot length, µs
    tests: tuple[str, ...]
    down: dict[int, tuple[str, ...]]
    unknown: tuple[int, ...]
    ignored: tuple[str, ...] = ()

    def bounds(self, index: int) -> tuple[int, int]:
        """The slot ``index`` clipped to the period, µs."""
        return max(index * self.slot, self.start), min((index + 1) * self.slot, self.end)

    def within(self, start: int, end: int) -> SlotStates:
        """The states of the sub-period ``[start, end)`` (slots clipped to it), e.g. one local day."""
        lo, hi = max(start, self.start), min(end, self.end)
        first, last = lo // self.slot, -(-hi // self.slot)  # slot indices overlapping [lo, hi)
        unknown = self.unknown[bisect_left(self.unknown, first) : bisect_left(self.unknown, last)]
        down = {i: tests for i, tests in self.down.items() if first <= i < last}
        return SlotStates(lo, hi, self.slot, self.tests, down, unknown, self.ignored)


def slot_states(results: Iterable[TestResult], start: int, end: int, rule: AvailabilityRule) -> SlotStates:
    """Classify every slot of ``[start, end)`` from the results inside it (independent of service hours).

    With the contract's list of tests (measurement §8.7) a slot is judged over the tests in service at its
    start (:mod:`sla_core.in_service`); a slot with none is unknown; other results are ignored.
    """
    slot = rule.slot_minutes * US_PER_MINUTE
    first_slot, last_slot = start // slot, -(-end // slot)
    spans = None if rule.tests is None else slots_in_service(rule.tests, slot, first_slot, last_slot)
    listed = frozenset(t.name for t in rule.tests or ())
    ignored: set[str] = set()
    seen: dict[str, set[int]] = defaultdict(set)
    failed: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    locations: dict[str, set[str]] = defaultdict(set)
    for result in results:
        if start <= result.at < end:
            index = result.at // slot
            if spans is not None:
                span = spans.get(result.name)
                if span is None or not span[0] <= index < span[1]:
                    if result.name not in listed:
                        ignored.add(result.name)
                    continue
            seen[result.name].add(index)
            locations[result.name].add(result.location)
            if not result.success:
                failed[result.name][index].add(result.location)
    tests = tuple(sorted(seen if spans is None else spans))
    down: dict[int, list[str]] = defaultdict(list)
    for name in tests:  # a listed test without results has no failed slot: never down
        quorum = min(rule.min_failed_locations, len(locations[name]))
        for index, where in failed[name].items():
            if len(where) >= quorum:
                down[index].append(name)
    if spans is None:
        unknown = tuple(
            index
            for index in range(first_slot, last_slot)
            if index not in down and (not tests or any(index not in seen[t] for t in tests))
        )
    else:
        unknown = tuple(
            index
            for index in range(first_slot, last_slot)
            if index not in down and not _all_reported(index, spans, seen)
        )
    return SlotStates(
        start, end, slot, tests, {i: tuple(t) for i, t in sorted(down.items())}, unknown, tuple(sorted(ignored))
    )


def _all_reported(index: int, spans: dict[str, tuple[int, int]], seen: dict[str, set[int]]) -> bool:
    """Some listed test is in service at slot ``index`` and every one in service reported in it."""
    in_service = [name for name, (lo, hi) in spans.items() if lo <= index < hi]
    return bool(in_service) and all(index in seen[name] for name in in_service)


def figures(
    states: SlotStates, calendar: BusinessCalendar, exclusions: Sequence[Exclusion] = ()
) -> AvailabilityFigures:
    """Service-hours minutes of a period's slot states, with exclusions applied to down time."""
    excluded_intervals = _union(exclusions)
    unknown = sum(
        calendar.business_us(states.bounds(first)[0], states.bounds(last - 1)[1])
        for first, last in _runs(states.unknown)
    )
    down = excluded = 0
    periods: list[DownPeriod] = []
    for index, tests in states.down.items():
        a, b = states.bounds(index)
        in_hours = calendar.business_us(a, b)
        kept_out = _overlap_business(calendar, a, b, excluded_intervals)
        down += in_hours - kept_out
        excluded += kept_out
        _extend(periods, a, b, (in_hours - kept_out) / US_PER_MINUTE, kept_out / US_PER_MINUTE, tests)
    return AvailabilityFigures(
        scheduled_minutes=calendar.business_us(states.start, states.end) / US_PER_MINUTE,
        unknown_minutes=unknown / US_PER_MINUTE,
        down_minutes=down / US_PER_MINUTE,
        excluded_minutes=excluded / US_PER_MINUTE,
        tests=states.tests,
        down_periods=tuple(periods),
        ignored_tests=states.ignored,
    )


def _extend(periods: list[DownPeriod], a: int, b: int, counted: float, kept_out: float, tests: tuple[str, ...]) -> None:
    if periods and periods[-1].end == a:
        last = periods[-1]
        periods[-1] = DownPeriod(
            last.start,
            b,
            last.counted_minutes + counted,
            last.excluded_minutes + kept_out,
            tuple(sorted(set(last.tests) | set(tests))),
        )
    else:
        periods.append(DownPeriod(a, b, counted, kept_out, tests))


@dataclass(frozen=True, slots=True)
class LoadTimeFigures:
    """Share (percent) of successful in-hours results within the target, and the percentile in seconds."""

    target_seconds: float
    samples: int
    within: int
    percentile_seconds: float | None

    @property
    def value(self) -> float | None:
        """Percent of samples at or under the target; None without samples."""
        return None if self.samples == 0 else self.within / self.samples * 100.0


def load_time(
    results: Iterable[TestResult], start: int, end: int, rule: LoadTimeRule, calendar: BusinessCalendar
) -> LoadTimeFigures:
    """Load time over successful results inside service hours in ``[start, end)``.

    The percentile is the nearest-rank one: the ``ceil(p/100 × n)``-th smallest duration.
    """
    durations = sorted(r.duration_ms for r in results if r.success and start <= r.at < end and calendar.is_open(r.at))
    within = sum(1 for d in durations if d <= rule.target_ms)
    percentile = None
    if durations:
        rank = max(math.ceil(rule.percentile / 100.0 * len(durations)), 1)
        percentile = durations[rank - 1] / 1000.0
    return LoadTimeFigures(rule.target_ms / 1000.0, len(durations), within, percentile)

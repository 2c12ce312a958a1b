"""Availability results summarised once per local day (measurement §3, §4), and the month computed from summaries.

A month's availability and load time need far less than its ~130,000 result
rows. Per local day ``[local midnight, next local midnight)`` this module keeps,
at a resolution of **one minute** (epoch minutes: slots are aligned to the
epoch and every slot length divides 60, and every local midnight and every
service-hours boundary ``HH:MM`` is a whole UTC minute):

* :class:`DaySummary` — per test, the locations that reported that day and,
  per location and minute, whether it reported (``seen``) and whether any of
  its results failed (``failed``). For any ``slot_minutes`` the slot's
  "location failed" / "test reported" follow by OR-ing the slot's minutes; the
  month's L (distinct locations per test, for the ``min(min_failed_locations,
  L)`` quorum) is the union of the days' location lists.
* :class:`LoadDay` — the successful results' ``DurationMs`` per minute (count
  per minute, durations grouped by minute). Which minutes lie inside service
  hours depends on the tenant's calendar, so the samples keep their minute;
  the durations are kept exactly (uint32 fixed point when every value reads
  back exactly at 1, 0.1, 0.01 or 0.001 ms, else float64), so the month's share within target and its nearest-rank
  percentile are exact, not estimated.

The records and their compact binary form live in :mod:`sla_core.day_summary`.
:class:`SummarisedAvailability` turns the days of a
period into :class:`~sla_core.availability.SlotStates` (vectorised with numpy)
and :class:`~sla_core.availability.LoadTimeFigures` — the same objects the raw
rows give, so the report computed from summaries equals the one from rows,
also with the contract's list of tests in service (measurement §8.7): the
summaries keep every test; the list is applied when a period is judged.
Pure: no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from datetime import date

import numpy as np

from sla_core.availability import LoadTimeFigures, SlotStates
from sla_core.availability_input import TestResult
from sla_core.business_calendar import US_PER_MINUTE, BusinessCalendar
from sla_core.contract import AvailabilityRule, LoadTimeRule
from sla_core.day_summary import DaySummary, LoadDay, StoredDay, TestDay
from sla_core.in_service import slots_in_service

MEMO_LIMIT = 64  # months of slot states kept by a memo (a few KB each)


def _minute_range(start_us: int, end_us: int) -> tuple[int, int]:
    if start_us % US_PER_MINUTE or end_us % US_PER_MINUTE or end_us <= start_us:
        raise ValueError("a summarised period must start and end on whole minutes")
    return start_us // US_PER_MINUTE, end_us // US_PER_MINUTE


def summarise_day(results: Iterable[TestResult], start_us: int, end_us: int) -> tuple[DaySummary, LoadDay]:
    """Summaries of the results inside ``[start_us, end_us)`` (a local day); others are ignored."""
    first, last = _minute_range(start_us, end_us)
    minutes = last - first
    rows = [r for r in results if start_us <= r.at < end_us]
    locations: dict[str, set[str]] = {}
    for r in rows:
        locations.setdefault(r.name, set()).add(r.location)
    index = {name: {loc: i for i, loc in enumerate(sorted(locs))} for name, locs in locations.items()}
    seen = {name: np.zeros((len(locs), minutes), dtype=bool) for name, locs in index.items()}
    failed = {name: np.zeros((len(locs), minutes), dtype=bool) for name, locs in index.items()}
    load: list[tuple[int, float]] = []
    for r in rows:
        minute = r.at // US_PER_MINUTE - first
        row = index[r.name][r.location]
        seen[r.name][row, minute] = True
        if r.success:
            load.append((minute, r.duration_ms))
        else:
            failed[r.name][row, minute] = True
    tests = tuple(TestDay(name, tuple(sorted(locations[name])), seen[name], failed[name]) for name in sorted(locations))
    load.sort()
    counts = np.bincount(np.asarray([m for m, _ in load], dtype=np.int64), minlength=minutes).astype(np.uint32)
    durations = np.asarray([d for _, d in load], dtype=np.float64)
    return DaySummary(first, minutes, tests), LoadDay(first, minutes, counts, durations)


def _judged(
    locations: Mapping[str, set[str]], rule: AvailabilityRule, base: int, slots: int
) -> tuple[list[str], tuple[str, ...], np.ndarray | None]:
    """The tests judged, the unlisted ones ignored, and (with a contract list) in service per slot (§8.7)."""
    if rule.tests is None:
        return sorted(locations), (), None
    spans = slots_in_service(rule.tests, rule.slot_minutes * US_PER_MINUTE, base, base + slots)
    listed = {t.name for t in rule.tests}
    names = sorted(spans)
    in_service = np.zeros((len(names), slots), dtype=bool)
    for t, name in enumerate(names):
        lo, hi = spans[name]
        in_service[t, lo - base : hi - base] = True
    return names, tuple(sorted(n for n in locations if n not in listed)), in_service


def _per_slot(bits: np.ndarray, slots: int, size: int) -> np.ndarray:
    """OR of each run of ``size`` minutes, shape ``(rows, slots)`` (a loop over strided views: ~8× ``any(axis)``)."""
    view = bits.reshape(bits.shape[0], slots, size)
    result = view[:, :, 0].copy()
    for k in range(1, size):
        result |= view[:, :, k]
    return result


class SummarisedAvailability:
    """The availability input of a report from day summaries: slot states and load time of any period.

    ``days`` / ``load_days`` may come in any order and cover any local days;
    a period uses the days whose minutes lie inside it (a day without a
    summary has no results: its slots are unknown). ``fingerprint``
    identifies the stored summaries (for a report's inputs fingerprint).
    """

    def __init__(
        self,
        days: Iterable[DaySummary | StoredDay],
        load_days: Iterable[LoadDay] = (),
        fingerprint: str = "",
        covered: Iterable[date] = (),
        memo: MutableMapping[tuple, SlotStates] | None = None,
        digests: Mapping[date, str] | None = None,
        load_digests: Mapping[date, str] | None = None,
    ) -> None:
        self._days = sorted(days, key=lambda d: d.first_minute)
        self._load = sorted(load_days, key=lambda d: d.first_minute)
        self.fingerprint = fingerprint
        self.covered = frozenset(covered)  # the local dates of ``days`` (as the reader knows them)
        self.digests = dict(digests or {})  # local date -> content digest of its availability summary (as stored)
        self.load_digests = dict(load_digests or {})  # local date -> content digest of its load-time samples read
        # Slot states by (period, rule, the days' digests): the platform's months are the same for every
        # tenant, so a worker computes each once. A memo of a pure function: results are unchanged.
        self._memo = memo

    def with_load(self, load_days: Iterable[LoadDay], load_digests: Mapping[date, str]) -> SummarisedAvailability:
        """The same availability with more load-time days (e.g. of earlier months read later)."""
        return SummarisedAvailability(
            self._days,
            [*self._load, *load_days],
            self.fingerprint,
            self.covered,
            self._memo,
            self.digests,
            {**self.load_digests, **load_digests},
        )

    @staticmethod
    def _inside(days: Sequence[DaySummary] | Sequence[LoadDay], first: int, last: int) -> list:
        return [d for d in days if first <= d.first_minute and d.first_minute + d.minutes <= last]

    def slot_states(self, start: int, end: int, rule: AvailabilityRule) -> SlotStates:
        """Slot states of ``[start, end)`` µs (measurement §3), equal to ``slot_states`` over the days' rows."""
        first, last = _minute_range(start, end)
        inside = self._inside(self._days, first, last)
        key = None
        if self._memo is not None and all(isinstance(d, StoredDay) for d in inside):
            digests = tuple(d.digest for d in inside)
            key = (start, end, rule.slot_minutes, rule.min_failed_locations, rule.tests, digests)
            if key in self._memo:
                return self._memo[key]
        states = self._slot_states([d.decode() if isinstance(d, StoredDay) else d for d in inside], first, last, rule)
        if key is not None and self._memo is not None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = states
        return states

    @staticmethod
    def _slot_states(days: list[DaySummary], first: int, last: int, rule: AvailabilityRule) -> SlotStates:
        span, size = last - first, rule.slot_minutes
        locations: dict[str, set[str]] = {}
        for day in days:
            for test in day.tests:
                locations.setdefault(test.name, set()).update(test.locations)
        lead = first % size
        slots = -(-(lead + span) // size)
        base = first // size
        names, ignored, in_service = _judged(locations, rule, base, slots)
        down = np.zeros((len(names), slots), dtype=bool)
        reported = np.zeros((len(names), slots), dtype=bool)
        for t, name in enumerate(names):
            where = {loc: i for i, loc in enumerate(sorted(locations.get(name, ())))}
            seen = np.zeros((len(where), slots * size), dtype=bool)
            failed = np.zeros_like(seen)
            for day in days:
                offset = lead + day.first_minute - first
                for test in day.tests:
                    if test.name == name:
                        rows = [where[loc] for loc in test.locations]
                        seen[rows, offset : offset + day.minutes] = test.seen
                        failed[rows, offset : offset + day.minutes] = test.failed
            slot_seen, slot_failed = _per_slot(seen, slots, size), _per_slot(failed, slots, size)
            located = len(where)
            if in_service is not None:  # only the slots the listed test is in service in count (§8.7)
                slot_seen &= in_service[t]
                slot_failed &= in_service[t]
                located = int(slot_seen.any(axis=1).sum())
            quorum = max(min(rule.min_failed_locations, located), 1)  # no results: never down
            down[t] = slot_failed.sum(axis=0) >= quorum
            reported[t] = slot_seen.any(axis=0)
        any_down = down.any(axis=0)
        if in_service is None:
            unknown = ~any_down & (~reported.all(axis=0) if names else True)
        else:
            judged = in_service.any(axis=0) & ~(in_service & ~reported).any(axis=0)
            unknown = ~any_down & ~judged
        down_map = {
            int(i) + base: tuple(names[t] for t in np.flatnonzero(down[:, i])) for i in np.flatnonzero(any_down)
        }
        unknown_idx = tuple((np.flatnonzero(unknown) + base).tolist())
        start, end = first * US_PER_MINUTE, last * US_PER_MINUTE
        return SlotStates(start, end, size * US_PER_MINUTE, tuple(names), down_map, unknown_idx, ignored)

    def load_time(self, start: int, end: int, rule: LoadTimeRule, calendar: BusinessCalendar) -> LoadTimeFigures:
        """Load time of ``[start, end)`` µs (measurement §4): successful in-hours samples, nearest-rank percentile."""
        first, last = _minute_range(start, end)
        days = self._inside(self._load, first, last)
        hours = calendar.intervals(start, end)
        if any(a % US_PER_MINUTE or b % US_PER_MINUTE for a, b in hours):
            raise ValueError("service hours must start and end on whole minutes")
        opens = np.asarray([a // US_PER_MINUTE for a, _ in hours], dtype=np.int64)
        closes = np.asarray([b // US_PER_MINUTE for _, b in hours], dtype=np.int64)
        picked = []
        for day in days:
            minute = day.first_minute + np.arange(day.minutes, dtype=np.int64)
            i = np.searchsorted(opens, minute, side="right") - 1
            inside = (i >= 0) & (minute < closes[np.maximum(i, 0)]) if opens.size else np.zeros(day.minutes, bool)
            picked.append(day.durations[np.repeat(inside, day.counts)])
        durations = np.concatenate(picked) if picked else np.zeros(0)
        n = int(durations.size)
        within = int(np.count_nonzero(durations <= rule.target_ms))
        percentile = None
        if n:
            rank = max(math.ceil(rule.percentile / 100.0 * n), 1)
            percentile = float(np.partition(durations, rank - 1)[rank - 1]) / 1000.0
        return LoadTimeFigures(rule.target_ms / 1000.0, n, within, percentile)

"""Business durations: our calendar index against ``businesstimedelta``.

Intervals: start uniformly random over the local year 2026 (Europe/Amsterdam),
length uniformly random from 0 up to 20 days, both in whole seconds (fixed
seed). Whole seconds, because ``businesstimedelta`` drops the microseconds of
its result (``BusinessTimeDelta(hours=days*24, seconds=seconds)``); with them
the comparison would report differences that are its rounding, not its rules.

* Ours: :meth:`BusinessCalendar.business_us` on µs instants, for all
  intervals. The calendar is built and its index warmed outside the timing;
  the index build time is reported on a line of its own. The timing is the
  median of a few passes.
* Theirs: ``Rules([WorkDayRule(07:00–19:00, Mon–Fri, Europe/Amsterdam),
  HolidayRule(Atw holidays 2026 and 2027)]).difference(start, end)`` on aware
  datetimes, for a subset (it does a few hundred a second): each interval
  once, in slices that alternate with our passes. The holidays are given as a
  dict, so its ``date in holidays`` test is a hash lookup, not a list scan.

The last line printed is ``business_duration_speedup: <ratio>x``, the ratio of
their per-interval time to ours.
"""

from __future__ import annotations

import random
import statistics
import time as clock
from datetime import datetime, time, timedelta

import pytz
from businesstimedelta import HolidayRule, Rules, WorkDayRule

from benchmarks import SEED, verdict
from sla_core.business_calendar import US_PER_SECOND, BusinessCalendar, from_us, to_us
from sla_core.contract import default_contract
from sla_core.holidays_nl import atw_holidays

FULL = {"intervals": 100_000, "subset": 2_000}
QUICK = {"intervals": 10_000, "subset": 200}
MAX_LENGTH_S = 20 * 24 * 3600
PASSES = 5
TARGET_SPEEDUP = 1_000.0
US_PER_HOUR = 3600 * US_PER_SECOND


def random_intervals(count: int, seed: int = SEED) -> list[tuple[int, int]]:
    """``count`` intervals ``(a, b)`` in µs: start uniform over local 2026, length uniform in [0, 20 days]."""
    zone = default_contract().zone
    year_start = to_us(datetime(2026, 1, 1, tzinfo=zone)) // US_PER_SECOND
    year_seconds = to_us(datetime(2027, 1, 1, tzinfo=zone)) // US_PER_SECOND - year_start
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        a = year_start + rng.randrange(year_seconds)
        b = a + rng.randint(0, MAX_LENGTH_S)
        pairs.append((a * US_PER_SECOND, b * US_PER_SECOND))
    return pairs


def their_rules() -> Rules:
    """The same service hours in businesstimedelta: 07:00–19:00 Mon–Fri local, minus the Atw holidays."""
    tz = pytz.timezone("Europe/Amsterdam")
    workday = WorkDayRule(start_time=time(7), end_time=time(19), working_days=[0, 1, 2, 3, 4], tz=tz)
    holidays = HolidayRule({**atw_holidays(2026), **atw_holidays(2027)}, tz=tz)
    return Rules([workday, holidays])


def _theirs_us(rules: Rules, start: datetime, end: datetime) -> int:
    return rules.difference(start, end).timedelta // timedelta(microseconds=1)


def _hand_checks(calendar: BusinessCalendar, rules: Rules) -> list[str]:
    """Weekends with a DST change, computed by hand: Fri 18:00 → Mon 08:00 is 1 h + 1 h."""
    tz = pytz.timezone("Europe/Amsterdam")
    lines = []
    for friday, monday, change in (
        ((2026, 3, 27), (2026, 3, 30), "spring, 29 Mar"),
        ((2026, 10, 23), (2026, 10, 26), "autumn, 25 Oct"),
    ):
        a = datetime(*friday, 18, tzinfo=calendar.zone)
        b = datetime(*monday, 8, tzinfo=calendar.zone)
        wall_h = (to_us(b) - to_us(a)) / US_PER_HOUR
        ours_h = calendar.business_us(to_us(a), to_us(b)) / US_PER_HOUR
        theirs_h = _theirs_us(rules, a.astimezone(tz), b.astimezone(tz)) / US_PER_HOUR
        ok = ours_h == theirs_h == 2.0
        lines.append(
            f"  hand check, DST {change}: Fri 18:00 → Mon 08:00 ({wall_h:g} h wall) = 2 h expected; "
            f"ours {ours_h:g} h, businesstimedelta {theirs_h:g} h  {verdict(ok)}"
        )
    return lines


def run(quick: bool = False) -> float:
    """Run the benchmark, print its lines and return the speedup."""
    sizes = QUICK if quick else FULL
    pairs = random_intervals(sizes["intervals"])
    print(f"== calendar: business durations, {len(pairs):,} random intervals (2026, up to 20 days) ==")

    started = clock.perf_counter()
    calendar = BusinessCalendar.from_contract(default_contract())
    calendar.ensure_covers(min(a for a, _ in pairs), max(b for _, b in pairs))
    build_s = clock.perf_counter() - started
    print(f"  index build: from_contract + ensure_covers  {build_s * 1e3:10.1f} ms (not in the timings)")

    rules = their_rules()
    tz = pytz.timezone("Europe/Amsterdam")
    subset = pairs[: sizes["subset"]]
    aware = [(from_us(a, calendar.zone).astimezone(tz), from_us(b, calendar.zone).astimezone(tz)) for a, b in subset]

    # Our passes alternate with slices of theirs, so that a slow spell of a
    # shared machine falls on both sides of the ratio alike.
    business_us = calendar.business_us
    difference = rules.difference
    for a, b in pairs[:1_000]:  # warm-up, untimed
        business_us(a, b)
    passes: list[float] = []
    theirs: list = []
    theirs_s = 0.0
    step = -(-len(aware) // PASSES)
    for k in range(PASSES):
        started = clock.perf_counter()
        ours = [business_us(a, b) for a, b in pairs]
        passes.append(clock.perf_counter() - started)
        chunk = aware[k * step : (k + 1) * step]
        started = clock.perf_counter()
        theirs += [difference(a, b) for a, b in chunk]
        theirs_s += clock.perf_counter() - started
    scalar_per_us = statistics.median(passes) / len(pairs) * 1e6
    theirs_per_us = theirs_s / len(aware) * 1e6
    starts, ends = [a for a, _ in pairs], [b for _, b in pairs]
    calendar.business_durations(starts[:1_000], ends[:1_000])  # warm-up, untimed
    vector_passes = []
    for _ in range(PASSES):
        started = clock.perf_counter()
        vectorised = calendar.business_durations(starts, ends)
        vector_passes.append(clock.perf_counter() - started)
    ours_per_us = statistics.median(vector_passes) / len(pairs) * 1e6
    same = vectorised.tolist() == ours
    print(
        f"  ours, one at a time: business_us           {scalar_per_us:10.3f} µs/interval "
        f"(median of {PASSES} passes over {len(pairs):,}; best {min(passes) / len(pairs) * 1e6:.3f}; "
        f"{theirs_per_us / scalar_per_us:,.0f}x)"
    )
    print(
        f"  ours, vectorised: business_durations       {ours_per_us:10.3f} µs/interval "
        f"(median of {PASSES} passes over {len(pairs):,} at once; equal to one at a time: {verdict(same)})"
    )
    print(
        f"  businesstimedelta: Rules.difference      {theirs_per_us:10.1f} µs/interval "
        f"(the first {len(aware):,} intervals once: {theirs_s:.2f} s)"
    )

    mismatches = [i for i, delta in enumerate(theirs) if delta.timedelta != timedelta(microseconds=ours[i])]
    across_dst = sum(1 for a, b in aware if a.utcoffset() != b.utcoffset())
    print(
        f"  agreement on the subset: {len(mismatches)} mismatches of {len(subset):,} "
        f"({across_dst} intervals span a DST change)  {verdict(not mismatches)}"
    )
    for i in mismatches[:10]:
        a, b = aware[i]
        print(
            f"    {a.isoformat()} → {b.isoformat()}: ours {ours[i] / US_PER_HOUR:.6f} h, "
            f"businesstimedelta {theirs[i].timedelta / timedelta(hours=1):.6f} h"
        )
    for line in _hand_checks(calendar, rules):
        print(line)

    speedup = theirs_per_us / ours_per_us
    print(f"  target: speedup >= {TARGET_SPEEDUP:,.0f}x  {verdict(speedup >= TARGET_SPEEDUP)}")
    print(f"business_duration_speedup: {speedup:.1f}x")
    return speedup

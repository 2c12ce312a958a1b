"""Differential test: business durations against the `businesstimedelta` package.

Rule (docs/measurement.md §1): "Default: working days 07:00–19:00 local time"
and "A working day (Werkdag) is Monday–Friday except the public holidays of
art. 3 of the Algemene termijnenwet". `businesstimedelta` is an independent
implementation of the same clock: a `WorkDayRule` 07:00–19:00 Monday–Friday in
Europe/Amsterdam (pytz) and a `HolidayRule` with the same Atw dates. Over ~300
seeded random intervals across 2026 (both DST changes, all holidays) both must
agree to the second.

`businesstimedelta` drops microseconds, so the intervals use whole seconds.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest
import pytz
from businesstimedelta import HolidayRule, Rules, WorkDayRule

from sla_core.business_calendar import US_PER_SECOND, to_us
from sla_core.holidays_nl import atw_holidays
from tests.support.core import default_calendar

AMSTERDAM_PYTZ = pytz.timezone("Europe/Amsterdam")
ATW_DATES = sorted(day for year in (2025, 2026, 2027) for day in atw_holidays(year))
REFERENCE = Rules(
    [
        WorkDayRule(start_time=time(7), end_time=time(19), working_days=[0, 1, 2, 3, 4], tz=AMSTERDAM_PYTZ),
        HolidayRule(ATW_DATES, tz=AMSTERDAM_PYTZ),
    ]
)

YEAR_START = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)  # 2026-01-01 00:00 local
YEAR_SECONDS = 365 * 24 * 3600


def _random_intervals(seed: int, count: int) -> list[tuple[datetime, datetime]]:
    """Seeded intervals in 2026: short ones (hours), medium (days) and long (weeks); whole seconds."""
    rng = random.Random(seed)
    pairs = []
    for index in range(count):
        start = YEAR_START + timedelta(seconds=rng.randrange(YEAR_SECONDS))
        if index % 10 == 0:  # start on the hour, so 07:00 and 19:00 are hit exactly
            start = start.replace(minute=0, second=0)
        span = rng.choice((3 * 3600, 2 * 86400, 20 * 86400))
        end = start + timedelta(seconds=rng.randrange(span + 1))
        pairs.append((start, end))
    return pairs


INTERVALS = _random_intervals(seed=20260327, count=300)
LANDMARKS = [
    # around the holidays and DST changes of 2026 (local times, converted by pytz)
    ("2026-03-27 17:00", "2026-03-30 09:00"),
    ("2026-10-23 18:30", "2026-10-26 08:30"),
    ("2026-04-02 12:00", "2026-04-07 12:00"),
    ("2026-04-24 18:00", "2026-04-28 08:00"),
    ("2026-05-04 18:00", "2026-05-06 08:00"),
    ("2026-05-13 12:00", "2026-05-26 12:00"),
    ("2026-12-23 12:00", "2026-12-29 12:00"),
    ("2026-01-01 00:00", "2026-12-31 23:59"),
]


def _local(text: str) -> datetime:
    return AMSTERDAM_PYTZ.localize(datetime.strptime(text, "%Y-%m-%d %H:%M"))


def _reference_seconds(start: datetime, end: datetime) -> int:
    delta = REFERENCE.difference(start, end)
    return round(delta.timedelta.total_seconds())


def _ours_seconds(start: datetime, end: datetime) -> int:
    micros = default_calendar().business_us(to_us(start), to_us(end))
    assert micros % US_PER_SECOND == 0
    return micros // US_PER_SECOND


def test_random_intervals_of_2026_agree_with_businesstimedelta_to_the_second():
    mismatches = []
    for start, end in INTERVALS:
        ours, theirs = _ours_seconds(start, end), _reference_seconds(start, end)
        if ours != theirs:
            mismatches.append(
                f"{start.isoformat()} → {end.isoformat()}: sla_core {ours} s, businesstimedelta {theirs} s"
            )
    assert not mismatches, "measurement §1 (07:00-19:00, Atw working days):\n" + "\n".join(mismatches[:20])


@pytest.mark.parametrize(("start", "end"), LANDMARKS, ids=[f"{a} → {b}" for a, b in LANDMARKS])
def test_landmark_intervals_agree_with_businesstimedelta(start, end):
    a, b = _local(start), _local(end)
    assert _ours_seconds(a, b) == _reference_seconds(a, b), f"measurement §1: {start} → {end} Europe/Amsterdam"


def test_the_random_intervals_cover_the_interesting_parts_of_the_year():
    months = {start.month for start, _ in INTERVALS}
    assert months == set(range(1, 13)), "every month of 2026 has intervals"
    assert sum(1 for start, end in INTERVALS if _ours_seconds(start, end) == 0) < len(INTERVALS) // 2

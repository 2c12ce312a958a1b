"""NCRONTAB schedules as Azure Functions evaluates timer triggers: six fields, in UTC.

``{second} {minute} {hour} {day} {month} {day-of-week}`` — each field ``*``,
a number, a range ``a-b``, a step ``*/n`` or ``a-b/n``, or a comma list of
these; months may be ``JAN``…``DEC``, days of the week ``SUN``…``SAT``
(Sunday is 0). Without ``WEBSITE_TIME_ZONE`` (not available on Linux
consumption plans) the schedule is in UTC, so every instant here is UTC.

The drill fires each registered timer at exactly the instants its schedule
produces (:meth:`Schedule.firings`). What the drill cannot evaluate faithfully
it refuses: a schedule that restricts both day-of-month and day-of-week (cron
implementations disagree whether that is AND or OR), the ``hh:mm:ss``
TimeSpan form (App Service plans only), and five-field (minute-first) cron.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1
    )
}
_DAYS = {name: number for number, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
# (name, lowest, highest, names)
_FIELDS = (
    ("second", 0, 59, {}),
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 0, 6, _DAYS),
)


class CronError(ValueError):
    """A schedule the drill cannot evaluate (names the field and the reason)."""


def _value(text: str, field: str, low: int, high: int, names: dict[str, int]) -> int:
    upper = text.upper()
    if upper in names:
        return names[upper]
    if not text.isdigit():
        raise CronError(f"{field}: {text!r} is not a number")
    number = int(text)
    if not low <= number <= high:
        raise CronError(f"{field}: {number} is outside {low}-{high}")
    return number


def _field(text: str, field: str, low: int, high: int, names: dict[str, int]) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise CronError(f"{field}: empty list item in {text!r}")
        span, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) < 1:
                raise CronError(f"{field}: step {step_text!r} must be a positive number")
            step = int(step_text)
        if span == "*":
            first, last = low, high
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = _value(start, field, low, high, names), _value(end, field, low, high, names)
            if first > last:
                raise CronError(f"{field}: range {span!r} runs backwards")
        else:
            first = _value(span, field, low, high, names)
            last = high if step_text else first  # "5/15" means 5, 20, 35, 50
        values.update(range(first, last + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class Schedule:
    """A parsed six-field NCRONTAB expression."""

    text: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Parse ``text``; CronError names the field for anything the drill cannot evaluate."""
        parts = text.split()
        if len(parts) == 1 and ":" in text:
            raise CronError(f"{text!r}: the TimeSpan form runs only on App Service plans; use NCRONTAB")
        if len(parts) != 6:
            raise CronError(f"{text!r}: NCRONTAB needs 6 fields (second minute hour day month day-of-week)")
        if parts[3] not in ("*", "?") and parts[5] not in ("*", "?"):
            raise CronError(f"{text!r}: both day and day-of-week are restricted; the drill does not guess AND or OR")
        parsed = [
            _field("*" if part == "?" else part, name, low, high, names)
            for part, (name, low, high, names) in zip(parts, _FIELDS, strict=True)
        ]
        return cls(text, *parsed)

    def matches(self, instant: datetime) -> bool:
        """Whether the schedule fires at this (aware) instant, to the second."""
        utc = instant.astimezone(UTC)
        return (
            utc.microsecond == 0
            and utc.second in self.seconds
            and utc.minute in self.minutes
            and utc.hour in self.hours
            and utc.day in self.days
            and utc.month in self.months
            and (utc.isoweekday() % 7) in self.weekdays
        )

    def firings(self, start: datetime, end: datetime) -> Iterator[datetime]:
        """Every instant in ``[start, end)`` at which the schedule fires, in order (UTC)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        day = datetime(start.year, start.month, start.day, tzinfo=UTC)
        while day < end:
            if day.day in self.days and day.month in self.months and (day.isoweekday() % 7) in self.weekdays:
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        for second in sorted(self.seconds):
                            instant = day.replace(hour=hour, minute=minute, second=second)
                            if start <= instant < end:
                                yield instant
            day += timedelta(days=1)

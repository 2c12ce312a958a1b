"""The delivery deadline of a month's report (measurement §8.5).

A month's report is delivered only once it is final, except after the
delivery deadline: by default the 3rd working day of the next month at 12:00
local time. A working day is Monday–Friday except the contract's closed dates
(Algemene termijnenwet holidays, extra closed dates, minus removed dates;
measurement §1). Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sla_core.business_calendar import closed_dates_of
from sla_core.contract import Contract
from sla_core.periods import Month

MAX_WORKDAY = 20


def delivery_deadline(month: Month, contract: Contract, workday: int = 3, at: time = time(12, 0)) -> datetime:
    """The aware local instant of the ``workday``-th working day of the month after ``month``, at ``at``."""
    if not 1 <= workday <= MAX_WORKDAY:
        raise ValueError(f"workday must be between 1 and {MAX_WORKDAY}, not {workday}")
    closed = closed_dates_of(contract)
    day = month.shift(1).first_day()
    counted = 0
    while True:
        if day.weekday() < 5 and day not in closed(day.year):
            counted += 1
            if counted == workday:
                return datetime.combine(day, at, tzinfo=contract.zone)
        day += timedelta(days=1)

"""Availability from day summaries equals availability from raw rows (measurement §3, §4).

The summaries (sla_core/availability_summary.py) are built once per local day
at ingestion; every report is then computed from them. The differential
property below models ingestion as the app does it — a day's answer is
filtered to the day and *replaces* what was stored for that day — over random
results (late rows arriving with a re-ingestion, duplicates, missing slots,
tests that appear or disappear, failures on some locations, DST-change days,
fractional durations) and random contract settings (slot length, location
quorum, service hours, load-time target and percentile, exclusions, a list of
tests in service per period with bounds inside slots, measurement §8.7), and
asserts that the whole report JSON from the (encoded, stored, decoded)
summaries equals the one from the stored rows, field for field.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import defaultdict
from datetime import UTC, date, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla_core.availability import slot_states
from sla_core.availability_input import Exclusion, load_exclusions_text, parse_results_csv
from sla_core.availability_input import TestResult as Row
from sla_core.availability_summary import SummarisedAvailability, summarise_day
from sla_core.business_calendar import US_PER_MINUTE, US_PER_SECOND, BusinessCalendar, from_us
from sla_core.contract import contract_from_mapping, default_contract
from sla_core.day_summary import LoadDay, StoredDay, decode_day, decode_load, encode_day, encode_load
from sla_core.events import parse_jsonl
from sla_core.periods import Month, day_bounds
from sla_core.report import Reporter
from sla_core.report_json import report_json
from tests.support.core import AMSTERDAM, PROPERTY_SETTINGS, us

SCENARIOS = Path(__file__).parent / "scenarios"


def stored_days(results: list[Row]) -> dict[date, list[Row]]:
    """The rows as the repository stores them: per local day of Europe/Amsterdam."""
    days: dict[date, list[Row]] = defaultdict(list)
    for r in results:
        days[from_us(r.at, AMSTERDAM).date()].append(r)
    return days


def summaries_of(days: dict[date, list[Row]]) -> SummarisedAvailability:
    """Summaries of stored days, through their binary form (as read back from storage)."""
    avail, load = [], []
    for day, rows in days.items():
        start, end = day_bounds(day, AMSTERDAM)
        summary, samples = summarise_day(rows, start, end)
        avail.append(decode_day(encode_day(summary)))
        load.append(decode_load(encode_load(samples)))
    return SummarisedAvailability(avail, load)


def both_reports(contract, days, exclusions, month: Month, tenant: str, events=()) -> tuple[dict, dict]:
    as_of = us("2027-01-15T00:00:00+01:00")
    rows = [r for day_rows in days.values() for r in day_rows]
    raw = Reporter(contract, rows, exclusions, as_of).report(tenant, month, list(events))
    summarised = Reporter(contract, (), exclusions, as_of, summaries=summaries_of(days)).report(
        tenant, month, list(events)
    )
    return report_json(raw), report_json(summarised)


# -- the hand-computed scenarios: same report from summaries as from rows ------------------------


@pytest.mark.parametrize(
    "folder, tenant, month",
    [
        ("feb_month_targets", "almelo", "2026-02"),
        ("mar_dst", "enschede", "2026-03"),
        ("apr_holidays", "tilburg", "2026-04"),
        ("may_holidays", "deventer", "2026-05"),
        ("jun_pauses_priorities", "zwolle", "2026-06"),
        ("oct_availability", "hengelo", "2026-10"),
    ],
    ids=lambda v: str(v),
)
def test_every_hand_computed_scenario_gives_the_same_report_from_summaries(
    folder: str, tenant: str, month: str
) -> None:
    base = SCENARIOS / folder
    results = list(parse_results_csv((base / "availability.csv").read_text().splitlines(), "availability.csv"))
    events = list(parse_jsonl((base / "events.jsonl").read_text().splitlines(), "events.jsonl"))
    path = base / "exclusions.json"
    exclusions = load_exclusions_text(path.read_text(), "exclusions.json") if path.exists() else []
    raw, summarised = both_reports(
        default_contract(), stored_days(results), exclusions, Month.parse(month), tenant, events
    )
    assert summarised == raw


# -- the differential property over random ingestion histories -------------------------------------

TESTS = ("home", "login", "api")
LOCATIONS = ("weu", "neu", "frc", "uks")
# Days around both DST changes of 2026, month starts and ends (trailing months included).
MONTHS = {
    Month(2026, 3): [
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 1),
        date(2026, 3, 2),
        date(2026, 3, 28),
        date(2026, 3, 29),
        date(2026, 3, 30),
        date(2026, 3, 31),
        date(2026, 4, 1),
    ],
    Month(2026, 10): [
        date(2026, 9, 30),
        date(2026, 10, 1),
        date(2026, 10, 23),
        date(2026, 10, 24),
        date(2026, 10, 25),
        date(2026, 10, 26),
        date(2026, 10, 31),
        date(2026, 11, 1),
    ],
}
HOURS = [
    None,  # default: working days 07:00-19:00
    {
        d: [{"start": "00:00", "end": "24:00"}]
        for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    },
    {
        d: [{"start": "01:30", "end": "02:45"}, {"start": "07:03", "end": "18:58"}]
        for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    },
]
DURATIONS = st.one_of(
    st.integers(0, 40_000).map(float),
    st.sampled_from([0.0, 2999.0, 3000.0, 3000.5, 1234.5678, 30_000.0]),
    st.floats(0, 60_000, allow_nan=False, allow_infinity=False),
)


@st.composite
def row(draw, day: date) -> Row:
    start, _ = day_bounds(day, AMSTERDAM)
    # slots 0..310 of 5 minutes: past the end of a 23-hour day too (a row of the next day: dropped)
    at = start + draw(st.integers(0, 310)) * 5 * US_PER_MINUTE + draw(st.integers(0, 299)) * US_PER_SECOND
    at += draw(st.sampled_from([0, 1, 999_999]))
    success = draw(st.booleans() | st.just(True))
    return Row(at, draw(st.sampled_from(TESTS)), draw(st.sampled_from(LOCATIONS)), success, draw(DURATIONS))


OFFSETS = [
    UTC,
    timezone(timedelta(hours=1)),
    timezone(timedelta(hours=2)),
    timezone(timedelta(hours=5, minutes=30)),
]


@st.composite
def instant_text(draw, day: date) -> str:
    """An RFC 3339 instant around ``day`` (whole minutes mostly, seconds and µs sometimes), in a random offset."""
    start, _ = day_bounds(day, AMSTERDAM)
    at = start + draw(st.integers(-60, 25 * 60)) * US_PER_MINUTE
    at += draw(st.sampled_from([0, 0, 0, 30 * US_PER_SECOND, 1, 299 * US_PER_SECOND]))
    return from_us(at, draw(st.sampled_from(OFFSETS))).isoformat()


@st.composite
def listed_tests(draw, month: Month) -> list[dict]:
    """A contract's list of tests in service (measurement §8.7): some of the tests seen, maybe one never seen."""
    names = draw(st.lists(st.sampled_from([*TESTS, "never"]), min_size=1, max_size=4, unique=True))
    listed = []
    for name in names:
        item = {"name": name, "from": draw(instant_text(draw(st.sampled_from(MONTHS[month]))))}
        if draw(st.booleans()):
            start = us(item["from"])
            end = start + draw(st.integers(1, 4 * 24 * 60)) * US_PER_MINUTE + draw(st.sampled_from([0, 1]))
            item["until"] = from_us(end, draw(st.sampled_from(OFFSETS))).isoformat()
        elif draw(st.booleans()):
            item["from"] = "2026-01-01T00:00:00+01:00"  # in service the whole time
        listed.append(item)
    return listed


@st.composite
def history(draw):
    month = draw(st.sampled_from(sorted(MONTHS)))
    stored: dict[date, list[Row]] = {}
    for _ in range(draw(st.integers(1, 7))):  # ingestions, in order; the same day may come again
        day = draw(st.sampled_from(MONTHS[month]))
        rows = draw(st.lists(row(day), max_size=60))
        rows += draw(st.lists(st.sampled_from(rows), max_size=5)) if rows else []  # duplicates
        start, end = day_bounds(day, AMSTERDAM)
        stored[day] = [r for r in rows if start <= r.at < end]  # a re-ingested day replaces the stored one
    contract = contract_from_mapping(
        {
            **({"service_hours": draw(st.sampled_from(HOURS[1:]))} if draw(st.booleans()) else {}),
            "availability": {
                "slot_minutes": draw(st.sampled_from([1, 5, 10, 15, 60])),
                "min_failed_locations": draw(st.integers(1, 3)),
                **({"tests": draw(listed_tests(month))} if draw(st.booleans()) else {}),
            },
            "load_time": {
                "target_ms": draw(st.sampled_from([500.0, 3000.0, 3000.5])),
                "percentile": draw(st.sampled_from([1.0, 50.0, 95.0, 99.9, 100.0])),
            },
            "tenants": {"hof": {"go_live": str(month.shift(-2).first_day())}},
        },
        source="property",
    )
    exclusions = []
    for n in range(draw(st.integers(0, 2))):
        day = draw(st.sampled_from(MONTHS[month]))
        start, _ = day_bounds(day, AMSTERDAM)
        a = start + draw(st.integers(0, 24 * 60)) * US_PER_MINUTE + draw(st.integers(0, 59)) * US_PER_SECOND
        b = a + draw(st.integers(1, 600)) * US_PER_MINUTE
        exclusions.append((a, b))
    return month, stored, contract, exclusions


def exclusion_list(pairs: list[tuple[int, int]]) -> list[Exclusion]:
    return [Exclusion(a, b, "derde partij", str(a), str(b)) for a, b in pairs]


@PROPERTY_SETTINGS
@given(history())
def test_the_report_from_summaries_equals_the_report_from_raw_rows_field_for_field(case) -> None:
    month, stored, contract, pairs = case
    raw, summarised = both_reports(contract, stored, exclusion_list(pairs), month, "hof")
    assert summarised == raw


@PROPERTY_SETTINGS
@given(history())
def test_slot_states_from_summaries_equal_those_from_rows_for_every_month_touched(case) -> None:
    month, stored, contract, _ = case
    rows = [r for day_rows in stored.values() for r in day_rows]
    summaries = summaries_of(stored)
    memo: dict = {}
    stored_days = [stored_day(day, rows) for day, rows in stored.items()]
    for m in (month.shift(-1), month, month.shift(1)):
        start, end = m.bounds(AMSTERDAM)
        inside = [r for r in rows if start <= r.at < end]
        expected = slot_states(inside, start, end, contract.availability)
        assert summaries.slot_states(start, end, contract.availability) == expected
        for _ in range(2):  # read from storage (lazily decoded), then again from the worker's memo
            lazy = SummarisedAvailability(stored_days, memo=memo)
            assert lazy.slot_states(start, end, contract.availability) == expected


def stored_day(day: date, rows: list[Row]) -> StoredDay:
    start, end = day_bounds(day, AMSTERDAM)
    blob = encode_day(summarise_day(rows, start, end)[0])
    return StoredDay(start // US_PER_MINUTE, (end - start) // US_PER_MINUTE, hashlib.sha256(blob).hexdigest(), blob)


def test_a_stored_summary_read_for_another_day_is_refused() -> None:
    monday = stored_day(date(2026, 10, 19), [])
    moved = StoredDay(monday.first_minute + 24 * 60, monday.minutes, monday.digest, monday.blob)
    start, end = Month(2026, 10).bounds(AMSTERDAM)
    with pytest.raises(ValueError, match="does not belong"):
        SummarisedAvailability([moved]).slot_states(start, end, default_contract().availability)


def test_the_memo_tells_rules_and_contents_apart() -> None:
    day = date(2026, 10, 19)
    start, _ = day_bounds(day, AMSTERDAM)
    at = start + 9 * 3600 * US_PER_SECOND
    failing = [Row(at, "home", loc, loc == "frc", 1.0) for loc in ("weu", "neu", "frc")]  # 2 of 3 failed
    memo: dict = {}
    month_start, month_end = Month(2026, 10).bounds(AMSTERDAM)
    rule = default_contract().availability
    strict = rule.model_copy(update={"min_failed_locations": 3})
    down = SummarisedAvailability([stored_day(day, failing)], memo=memo).slot_states(month_start, month_end, rule)
    up = SummarisedAvailability([stored_day(day, failing)], memo=memo).slot_states(month_start, month_end, strict)
    other = SummarisedAvailability([stored_day(day, failing[1:])], memo=memo).slot_states(month_start, month_end, rule)
    assert (len(down.down), len(up.down), len(other.down), len(memo)) == (1, 0, 0, 3)


# -- the binary form ---------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(st.sampled_from([date(2026, 3, 29), date(2026, 10, 25), date(2026, 6, 1)]), st.data())
def test_a_day_summary_survives_its_binary_form_exactly(day: date, data) -> None:
    rows = data.draw(st.lists(row(day), max_size=80))
    start, end = day_bounds(day, AMSTERDAM)
    summary, load = summarise_day(rows, start, end)
    again, load_again = decode_day(encode_day(summary)), decode_load(encode_load(load))
    assert (again.first_minute, again.minutes) == (summary.first_minute, summary.minutes)
    assert [(t.name, t.locations) for t in again.tests] == [(t.name, t.locations) for t in summary.tests]
    for a, b in zip(again.tests, summary.tests):
        assert np.array_equal(a.seen, b.seen) and np.array_equal(a.failed, b.failed)
    assert np.array_equal(load_again.counts, load.counts)
    assert load_again.durations.tobytes() == load.durations.tobytes()  # bit for bit, -0.0 and fractions too


@pytest.mark.parametrize(
    "day, minutes",
    [(date(2026, 3, 29), 23 * 60), (date(2026, 10, 25), 25 * 60), (date(2026, 6, 1), 24 * 60)],
    ids=["spring-forward day has 23 hours", "fall-back day has 25 hours", "an ordinary day has 24 hours"],
)
def test_a_local_day_is_summarised_over_its_real_length(day: date, minutes: int) -> None:
    start, end = day_bounds(day, AMSTERDAM)
    summary, load = summarise_day([], start, end)
    assert summary.minutes == load.minutes == minutes and summary.tests == ()


def test_a_realistic_day_is_small_once_encoded() -> None:
    """3 tests × 5 locations every 5 minutes (4,320 rows): well under a few KB per day."""
    day = date(2026, 10, 19)
    start, end = day_bounds(day, AMSTERDAM)
    rng = np.random.default_rng(7)
    rows = [
        Row(
            start + slot * 5 * US_PER_MINUTE + k * 7 * US_PER_SECOND + int(rng.integers(0, 10**6)),
            t,
            loc,
            bool(rng.random() > 0.01),
            float(rng.integers(300, 2500)),
        )
        for slot in range(288)
        for t in TESTS
        for k, loc in enumerate(LOCATIONS + ("sea",))
    ]
    summary, load = summarise_day(rows, start, end)
    assert len(encode_day(summary)) < 2_000
    assert len(encode_load(load)) < 12_000


def test_load_time_refuses_a_calendar_whose_hours_are_not_whole_minutes() -> None:
    class Odd(BusinessCalendar):
        def intervals(self, a: int, b: int) -> list[tuple[int, int]]:
            return [(a + 1, b)]

    start, end = Month(2026, 10).bounds(AMSTERDAM)
    calendar = Odd(AMSTERDAM, lambda _: [], lambda _: {})
    with pytest.raises(ValueError, match="whole minutes"):
        SummarisedAvailability([], []).load_time(start, end, default_contract().load_time, calendar)


@pytest.mark.parametrize(
    "durations, dtype",
    [
        ([981.0, 30_000.0], "u4"),
        ([900.1, 2.5, 1234.0], "u4"),
        ([1.25, 0.01], "u4"),
        ([0.001, 4_000_000.125], "u4"),
        ([0.0001], "f8"),
        ([-0.0], "f8"),
        ([500_000_000.5], "f8"),
        ([1234.5678], "f8"),
    ],
    ids=[
        "whole ms",
        "tenths",
        "hundredths",
        "thousandths",
        "finer than a µs",
        "negative zero",
        "too large for fixed point at its scale",
        "four decimals",
    ],
)
def test_durations_are_stored_in_fixed_point_only_when_they_read_back_bit_for_bit(durations, dtype) -> None:
    load = LoadDay(0, 1, np.asarray([len(durations)], dtype=np.uint32), np.asarray(durations, dtype=np.float64))
    blob = encode_load(load)
    assert json.loads(zlib.decompress(blob)[5:].split(b"}")[0] + b"}")["dtype"] == dtype
    assert decode_load(blob).durations.tobytes() == load.durations.tobytes()

"""Availability (measurement §3) and load time (measurement §4).

Rules quoted (docs/measurement.md §3):

* "Time is cut into slots of 5 minutes (contract setting), aligned to
  multiples of 5 minutes since the Unix epoch (UTC)."
* "For one test and one slot: a location failed if any of its results in the
  slot has Success = false. The test is down in the slot when at least
  min(2, L) locations failed, where 2 is a contract setting
  (min_failed_locations) and L the number of distinct locations seen for that
  test in the whole month. With no result at all the test is unknown in the
  slot; otherwise it is up."
* "The service is down in a slot when any test is down; up when every test is
  up; otherwise unknown."
* "Exclusions. [...] Down time inside an exclusion counts as available."
* "Only time inside service hours counts. [...] Availability = (scheduled −
  unknown − down) / (scheduled − unknown) × 100; null (and met null: not
  measured) when scheduled − unknown is 0. The report shows coverage
  (1 − unknown/scheduled) next to it, and flags a month with less than 90 %
  coverage as insufficiently measured."

§4: "the share of successful test results inside service hours whose
DurationMs is at most 3000 (contract setting), and their 95th percentile."
(nearest rank: the ceil(0.95 × n)-th smallest.)

Most cases use one day, Monday 19 October 2026 (720 service-hours minutes),
with results of every 5-minute slot from every location.
"""

from __future__ import annotations

import pytest

from sla_core.availability import figures, load_time, slot_states
from sla_core.availability_input import TestResult as Row
from sla_core.availability_input import parse_exclusions, parse_results_csv
from sla_core.business_calendar import US_PER_MINUTE, from_us
from sla_core.contract import LoadTimeRule, default_contract
from sla_core.errors import InputError
from sla_core.periods import Month
from sla_core.report import Reporter
from tests.support.core import AMSTERDAM, contract_with, default_calendar, exclusion, minutes, result, us

DAY_START, DAY_END = "2026-10-19T00:00:00+02:00", "2026-10-20T00:00:00+02:00"
SLOT = minutes(5)


def slots(start: str, end: str) -> list[int]:
    return list(range(us(start), us(end), SLOT))


def full_results(
    start: str = DAY_START,
    end: str = DAY_END,
    *,
    name: str = "home",
    locations: tuple[str, ...] = ("weu", "neu"),
    failed: dict[str, tuple[str, ...]] | None = None,
    missing: tuple[str, ...] = (),
) -> list[Row]:
    """One result per location per slot, one minute into the slot.

    ``failed`` maps a slot start (ISO) to the locations that fail in it;
    ``missing`` lists slot starts without any result of this test.
    """
    failed_at = {us(k): v for k, v in (failed or {}).items()}
    skip = {us(k) for k in missing}
    rows = []
    for slot in slots(start, end):
        if slot in skip:
            continue
        for location in locations:
            ok = location not in failed_at.get(slot, ())
            rows.append(Row(slot + minutes(1), name, location, ok, 800.0))
    return rows


def figures_of(rows, *, start=DAY_START, end=DAY_END, exclusions=(), rule=None):
    states = slot_states(rows, us(start), us(end), rule or default_contract().availability)
    return figures(states, default_calendar(), exclusions)


def minutes_of(fig):
    return fig.scheduled_minutes, fig.unknown_minutes, fig.down_minutes


AT_10 = "2026-10-19T10:00:00+02:00"

QUORUM_CASES = [
    pytest.param(("weu", "neu"), {}, 0, id="every location up: not down"),
    pytest.param(("weu", "neu"), {AT_10: ("weu", "neu")}, 5, id="2 of 2 locations failed: down"),
    pytest.param(("weu", "neu"), {AT_10: ("weu",)}, 0, id="1 of 2 locations failed: up (min(2, L) = 2)"),
    pytest.param(("weu",), {AT_10: ("weu",)}, 5, id="L = 1: the one location failing suffices (min(2, 1) = 1)"),
    pytest.param(("weu", "neu", "frc"), {AT_10: ("weu", "frc")}, 5, id="2 of 3 locations failed: down"),
    pytest.param(("weu", "neu", "frc"), {AT_10: ("neu",)}, 0, id="1 of 3 locations failed: up"),
    pytest.param(("weu", "neu", "frc"), {AT_10: ("weu", "neu", "frc")}, 5, id="3 of 3 locations failed: down"),
    pytest.param(
        ("weu", "neu"),
        {AT_10: ("weu",), "2026-10-19T10:05:00+02:00": ("neu",)},
        0,
        id="two locations failing in different slots: up in both",
    ),
    pytest.param(
        ("weu", "neu"),
        {"2026-10-19T20:00:00+02:00": ("weu", "neu")},
        0,
        id="down at 20:00 (outside service hours) does not count",
    ),
    pytest.param(
        ("weu", "neu"),
        {"2026-10-19T06:55:00+02:00": ("weu", "neu")},
        0,
        id="down in the slot 06:55-07:00 does not count",
    ),
    pytest.param(
        ("weu", "neu"), {"2026-10-19T07:00:00+02:00": ("weu", "neu")}, 5, id="down in the slot 07:00-07:05 counts"
    ),
    pytest.param(
        ("weu", "neu"), {"2026-10-19T18:55:00+02:00": ("weu", "neu")}, 5, id="down in the slot 18:55-19:00 counts"
    ),
    pytest.param(
        ("weu", "neu"),
        {
            AT_10: ("weu", "neu"),
            "2026-10-19T10:05:00+02:00": ("weu", "neu"),
            "2026-10-19T14:30:00+02:00": ("weu", "neu"),
        },
        15,
        id="three down slots are 15 minutes",
    ),
]


@pytest.mark.parametrize(("locations", "failed", "down"), QUORUM_CASES)
def test_a_test_is_down_when_min_2_L_locations_failed(locations, failed, down):
    fig = figures_of(full_results(locations=locations, failed=failed))
    assert minutes_of(fig) == (720.0, 0.0, down), "measurement §3: down when at least min(2, L) locations failed"
    assert fig.value == pytest.approx((720 - down) / 720 * 100)


def test_l_counts_the_locations_seen_in_the_whole_period_not_in_the_slot():
    rows = full_results(locations=("weu", "neu"), missing=(AT_10,))
    rows.append(result("2026-10-19T10:01:00+02:00", location="weu", success=False))  # only weu reports at 10:00
    fig = figures_of(rows)
    assert fig.down_minutes == 0, "measurement §3: L = 2 (seen in the month), so one failed location is not enough"


def test_a_location_with_one_failed_result_in_the_slot_has_failed():
    rows = full_results(failed={AT_10: ("neu",)})
    rows.append(result("2026-10-19T10:03:00+02:00", location="weu", success=False))  # weu also succeeded at 10:01
    assert figures_of(rows).down_minutes == 5, (
        "measurement §3: a location failed if ANY of its results in the slot failed"
    )


def test_min_failed_locations_is_a_contract_setting():
    rule = contract_with(availability={"min_failed_locations": 3}).availability
    three = ("weu", "neu", "frc")
    assert figures_of(full_results(locations=three, failed={AT_10: ("weu", "neu")}), rule=rule).down_minutes == 0
    assert figures_of(full_results(locations=three, failed={AT_10: three}), rule=rule).down_minutes == 5
    one = figures_of(full_results(locations=("weu",), failed={AT_10: ("weu",)}), rule=rule)
    assert one.down_minutes == 5, "min(3, L=1) = 1"


SERVICE_CASES = [
    pytest.param(
        lambda: full_results() + full_results(name="login"), (720.0, 0.0, 0.0), id="two tests up in every slot: up"
    ),
    pytest.param(
        lambda: full_results(failed={AT_10: ("weu", "neu")}) + full_results(name="login"),
        (720.0, 0.0, 5.0),
        id="one test down, the other up: the service is down",
    ),
    pytest.param(
        lambda: full_results(failed={AT_10: ("weu", "neu")}) + full_results(name="login", missing=(AT_10,)),
        (720.0, 0.0, 5.0),
        id="one test down, the other without results: down, not unknown",
    ),
    pytest.param(
        lambda: full_results() + full_results(name="login", missing=(AT_10,)),
        (720.0, 5.0, 0.0),
        id="one test up, the other without results: unknown",
    ),
    pytest.param(lambda: full_results(missing=(AT_10,)), (720.0, 5.0, 0.0), id="a slot without any result is unknown"),
    pytest.param(
        lambda: full_results(missing=("2026-10-19T03:00:00+02:00", "2026-10-19T21:00:00+02:00")),
        (720.0, 0.0, 0.0),
        id="slots without results outside service hours are not unknown minutes",
    ),
    pytest.param(
        lambda: full_results(start="2026-10-19T12:00:00+02:00"),
        (720.0, 300.0, 0.0),
        id="no results before noon: 07:00-12:00 is 300 unknown minutes",
    ),
]


@pytest.mark.parametrize(("rows", "expected"), SERVICE_CASES)
def test_the_service_state_of_a_slot(rows, expected):
    assert minutes_of(figures_of(rows())) == expected, (
        "measurement §3: down if any test down, up if all up, else unknown"
    )


def test_availability_leaves_unknown_time_out_and_reports_coverage():
    fig = figures_of(
        full_results(start="2026-10-19T12:00:00+02:00", failed={"2026-10-19T15:00:00+02:00": ("weu", "neu")})
    )
    assert minutes_of(fig) == (720.0, 300.0, 5.0)
    assert fig.value == pytest.approx((720 - 300 - 5) / (720 - 300) * 100), (
        "measurement §3: (S − U − D) / (S − U) × 100"
    )
    assert fig.coverage == pytest.approx((1 - 300 / 720) * 100), "coverage = 1 − unknown / scheduled"


def test_without_any_result_availability_is_not_measured():
    fig = figures_of([])
    assert minutes_of(fig) == (720.0, 720.0, 0.0)
    assert (fig.value, fig.coverage) == (None, 0.0), "measurement §3: null when scheduled − unknown is 0"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param("2026-10-24T00:00:00+02:00", "2026-10-25T00:00:00+02:00", id="a Saturday has no service hours"),
        pytest.param(
            "2026-04-27T00:00:00+02:00", "2026-04-28T00:00:00+02:00", id="Koningsdag 2026 has no service hours"
        ),
        pytest.param(
            "2026-05-05T00:00:00+02:00", "2026-05-06T00:00:00+02:00", id="Bevrijdingsdag 2026 has no service hours"
        ),
    ],
)
def test_a_day_without_service_hours_counts_nothing(start, end):
    fig = figures_of(full_results(start, end, failed={start: ("weu", "neu")}), start=start, end=end)
    assert minutes_of(fig) == (0.0, 0.0, 0.0)
    assert (fig.value, fig.coverage) == (None, None)


# -- exclusions -------------------------------------------------------------------------------

EXCLUSION_CASES = [
    pytest.param(
        [exclusion("2026-10-19T09:00:00+02:00", "2026-10-19T11:00:00+02:00")],
        0.0,
        5.0,
        id="a down slot inside an exclusion counts as available",
    ),
    pytest.param(
        [exclusion("2026-10-19T10:00:00+02:00", "2026-10-19T10:02:30+02:00")],
        2.5,
        2.5,
        id="an exclusion over half the slot excludes half of it",
    ),
    pytest.param(
        [exclusion("2026-10-19T09:00:00+02:00", "2026-10-19T10:00:00+02:00")],
        5.0,
        0.0,
        id="an exclusion ending at 10:00 does not cover the slot 10:00 (half-open)",
    ),
    pytest.param(
        [exclusion("2026-10-19T12:00:00+02:00", "2026-10-19T13:00:00+02:00")],
        5.0,
        0.0,
        id="an exclusion elsewhere changes nothing",
    ),
    pytest.param(
        [
            exclusion("2026-10-19T09:00:00+02:00", "2026-10-19T11:00:00+02:00"),
            exclusion("2026-10-19T10:00:00+02:00", "2026-10-19T10:30:00+02:00"),
        ],
        0.0,
        5.0,
        id="two overlapping exclusions over one down slot exclude it once",
    ),
    pytest.param(
        [
            exclusion("2026-10-19T10:00:00+02:00", "2026-10-19T10:02:00+02:00"),
            exclusion("2026-10-19T10:01:00+02:00", "2026-10-19T10:03:00+02:00"),
        ],
        2.0,
        3.0,
        id="two partly overlapping exclusions exclude their union (3 minutes)",
    ),
]


@pytest.mark.parametrize(("exclusions", "down", "excluded"), EXCLUSION_CASES)
def test_down_time_inside_an_exclusion_counts_as_available(exclusions, down, excluded):
    fig = figures_of(full_results(failed={AT_10: ("weu", "neu")}), exclusions=exclusions)
    assert (fig.down_minutes, fig.excluded_minutes) == (down, excluded), (
        f"measurement §3: down time inside an exclusion counts as available: expected down {down}, excluded {excluded}; "
        f"got down {fig.down_minutes}, excluded {fig.excluded_minutes}"
    )
    assert 0 <= fig.down_minutes <= 5 and fig.value <= 100


def test_an_exclusion_does_not_turn_unknown_time_into_measured_time():
    fig = figures_of(
        full_results(missing=(AT_10,)), exclusions=[exclusion("2026-10-19T09:00:00+02:00", "2026-10-19T11:00:00+02:00")]
    )
    assert minutes_of(fig) == (720.0, 5.0, 0.0)


def test_an_exclusion_outside_service_hours_excludes_nothing():
    fig = figures_of(
        full_results(failed={"2026-10-19T20:00:00+02:00": ("weu", "neu")}),
        exclusions=[exclusion("2026-10-19T19:30:00+02:00", "2026-10-19T21:00:00+02:00")],
    )
    assert (fig.down_minutes, fig.excluded_minutes) == (0.0, 0.0)


def test_slots_are_aligned_to_the_unix_epoch():
    states = slot_states(full_results(), us(DAY_START), us(DAY_END), default_contract().availability)
    assert states.slot == 5 * US_PER_MINUTE
    assert us(DAY_START) % states.slot == 0, "local midnight (22:00Z) is a slot boundary"
    odd = slot_states(
        [result("2026-10-19T10:04:59+02:00")], us(DAY_START), us(DAY_END), default_contract().availability
    )
    assert us(AT_10) // odd.slot not in odd.unknown and (us(AT_10) // odd.slot) + 1 in odd.unknown


# -- months: scheduled minutes, partial data, coverage flag -------------------------------------------


@pytest.mark.parametrize(
    ("month", "scheduled"),
    [
        pytest.param("2026-02", 20 * 720, id="February 2026: 20 working days"),
        pytest.param("2026-03", 22 * 720, id="March 2026 (spring change): 22 working days of 12 h"),
        pytest.param("2026-04", 19 * 720, id="April 2026: 22 weekdays minus Goede Vrijdag, Tweede Paasdag, Koningsdag"),
        pytest.param(
            "2026-05", 18 * 720, id="May 2026: 21 weekdays minus Bevrijdingsdag, Hemelvaartsdag, Tweede Pinksterdag"
        ),
        pytest.param("2026-10", 22 * 720, id="October 2026 (autumn change): 22 working days of 12 h"),
        pytest.param("2026-12", 22 * 720, id="December 2026: 23 weekdays minus Eerste Kerstdag"),
        pytest.param("2026-01", 21 * 720, id="January 2026: 22 weekdays minus Nieuwjaarsdag"),
    ],
)
def test_scheduled_minutes_of_a_month_are_its_service_hours(month, scheduled):
    start, end = Month.parse(month).bounds(AMSTERDAM)
    assert default_calendar().business_us(start, end) / US_PER_MINUTE == scheduled, (
        "measurement §3: scheduled = service-hours minutes"
    )


def test_a_partially_measured_month_is_flagged_and_counts_only_measured_time():
    rows = full_results(
        "2026-10-15T00:00:00+02:00", "2026-11-01T00:00:00+01:00", failed={"2026-10-20T10:00:00+02:00": ("weu", "neu")}
    )
    reporter = Reporter(default_contract(), rows, [], us("2026-11-05T00:00:00+01:00"), default_calendar())
    fig = reporter.availability_of(Month(2026, 10))
    # 1-14 October: 10 working days without results
    assert minutes_of(fig) == (15840.0, 7200.0, 5.0)
    assert fig.value == pytest.approx((15840 - 7200 - 5) / (15840 - 7200) * 100)
    assert fig.coverage == pytest.approx((1 - 7200 / 15840) * 100)
    assert fig.coverage < default_contract().availability.min_coverage, (
        "measurement §3: less than 90 % coverage is flagged"
    )


def test_a_fully_measured_month_with_one_down_slot():
    rows = full_results(
        "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00", failed={"2026-10-26T07:00:00+01:00": ("weu", "neu")}
    )
    reporter = Reporter(default_contract(), rows, [], us("2026-11-05T00:00:00+01:00"), default_calendar())
    fig = reporter.availability_of(Month(2026, 10))
    assert minutes_of(fig) == (15840.0, 0.0, 5.0)
    assert fig.value == pytest.approx((15840 - 5) / 15840 * 100) and fig.coverage == 100.0
    assert fig.value >= default_contract().availability.norm


# -- load time --------------------------------------------------------------------------------------

IN_HOURS = [from_us(us("2026-10-19T09:00:00+02:00") + i * minutes(1), AMSTERDAM).isoformat() for i in range(200)]


def rows_with(durations, *, success=True, at=IN_HOURS):
    return [result(stamp, success=success, duration_ms=ms) for stamp, ms in zip(at, durations)]


LOAD_CASES = [
    pytest.param(
        rows_with(range(100, 2001, 100)),
        20,
        100.0,
        1.9,
        id="20 results of 0.1-2.0 s: all within 3 s, p95 is the 19th (1.9 s)",
    ),
    pytest.param(
        rows_with([2000, 3000, 3001, 5000]),
        4,
        50.0,
        5.0,
        id="3000 ms is within (at most), 3001 ms is not; p95 of 4 is the largest",
    ),
    pytest.param(rows_with(range(1, 101)), 100, 100.0, 0.095, id="1..100 ms: p95 is the 95th value"),
    pytest.param(rows_with(range(1, 11)), 10, 100.0, 0.010, id="10 results: p95 is the 10th (nearest rank)"),
    pytest.param(rows_with([2500]), 1, 100.0, 2.5, id="one result is its own p95"),
    pytest.param(rows_with([900, 100, 500, 4000, 300]), 5, 80.0, 4.0, id="unsorted input"),
    pytest.param(
        rows_with([500, 500]) + rows_with([9000, 9000], success=False),
        2,
        100.0,
        0.5,
        id="failed results are not load-time samples",
    ),
    pytest.param(
        rows_with([500])
        + rows_with([9000], at=["2026-10-19T19:30:00+02:00"])
        + rows_with([9000], at=["2026-10-24T12:00:00+02:00"]),
        1,
        100.0,
        0.5,
        id="results outside service hours (evening, Saturday) are not samples",
    ),
    pytest.param(
        rows_with([500], at=["2026-10-19T19:00:00+02:00"]),
        0,
        None,
        None,
        id="a result at 19:00 is outside; no samples: no value",
    ),
]


@pytest.mark.parametrize(("rows", "samples", "value", "p95"), LOAD_CASES)
def test_load_time_share_and_nearest_rank_p95(rows, samples, value, p95):
    got = load_time(rows, us(DAY_START), us("2026-10-26T00:00:00+01:00"), LoadTimeRule(), default_calendar())
    assert (got.samples, got.value) == (samples, value), (
        "measurement §4: share of successful in-hours results ≤ 3000 ms"
    )
    assert got.percentile_seconds == (None if p95 is None else pytest.approx(p95)), "measurement §4: 95th percentile"
    assert got.target_seconds == 3.0


@pytest.mark.parametrize("n", [1, 2, 19, 20, 21, 39, 40, 59, 60, 99, 100, 101, 1000, 1001], ids=lambda n: f"n = {n}")
def test_the_p95_rank_is_ceil_of_95_percent_of_n(n):
    durations = list(range(1, n + 1))
    got = load_time(rows_with_n(durations), 0, us("2027-01-01T00:00:00+01:00"), LoadTimeRule(), default_calendar())
    assert got.percentile_seconds * 1000 == pytest.approx((95 * n + 99) // 100), (
        "nearest rank: ceil(0.95 n)-th smallest"
    )


def rows_with_n(durations):
    base = us("2026-10-19T07:00:00+02:00")
    return [Row(base + (i % 700) * US_PER_MINUTE, "home", "weu", True, float(ms)) for i, ms in enumerate(durations)]


def test_load_time_target_is_a_contract_setting():
    rule = contract_with(load_time={"target_ms": 1000}).load_time
    got = load_time(rows_with([500, 1000, 1500, 2000]), us(DAY_START), us(DAY_END), rule, default_calendar())
    assert (got.value, got.target_seconds) == (50.0, 1.0)


# -- input files ------------------------------------------------------------------------------------

HEADER = "TimeGenerated,Name,Location,Success,DurationMs"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        pytest.param("2026-10-19T08:00:00,home,weu,True,512", "TimeGenerated", id="a naive TimeGenerated"),
        pytest.param("gisteren,home,weu,True,512", "TimeGenerated", id="a TimeGenerated that is no timestamp"),
        pytest.param("2026-10-19T08:00:00Z,home,weu,misschien,512", "Success", id="a Success that is not a boolean"),
        pytest.param("2026-10-19T08:00:00Z,home,weu,True,snel", "DurationMs", id="a DurationMs that is no number"),
        pytest.param("2026-10-19T08:00:00Z,home,weu,True,-1", "DurationMs", id="a negative DurationMs"),
        pytest.param("2026-10-19T08:00:00Z,,weu,True,512", "Name", id="an empty Name"),
        pytest.param("2026-10-19T08:00:00Z,home,,True,512", "Location", id="an empty Location"),
    ],
)
def test_a_bad_results_row_names_line_and_field(line, field):
    with pytest.raises(InputError, match=rf"^results\.csv:3: field {field}"):
        list(parse_results_csv([HEADER, "2026-10-19T08:00:00Z,home,weu,True,512", line], "results.csv"))


def test_results_csv_accepts_kql_timestamps_and_flags():
    rows = list(
        parse_results_csv(
            [HEADER, "2026-10-19T08:00:00.1234567Z,home,weu,True,512", "2026-10-19T08:01:00Z,home,neu,false,9000.5"],
            "results.csv",
        )
    )
    assert [(r.at, r.success, r.duration_ms) for r in rows] == [
        (us("2026-10-19T10:00:00.123456+02:00"), True, 512.0),
        (us("2026-10-19T10:01:00+02:00"), False, 9000.5),
    ]


def test_results_csv_needs_the_header():
    with pytest.raises(InputError, match=r"^results\.csv:1: header"):
        list(parse_results_csv(["Time,Name,Location,Success,DurationMs"], "results.csv"))


def test_exclusions_are_parsed_with_their_reason_and_checked():
    parsed = parse_exclusions(
        [
            {
                "start": "2026-10-19T10:00:00+02:00",
                "end": "2026-10-19T11:00:00+02:00",
                "reason": "Vtlb-calculator storing",
                "recorded_by": "servicedesk",
            }
        ],
        "exclusions.json",
    )
    assert parsed[0].to_json()["reason"] == "Vtlb-calculator storing" and parsed[0].end - parsed[0].start == minutes(60)
    with pytest.raises(InputError, match=r"item 0: field end"):
        parse_exclusions(
            [{"start": "2026-10-19T11:00:00+02:00", "end": "2026-10-19T10:00:00+02:00", "reason": "x"}], "e"
        )
    with pytest.raises(InputError, match=r"item 0: field reason"):
        parse_exclusions([{"start": "2026-10-19T10:00:00+02:00", "end": "2026-10-19T11:00:00+02:00"}], "e")

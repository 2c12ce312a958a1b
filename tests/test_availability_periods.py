"""Availability tests in service per period (measurement §8.7).

Rule quoted (docs/measurement.md §8.7): "The contract may list its availability
tests with the period each is in service (``name``, ``from``, ``until``). A slot
is judged over the tests in service in it; results of unlisted tests are ignored
and the report says so. Without a list, every test seen in the month counts
(§3.2)."

Our decisions (docs/measurement.md §8.7): ``from`` inclusive, ``until``
exclusive, both RFC 3339 with an offset; a test is in service in a slot when it
is in service at the slot's start; a slot with no listed test in service is
unknown; a listed test in service without a result in the slot makes it unknown;
L (the location quorum's count) counts the locations seen in the test's slots
in service.

Every case is computed from the rows and from the day summaries (the app's
path), and both must agree. Most cases use Monday 19 October 2026 (service
hours 07:00-19:00, 720 minutes).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from sla_core.availability import figures, slot_states
from sla_core.availability_input import TestResult as Row
from sla_core.availability_summary import SummarisedAvailability, summarise_day
from sla_core.business_calendar import BusinessCalendar
from sla_core.contract import contract_from_mapping
from sla_core.errors import InputError
from sla_core.periods import Month, day_bounds
from tests.support.core import AMSTERDAM, every_day, us
from tests.test_availability import full_results
from tests.test_availability_summary import stored_day

ROOT = Path(__file__).resolve().parent.parent
MONDAY = "2026-10-19"
DST_SUNDAY = "2026-10-25"  # clocks go back at 03:00 CEST: a local day of 25 hours


def at(clock: str, day: str = MONDAY, offset: str = "+02:00") -> str:
    return f"{day}T{clock}:00{offset}"


@dataclass
class Case:
    rows: list[Row]
    listed: list[dict] | None
    scheduled_unknown_down: tuple[float, float, float]
    tests: tuple[str, ...]
    ignored: tuple[str, ...] = ()
    day: str = MONDAY
    hours: dict | None = field(default=None)


def home(**kwargs) -> list[Row]:
    return full_results(**kwargs)


def api(**kwargs) -> list[Row]:
    return full_results(name="api", **kwargs)


WHOLE = "2026-01-01T00:00:00+01:00"
CASES = [
    pytest.param(
        Case(home() + api(start=at("12:00")), None, (720, 300, 0), ("api", "home")),
        id="without a list a test added at 12:00 leaves the morning unknown (section 3 as before)",
    ),
    pytest.param(
        Case(
            home() + api(start=at("12:00")),
            [{"name": "home", "from": WHOLE}, {"name": "api", "from": at("12:00")}],
            (720, 0, 0),
            ("api", "home"),
        ),
        id="a test added at 12:00 is judged from 12:00 on: the morning is judged over the other test",
    ),
    pytest.param(
        Case(
            home()
            + api(failed={at(f"{h}:{m:02d}"): ("weu", "neu") for h in (15, 16, 17, 18) for m in range(0, 60, 5)}),
            [{"name": "home", "from": WHOLE}, {"name": "api", "from": WHOLE, "until": at("15:00")}],
            (720, 0, 0),
            ("api", "home"),
        ),
        id="a test removed at 15:00 failing afterwards is not judged afterwards",
    ),
    pytest.param(
        Case(
            home() + full_results(name="legacy", failed={s: ("weu", "neu") for s in (at("10:00"), at("10:05"))}),
            [{"name": "home", "from": WHOLE}],
            (720, 0, 0),
            ("home",),
            ("legacy",),
        ),
        id="an unlisted test failing on every location is ignored and named",
    ),
    pytest.param(
        Case(home(), [{"name": "home", "from": at("12:00")}], (720, 300, 0), ("home",)),
        id="a slot with no listed test in service is unknown (07:00-12:00)",
    ),
    pytest.param(
        Case(
            home(),
            [{"name": "home", "from": at("00:00", "2026-10-01")}, {"name": "api", "from": at("00:00", "2026-10-01")}],
            (720, 720, 0),
            ("api", "home"),
        ),
        id="a listed test that never reports makes every slot it is in service in unknown",
    ),
    pytest.param(
        Case(
            home(),
            [{"name": "home", "from": WHOLE}, {"name": "api", "from": at("18:00")}],
            (720, 60, 0),
            ("api", "home"),
        ),
        id="a listed test that never reports from 18:00 on makes 18:00-19:00 unknown",
    ),
    pytest.param(
        Case(
            home() + api(start=at("10:05")) + [Row(us(at("10:03")), "api", loc, False, 1.0) for loc in ("weu", "neu")],
            [{"name": "home", "from": WHOLE}, {"name": "api", "from": "2026-10-19T10:02:00+02:00"}],
            (720, 0, 0),
            ("api", "home"),
        ),
        id="from 10:02 inside a slot: judged from the slot 10:05 on, its failures at 10:03 not counted",
    ),
    pytest.param(
        Case(
            home() + api(failed={at("15:00"): ("weu", "neu")}),
            [{"name": "home", "from": WHOLE}, {"name": "api", "from": WHOLE, "until": "2026-10-19T15:02:00+02:00"}],
            (720, 0, 5),
            ("api", "home"),
        ),
        id="until 15:02 inside a slot: in service at 15:00, the slot's start, so its failure there counts",
    ),
    pytest.param(
        Case(
            home() + api(failed={at("15:00"): ("weu", "neu")}),
            [{"name": "home", "from": WHOLE}, {"name": "api", "from": WHOLE, "until": at("15:00")}],
            (720, 0, 0),
            ("api", "home"),
        ),
        id="until 15:00 on a slot boundary is exclusive: the slot 15:00 is not judged over it",
    ),
    pytest.param(
        Case(
            home()
            + api(end=at("12:00"), locations=("weu",), failed={at("10:00"): ("weu",)})
            + api(start=at("12:00"), locations=("weu", "neu")),
            [{"name": "home", "from": WHOLE}, {"name": "api", "from": WHOLE, "until": at("12:00")}],
            (720, 0, 5),
            ("api", "home"),
        ),
        id="L counts the locations seen while in service: one location, so its failure is a down slot",
    ),
    pytest.param(
        Case(
            full_results(at("00:00", DST_SUNDAY), at("00:00", "2026-10-26", "+01:00"), name="api"),
            [{"name": "api", "from": "2026-10-25T02:30:00+01:00"}],
            (1500, 210, 0),
            ("api",),
            day=DST_SUNDAY,
            hours=every_day("00:00", "24:00"),
        ),
        id="DST day: from the second 02:30 (+01:00) leaves 3.5 hours of the 25-hour day unknown",
    ),
    pytest.param(
        Case(
            home(),
            [{"name": "home", "from": "2026-10-20T00:00:00+02:00"}],
            (720, 720, 0),
            (),
        ),
        id="a test in service only after the period is not judged in it: every slot is unknown",
    ),
]


def contract_of(case: Case):
    data: dict = {} if case.listed is None else {"availability": {"tests": case.listed}}
    if case.hours is not None:
        data["service_hours"] = case.hours
    return contract_from_mapping(data, source="case")


@pytest.mark.parametrize("case", CASES)
def test_a_slot_is_judged_over_the_tests_in_service_in_it(case: Case) -> None:
    contract = contract_of(case)
    calendar = BusinessCalendar.from_contract(contract)
    start, end = day_bounds(date.fromisoformat(case.day), AMSTERDAM)
    rows = [r for r in case.rows if start <= r.at < end]
    from_rows = slot_states(rows, start, end, contract.availability)
    summary, _ = summarise_day(rows, start, end)
    from_summaries = SummarisedAvailability([summary]).slot_states(start, end, contract.availability)
    assert from_summaries == from_rows
    result = figures(from_rows, calendar)
    got = (result.scheduled_minutes, result.unknown_minutes, result.down_minutes)
    assert (got, result.tests, result.ignored_tests) == (case.scheduled_unknown_down, case.tests, case.ignored)


# -- the contract's list: validation names the field ------------------------------------------------

GOOD = {"name": "home", "from": "2026-10-01T00:00:00+02:00"}


@pytest.mark.parametrize(
    ("tests", "field", "message"),
    [
        pytest.param([], "availability.tests", "may not be empty", id="an empty list is refused (leave it out)"),
        pytest.param([GOOD, {**GOOD}], "availability.tests", "listed twice", id="a name listed twice"),
        pytest.param([{**GOOD, "name": ""}], "availability.tests.0.name", "at least 1", id="an empty name"),
        pytest.param([{**GOOD, "name": " home"}], "availability.tests.0.name", "spaces", id="a name with spaces"),
        pytest.param([{**GOOD, "name": "ho\nme"}], "availability.tests.0.name", "control", id="a control character"),
        pytest.param([{"name": "home"}], "availability.tests.0.from", "required", id="from is required"),
        pytest.param(
            [{**GOOD, "from": "2026-10-01"}],
            "availability.tests.0.from",
            "2026-10-01T00:00:00+01:00",
            id="a date alone",
        ),
        pytest.param(
            [{**GOOD, "from": "2026-10-01T00:00:00"}],
            "availability.tests.0.from",
            "without timezone",
            id="a naive time",
        ),
        pytest.param(
            [{**GOOD, "until": "2026-10-01T00:00:00+02:00"}],
            "availability.tests.0.until",
            "must be after from",
            id="until equal to from",
        ),
        pytest.param(
            [GOOD, {**GOOD, "name": "api", "until": "2026-09-30T21:30:00Z"}],
            "availability.tests.1.until",
            "must be after from",
            id="until 21:30Z is before from 00:00+02:00 (22:00Z): compared as instants",
        ),
        pytest.param([{**GOOD, "till": "x"}], "availability.tests.0.till", "Extra", id="an unknown key"),
        pytest.param([{"name": "home", "from_": GOOD["from"]}], "availability.tests.0.from", "required", id="from_"),
    ],
)
def test_a_bad_list_of_tests_is_refused_naming_the_field(tests: list, field: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        contract_from_mapping({"availability": {"tests": tests}}, source="contract.json")
    assert caught.value.field == field and message in str(caught.value)


def test_the_list_is_kept_as_written_and_reads_back() -> None:
    listed = [GOOD, {"name": "api", "from": "2026-10-01T00:00:00Z", "until": "2026-11-01T00:00:00+01:00"}]
    contract = contract_from_mapping({"availability": {"tests": listed}})
    dumped = contract.model_dump(mode="json")["availability"]["tests"]
    assert dumped == [{**GOOD, "until": None}, listed[1]]
    assert contract_from_mapping(contract.model_dump(mode="json")) == contract
    assert contract_from_mapping({}).availability.tests is None


# -- the command line, end to end -----------------------------------------------------------------

CSV_ROWS = ["TimeGenerated,Name,Location,Success,DurationMs"] + [
    f"2026-10-05T{h:02d}:{m:02d}:30Z,{name},{loc},{ok},800"
    for h in range(5, 17)
    for m in range(0, 60, 5)
    for name, ok in (("portaal", "True"), ("oud", "False"))
    for loc in ("West Europe", "North Europe")
]


def cli(tmp_path, contract: dict, *extra: str) -> subprocess.CompletedProcess:
    (tmp_path / "events.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "results.csv").write_text("\n".join(CSV_ROWS) + "\n", encoding="utf-8")
    (tmp_path / "contract.json").write_text(json.dumps(contract), encoding="utf-8")
    command = [sys.executable, "-m", "sla_cli", "report", "--tenant", "enschede", "--month", "2026-10"]
    command += ["--events", str(tmp_path / "events.jsonl"), "--availability", str(tmp_path / "results.csv")]
    command += ["--contract", str(tmp_path / "contract.json"), "--as-of", "2026-11-28T00:00:00+01:00", *extra]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


TENANTS = {"enschede": {"go_live": "2025-09-15"}}


def test_the_cli_ignores_and_names_an_unlisted_test(tmp_path) -> None:
    listed = {"tests": [{"name": "portaal", "from": "2026-10-05T07:00:00+02:00", "until": "2026-10-05T19:00:00+02:00"}]}
    done = cli(tmp_path, {"tenants": TENANTS, "availability": listed})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    level = report["service_levels"]["availability"]
    assert (level["tests"], level["ignored_tests"], level["down_minutes"]) == (["portaal"], ["oud"], 0.0)
    assert report["availability_tests"] == [{**listed["tests"][0]}]
    # every other working day of October has no test in service: unknown, so only 5 October is measured
    assert (level["scheduled_minutes"] - level["unknown_minutes"], level["value"]) == (720.0, 100.0)
    text = cli(tmp_path, {"tenants": TENANTS, "availability": listed}, "--format", "text").stdout
    assert "Resultaten van niet in de overeenkomst genoemde tests zijn genegeerd: oud." in text


def test_the_cli_without_a_list_counts_every_test_seen(tmp_path) -> None:
    report = json.loads(cli(tmp_path, {"tenants": TENANTS}).stdout)
    level = report["service_levels"]["availability"]
    assert (level["tests"], level["ignored_tests"], level["down_minutes"]) == (["oud", "portaal"], [], 720.0)
    assert report["availability_tests"] is None
    assert "genegeerd" not in cli(tmp_path, {"tenants": TENANTS}, "--format", "text").stdout


def test_the_cli_refuses_a_bad_list_with_exit_code_2_naming_the_field(tmp_path) -> None:
    bad = {"tests": [{"name": "portaal", "from": "2026-10-05T07:00:00+02:00", "until": "2026-10-05T07:00:00+02:00"}]}
    done = cli(tmp_path, {"tenants": TENANTS, "availability": bad})
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "field availability.tests.0.until: " in done.stderr and done.stderr.count("\n") == 1


def test_the_workers_memo_of_slot_states_tells_test_lists_apart() -> None:
    day = date.fromisoformat(MONDAY)
    stored = [stored_day(day, home() + full_results(name="legacy", failed={at("10:00"): ("weu", "neu")}))]
    start, end = Month(2026, 10).bounds(AMSTERDAM)
    memo: dict = {}
    rules = [
        contract_from_mapping({"availability": {"tests": listed}}).availability
        for listed in (None, [{"name": "home", "from": WHOLE}], [{"name": "legacy", "from": WHOLE}])
    ]
    states = [SummarisedAvailability(stored, memo=memo).slot_states(start, end, rule) for rule in rules]
    assert [(s.tests, s.ignored, len(s.down)) for s in states] == [
        (("home", "legacy"), (), 1),
        (("home",), ("legacy",), 0),
        (("legacy",), ("home",), 1),
    ]
    assert len(memo) == 3

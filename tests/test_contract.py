"""The contract as data: defaults, validation and partial overrides.

Rules quoted (docs/measurement.md):

* Intro: "Where the SLA is silent or ambiguous, the choice made here is the
  rule; every such choice is a setting of the contract file, so that a
  contract with other wording can be expressed without code changes."
* §1 "Default: working days 07:00–19:00 local time. It is a contract setting
  (per weekday a list of [start, end) local-time ranges)"; timezone default
  Europe/Amsterdam.
* §2 targets per priority (urgent / hoog / gemiddeld / laag): response 1h / 2h
  / 4h / 8h, restore platform 2h / 4h / 8h / 16h, restore application 4h / 8h /
  1 month / 2 months; norm 95.0 %; pause patterns `wachten op*`,
  `onvoldoende documentatie*`.
* §3 slots of 5 minutes, min_failed_locations 2, norm 99.4 (SLA §7.1), 90 %
  coverage flag; §4 load time 3000 ms, 95th percentile.
* Errors (input): the message names where and what.
"""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from pydantic import ValidationError

from sla_core.contract import Contract, contract_from_json, contract_from_mapping, default_contract
from sla_core.errors import InputError
from tests.support.core import contract_with

# -- the defaults are the rules -----------------------------------------------------------------


def _targets(metric: str) -> dict[str, tuple[float, str]]:
    rule = default_contract().metrics.rule(metric)
    return {p: (t.value, t.unit) for p, t in rule.targets.items()}


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        pytest.param(
            "response_time",
            {"urgent": (1, "hours"), "hoog": (2, "hours"), "gemiddeld": (4, "hours"), "laag": (8, "hours")},
            id="response time 1h / 2h / 4h / 8h",
        ),
        pytest.param(
            "restore_time_platform",
            {"urgent": (2, "hours"), "hoog": (4, "hours"), "gemiddeld": (8, "hours"), "laag": (16, "hours")},
            id="platform restore 2h / 4h / 8h / 16h",
        ),
        pytest.param(
            "restore_time_application",
            {"urgent": (4, "hours"), "hoog": (8, "hours"), "gemiddeld": (1, "months"), "laag": (2, "months")},
            id="application restore 4h / 8h / 1 month / 2 months",
        ),
    ],
)
def test_default_targets_are_the_table_of_rules_section_2(metric, expected):
    assert _targets(metric) == expected, "measurement §2 default targets"
    assert default_contract().metrics.rule(metric).norm == 95.0, "measurement §2 norm 95.0 %"


def test_the_other_defaults_are_the_rules():
    contract = default_contract()
    assert contract.timezone == "Europe/Amsterdam"
    for weekday in range(5):
        assert contract.service_hours.for_weekday(weekday) == [(time(7), time(19))], "measurement §1 07:00–19:00"
    assert contract.service_hours.for_weekday(5) == contract.service_hours.for_weekday(6) == []
    assert contract.holidays.algemene_termijnenwet and not contract.holidays.extra_closed
    assert contract.pause_patterns == ["wachten op*", "onvoldoende documentatie*"], "measurement §2 pauses"
    availability = contract.availability
    assert (
        availability.norm,
        availability.slot_minutes,
        availability.min_failed_locations,
        availability.min_coverage,
    ) == (99.4, 5, 2, 90.0), "measurement §3"
    assert (contract.load_time.target_ms, contract.load_time.percentile) == (3000.0, 95.0), "measurement §4"


def test_an_empty_contract_file_is_the_default_contract():
    assert contract_from_mapping({}) == default_contract()


# -- invalid contracts: the error names the field -----------------------------------------------

INVALID = [
    pytest.param(
        {"metrics": {"response_time": {"targets": {"urgent": {"value": -1, "unit": "hours"}}}}},
        "metrics.response_time.targets.urgent.value",
        id="a negative target",
    ),
    pytest.param(
        {"metrics": {"response_time": {"targets": {"urgent": {"value": 0, "unit": "hours"}}}}},
        "metrics.response_time.targets.urgent.value",
        id="a zero target",
    ),
    pytest.param(
        {"metrics": {"response_time": {"targets": {"urgent": {"value": 1, "unit": "days"}}}}},
        "metrics.response_time.targets.urgent.unit",
        id="a target in an unknown unit",
    ),
    pytest.param(
        {"metrics": {"restore_time_application": {"targets": {"gemiddeld": {"value": 1.5, "unit": "months"}}}}},
        "metrics.restore_time_application.targets.gemiddeld",
        id="a target in months that is not whole",
    ),
    pytest.param(
        {"metrics": {"response_time": {"targets": {"kritiek": {"value": 1, "unit": "hours"}}}}},
        "metrics.response_time.targets.kritiek",
        id="a target of an unknown priority",
    ),
    pytest.param({"metrics": {"response_time": {"norm": 120}}}, "metrics.response_time.norm", id="a norm above 100"),
    pytest.param({"timezone": "Europe/Amsterdm"}, "timezone", id="an unknown timezone"),
    pytest.param(
        {"service_hours": {"monday": [{"start": "07:00", "end": "12:00"}, {"start": "11:00", "end": "19:00"}]}},
        "service_hours",
        id="overlapping ranges on a weekday",
    ),
    pytest.param(
        {"service_hours": {"monday": [{"start": "07:00", "end": "24:00"}, {"start": "08:00", "end": "09:00"}]}},
        "service_hours",
        id="a range inside a range ending at 24:00",
    ),
    pytest.param(
        {"service_hours": {"monday": [{"start": "19:00", "end": "07:00"}]}},
        "service_hours.monday.0",
        id="a range that ends before it starts",
    ),
    pytest.param(
        {"service_hours": {"monday": [{"start": "7:00", "end": "19:00"}]}},
        "service_hours.monday.0",
        id="a time that is not HH:MM",
    ),
    pytest.param(
        {"service_hours": {d: [] for d in ("monday", "tuesday", "wednesday", "thursday", "friday")}},
        "service_hours",
        id="no service hours on any weekday",
    ),
    pytest.param(
        {"holidays": {"extra_closed": ["2026-13-01"]}}, "holidays.extra_closed.0", id="an invalid closed date"
    ),
    pytest.param(
        {"availability": {"slot_minutes": 7}}, "availability.slot_minutes", id="a slot that does not divide an hour"
    ),
    pytest.param(
        {"availability": {"min_failed_locations": 0}}, "availability.min_failed_locations", id="zero failed locations"
    ),
    pytest.param({"pause_patterns": ["  "]}, "pause_patterns", id="an empty pause pattern"),
    pytest.param(
        {"tenants": {"enschede": {"go_live": "2026-05-01", "contract_end": "2026-01-01"}}},
        "tenants.enschede",
        id="a contract end before go-live",
    ),
    pytest.param({"onbekend": 1}, "onbekend", id="an unknown key (a typo is not silently ignored)"),
    pytest.param({"availability": {"norm": 99.4, "nrom": 99}}, "availability.nrom", id="an unknown nested key"),
    pytest.param({"availability": {"norm": "99.4"}}, "availability.norm", id="a number written as a string"),
    pytest.param(
        {"holidays": {"algemene_termijnenwet": "yes"}}, "holidays.algemene_termijnenwet", id="a flag written as yes"
    ),
    pytest.param({"availability": {"slot_minutes": 5.5}}, "availability.slot_minutes", id="a fraction of a minute"),
    pytest.param({"pause_patterns": "wachten*"}, "pause_patterns", id="a pattern where a list is due"),
]


def test_a_contract_with_nan_or_infinity_is_refused() -> None:
    for value in (float("nan"), float("inf")):
        with pytest.raises(InputError, match="contract.json: a contract holds JSON values only"):
            contract_from_mapping({"availability": {"norm": value}}, "contract.json")


@pytest.mark.parametrize(("data", "field"), INVALID)
def test_an_invalid_contract_is_an_input_error_naming_the_field(data, field):
    with pytest.raises(InputError) as caught:
        contract_from_mapping(data, "contract.json")
    message = str(caught.value)
    assert message.startswith(f"contract.json: field {field}"), f"the error names the file and field {field}: {message}"
    assert caught.value.field is not None and caught.value.field.startswith(field), "InputError.field carries it too"


def test_overlapping_ranges_name_the_weekday():
    with pytest.raises(InputError, match="monday: ranges 07:00-12:00 and 11:00-19:00 overlap"):
        contract_with(
            service_hours={"monday": [{"start": "07:00", "end": "12:00"}, {"start": "11:00", "end": "19:00"}]}
        )


def test_a_contract_must_be_an_object():
    with pytest.raises(InputError, match="contract.json: a contract must be a JSON object"):
        contract_from_mapping([], "contract.json")


def test_a_metric_without_a_target_for_every_priority_is_invalid():
    data = default_contract().model_dump(mode="json")
    del data["metrics"]["response_time"]["targets"]["laag"]
    with pytest.raises(ValidationError, match="missing target for priority laag"):
        Contract.model_validate(data)


# -- a partial contract is merged over the default --------------------------------------------------


def test_a_partial_target_override_keeps_the_other_priorities_and_the_norm():
    contract = contract_with(metrics={"response_time": {"targets": {"urgent": {"value": 0.5, "unit": "hours"}}}})
    assert contract.metrics.response_time.targets["urgent"].value == 0.5
    assert {p: t.value for p, t in contract.metrics.response_time.targets.items() if p != "urgent"} == {
        "hoog": 2,
        "gemiddeld": 4,
        "laag": 8,
    }
    assert contract.metrics.response_time.norm == 95.0
    assert contract.metrics.restore_time_application == default_contract().metrics.restore_time_application


def test_a_partial_availability_override_keeps_the_other_settings():
    contract = contract_with(availability={"norm": 99.0})
    assert (
        contract.availability.norm,
        contract.availability.slot_minutes,
        contract.availability.min_failed_locations,
    ) == (
        99.0,
        5,
        2,
    )
    assert contract.metrics == default_contract().metrics and contract.timezone == "Europe/Amsterdam"


def test_service_hours_of_one_weekday_keep_the_other_weekdays():
    contract = contract_with(service_hours={"saturday": [{"start": "09:00", "end": "13:00"}]})
    assert contract.service_hours.for_weekday(5) == [(time(9), time(13))]
    assert contract.service_hours.for_weekday(0) == [(time(7), time(19))]


def test_touching_ranges_are_allowed_and_a_24_00_end_is_midnight():
    contract = contract_with(
        service_hours={"monday": [{"start": "12:00", "end": "24:00"}, {"start": "00:00", "end": "12:00"}]}
    )
    assert contract.service_hours.for_weekday(0) == [(time(0), time(12)), (time(12), None)]


def test_extra_closed_dates_keep_the_atw_holidays():
    contract = contract_with(holidays={"extra_closed": ["2026-05-15"]})
    assert contract.holidays.algemene_termijnenwet and contract.holidays.extra_closed == [date(2026, 5, 15)]


def test_a_list_setting_replaces_the_default_list():
    assert contract_with(pause_patterns=["in afwachting*"]).pause_patterns == ["in afwachting*"]


# -- contract JSON text -----------------------------------------------------------------------------------


def test_contract_json_text_is_parsed_and_merged():
    text = json.dumps({"version": "gemeente X, regels v2", "availability": {"norm": 99.0}})
    contract = contract_from_json(text, "contract.json")
    assert (contract.version, contract.availability.norm, contract.availability.slot_minutes) == (
        "gemeente X, regels v2",
        99.0,
        5,
    )


def test_contract_json_that_is_broken_names_the_line():
    with pytest.raises(InputError, match=r"contract\.json: line 2: invalid JSON"):
        contract_from_json('{\n  "availability": {"norm": 99.0,}\n}\n', "contract.json")


def test_an_invalid_contract_names_the_source_and_field():
    with pytest.raises(InputError, match=r"^gemeente\.json: field timezone"):
        contract_from_json(json.dumps({"timezone": "Mars/Olympus"}), "gemeente.json")

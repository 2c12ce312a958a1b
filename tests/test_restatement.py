"""The list of changes of a restated month (measurement §8.6) and the provisional status (measurement §8.5), pure.

Report bodies are literal, cut down to the keys the comparison reads.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla_core.contract import contract_from_mapping
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_json import report_json
from sla_core.restatement import figures_changed, has_changes, restatement


def body(**overrides: Any) -> dict[str, Any]:
    """October as delivered: availability 99.5 %, restore 1 of 1 within (M1), response 1 of 1 (M1)."""
    base: dict[str, Any] = {
        "status": "final",
        "missing_days": [],
        "service_levels": {
            "availability": {
                "value": 99.5,
                "down_minutes": 10.0,
                "by_day": [
                    {
                        "date": "2026-10-14",
                        "scheduled_minutes": 720.0,
                        "down_minutes": 10.0,
                        "unknown_minutes": 0.0,
                        "excluded_minutes": 0.0,
                        "value": 98.6,
                    },
                    {
                        "date": "2026-10-15",
                        "scheduled_minutes": 720.0,
                        "down_minutes": 0.0,
                        "unknown_minutes": 0.0,
                        "excluded_minutes": 0.0,
                        "value": 100.0,
                    },
                ],
            },
            "response_time": {"value": 100.0, "decided": 1, "within": 1},
            "restore_time": {"value": 100.0, "decided": 1, "within": 1},
            "load_time": {"value": 100.0},
        },
        "outcomes": [
            {"ticket_id": "M1", "metric": "response_time", "outcome": "met"},
            {"ticket_id": "M1", "metric": "restore_time", "outcome": "met"},
        ],
        "trailing_12_months": {"months": ["2026-10"], "restore_time": {"value": 100.0, "decided": 1, "within": 1}},
        "exclusions": [],
        "not_measured": {"niet_incident": 0, "niet_toerekenbaar": 0},
    }
    for key, value in overrides.items():
        base[key] = value
    return base


def levels(**changes: Any) -> dict[str, Any]:
    out = {k: dict(v) for k, v in body()["service_levels"].items()}
    for metric, block in changes.items():
        out[metric] = {**out[metric], **block}
    return out


REOPENED = {
    "event_id": "e7",
    "tenant": "enschede",
    "ticket_id": "M1",
    "occurred_at": "2026-11-03T10:00:00+01:00",
    "kind": "reopened",
}
RETYPED = {
    "event_id": "e8",
    "tenant": "enschede",
    "ticket_id": "M1",
    "occurred_at": "2026-11-04T10:00:00+01:00",
    "kind": "updated",
    "type": "serviceverzoek",
}
LATE = {
    "event_id": "e9",
    "tenant": "enschede",
    "ticket_id": "M2",
    "occurred_at": "2026-10-20T09:30:00+02:00",
    "kind": "responded",
}
OTHER = {
    "event_id": "e10",
    "tenant": "enschede",
    "ticket_id": "M9",
    "occurred_at": "2026-11-05T10:00:00+01:00",
    "kind": "opened",
    "type": "incident",
    "priority": "laag",
}
NO_RESTORE = [{"ticket_id": "M1", "metric": "response_time", "outcome": "met"}]

CASES = [
    pytest.param(
        body(),
        body(),
        [OTHER],
        {"service_levels": [], "outcomes": [], "cause": []},
        id="nothing changed: no entries, even with unrelated new events",
    ),
    pytest.param(
        body(),
        body(
            service_levels=levels(restore_time={"value": None, "decided": 0, "within": 0}),
            outcomes=NO_RESTORE,
            trailing_12_months={"months": ["2026-10"], "restore_time": {"value": None, "decided": 0, "within": 0}},
        ),
        [REOPENED, OTHER],
        {
            "service_levels": [{"metric": "restore_time", "before": 100.0, "after": None}],
            "outcomes": [{"ticket_id": "M1", "metric": "restore_time", "before": "met", "after": None}],
            "cause": ["melding M1: gebeurtenis e7 (heropend, 2026-11-03T10:00:00+01:00) nagekomen"],
        },
        id="a reopen after delivery moves the restore outcome out of the month (the trailing year is not listed)",
    ),
    pytest.param(
        body(),
        body(
            service_levels=levels(
                response_time={"value": None, "decided": 0, "within": 0},
                restore_time={"value": None, "decided": 0, "within": 0},
            ),
            outcomes=[],
            not_measured={"niet_incident": 1, "niet_toerekenbaar": 0},
        ),
        [RETYPED],
        {
            "service_levels": [
                {"metric": "response_time", "before": 100.0, "after": None},
                {"metric": "restore_time", "before": 100.0, "after": None},
            ],
            "outcomes": [
                {"ticket_id": "M1", "metric": "response_time", "before": "met", "after": None},
                {"ticket_id": "M1", "metric": "restore_time", "before": "met", "after": None},
            ],
            "cause": [
                "meldingen niet meegeteld (geen incident): 0 → 1",
                "melding M1: gebeurtenis e8 (gewijzigd: type serviceverzoek, 2026-11-04T10:00:00+01:00) nagekomen",
            ],
        },
        id="a reclassification to a service request removes the ticket's outcomes",
    ),
    pytest.param(
        body(
            service_levels=levels(response_time={"value": 50.0, "decided": 2, "within": 1}),
            outcomes=[*body()["outcomes"], {"ticket_id": "M2", "metric": "response_time", "outcome": "breached"}],
        ),
        body(
            service_levels=levels(response_time={"value": 100.0, "decided": 2, "within": 2}),
            outcomes=[*body()["outcomes"], {"ticket_id": "M2", "metric": "response_time", "outcome": "met"}],
        ),
        [LATE],
        {
            "service_levels": [{"metric": "response_time", "before": 50.0, "after": 100.0}],
            "outcomes": [{"ticket_id": "M2", "metric": "response_time", "before": "breached", "after": "met"}],
            "cause": ["melding M2: gebeurtenis e9 (gereageerd, 2026-10-20T09:30:00+02:00) nagekomen"],
        },
        id="a late response event turns a breach into met",
    ),
    pytest.param(
        body(),
        body(
            service_levels=levels(
                availability={
                    "value": 98.0,
                    "down_minutes": 43.2,
                    "by_day": [
                        {
                            "date": "2026-10-14",
                            "scheduled_minutes": 720.0,
                            "down_minutes": 43.2,
                            "unknown_minutes": 0.0,
                            "excluded_minutes": 0.0,
                            "value": 94.0,
                        },
                        body()["service_levels"]["availability"]["by_day"][1],
                    ],
                }
            )
        ),
        [],
        {
            "service_levels": [{"metric": "availability", "before": 99.5, "after": 98.0}],
            "outcomes": [],
            "cause": ["beschikbaarheid gewijzigd (opnieuw ingelezen of uitgesloten): 2026-10-14"],
        },
        id="a re-ingested day with more down time lowers availability and names the day",
    ),
    pytest.param(
        body(),
        body(
            service_levels=levels(availability={"value": 100.0, "down_minutes": 0.0}),
            exclusions=[
                {
                    "start": "2026-10-14T10:00:00+02:00",
                    "end": "2026-10-14T11:00:00+02:00",
                    "reason": "aangekondigd onderhoud",
                }
            ],
        ),
        [],
        {
            "service_levels": [{"metric": "availability", "before": 99.5, "after": 100.0}],
            "outcomes": [],
            "cause": [
                (
                    "uitsluiting toegevoegd: 2026-10-14T10:00:00+02:00 – 2026-10-14T11:00:00+02:00 "
                    "(aangekondigd onderhoud)"
                )
            ],
        },
        id="a new exclusion turns down time into available time and is named",
    ),
    pytest.param(
        body(
            status="provisional",
            missing_days=["2026-06-30"],
            service_levels=levels(availability={"value": 100.0, "down_minutes": 0.0}),
        ),
        body(service_levels=levels(availability={"value": 88.4, "down_minutes": 100.0})),
        [],
        {
            "service_levels": [{"metric": "availability", "before": 100.0, "after": 88.4}],
            "outcomes": [],
            "cause": ["status: voorlopig → definitief", "beschikbaarheid compleet ingelezen: 2026-06-30"],
        },
        id="the final report after a provisional one names the status and the completed day",
    ),
    pytest.param(
        body(),
        body(),
        [REOPENED],
        {"service_levels": [], "outcomes": [], "cause": []},
        id="an event of a ticket whose outcomes did not change here is no cause",
    ),
    pytest.param(
        body(),
        body(
            availability_tests=[{"name": "portaal", "from": "2026-10-01T00:00:00+02:00", "until": None}],
            service_levels=levels(availability={"value": 100.0, "down_minutes": 0.0}),
        ),
        [],
        {
            "service_levels": [{"metric": "availability", "before": 99.5, "after": 100.0}],
            "outcomes": [],
            "cause": ["lijst van beschikbaarheidstests in de overeenkomst gewijzigd"],
        },
        id="a month restated because the contract now lists its tests names that cause (measurement §8.7)",
    ),
]


@pytest.mark.parametrize(("before", "after", "events", "expected"), CASES)
def test_the_changes_of_a_restated_month(before: dict, after: dict, events: list, expected: dict) -> None:
    assert restatement(before, after, events) == expected


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        pytest.param(body(), body(), False, id="the same figures"),
        pytest.param(body(), body(pending=[{"ticket_id": "M5"}]), False, id="only the pending list differs"),
        pytest.param(
            body(), body(exclusions=[{"start": "a", "end": "b"}]), False, id="an exclusion that changes no figure"
        ),
        pytest.param(body(), body(outcomes=NO_RESTORE), True, id="an outcome left the month"),
        pytest.param(
            body(status="provisional", missing_days=["2026-10-31"]),
            body(),
            True,
            id="provisional became final with the same values",
        ),
        pytest.param(body(), body(service_levels=levels(load_time={"value": 90.0})), True, id="the load time changed"),
        pytest.param(
            body(),
            body(trailing_12_months={"months": ["2026-10"], "restore_time": {"value": 50.0}}),
            False,
            id="only the trailing year changed",
        ),
    ],
)
def test_a_restated_month_is_stored_only_when_its_figures_changed(before: dict, after: dict, changed: bool) -> None:
    assert figures_changed(before, after) is changed


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(None, False, id="version 1 has no changes"),
        pytest.param({"service_levels": [], "outcomes": [], "cause": []}, False, id="empty lists are no changes"),
        pytest.param(
            {"service_levels": [], "outcomes": [], "cause": ["status: voorlopig → definitief"]},
            True,
            id="a cause alone is a change",
        ),
    ],
)
def test_has_changes(changes: Any, expected: bool) -> None:
    assert has_changes(changes) is expected


CONTRACT = contract_from_mapping({"tenants": {"enschede": {"go_live": "2026-01-05"}}}, source="test")


@pytest.mark.parametrize(
    ("missing", "status", "days"),
    [
        pytest.param([], "final", [], id="complete data (the CLI) is final"),
        pytest.param([date(2026, 6, 30)], "provisional", ["2026-06-30"], id="a missing last day is provisional"),
        pytest.param([date(2026, 7, 1), date(2026, 5, 31)], "final", [], id="days of other months do not count"),
        pytest.param(
            [date(2026, 6, 30), date(2026, 6, 2), date(2026, 6, 30)],
            "provisional",
            ["2026-06-02", "2026-06-30"],
            id="missing days are listed once, in order",
        ),
    ],
)
def test_the_report_is_provisional_while_days_of_its_month_are_missing(missing: list, status: str, days: list) -> None:
    report = Reporter(CONTRACT, [], [], 1_800_000_000_000_000).report("enschede", Month(2026, 6), [], missing)
    assert (report.status, list(report.missing_days)) == (status, days)
    as_json = report_json(report)
    assert (as_json["status"], as_json["missing_days"]) == (status, days)


_OUTCOME_MAPS = st.dictionaries(
    st.tuples(st.sampled_from(["M1", "M2", "M3"]), st.sampled_from(["response_time", "restore_time_platform"])),
    st.sampled_from(["met", "breached"]),
)


def _as_body(outcomes: dict[tuple[str, str], str]) -> dict[str, Any]:
    return body(outcomes=[{"ticket_id": t, "metric": m, "outcome": o} for (t, m), o in outcomes.items()])


@given(_OUTCOME_MAPS, _OUTCOME_MAPS)
def test_the_outcome_changes_turn_the_earlier_outcomes_into_the_later_ones(before: dict, after: dict) -> None:
    changes = restatement(_as_body(before), _as_body(after))["outcomes"]
    patched = dict(before)
    for change in changes:
        key = (change["ticket_id"], change["metric"])
        assert patched.get(key) == change["before"] != change["after"]
        if change["after"] is None:
            del patched[key]
        else:
            patched[key] = change["after"]
    assert patched == after
    assert (changes == []) is (before == after)

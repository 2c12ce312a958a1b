"""The at-risk assessment in Dutch (sla_app.overview.at_risk_nl): each reason names the numbers behind its status.

The statuses and numbers are the core's (tests/test_at_risk.py); these cases
check only the words: Dutch number formatting, truncated (docs/measurement.md
§8.8), singular and plural. Availability rows use a month of 10,000
service-hours minutes; the default norm of 99.4 % allows 60 minutes of it.
"""

from __future__ import annotations

import pytest

from sla_app.overview.at_risk_nl import at_risk_json, availability_reason, ticket_reason
from sla_core.at_risk import AtRisk, availability_risk, ticket_risk

REASON_CASES = [
    pytest.param(
        99.4,
        10_000,
        500,
        0,
        61,
        [
            "kan niet meer gehaald worden",
            "61,0 min niet beschikbaar",
            "hoogstens 60,0 min",
            "9.500,0 min servicetijd",
            "99,39 %",
        ],
        id="unreachable names the down time, the budget, the rest of the month and the best possible value",
    ),
    pytest.param(
        99.4,
        10_000,
        5_000,
        0,
        50,
        ["risico", "50,0 min niet beschikbaar", "83,33 % van de 60,0 min", "nog 10,0 min ruimte"],
        id="at risk names the share of the budget spent and what is left",
    ),
    pytest.param(
        99.4,
        10_000,
        5_000,
        0,
        60,
        ["risico", "alle 60,0 min", "nog 0,0 min ruimte"],
        id="exactly at the norm: the whole budget is spent",
    ),
    pytest.param(
        99.4,
        10_000,
        5_000,
        5_000,
        0,
        ["op koers", "tot nu toe niets gemeten"],
        id="all unknown so far says that nothing was measured yet",
    ),
    pytest.param(99.4, 0, 0, 0, 0, ["niet gemeten"], id="no service hours: not measured"),
]


@pytest.mark.parametrize(("norm", "whole", "elapsed", "unknown", "down", "phrases"), REASON_CASES)
def test_the_availability_reason_is_dutch_and_names_the_numbers(norm, whole, elapsed, unknown, down, phrases):
    reason = availability_reason(availability_risk(norm, whole, elapsed, unknown, down))
    for phrase in phrases:
        assert phrase in reason, reason


TICKET_REASONS = [
    pytest.param(
        95.0,
        10,
        8,
        0,
        [
            "risico",
            "8 van 10 binnen de streeftijd (80,00 %)",
            "onder de norm van 95,00 %",
            "nog minstens 30 uitkomsten binnen de streeftijd nodig",
        ],
        id="at risk names the value so far and the number needed",
    ),
    pytest.param(95.0, 19, 18, 0, ["nog minstens 1 uitkomst binnen"], id="one needed outcome is singular"),
    pytest.param(
        100.0, 3, 2, 0, ["kan niet meer gehaald worden", "er is er al 1"], id="out of reach names the breaches"
    ),
    pytest.param(95.0, 0, 0, 2, ["n.v.t.", "2 meldingen lopen nog"], id="nothing decided, two pending"),
    pytest.param(95.0, 4, 4, 1, ["op koers", "4 van 4", "1 melding loopt nog"], id="on track with one pending"),
]


@pytest.mark.parametrize(("norm", "decided", "within", "pending", "phrases"), TICKET_REASONS)
def test_the_ticket_reason_is_dutch(norm, decided, within, pending, phrases):
    reason = ticket_reason(ticket_risk("restore_time_platform", norm, decided, within, pending))
    for phrase in phrases:
        assert phrase in reason, reason


def test_every_level_of_the_json_carries_a_dutch_label_and_reason():
    assessed = AtRisk(
        tenant="enschede",
        tenant_name="Enschede",
        month="2026-10",
        as_of="2026-10-15T12:00:00+02:00",
        availability=availability_risk(99.4, 10_000, 5_000, 0, 61),
        tickets={"response_time": ticket_risk("response_time", 95.0, 4, 4)},
    )
    data = at_risk_json(assessed)
    availability, response = data["service_levels"]["availability"], data["service_levels"]["response_time"]
    assert (availability["label"], response["label"]) == ("kan niet meer gehaald worden", "op koers")
    assert availability["reason"].startswith("kan niet meer gehaald worden: 61,0 min niet beschikbaar")
    assert response["reason"] == "op koers: 4 van 4 binnen de streeftijd (100,00 %), norm 95,00 %"
    assert data["at_risk"] == ["availability"]

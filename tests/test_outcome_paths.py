"""Outcomes (measurement §2): the common ticket's shorter path decides exactly as the general one.

``OutcomeRules`` decides a ticket with one run of the clock, no pause and one priority from ``opened`` on
by a shorter path (``_decide_simple``); every other ticket by the general walk over pieces. Over the
generated tickets of the fold properties (every kind, pauses, priority and scope changes, reopening,
stops dated before opening, targets in hours and in months), moved to the autumn and spring DST
changes, Christmas and King's Day, both paths must give the same outcomes, field for field.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sla_core.tickets import fold_all
from tests.support.core import PROPERTY_SETTINGS, outcome_rules, parsed, us
from tests.test_fold_properties import BASE, as_ofs, stamp, tickets

SHIFTS = [
    0,  # Friday 23 October 2026 07:00 and on: the autumn DST change
    us("2026-03-27T07:00:00+01:00") - BASE,  # the spring DST change
    us("2026-12-23T07:00:00+01:00") - BASE,  # Christmas (holidays)
    us("2026-04-24T07:00:00+02:00") - BASE,  # King's Day, Monday 27 April
]


@settings(PROPERTY_SETTINGS, max_examples=500)
@given(tickets(), as_ofs, st.sampled_from(SHIFTS))
def test_the_short_path_decides_as_the_general_walk(events, as_of, shift):
    moved = [
        dict(e, occurred_at=stamp(us(e["occurred_at"].replace("Z", "+00:00")) + shift, e["occurred_at"].endswith("Z")))
        for e in events
    ]
    short, general = outcome_rules(), outcome_rules()
    general.simple = False
    for ticket in fold_all(parsed(moved), as_of + shift):
        assert short.outcomes(ticket, as_of + shift) == general.outcomes(ticket, as_of + shift)

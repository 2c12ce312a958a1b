"""The one verdict (sla_core.verdict): value ≥ norm, unrounded; what "no value" means per level.

docs/measurement.md §2.9 (a ticket level with nothing decided counts as met, "n.v.t."), §3.4
(availability without measured service hours is "niet gemeten": no verdict) and the convention that
percentages are compared unrounded. Figures summed under different norms have no norm: no verdict.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla_core.report_records import Tally, TicketLevel
from sla_core.verdict import meets_norm, ticket_met, ticket_value
from sla_core.vocabulary import LEVELS, TICKET_METRICS

CASES = [
    # level, value, norm -> verdict
    pytest.param("availability", 99.4, 99.4, True, id="availability exactly at its norm is met"),
    pytest.param("availability", 99.39999999999999, 99.4, False, id="availability one float below its norm is missed"),
    pytest.param("availability", None, 99.4, None, id="availability not measured has no verdict"),
    pytest.param("availability", 100.0, None, None, id="availability summed under different norms has no verdict"),
    pytest.param("response_time", 95.0, 95.0, True, id="a ticket level exactly at its norm is met"),
    pytest.param("response_time", 94.99999999999999, 95.0, False, id="a ticket level just below its norm is missed"),
    pytest.param("restore_time_platform", None, 95.0, True, id="a ticket level with nothing decided counts as met"),
    pytest.param("restore_time_application", None, None, None, id="a ticket level without a norm has no verdict"),
]


@pytest.mark.parametrize(("level", "value", "norm", "expected"), CASES)
def test_the_verdict(level, value, norm, expected):
    assert meets_norm(level, value, norm) is expected


TICKET_CASES = [
    # norm, decided, within -> met
    pytest.param(95.0, 0, 0, True, id="nothing decided is met (n.v.t.)"),
    pytest.param(95.0, 20, 19, True, id="19 of 20 is exactly 95 %"),
    pytest.param(95.0, 19, 18, False, id="18 of 19 is below 95 %"),
    pytest.param(100.0, 3, 2, False, id="one breach misses a norm of 100 %"),
]


@pytest.mark.parametrize(("norm", "decided", "within", "met"), TICKET_CASES)
def test_a_ticket_level_is_judged_from_its_counts(norm, decided, within, met):
    assert ticket_met(norm, decided, within) is met


@given(
    st.integers(0, 200).flatmap(lambda d: st.tuples(st.just(d), st.integers(0, d))), st.sampled_from([50.0, 95.0, 99.4])
)
def test_the_report_the_counts_and_the_value_agree(counts, norm):
    decided, within = counts
    level = TicketLevel(norm, Tally(decided, within), {})
    assert (
        level.met
        is ticket_met(norm, decided, within)
        is meets_norm("response_time", ticket_value(decided, within), norm)
    )


def test_the_vocabulary_lists_availability_then_the_ticket_levels():
    assert ("availability", *TICKET_METRICS) == LEVELS
    assert TICKET_METRICS == ("response_time", "restore_time_platform", "restore_time_application")

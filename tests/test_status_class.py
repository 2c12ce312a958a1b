"""Status classes (measurement §8.3): a status is kept and reported only as its class, never as raw text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sla_core.contract import contract_from_mapping, default_contract
from sla_core.errors import InputError
from sla_core.status_class import OTHER, StatusClasses, pattern_class
from tests.support.core import PROPERTY_SETTINGS, outcome_rules

DEFAULT = StatusClasses(default_contract().known_statuses, default_contract().pause_patterns)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param("in behandeling", "in behandeling", id="a known status stays itself"),
        pytest.param("  In   Behandeling ", "in behandeling", id="a known status in other case and spacing"),
        pytest.param("wachten op klant", "wachten op klant", id="a known waiting status stays itself"),
        pytest.param(
            "Wachten op Piet de Vries (p.devries@enschede.nl)",
            "wachten op …",
            id="a waiting status naming a person becomes its pause pattern",
        ),
        pytest.param(
            "Onvoldoende documentatie van J. Jansen, 06-12345678",
            "onvoldoende documentatie …",
            id="the other pause pattern too",
        ),
        pytest.param("Ingepland bij Jan Jansen", OTHER, id="any other status becomes overig"),
        pytest.param("NL91ABNA0417164300", OTHER, id="an IBAN as status becomes overig"),
        pytest.param("overig", OTHER, id="overig is its own class"),
        pytest.param("Wachten  op\tklant  Jansen", "wachten op …", id="runs of white space count as one space"),
    ],
)
def test_statuses_are_kept_as_their_class(status: str, expected: str) -> None:
    assert DEFAULT.of(status) == expected


@pytest.mark.parametrize(
    ("pattern", "written"),
    [
        pytest.param("wachten op*", "wachten op …", id="a trailing wildcard"),
        pytest.param("*wacht*", "… wacht …", id="wildcards on both sides"),
        pytest.param("in  afwachting van *", "in afwachting van …", id="white space collapsed"),
    ],
)
def test_a_pause_pattern_is_written_with_an_ellipsis_for_its_wildcard(pattern: str, written: str) -> None:
    assert pattern_class(pattern) == written


@pytest.mark.parametrize(
    "override",
    [
        pytest.param({"pause_patterns": ["o*"]}, id="a pause pattern that matches overig is refused"),
        pytest.param({"known_statuses": [" "]}, id="an empty known status is refused"),
    ],
)
def test_a_contract_whose_classes_would_change_a_pause_is_refused(override: dict) -> None:
    with pytest.raises(InputError):
        contract_from_mapping(override)


@PROPERTY_SETTINGS
@given(
    st.one_of(
        st.text(min_size=1, max_size=60),
        st.builds(
            "".join,
            st.lists(
                st.sampled_from(["Wachten", " ", "op", "\t", "ONVOLDOENDE", "documentatie", "klant", "x", "*"]),
                min_size=1,
                max_size=8,
            ),
        ),
    )
)
def test_a_status_pauses_exactly_when_its_class_does(status: str) -> None:
    rules = outcome_rules()
    assert rules.is_pause_status(DEFAULT.of(status)) == rules.is_pause_status(status)


@PROPERTY_SETTINGS
@given(st.text(min_size=1, max_size=60))
def test_a_class_is_always_one_of_few_texts_and_classing_it_again_changes_nothing(status: str) -> None:
    allowed = {*default_contract().known_statuses, OTHER, *map(pattern_class, default_contract().pause_patterns)}
    assert DEFAULT.of(status) in allowed
    assert DEFAULT.is_class(DEFAULT.of(status))  # type: ignore[arg-type]

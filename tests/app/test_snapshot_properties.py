"""Properties of the shared snapshot fold: a history is a function of the set of readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from sla_app.adapters.snapshots import Reading, history
from sla_core.events import parse_event
from tests.support.core import PROPERTY_SETTINGS

START = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)
MINUTES = st.integers(min_value=0, max_value=3 * 24 * 60)


def at(minutes: int | None) -> datetime | None:
    return None if minutes is None else START + timedelta(minutes=minutes)


@st.composite
def readings(draw: st.DrawFn) -> Reading:
    seen = draw(st.one_of(MINUTES, st.sampled_from([60, 90])))  # often the same instant: ties are ordered by content
    phase = draw(st.sampled_from(["open", "resolved", "closed"]))
    values = {
        "type": draw(st.sampled_from([None, "incident", "serviceverzoek"])),
        "priority": draw(st.sampled_from([None, "urgent", "hoog", "gemiddeld", "laag"])),
        "status": draw(st.sampled_from([None, "nieuw", "in behandeling", "wachten op …", "overig"])),
        "scope": draw(st.sampled_from([None, "platform", "applicatie"])),
        "attributable": draw(st.sampled_from([None, True, False])),
    }
    reading = Reading(
        ticket_id="I-2610-042",
        seen=at(seen),
        opened_at=START,
        as_created=draw(st.booleans()),  # type: ignore[arg-type]
        values=values,
        status_since=at(draw(st.one_of(st.none(), MINUTES))),
        responded_at=at(draw(st.one_of(st.none(), MINUTES))),
        phase=phase,
        resolved_at=at(draw(st.one_of(st.none(), MINUTES))) if phase != "open" else None,
        closed_at=at(seen) if phase == "closed" else None,
    )
    return Reading.from_json(reading.to_json())


@PROPERTY_SETTINGS
@given(st.lists(readings(), min_size=1, max_size=8, unique_by=lambda r: r.order()), st.randoms(use_true_random=False))
def test_any_order_of_the_same_readings_gives_the_same_valid_history(found: list[Reading], rng) -> None:
    reference = history("topdesk", "enschede", found)
    shuffled = found[:]
    rng.shuffle(shuffled)
    assert history("topdesk", "enschede", shuffled) == reference
    assert reference[0]["kind"] == "opened"
    ids = [e["event_id"] for e in reference]
    assert len(ids) == len(set(ids)), ids  # one event per id: a history never contradicts itself
    for item in reference:
        parse_event(item, "derived")  # every derived event is a valid canonical event


@PROPERTY_SETTINGS
@given(readings())
def test_a_reading_survives_storage_unchanged(reading: Reading) -> None:
    assert Reading.from_json(reading.to_json()) == reading
    assert Reading.from_json(reading.to_json()).digest() == reading.digest()

"""Properties of the ticket fold and its outcomes (measurement §2, §6).

Rules quoted:

* §6 "`event_id` is unique per source: the same event twice is one event.
  Events may arrive in any order; `occurred_at` orders them."
* §2 "A ticket is the fold, in `occurred_at` order, of its events."
* §2 "If the clock stopped at S with E(S) ≤ T the outcome is met, decided at S.
  Otherwise it is breached, decided at D [...]. A ticket whose clock still runs
  (or is paused) before its deadline is pending and not counted."
* §7 `--as-of` "is the instant up to which events are known".

Tickets are generated around the autumn DST change of 2026 (Friday 23 October
07:00 + up to four days, on a 30-minute grid so that instants coincide and
service-hour boundaries are hit), with every kind, pause and non-pause
statuses, priority and scope changes, and stops dated before the opening.
"""

from __future__ import annotations

import copy
from datetime import UTC

from hypothesis import given
from hypothesis import strategies as st

from sla_core.business_calendar import from_us
from sla_core.outcomes import Outcome
from sla_core.tickets import fold_all
from tests.support.core import AMSTERDAM, PROPERTY_SETTINGS, minutes, outcomes_of, parsed, us

BASE = us("2026-10-23T07:00:00+02:00")
STEP = minutes(30)
KINDS = ("updated", "responded", "resolved", "reopened", "closed")
STATUSES = (
    "nieuw",
    "in behandeling",
    "Wachten op klant",
    "wachten op leverancier",
    "ONVOLDOENDE DOCUMENTATIE",
    "opgelost",
)
PRIORITIES = ("urgent", "hoog", "gemiddeld", "laag")


def stamp(micros: int, utc: bool) -> str:
    """The instant written in Amsterdam time or in UTC (same instant, other notation)."""
    local = from_us(micros, AMSTERDAM)
    return local.astimezone(UTC).isoformat().replace("+00:00", "Z") if utc else local.isoformat()


@st.composite
def tickets(draw):
    """The events (canonical dicts) of one generated ticket."""
    events = []
    if draw(st.integers(0, 9)):  # mostly with an opened event
        events.append(
            {
                "event_id": "g-open",
                "tenant": "enschede",
                "ticket_id": "G-1",
                "occurred_at": stamp(BASE + draw(st.integers(0, 40)) * STEP, draw(st.booleans())),
                "kind": "opened",
                "type": draw(st.sampled_from(("incident", "incident", "incident", "serviceverzoek"))),
                "priority": draw(st.sampled_from(PRIORITIES)),
                "status": draw(st.sampled_from(STATUSES)),
                "scope": draw(st.sampled_from(("platform", "applicatie"))),
            }
        )
    for index in range(draw(st.integers(0, 8))):
        event = {
            "event_id": f"g-{index}",
            "tenant": "enschede",
            "ticket_id": "G-1",
            "occurred_at": stamp(BASE + draw(st.integers(-2, 200)) * STEP, draw(st.booleans())),
            "kind": draw(st.sampled_from(KINDS)),
        }
        for key, values in (("priority", PRIORITIES), ("status", STATUSES), ("scope", ("platform", "applicatie"))):
            if draw(st.integers(0, 3)) == 0:
                event[key] = draw(st.sampled_from(values))
        if draw(st.integers(0, 9)) == 0:
            event["attributable"] = draw(st.booleans())
        events.append(event)
    return events


as_ofs = st.integers(-2, 260).map(lambda k: BASE + k * STEP)


@PROPERTY_SETTINGS
@given(tickets(), as_ofs, st.data())
def test_outcomes_do_not_depend_on_order_or_duplicates(events, as_of, data):
    expected = outcomes_of(events, as_of)
    duplicates = data.draw(st.lists(st.sampled_from(events), max_size=len(events))) if events else []
    arrived = data.draw(st.permutations(events + [copy.deepcopy(e) for e in duplicates]))
    assert outcomes_of(arrived, as_of) == expected, (
        "measurement §6: the same event twice is one event; events may arrive in any order"
    )


@PROPERTY_SETTINGS
@given(tickets(), as_ofs, st.data())
def test_the_same_event_in_another_offset_notation_changes_nothing(events, as_of, data):
    expected = outcomes_of(events, as_of)
    rewritten = []
    for event in events:
        twin = dict(event)
        instant = us(event["occurred_at"].replace("Z", "+00:00"))
        twin["occurred_at"] = stamp(instant, utc=not event["occurred_at"].endswith("Z"))
        rewritten.append(twin)
    both = data.draw(st.permutations(events + rewritten))
    assert outcomes_of(both, as_of) == expected, "an instant is an instant, whatever its offset notation"


@PROPERTY_SETTINGS
@given(tickets(), as_ofs)
def test_the_fold_is_the_same_for_any_arrival_order(events, as_of):
    forward = fold_all(parsed(events), as_of)
    backward = fold_all(parsed(list(reversed(events))), as_of)
    assert forward == backward
    for ticket in forward:
        assert all(e.at <= as_of for e in ticket.events), "events after as_of are ignored"
        assert list(ticket.events) == sorted(ticket.events, key=lambda e: e.sort_key()), "occurred_at orders them"


@PROPERTY_SETTINGS
@given(tickets(), as_ofs)
def test_events_of_another_tenant_with_the_same_ids_do_not_interfere(events, as_of):
    expected = outcomes_of(events, as_of)
    other = [dict(e, tenant="hengelo", kind="closed") for e in events]
    mine = [o for o in outcomes_of(events + other, as_of) if o.tenant == "enschede"]
    assert mine == expected, "event ids are unique per source (tenant)"


@PROPERTY_SETTINGS
@given(tickets(), as_ofs)
def test_every_outcome_obeys_the_decision_rule(events, as_of):
    for outcome in outcomes_of(events, as_of):
        if not isinstance(outcome, Outcome):
            continue
        if outcome.outcome == "met":
            assert outcome.decided_at == outcome.stopped_at, "measurement §2: met is decided at the stop S"
            assert outcome.elapsed <= outcome.target, "measurement §2: met means E(S) <= T"
        elif outcome.outcome == "breached":
            assert outcome.opened_at <= outcome.decided_at <= as_of, "measurement §2: breached at D, known by as_of"
            assert outcome.elapsed >= outcome.target, "measurement §2: at D the elapsed time has reached the target"
            if outcome.stopped_at is not None:
                assert outcome.decided_at <= outcome.stopped_at, "a breach is decided at D, not after the stop"
        else:
            assert outcome.outcome == "pending" and outcome.decided_at is None
            assert outcome.elapsed < outcome.target or outcome.pauses, "pending: before the deadline (or paused)"
        assert outcome.elapsed >= 0


@PROPERTY_SETTINGS
@given(tickets(), as_ofs, st.integers(1, 400))
def test_without_new_events_a_later_as_of_only_decides_pending_outcomes(events, as_of, later_steps):
    last_event = max((us(e["occurred_at"].replace("Z", "+00:00")) for e in events), default=BASE)
    first = max(as_of, last_event)
    later = first + later_steps * STEP
    before = outcomes_of(events, first)
    after = outcomes_of(events, later)
    assert len(before) == len(after)
    for early, late in zip(before, after):
        if isinstance(early, Outcome) and early.decided:
            assert late == early, "measurement §2: a decided outcome stays decided as it was"
        elif isinstance(early, Outcome):
            assert late.outcome in ("pending", "breached")
            if late.outcome == "breached":
                assert late.decided_at > first, "the deadline of a pending outcome lies after the earlier as_of"


def _decision(outcome):
    return (outcome.metric, outcome.outcome, outcome.decided_at, outcome.priority, outcome.elapsed, outcome.target)


@PROPERTY_SETTINGS
@given(tickets(), as_ofs)
def test_a_decided_outcome_is_final_when_later_events_arrive(events, as_of):
    """Measurement §2: a breach is decided at D and "never counted twice"; a met outcome is decided at S.

    Later events may not change a decision already made — except the two the
    rules give that power: a `reopened` (the restore "was not real") and a
    change of `scope` (the latest scope picks the restore metric).
    """
    later_allowed = [
        e
        for e in events
        if us(e["occurred_at"].replace("Z", "+00:00")) <= as_of or (e["kind"] != "reopened" and "scope" not in e)
    ]
    known = {(o.metric): o for o in outcomes_of(later_allowed, as_of) if isinstance(o, Outcome) and o.decided}
    everything = {o.metric: o for o in outcomes_of(later_allowed, BASE + 400 * STEP) if isinstance(o, Outcome)}
    for metric, early in known.items():
        assert _decision(everything[metric]) == _decision(early), (
            f"a decision made with the events up to as_of changed when later events arrived: {early} → {everything[metric]}"
        )

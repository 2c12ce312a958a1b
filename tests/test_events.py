"""Canonical ticket events: strict parsing, de-duplication and order (measurement §6).

Rules quoted:

* "`kind`: opened, updated, responded, resolved, reopened, closed."
* "`type`: incident, informatieverzoek, wijzigingsverzoek, serviceverzoek, collega"
* Priorities: urgent, hoog, gemiddeld, laag.
* Preamble: "All instants are timezone-aware."
* "`event_id` is unique per source: the same event twice is one event. Events
  may arrive in any order; `occurred_at` orders them."
* "No free text and no personal data (SLA §5.2.1, AVG): anything else in a
  payload is dropped, never stored."
"""

from __future__ import annotations

import json
from dataclasses import fields

import pytest

from sla_core.errors import InputError
from sla_core.events import TicketEvent, deduplicate, parse_event, parse_jsonl
from tests.support.core import us

VALID = {
    "event_id": "e-0001",
    "tenant": "enschede",
    "ticket_id": "M2610-0042",
    "occurred_at": "2026-10-05T09:12:00+02:00",
    "kind": "opened",
    "type": "incident",
    "priority": "hoog",
    "status": "nieuw",
    "scope": "applicatie",
    "attributable": True,
}


def with_(**changes):
    """VALID with some keys changed; a value of ``...`` removes the key."""
    data = {k: v for k, v in VALID.items() if changes.get(k) is not ...}
    data.update({k: v for k, v in changes.items() if v is not ...})
    return data


def lines_with(bad: str) -> list[str]:
    """A file whose line 2 is ``bad`` (line 1 is valid)."""
    return [json.dumps(VALID), bad]


def test_the_example_event_of_the_rules_parses():
    event = parse_event(VALID, "x")
    assert event.to_json() == VALID
    assert event.at == us("2026-10-05T09:12:00+02:00")


INVALID = [
    pytest.param(with_(kind="geopend"), "kind", id="an unknown kind"),
    pytest.param(with_(kind="Opened"), "kind", id="a kind in another case"),
    pytest.param(with_(type="storing"), "type", id="an unknown type"),
    pytest.param(with_(priority="kritiek"), "priority", id="an unknown priority"),
    pytest.param(with_(priority="Hoog"), "priority", id="a priority in another case"),
    pytest.param(with_(priority=2), "priority", id="a priority that is a number"),
    pytest.param(with_(scope="database"), "scope", id="an unknown scope"),
    pytest.param(with_(occurred_at="2026-10-05T09:12:00"), "occurred_at", id="a naive timestamp (no offset)"),
    pytest.param(with_(occurred_at="2026-10-05"), "occurred_at", id="a date without time and offset"),
    pytest.param(with_(occurred_at="gisteren om negen uur"), "occurred_at", id="a timestamp that is no timestamp"),
    pytest.param(with_(occurred_at=1791184320), "occurred_at", id="a timestamp as epoch number"),
    pytest.param(with_(event_id=...), "event_id", id="a missing event_id"),
    pytest.param(with_(tenant=...), "tenant", id="a missing tenant"),
    pytest.param(with_(ticket_id=...), "ticket_id", id="a missing ticket_id"),
    pytest.param(with_(occurred_at=...), "occurred_at", id="a missing occurred_at"),
    pytest.param(with_(kind=...), "kind", id="a missing kind"),
    pytest.param(with_(event_id=""), "event_id", id="an empty event_id"),
    pytest.param(with_(ticket_id=42), "ticket_id", id="a ticket_id that is a number"),
    pytest.param(with_(status=["wachten op klant"]), "status", id="a status that is a list"),
    pytest.param(with_(attributable="yes"), "attributable", id="attributable as a string"),
    pytest.param(with_(attributable=1), "attributable", id="attributable as the number 1"),
    pytest.param(with_(attributable="false"), "attributable", id="attributable as the string 'false'"),
]


@pytest.mark.parametrize(("obj", "field"), INVALID)
def test_an_invalid_event_is_an_input_error_naming_line_and_field(obj, field):
    with pytest.raises(InputError) as caught:
        list(parse_jsonl(lines_with(json.dumps(obj)), "events.jsonl"))
    message = str(caught.value)
    assert message.startswith("events.jsonl:2:"), f"measurement §6 strict parsing: the error names the line: {message}"
    assert f"field {field}" in message, f"the error names the field {field}: {message}"
    assert caught.value.field == field, "InputError.field carries the field name"


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("[1, 2, 3]", id="a JSON list"),
        pytest.param('"opened"', id="a JSON string"),
        pytest.param("42", id="a JSON number"),
        pytest.param("null", id="JSON null"),
        pytest.param('{"event_id": "e-1",', id="broken JSON"),
    ],
)
def test_a_line_that_is_not_an_event_object_is_an_input_error_naming_the_line(line):
    with pytest.raises(InputError, match=r"^events\.jsonl:2: "):
        list(parse_jsonl(lines_with(line), "events.jsonl"))


def test_blank_lines_are_skipped_but_counted():
    bad = json.dumps(with_(kind="geopend"))
    with pytest.raises(InputError, match=r"^events\.jsonl:4: field kind"):
        list(parse_jsonl([json.dumps(VALID), "", "   ", bad], "events.jsonl"))


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(kind, id=f"kind {kind}")
        for kind in ("opened", "updated", "responded", "resolved", "reopened", "closed")
    ],
)
def test_every_kind_of_the_rules_is_accepted(value):
    assert parse_event(with_(kind=value), "x").kind == value


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(t, id=f"type {t}")
        for t in ("incident", "informatieverzoek", "wijzigingsverzoek", "serviceverzoek", "collega")
    ],
)
def test_every_type_of_the_rules_is_accepted(value):
    assert parse_event(with_(type=value), "x").type == value


@pytest.mark.parametrize(
    "value", [pytest.param(p, id=f"priority {p}") for p in ("urgent", "hoog", "gemiddeld", "laag")]
)
def test_every_priority_of_the_rules_is_accepted(value):
    assert parse_event(with_(priority=value), "x").priority == value


def test_optional_fields_may_be_absent_or_null():
    event = parse_event(with_(type=..., priority=..., status=..., scope=None, attributable=None, kind="updated"), "x")
    assert (event.type, event.priority, event.status, event.scope, event.attributable) == (None,) * 5


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        pytest.param("2026-10-05T07:12:00Z", "2026-10-05T09:12:00+02:00", id="Z is UTC"),
        pytest.param("2026-10-05T07:12:00+00:00", "2026-10-05T09:12:00+02:00", id="+00:00 is UTC"),
        pytest.param("2026-10-05T12:42:00+05:30", "2026-10-05T09:12:00+02:00", id="any offset is the same instant"),
        pytest.param("2026-10-05T09:12:00.250+02:00", "2026-10-05T09:12:00.25+02:00", id="fractions of a second"),
    ],
)
def test_timestamps_with_an_offset_are_instants(text, instant):
    assert parse_event(with_(occurred_at=text), "x").at == us(instant)


def test_keys_outside_the_canonical_set_are_dropped():
    event = parse_event(
        with_(omschrijving="Burger J. Jansen kan niet inloggen", melder="jan@example.org", bsn="123456782"),
        "x",
    )
    assert event.to_json() == VALID, "measurement §6: anything else in a payload is dropped, never stored"
    kept = {f.name for f in fields(TicketEvent)}
    assert not kept & {"omschrijving", "melder", "bsn"}
    assert "Jansen" not in repr(event) and "example.org" not in repr(event)


# -- duplicates and order -----------------------------------------------------------


def _event(**changes) -> TicketEvent:
    return parse_event(with_(**changes), "x")


def test_the_same_event_twice_is_one_event():
    one = _event()
    assert deduplicate([one, one, _event()]) == [one], "measurement §6: the same event twice is one event"


def test_the_same_event_id_of_two_tenants_is_two_events():
    assert len(deduplicate([_event(), _event(tenant="hengelo")])) == 2


def test_conflicting_copies_of_one_event_id_give_the_same_choice_in_any_order():
    a = _event(status="nieuw")
    b = _event(status="in behandeling")
    assert deduplicate([a, b]) == deduplicate([b, a])
    assert len(deduplicate([a, b])) == 1


def test_the_same_event_written_with_another_offset_is_one_event():
    a = _event(occurred_at="2026-10-05T09:12:00+02:00")
    b = _event(occurred_at="2026-10-05T07:12:00Z")
    assert len(deduplicate([a, b])) == 1
    assert deduplicate([a, b]) == deduplicate([b, a])


def test_events_are_ordered_by_occurred_at_not_by_arrival():
    late = _event(event_id="e-1", occurred_at="2026-10-05T10:00:00+02:00", kind="responded")
    early = _event(event_id="e-2", occurred_at="2026-10-05T07:30:00Z", kind="updated")  # 09:30 local
    first = _event(event_id="e-3", occurred_at="2026-10-05T09:12:00+02:00", kind="opened")
    assert [e.event_id for e in deduplicate([late, early, first])] == ["e-3", "e-2", "e-1"]


def test_at_the_same_instant_a_ticket_is_opened_before_anything_else_happens():
    stamp = "2026-10-05T09:12:00+02:00"
    events = [
        _event(event_id="a", occurred_at=stamp, kind="closed"),
        _event(event_id="b", occurred_at=stamp, kind="responded"),
        _event(event_id="c", occurred_at=stamp, kind="opened"),
    ]
    assert [e.kind for e in deduplicate(events)][0] == "opened"

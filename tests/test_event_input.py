"""Strict input and one event identity in the core (measurement §8.1–8.3).

Rules quoted:

* §8.1 "An event is identified by (tenant, event_id). The same id with the same
  content is one event. The same id with different content, or on another
  ticket, is a conflict: the CLI exits 2 naming both lines".
* §8.2 "Instants are RFC 3339 with an explicit offset
  (YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM), offset at most 14:00), in the
  years 2000–2099. … No input, however odd, may make a later monthly
  computation fail."
* §8.3 "tenant, ticket_id and event_id match a fixed pattern (letters, digits
  and ._:-+ only, bounded length)".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla_cli.main import main
from sla_core.contract import default_contract
from sla_core.errors import InputError
from sla_core.events import ID_PATTERN, EventConflict, parse_event, parse_jsonl
from sla_core.instants import InstantError, by_fields, parse_rfc3339
from sla_core.periods import Month
from sla_core.report import Reporter
from sla_core.report_json import report_json
from sla_core.vocabulary import KINDS, PRIORITIES, SCOPES, TYPES
from tests.support.core import default_calendar

# Shared by the examples (their caches hold derived data only): the calendar's index, once grown to 2000–2099,
# and each month's availability (no results) are computed once.
REPORTERS = [
    Reporter(default_contract(), [], [], int(as_of.timestamp() * 1_000_000), default_calendar())
    for as_of in (datetime(2100, 1, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC))
]
VALID = {
    "event_id": "e-1",
    "tenant": "enschede",
    "ticket_id": "M2610-0042",
    "occurred_at": "2026-10-05T09:12:00+02:00",
    "kind": "opened",
    "type": "incident",
    "priority": "hoog",
}


def with_(**changes: object) -> dict:
    return {**VALID, **changes}


# -- instants (§8.2) -----------------------------------------------------------------------------

ACCEPTED_INSTANTS = [
    pytest.param("2026-10-05T09:12:00+02:00", "2026-10-05T07:12:00+00:00", id="an offset"),
    pytest.param("2026-10-05T07:12:00Z", "2026-10-05T07:12:00+00:00", id="Z is UTC"),
    pytest.param("2026-10-05T07:12:00.5Z", "2026-10-05T07:12:00.500000+00:00", id="one fraction digit"),
    pytest.param(
        "2026-10-05T07:12:00.123456789Z",
        "2026-10-05T07:12:00.123456+00:00",
        id="nine fraction digits are kept to the microsecond",
    ),
    pytest.param("2000-01-01T00:00:00+14:00", "1999-12-31T10:00:00+00:00", id="the first local day of 2000 at +14:00"),
    pytest.param(
        "2099-12-31T23:59:59-14:00", "2100-01-01T13:59:59+00:00", id="the last local second of 2099 at -14:00"
    ),
    pytest.param("2028-02-29T12:00:00+01:00", "2028-02-29T11:00:00+00:00", id="a leap day"),
]


@pytest.mark.parametrize(("text", "utc"), ACCEPTED_INSTANTS)
def test_rfc_3339_instants_in_2000_to_2099_are_accepted(text: str, utc: str) -> None:
    assert parse_rfc3339(text) == datetime.fromisoformat(utc)


REFUSED_INSTANTS = [
    pytest.param("1900-01-01T09:00:00+01:00", "year 1900", id="1900 (blocked a tenant's report for good)"),
    pytest.param("0001-01-01T00:00:00+00:00", "year 0001", id="year 1 (OverflowError in the calendar)"),
    pytest.param("9999-12-31T23:59:59+00:00", "year 9999", id="year 9999, the edge of datetime"),
    pytest.param("1999-12-31T23:59:59Z", "year 1999", id="the last second before 2000"),
    pytest.param("2100-01-01T00:00:00Z", "year 2100", id="the first second after 2099"),
    pytest.param("2026-10-05T09:12:00", "without timezone offset", id="a naive time"),
    pytest.param("2026-10-05", "not an RFC 3339", id="a date alone"),
    pytest.param("2026-10-05 09:12:00Z", "not an RFC 3339", id="a space instead of T"),
    pytest.param("2026-10-05t09:12:00z", "not an RFC 3339", id="lower-case t and z"),
    pytest.param("2026-10-05T09:12Z", "not an RFC 3339", id="no seconds"),
    pytest.param("2026-10-05T09:12:00+0200", "not an RFC 3339", id="an offset without colon"),
    pytest.param("2026-10-05T09:12:00+15:00", "at most ±14:00", id="an offset beyond 14:00"),
    pytest.param("2026-10-05T09:12:00+02:60", "not a valid offset", id="offset minutes of 60"),
    pytest.param("2026-12-31T23:59:60Z", "no such date or time", id="a leap second"),
    pytest.param("2026-02-30T09:00:00Z", "no such date or time", id="the 30th of February"),
    pytest.param("2026-10-05T24:00:00Z", "no such date or time", id="hour 24"),
    pytest.param("2026-10-05T09:12:00.1234567890Z", "not an RFC 3339", id="ten fraction digits"),
    pytest.param("２０２６-10-05T09:12:00Z", "not an RFC 3339", id="full-width digits"),
    pytest.param("2026-10-05T09:12:00Z\n", "not an RFC 3339", id="a trailing newline"),
    pytest.param(1791184320, "must be an RFC 3339 string", id="an epoch number"),
    pytest.param(["2026-10-05T09:12:00Z"], "must be an RFC 3339 string", id="a list"),
]


@pytest.mark.parametrize(("value", "reason"), REFUSED_INSTANTS)
def test_anything_else_is_refused_naming_the_reason(value: object, reason: str) -> None:
    with pytest.raises(InstantError, match=reason):
        parse_rfc3339(value)
    with pytest.raises(InputError) as caught:
        parse_event(with_(occurred_at=value), "events.jsonl:3")
    assert caught.value.field == "occurred_at" and "events.jsonl:3: field occurred_at" in str(caught.value)


# -- identifiers (§8.3) and values storage would refuse ---------------------------------------------

REFUSED_VALUES = [
    pytest.param("ticket_id", "M2610\u00850042", id="U+0085 (next line) in a ticket id"),
    pytest.param("ticket_id", "M2610\u00800042", id="U+0080 in a ticket id"),
    pytest.param("ticket_id", "M2610\u009f0042", id="U+009F in a ticket id"),
    pytest.param("event_id", "e-\ud800", id="a lone surrogate in an event id"),
    pytest.param("tenant", "enschede\x00", id="NUL in a tenant"),
    pytest.param("event_id", "e\x7f1", id="DEL in an event id"),
    pytest.param("ticket_id", "TEST-2 Jansen", id="a space (and a name) in a ticket id"),
    pytest.param("ticket_id", "M/1", id="a slash"),
    pytest.param("ticket_id", "M\\1", id="a backslash"),
    pytest.param("ticket_id", "M#1", id="a hash"),
    pytest.param("ticket_id", "M?1", id="a question mark"),
    pytest.param("event_id", "e|1", id="a vertical bar"),
    pytest.param("event_id", "e,1", id="a comma"),
    pytest.param("event_id", "é-1", id="a letter outside ASCII"),
    pytest.param("event_id", "-e1", id="a separator first"),
    pytest.param("event_id", "e" * 201, id="201 characters"),
    pytest.param("event_id", "%7C" * 100, id="an escaped id longer than a key may be"),
    pytest.param("event_id", "", id="empty"),
    pytest.param("event_id", 42, id="a number"),
    pytest.param("kind", ["opened"], id="kind as a list"),
    pytest.param("kind", {"opened": True}, id="kind as an object"),
    pytest.param("priority", ["hoog"], id="priority as a list"),
    pytest.param("type", ["incident"], id="type as a list"),
    pytest.param("scope", {"a": 1}, id="scope as an object"),
    pytest.param("status", "nieuw\u0085", id="U+0085 in a status"),
    pytest.param("status", "nieuw\ud83d", id="a lone surrogate in a status"),
    pytest.param("attributable", "ja", id="attributable as text"),
]


@pytest.mark.parametrize(("field", "value"), REFUSED_VALUES)
def test_values_outside_the_rules_or_that_storage_would_refuse_name_their_field(field: str, value: object) -> None:
    with pytest.raises(InputError) as caught:
        parse_event(with_(**{field: value}), "body[7]")
    assert caught.value.field == field and str(caught.value).startswith(f"body[7]: field {field}")


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("M2610-0042", id="letters, digits and a hyphen"),
        pytest.param("topdesk:I-2610-042:updated:2026-10-05T07:12:00.000Z:priority+status", id="a derived event id"),
        pytest.param("a.b_c:d-e+f", id="every separator"),
        pytest.param("x" * 200, id="200 characters"),
        pytest.param("0", id="one digit"),
    ],
)
def test_identifiers_of_the_documented_pattern_are_accepted(value: str) -> None:
    assert parse_event(with_(event_id=value, ticket_id=value), "x").event_id == value


# -- identity (§8.1): files --------------------------------------------------------------------------


def lines(*events: dict) -> list[str]:
    return [json.dumps(e) for e in events]


def test_the_same_event_twice_in_a_file_is_one_event() -> None:
    same_instant_other_offset = with_(occurred_at="2026-10-05T07:12:00Z")
    assert len(list(parse_jsonl(lines(VALID, VALID, same_instant_other_offset), "events.jsonl"))) == 1


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        pytest.param(with_(ticket_id="M2610-0043"), "on another ticket", id="the same id on another ticket"),
        pytest.param(with_(priority="laag"), "other content (priority)", id="the same id with another priority"),
        pytest.param(
            with_(occurred_at="2026-10-05T09:13:00+02:00"),
            "other content (occurred_at)",
            id="the same id at another instant",
        ),
        pytest.param(with_(kind="closed"), "other content (kind)", id="the same id with another kind"),
    ],
)
def test_the_same_id_with_other_content_is_a_conflict_naming_both_lines(second: dict, reason: str) -> None:
    with pytest.raises(EventConflict) as caught:
        list(parse_jsonl(["", json.dumps(VALID), json.dumps(with_(event_id="e-2")), json.dumps(second)], "ev.jsonl"))
    message = str(caught.value)
    assert message.startswith("ev.jsonl:4: event_id 'e-1'") and "ev.jsonl:2" in message and reason in message
    assert caught.value.field == "event_id"


def test_the_same_id_in_two_tenants_is_two_events() -> None:
    assert len(list(parse_jsonl(lines(VALID, with_(tenant="hengelo", priority="laag")), "x"))) == 2


def test_the_cli_exits_2_naming_both_lines_of_a_conflict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines(VALID, with_(ticket_id="M2610-0099"))) + "\n", encoding="utf-8")
    results = tmp_path / "results.csv"
    results.write_text("TimeGenerated,Name,Location,Success,DurationMs\n", encoding="utf-8")
    code = main(
        [
            "report",
            "--tenant",
            "enschede",
            "--month",
            "2026-10",
            "--events",
            str(events),
            "--availability",
            str(results),
            "--as-of",
            "2026-11-02T09:00:00+01:00",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert f"{events}:2: event_id 'e-1'" in err and f"conflicts with {events}:1" in err


# -- property: nothing the parser accepts can make the computation fail --------------------------------

_IDS = st.from_regex(ID_PATTERN, fullmatch=True)
_OFFSETS = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_LOCAL = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59, 999999))


@st.composite
def instants(draw: st.DrawFn) -> str:
    """An accepted instant as text: any local time of 2000–2099 at any offset, Z or fractions."""
    local = draw(_LOCAL).replace(tzinfo=draw(_OFFSETS))
    text = local.isoformat(timespec=draw(st.sampled_from(["seconds", "milliseconds", "microseconds"])))
    return text.replace("+00:00", "Z") if draw(st.booleans()) else text


@st.composite
def raw_events(draw: st.DrawFn, tickets: list[str]) -> dict:
    """Canonical event objects, mostly valid, sometimes with odd values the parser must accept or refuse."""
    optional = {
        "type": st.sampled_from(TYPES),
        "priority": st.sampled_from(PRIORITIES),
        "scope": st.sampled_from(SCOPES),
        "status": st.text(min_size=1, max_size=30),
        "attributable": st.booleans(),
    }
    event = {
        "event_id": draw(_IDS),
        "tenant": "enschede",
        "ticket_id": draw(st.sampled_from(tickets)),
        "occurred_at": draw(st.one_of(instants(), instants(), st.text(max_size=40))),
        "kind": draw(st.sampled_from(KINDS)),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            event[key] = draw(strategy)
    return event


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_event_the_parser_accepts_can_make_the_monthly_computation_fail(data: st.DataObject) -> None:
    tickets = data.draw(st.lists(_IDS, min_size=1, max_size=4, unique=True))
    accepted = []
    for raw in data.draw(st.lists(raw_events(tickets), min_size=1, max_size=25)):
        try:
            accepted.append(parse_event(raw, "property"))
        except InputError:
            continue
    months = {Month(2000, 1), Month(2099, 12)} | {Month.of(e.occurred_at.date()) for e in accepted[:3]}
    reporter = data.draw(st.sampled_from(REPORTERS))
    for month in sorted(months):
        report_json(reporter.report("enschede", month, accepted))


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2110, 12, 31)),
    st.sampled_from(["Z", "+00:00", "-00:00", "+02:00", "-05:30", "+13:59", "+14:00", "+14:01", "-09:60", ""]),
    st.sampled_from(["", ".5", ".123456", ".1234567", ".123456789"]),
)
def test_the_common_shape_is_read_as_the_full_parser_reads_it(moment: datetime, offset: str, fraction: str) -> None:
    """The fast path (``datetime.fromisoformat`` on the common shape) agrees with the field-by-field parser."""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + offset

    def outcome(parse: object) -> object:
        try:
            value = parse(text)  # type: ignore[operator]
        except InstantError as exc:
            return str(exc)
        return (value, value.utcoffset())

    assert outcome(parse_rfc3339) == outcome(by_fields)

"""Canonical events (measurement §6, §8.3): the one-pass check (event_shape) accepts what the field-by-field checks accept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sla_core.business_calendar import to_us
from sla_core.errors import InputError
from sla_core.event_shape import event_fields
from sla_core.events import TicketEvent, checked_event
from sla_core.instants import parse_rfc3339

MISSING = object()


def pool(*valid: Any) -> st.SearchStrategy[Any]:
    """Valid values, and values of other JSON types that compare equal to some (1 == True, 1.0 == 1)."""
    return st.sampled_from([*valid, MISSING, None, "", " ", 1, 0, 1.0, True, False, [], {}, "x" * 201, "a\x00b"])


FIELDS = {
    "event_id": pool("e-1", "e.2:b+c", "-bad", "met spatie"),
    "tenant": pool("enschede", "hengelo", "En/schede"),
    "ticket_id": pool("M1", "M-2", "#3"),
    "occurred_at": pool(
        "2026-10-05T09:00:00+02:00",
        "2026-10-05T07:00:00Z",
        "2026-10-05T09:00:00",
        "1999-01-01T00:00:00Z",
        "2026-10-05T09:00:00.1234567+02:00",
        "2026-02-30T09:00:00Z",
        "2026-10-05T09:00:00.5+14:00",
    ),
    "kind": pool("opened", "responded", "resolved", "closed", "reopened", "updated", "deleted"),
    "type": pool("incident", "wijzigingsverzoek", "Incident"),
    "priority": pool("urgent", "hoog", "gemiddeld", "laag", "spoed"),
    "status": pool("nieuw", "wachten op klant", "x" * 100, "x" * 101, "\t"),
    "scope": pool("platform", "applicatie", "beide"),
    "attributable": pool(),
}
objects = st.fixed_dictionaries({key: values for key, values in FIELDS.items()}).map(
    lambda obj: {k: v for k, v in obj.items() if v is not MISSING}
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(objects, min_size=1, max_size=5))
def test_the_fast_path_accepts_exactly_what_the_checks_accept(batch: list[dict[str, Any]]) -> None:
    for obj in batch + batch:  # twice: the second time the remembered valid values answer
        fields = event_fields(obj)
        fast = None if fields is None else TicketEvent(*fields)
        try:
            checked = checked_event(obj, "x")
        except InputError:
            assert fast is None, obj
            continue
        if fast is not None:
            assert fast == checked and type(fast.attributable) is type(checked.attributable), obj


offsets = st.integers(min_value=-(13 * 60 + 59), max_value=14 * 60)  # minutes; what the common shape allows


@settings(max_examples=1000, deadline=None)
@given(
    st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30)),
    offsets,
    st.sampled_from(["", ".5", ".123456", ".000001"]),
    st.booleans(),
)
def test_the_fast_path_counts_microseconds_as_to_us(local: datetime, minutes: int, fraction: str, zulu: bool) -> None:
    """Any offset (negative, with minutes, Z), any fraction: ``at`` is ``to_us`` of the parsed instant."""
    sign, size = ("-" if minutes < 0 else "+"), abs(minutes)
    zone = "Z" if zulu else f"{sign}{size // 60:02d}:{size % 60:02d}"
    stamp = local.replace(microsecond=0).isoformat() + fraction + zone
    obj = {"event_id": "e-1", "tenant": "enschede", "ticket_id": "M1", "occurred_at": stamp, "kind": "opened"}
    fields = event_fields(obj)
    assert fields is not None, stamp
    assert fields[4] == to_us(parse_rfc3339(stamp)) == to_us(fields[3])

"""Canonical ticket events (measurement §6, §8.1–8.3): strict parsing, identity and de-duplication.

An event is one JSON object. Unknown ``kind``, ``type`` or ``priority``, an
instant that is not RFC 3339 with an offset in 2000–2099
(:mod:`sla_core.instants`), an identifier outside :data:`ID_PATTERN`, text with
control characters or lone surrogates, a missing required key or a value of
the wrong JSON type is an :class:`~sla_core.errors.InputError` naming the line
and the field. Keys outside the canonical set are dropped (free text and
personal data are never kept: SLA §5.2.1, AVG).

Identity (measurement §8.1): an event is identified by ``(tenant, event_id)``. The
same identity with the same content is one event; with other content or on
another ticket it is a conflict (:class:`EventConflict`), never resolved
silently. :func:`parse_jsonl` refuses a file holding a conflict, naming both
lines.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from sla_core.business_calendar import to_us
from sla_core.errors import InputError
from sla_core.event_shape import ID, MAX_ID_LENGTH, MAX_STATUS_LENGTH, UNSTORABLE, event_fields
from sla_core.event_shape import ID_PATTERN as ID_PATTERN  # where the app's models and others import it from
from sla_core.instants import InstantError, parse_rfc3339
from sla_core.vocabulary import KINDS, PRIORITIES, SCOPES, TYPES

# Order of kinds at the same instant: a ticket is opened before anything else happens to it.
KIND_RANK: dict[str, int] = {kind: rank for rank, kind in enumerate(KINDS)}
_ID_FIELDS = ("event_id", "tenant", "ticket_id")


class EventConflict(InputError):
    """Two events with one identity ``(tenant, event_id)`` but other content or another ticket (measurement §8.1)."""

    def __init__(self, message: str, tenant: str, event_id: str) -> None:
        super().__init__(message, field="event_id")
        self.tenant = tenant
        self.event_id = event_id


@dataclass(slots=True)
class TicketEvent:
    """One validated canonical event. ``at`` is ``occurred_at`` in µs since the epoch.

    Not frozen only because building frozen dataclasses is several times
    slower and hundreds of thousands are built per run; treat it as immutable.
    """

    event_id: str
    tenant: str
    ticket_id: str
    occurred_at: datetime
    at: int
    kind: str
    type: str | None = None
    priority: str | None = None
    status: str | None = None
    scope: str | None = None
    attributable: bool | None = None

    def sort_key(self) -> tuple[int, int, str]:
        """Order of the fold: instant, then kind (opened first), then event id (stable tie-break)."""
        return (self.at, KIND_RANK[self.kind], self.event_id)

    def to_json(self) -> dict[str, Any]:
        """The canonical JSON object of this event (only the keys that are set)."""
        data: dict[str, Any] = {
            "event_id": self.event_id,
            "tenant": self.tenant,
            "ticket_id": self.ticket_id,
            "occurred_at": self.occurred_at.isoformat(),
            "kind": self.kind,
        }
        for key in ("type", "priority", "status", "scope", "attributable"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


def _text(obj: dict[str, Any], key: str, where: str, *, required: bool, limit: int = MAX_ID_LENGTH) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise InputError(f"{where}: field {key}: missing", field=key)
        return None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: field {key}: must be a non-empty string", field=key)
    if len(value) > limit:
        raise InputError(f"{where}: field {key}: longer than {limit} characters", field=key)
    if UNSTORABLE.search(value):
        raise InputError(f"{where}: field {key}: control characters or lone surrogates are not allowed", field=key)
    return value


def _identifier(obj: dict[str, Any], key: str, where: str) -> str:
    value = _text(obj, key, where, required=True)
    assert value is not None
    if not ID.fullmatch(value):
        raise InputError(
            f"{where}: field {key}: {value[:40]!r} is not an identifier (letters, digits and . _ : - + only, "
            f"starting with a letter or digit, at most {MAX_ID_LENGTH} characters)",
            field=key,
        )
    return value


def _choice(obj: dict[str, Any], key: str, allowed: tuple[str, ...], where: str, *, required: bool) -> str | None:
    value = _text(obj, key, where, required=required)
    if value is not None and value not in allowed:
        raise InputError(
            f"{where}: field {key}: unknown value {value[:40]!r} (allowed: {', '.join(allowed)})", field=key
        )
    return value


def _instant(obj: dict[str, Any], key: str, where: str) -> datetime:
    if obj.get(key) is None:
        raise InputError(f"{where}: field {key}: missing", field=key)
    try:
        return parse_rfc3339(obj[key])
    except InstantError as exc:
        raise InputError(f"{where}: field {key}: {exc}", field=key) from exc


def parse_event(obj: Any, where: str) -> TicketEvent:
    """Validate one decoded JSON value as a canonical event; ``where`` names it in errors."""
    if type(obj) is dict:
        fields = event_fields(obj)
        if fields is not None:
            return TicketEvent(*fields)
    return checked_event(obj, where)


def checked_event(obj: Any, where: str) -> TicketEvent:
    """:func:`parse_event` field by field, naming the first bad field (the fast path's reference)."""
    if not isinstance(obj, dict):
        raise InputError(f"{where}: an event must be a JSON object")
    # Validated in the order of the canonical format, so the first bad field is named.
    event_id = _identifier(obj, "event_id", where)
    tenant = _identifier(obj, "tenant", where)
    ticket_id = _identifier(obj, "ticket_id", where)
    occurred_at = _instant(obj, "occurred_at", where)
    kind = _choice(obj, "kind", KINDS, where, required=True)
    attributable = obj.get("attributable")
    if attributable is not None and not isinstance(attributable, bool):
        raise InputError(f"{where}: field attributable: must be true or false", field="attributable")
    return TicketEvent(
        event_id=event_id,
        tenant=tenant,
        ticket_id=ticket_id,
        occurred_at=occurred_at,
        at=to_us(occurred_at),
        kind=kind,  # type: ignore[arg-type]
        type=_choice(obj, "type", TYPES, where, required=False),
        priority=_choice(obj, "priority", PRIORITIES, where, required=False),
        status=_text(obj, "status", where, required=False, limit=MAX_STATUS_LENGTH),
        scope=_choice(obj, "scope", SCOPES, where, required=False),
        attributable=attributable,
    )


def conflict_reason(kept: TicketEvent, other: TicketEvent) -> str | None:
    """Why two events of one identity conflict (another ticket, other content); None when they are one event.

    Content is compared by meaning: the same instant written with another
    offset is the same content.
    """
    if kept.ticket_id != other.ticket_id:
        return f"on another ticket ({kept.ticket_id!r} and {other.ticket_id!r})"
    if kept != other:
        differing = [
            name
            for name in ("occurred_at", "kind", "type", "priority", "status", "scope", "attributable")
            if getattr(kept, name) != getattr(other, name)
        ]
        return f"with other content ({', '.join(differing)})"
    return None


def parse_jsonl(lines: Iterable[str], source: str) -> Iterator[TicketEvent]:
    """Parse JSON Lines (blank lines allowed); errors name ``source:line``.

    A repeated identity ``(tenant, event_id)`` with the same content is
    yielded once; with other content or on another ticket it is an
    :class:`EventConflict` naming both lines (measurement §8.1).
    """
    return parse_numbered_lines(enumerate(lines, start=1), source)


def parse_numbered_lines(lines: Iterable[tuple[int, str | bytes]], source: str) -> Iterator[TicketEvent]:
    """:func:`parse_jsonl` over ``(line number, line)`` pairs: some lines of a file, named by their own numbers.

    Lines may be UTF-8 bytes. A conflict is found among the lines given, so
    give all lines of a tenant together (identity is per tenant).
    """
    seen: dict[tuple[str, str], tuple[int, TicketEvent]] = {}
    for number, line in lines:
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            if not line.strip():
                continue
            raise InputError(f"{source}:{number}: invalid JSON ({exc.msg})") from exc
        fields = event_fields(obj) if type(obj) is dict else None
        event = None if fields is None else TicketEvent(*fields)
        if event is None:
            event = parse_event(obj, f"{source}:{number}")
        key = (event.tenant, event.event_id)
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = (number, event)
            yield event
            continue
        reason = conflict_reason(earlier[1], event)
        if reason is not None:
            raise EventConflict(
                f"{source}:{number}: event_id {event.event_id!r} of tenant {event.tenant!r} conflicts with "
                f"{source}:{earlier[0]}: the same event id {reason}",
                event.tenant,
                event.event_id,
            )


def deduplicate(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """Collapse events with the same ``(tenant, event_id)`` into one; sorted for the fold.

    The edges refuse conflicting events (:func:`parse_jsonl`, the webhook and
    storage), so a conflict cannot reach here; should one still do so, the
    version with the smallest canonical JSON is kept, so the result never
    depends on arrival order and the computation does not fail.
    """
    seen: dict[tuple[str, str], TicketEvent] = {}
    for event in events:
        key = (event.tenant, event.event_id)
        kept = seen.get(key)
        if kept is None or (kept != event and _canonical(event) < _canonical(kept)):
            seen[key] = event
    return fold_order(list(seen.values()))


def fold_order(events: list[TicketEvent]) -> list[TicketEvent]:
    """``sorted(events, key=TicketEvent.sort_key)``, stable: events with equal keys (other tenants) keep their order.

    The keys are built inline (hundreds of thousands per run), with each event's position after them.
    """
    rank = KIND_RANK
    return [events[key[3]] for key in sorted([(e.at, rank[e.kind], e.event_id, i) for i, e in enumerate(events)])]


def _canonical(event: TicketEvent) -> str:
    return json.dumps(event.to_json(), sort_keys=True)

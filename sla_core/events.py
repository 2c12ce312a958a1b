"""Canonical ticket events (rules §6): strict parsing and de-duplication.

An event is one JSON object. Unknown ``kind``, ``type`` or ``priority``, a
timestamp without an offset, a missing required key or a value of the wrong
JSON type is an :class:`~sla_core.errors.InputError` naming the line and the
field. Keys outside the canonical set are dropped (free text and personal data
are never kept: SLA §5.2.1, AVG). The same ``event_id`` twice is one event.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from sla_core.business_calendar import to_us
from sla_core.contract import PRIORITIES
from sla_core.errors import InputError

KINDS: tuple[str, ...] = ("opened", "updated", "responded", "resolved", "reopened", "closed")
TYPES: tuple[str, ...] = ("incident", "informatieverzoek", "wijzigingsverzoek", "serviceverzoek", "collega")
SCOPES: tuple[str, ...] = ("platform", "applicatie")
# Order of kinds at the same instant: a ticket is opened before anything else happens to it.
KIND_RANK: dict[str, int] = {kind: rank for rank, kind in enumerate(KINDS)}
MAX_ID_LENGTH = 200
MAX_STATUS_LENGTH = 100


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
    return value


def _choice(obj: dict[str, Any], key: str, allowed: tuple[str, ...], where: str, *, required: bool) -> str | None:
    value = _text(obj, key, where, required=required)
    if value is not None and value not in allowed:
        raise InputError(f"{where}: field {key}: unknown value {value!r} (allowed: {', '.join(allowed)})", field=key)
    return value


def _instant(obj: dict[str, Any], key: str, where: str) -> datetime:
    text = _text(obj, key, where, required=True)
    assert text is not None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{where}: field {key}: not an RFC 3339 timestamp: {text!r}", field=key) from exc
    if value.tzinfo is None:
        raise InputError(f"{where}: field {key}: timestamp without timezone offset: {text!r}", field=key)
    return value


_KIND_SET, _TYPE_SET = frozenset(KINDS), frozenset(TYPES)
_PRIORITY_SET, _SCOPE_SET = frozenset(PRIORITIES), frozenset(SCOPES)


def _plain(value: Any, limit: int) -> bool:
    return type(value) is str and 0 < len(value) <= limit and not value.isspace()


def _fast_event(obj: dict[str, Any]) -> TicketEvent | None:
    """The event when ``obj`` is valid, in one pass; None sends it to the checks that name the error."""
    get = obj.get
    event_id, tenant, ticket_id, stamp, kind = (
        get("event_id"), get("tenant"), get("ticket_id"), get("occurred_at"), get("kind")
    )  # fmt: skip
    type_, priority, status, scope, attributable = (
        get("type"), get("priority"), get("status"), get("scope"), get("attributable")
    )  # fmt: skip
    if not (
        _plain(event_id, MAX_ID_LENGTH) and _plain(tenant, MAX_ID_LENGTH) and _plain(ticket_id, MAX_ID_LENGTH)
        and type(stamp) is str and kind in _KIND_SET
        and (type_ is None or type_ in _TYPE_SET) and (priority is None or priority in _PRIORITY_SET)
        and (scope is None or scope in _SCOPE_SET) and (status is None or _plain(status, MAX_STATUS_LENGTH))
        and (attributable is None or type(attributable) is bool)
    ):  # fmt: skip
        return None
    try:
        occurred_at = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if occurred_at.tzinfo is None:
        return None
    return TicketEvent(
        event_id, tenant, ticket_id, occurred_at, to_us(occurred_at), kind, type_, priority, status, scope, attributable
    )


def parse_event(obj: Any, where: str) -> TicketEvent:
    """Validate one decoded JSON value as a canonical event; ``where`` names it in errors."""
    if type(obj) is dict:
        event = _fast_event(obj)
        if event is not None:
            return event
    if not isinstance(obj, dict):
        raise InputError(f"{where}: an event must be a JSON object")
    # Validated in the order of the canonical format, so the first bad field is named.
    event_id = _text(obj, "event_id", where, required=True)
    tenant = _text(obj, "tenant", where, required=True)
    ticket_id = _text(obj, "ticket_id", where, required=True)
    occurred_at = _instant(obj, "occurred_at", where)
    kind = _choice(obj, "kind", KINDS, where, required=True)
    attributable = obj.get("attributable")
    if attributable is not None and not isinstance(attributable, bool):
        raise InputError(f"{where}: field attributable: must be true or false", field="attributable")
    return TicketEvent(
        event_id=event_id,  # type: ignore[arg-type]
        tenant=tenant,  # type: ignore[arg-type]
        ticket_id=ticket_id,  # type: ignore[arg-type]
        occurred_at=occurred_at,
        at=to_us(occurred_at),
        kind=kind,  # type: ignore[arg-type]
        type=_choice(obj, "type", TYPES, where, required=False),
        priority=_choice(obj, "priority", PRIORITIES, where, required=False),
        status=_text(obj, "status", where, required=False, limit=MAX_STATUS_LENGTH),
        scope=_choice(obj, "scope", SCOPES, where, required=False),
        attributable=attributable,
    )


def parse_jsonl(lines: Iterable[str], source: str) -> Iterator[TicketEvent]:
    """Parse JSON Lines (blank lines allowed); errors name ``source:line``."""
    for number, line in enumerate(lines, start=1):
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            if not line.strip():
                continue
            raise InputError(f"{source}:{number}: invalid JSON ({exc.msg})") from exc
        event = _fast_event(obj) if type(obj) is dict else None
        yield event if event is not None else parse_event(obj, f"{source}:{number}")


def deduplicate(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """Collapse events with the same ``(tenant, event_id)`` into one; sorted for the fold.

    Should one id come with different content, the version with the smallest
    canonical JSON is kept, so the result never depends on arrival order.
    """
    seen: dict[tuple[str, str], TicketEvent] = {}
    for event in events:
        key = (event.tenant, event.event_id)
        kept = seen.get(key)
        if kept is None:
            seen[key] = event
        elif kept != event and _canonical(event) < _canonical(kept):
            seen[key] = event
    return sorted(seen.values(), key=TicketEvent.sort_key)


def _canonical(event: TicketEvent) -> str:
    return json.dumps(event.to_json(), sort_keys=True)

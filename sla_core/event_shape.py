"""The canonical event's field rules (measurement §8.3) and the one-pass check of the common event.

:func:`event_fields` checks a decoded event in one pass, as the field-by-field
checks of :func:`sla_core.events.checked_event` would accept it (a property
test holds the two together); anything it does not accept goes to those
checks, which name the first bad field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sla_core.instants import COMMON_INSTANT
from sla_core.vocabulary import KINDS, PRIORITIES, SCOPES, TYPES

MAX_ID_LENGTH = 200
MAX_STATUS_LENGTH = 100
# Measurement §8.3: tenant, ticket_id and event_id. ASCII letters and digits first, then also ``. _ : - +``;
# 1 to 200 characters. Nothing a Table Storage key refuses (``/ \\ # ?``, control characters), no spaces.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:+-]{0,199}$"
ID = re.compile(ID_PATTERN[1:-1], re.ASCII)
# Characters no stored text may hold: C0 and C1 controls (incl. U+0085), DEL, surrogates, U+FFFE/U+FFFF.
UNSTORABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_KIND_SET, _TYPE_SET = frozenset(KINDS), frozenset(TYPES)
_PRIORITY_SET, _SCOPE_SET = frozenset(PRIORITIES), frozenset(SCOPES)
_id_ok = ID.fullmatch
_common_instant, _fromisoformat = COMMON_INSTANT.fullmatch, datetime.fromisoformat
_EPOCH_DAY = datetime(1970, 1, 1, tzinfo=UTC).toordinal()
_OFFSET_US: dict[Any, int] = {}  # UTC offset (µs) per fixed-offset tzinfo that fromisoformat gave; at most ~1,700
_unstorable = UNSTORABLE.search


def _plain(value: Any, limit: int) -> bool:
    return type(value) is str and 0 < len(value) <= limit and not value.isspace() and not _unstorable(value)


# (kind, type, priority, status, scope) found valid, each kept as the one tuple that events share; a few dozen.
_VALID_VALUES: dict[tuple[Any, ...], tuple[Any, ...]] = {}


def _valid_values(values: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The remembered equal tuple when kind, type, priority, status and scope (in that order) are valid
    (remembering ``values`` first when they are new); None when they are not."""
    try:
        known = _VALID_VALUES.get(values)
    except TypeError:  # an unhashable value (a list or an object): not valid
        return None
    if known is not None:
        return known
    kind, type_, priority, status, scope = values
    valid = (
        type(kind) is str
        and kind in _KIND_SET
        and (type_ is None or (type(type_) is str and type_ in _TYPE_SET))
        and (priority is None or (type(priority) is str and priority in _PRIORITY_SET))
        and (scope is None or (type(scope) is str and scope in _SCOPE_SET))
        and (status is None or _plain(status, MAX_STATUS_LENGTH))
    )
    if not valid:
        return None
    if len(_VALID_VALUES) >= 4096:  # bounded: free-text statuses could make many
        _VALID_VALUES.clear()
    _VALID_VALUES[values] = values
    return values


# Tenants and ticket ids found valid, each kept as the one string that its events share (every event of a
# ticket names it again: one string in memory, not one per event).
_VALID_IDS: dict[str, str] = {}


def _valid_id(value: str) -> str | None:
    """The remembered equal string when ``value`` is an identifier (:data:`ID`), remembering it first when
    it is new (bounded); None when it is not."""
    known = _VALID_IDS.get(value)
    if known is not None:
        return known
    if _id_ok(value) is None:
        return None
    if len(_VALID_IDS) >= 65_536:
        _VALID_IDS.clear()
    _VALID_IDS[value] = value
    return value


def event_fields(obj: dict[str, Any]) -> tuple[Any, ...] | None:
    """``TicketEvent``'s fields, in order, when ``obj`` is a valid event, in one pass; None sends it to the
    checks that name the error (``sla_core.events.checked_event``).

    Only strings and None are remembered as valid values, and a string equals only a string, so the
    memory of valid combinations cannot accept a value of another JSON type.
    """
    get = obj.get
    event_id, tenant, ticket_id, stamp = get("event_id"), get("tenant"), get("ticket_id"), get("occurred_at")
    values = (get("kind"), get("type"), get("priority"), get("status"), get("scope"))
    attributable = get("attributable")
    if not (
        type(event_id) is str
        and type(tenant) is str
        and type(ticket_id) is str
        and type(stamp) is str
        and (attributable is None or type(attributable) is bool)
        and _id_ok(event_id)
    ):
        return None
    # The remembered ids answer first (asked inline: one call fewer per field on the hot path); the event
    # keeps the remembered strings and value tuple, so repeated values are stored once, not once per event.
    known_ids = _VALID_IDS
    tenant = known_ids.get(tenant) or _valid_id(tenant)
    ticket_id = known_ids.get(ticket_id) or _valid_id(ticket_id)
    values = _valid_values(values)
    if tenant is None or ticket_id is None or values is None:
        return None
    if _common_instant(stamp) is None:
        return None  # a rarer shape of instant: parse_rfc3339 reads it (or names what is wrong)
    try:
        occurred_at = _fromisoformat(stamp)  # what parse_rfc3339 does for the common shape
    except ValueError:
        return None
    # to_us(occurred_at) from the fields: subtracting aware datetimes asks both for their offsets (slower).
    zone = occurred_at.tzinfo
    offset = _OFFSET_US.get(zone)
    if offset is None:
        offset = _OFFSET_US[zone] = occurred_at.utcoffset() // timedelta(microseconds=1)
    day, seconds = occurred_at.toordinal() - _EPOCH_DAY, occurred_at.hour * 3600 + occurred_at.minute * 60
    at = (day * 86_400 + seconds + occurred_at.second) * 1_000_000 + occurred_at.microsecond - offset
    return (event_id, tenant, ticket_id, occurred_at, at, *values, attributable)

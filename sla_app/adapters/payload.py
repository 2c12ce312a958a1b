"""Reading ticket-tool payloads: dotted paths, names, flags and timestamps, with errors naming the field.

Every reader raises :class:`~sla_app.errors.Unprocessable` (422) naming the
payload field (a dotted path such as ``issue.fields.created``) when a value is
missing, of the wrong type or out of range, and
:class:`~sla_app.errors.BadRequest` (400) when the body is not a JSON object.
Timestamps must carry an offset and lie in the years 2000–2099 (measurement §8.2).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sla_app.errors import BadRequest, Unprocessable

_INSTANT = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d{1,9}))?"
    r"(?:(?P<z>Z)|(?P<sign>[+-])(?P<hh>\d{2}):?(?P<mm>\d{2}))?$"
)


def require_object(payload: Any, what: str) -> dict[str, Any]:
    """The payload as a JSON object; 400 otherwise."""
    if not isinstance(payload, dict):
        raise BadRequest(f"{what}: the body must be a JSON object")
    return payload


def value_at(payload: Any, path: str) -> Any:
    """The value at a dotted path (None when any step is missing or not an object)."""
    node = payload
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _leaves(node: Any) -> Iterator[str | bool]:
    if isinstance(node, (str, bool)):
        yield node
    elif isinstance(node, dict):
        yield from _leaves(node.get("name", node.get("value")))
    elif isinstance(node, list):
        for item in node:
            yield from _leaves(item)


def values_at(payload: Any, path: str) -> list[str | bool]:
    """Text and boolean values at a dotted path: objects give their ``name`` (or ``value``), lists each item."""
    return list(_leaves(value_at(payload, path)))


def _present(payload: Any, path: str, source: str, *, required: bool) -> Any:
    """The value at ``path``; None when absent and not required, a 422 naming ``path`` when required."""
    value = value_at(payload, path)
    if value is None and required:
        raise Unprocessable(f"{source}: field {path}: missing", field=path)
    return value


def text_at(payload: Any, path: str, source: str, *, required: bool) -> str | None:
    """Non-empty text at ``path``; 422 naming ``path`` when required and missing, or not text."""
    value = _present(payload, path, source, required=required)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise Unprocessable(f"{source}: field {path}: must be a non-empty string", field=path)
    return value.strip()


def name_at(payload: Any, path: str, source: str, *, required: bool) -> str | None:
    """The ``name`` of the object at ``path`` (errors name ``path``); None when the object is null."""
    node = _present(payload, path, source, required=required)
    if node is None:
        return None
    if not isinstance(node, dict):
        raise Unprocessable(f"{source}: field {path}: must be an object with a name", field=path)
    name = node.get("name")
    if name is None and not required:
        return None
    if not isinstance(name, str) or not name.strip():
        raise Unprocessable(f"{source}: field {path}: must have a non-empty name", field=path)
    return name


def mapped_at(payload: Any, path: str, source: str, table: Callable[[str], str | None], what: str) -> str | None:
    """The ``name`` at ``path`` (optional) mapped by ``table``; 422 naming ``path`` when the name is not mapped."""
    name = name_at(payload, path, source, required=False)
    if name is None:
        return None
    value = table(name)
    if value is None:
        raise Unprocessable(f"{source}: field {path}: {what} {name!r} is not mapped", field=path)
    return value


def flag_at(payload: Any, path: str, source: str) -> bool:
    """A boolean at ``path``; missing or null is false, anything else but a boolean is a 422."""
    value = value_at(payload, path)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise Unprocessable(f"{source}: field {path}: must be true or false", field=path)
    return value


def parse_instant(text: Any, path: str, source: str) -> datetime:
    """A tool timestamp with an offset: ``2026-10-05T09:12:00.000+0200`` (ticket tools omit the colon).

    Strict: a timestamp without an offset is a 422 naming the field, since its
    instant is unknown.
    """
    if not isinstance(text, str):
        raise Unprocessable(f"{source}: field {path}: must be a timestamp string", field=path)
    match = _INSTANT.match(text.strip())
    if match is None:
        raise Unprocessable(f"{source}: field {path}: not a timestamp: {text!r}", field=path)
    if not match["z"] and not match["sign"]:
        raise Unprocessable(f"{source}: field {path}: timestamp without timezone offset: {text!r}", field=path)
    if not "2000" <= match["date"][:4] <= "2099":
        raise Unprocessable(f"{source}: field {path}: outside the years 2000–2099: {text!r}", field=path)
    frac = (match["frac"] or "").ljust(6, "0")[:6]
    offset = "+00:00" if match["z"] else f"{match['sign']}{match['hh']}:{match['mm']}"
    try:
        return datetime.fromisoformat(f"{match['date']}T{match['time']}.{frac}{offset}")
    except ValueError as exc:
        raise Unprocessable(f"{source}: field {path}: not a valid timestamp: {text!r}", field=path) from exc


def instant_at(payload: Any, path: str, source: str, *, required: bool) -> datetime | None:
    """The timestamp at ``path`` (see :func:`parse_instant`); None when absent and not required."""
    value = _present(payload, path, source, required=required)
    return None if value is None else parse_instant(value, path, source)


def from_epoch_ms(value: Any, path: str, source: str) -> datetime:
    """Milliseconds since the Unix epoch (Jira's ``timestamp``) as an aware UTC instant."""
    if isinstance(value, bool) or not isinstance(value, int) or not _EPOCH_2000_MS <= value < _EPOCH_2100_MS:
        raise Unprocessable(f"{source}: field {path}: must be milliseconds since the epoch, in 2000–2099", field=path)
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)


_EPOCH_2000_MS = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp() * 1000)
_EPOCH_2100_MS = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp() * 1000)

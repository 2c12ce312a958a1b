"""Status classes: a ticket status is kept only as its class, never as raw text (measurement §8.3, AVG).

A status from a ticket tool is free text ("Wachten op Piet de Vries
(p.devries@…)"). Stored and reported is only its *status class*, the first
that applies of:

1. one of the contract's ``known_statuses`` (compared case-insensitively with
   runs of white space collapsed), spelled as the contract spells it;
2. the first of the contract's ``pause_patterns`` the status matches, written
   with ``…`` for the wildcard: ``wachten op*`` → ``wachten op …``;
3. ``overig``.

The class keeps what the measurement needs: a status pauses the clock (SLA
§7.2) exactly when its class does. :func:`check_status_rules` refuses a
contract for which that would not hold (a known status or ``overig`` that
matches a pause pattern it should not, or a pattern whose written class does
not match itself).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

OTHER = "overig"
_WILDCARD = re.compile(r"\s*\*+\s*")


def fold(text: str) -> str:
    """A status as compared: white space collapsed, case folded."""
    return " ".join(text.split()).casefold()


def pattern_class(pattern: str) -> str:
    """The class written for a pause pattern: ``wachten op*`` → ``wachten op …``."""
    return _WILDCARD.sub(" … ", " ".join(pattern.split())).strip()


def _matches(status: str, patterns: Sequence[str]) -> str | None:
    folded = fold(status)
    return next((p for p in patterns if fnmatch.fnmatchcase(folded, fold(p))), None)


def check_status_rules(known: Sequence[str], patterns: Sequence[str]) -> None:
    """Raise ValueError when classing would change whether a status pauses the clock."""
    if any(not k.strip() for k in known):
        raise ValueError("a known status may not be empty")
    if _matches(OTHER, patterns) is not None:
        raise ValueError(f"a pause pattern matches {OTHER!r}, the class of unknown statuses")
    for pattern in patterns:
        if _matches(pattern_class(pattern), [pattern]) is None:
            raise ValueError(f"pause pattern {pattern!r}: its class {pattern_class(pattern)!r} does not match it")


class StatusClasses:
    """Classes statuses under one contract's known statuses and pause patterns."""

    def __init__(self, known: Sequence[str], patterns: Sequence[str]) -> None:
        check_status_rules(known, patterns)
        self._known = {fold(k): " ".join(k.split()) for k in known}
        self._patterns = list(patterns)

    def of(self, status: str | None) -> str | None:
        """The class of a status (None stays None: no status)."""
        if status is None:
            return None
        known = self._known.get(fold(status))
        if known is not None:
            return known
        pattern = _matches(status, self._patterns)
        return OTHER if pattern is None else pattern_class(pattern)

    def is_class(self, status: str) -> bool:
        """Whether ``status`` already is a class (classing it changes nothing)."""
        return self.of(status) == status


class _WithStatus(Protocol):
    tenant: str
    status: str | None


Event = TypeVar("Event", bound=_WithStatus)


def classed(events: Iterable[Event], classes: Mapping[str, StatusClasses]) -> list[Event]:
    """The events (ticket events: dataclasses) with each status replaced by its class under the tenant's ``classes``."""
    return [e if e.status is None else dataclasses.replace(e, status=classes[e.tenant].of(e.status)) for e in events]

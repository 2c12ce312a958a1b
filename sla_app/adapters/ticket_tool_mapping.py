"""How ticket-tool payloads become canonical values (measurement §6): the mapping as data, and payload reading.

The mapping of each tool (TOPdesk, Jira Service Management) lives in
``ticket_tool_mapping.json`` next to this module and is validated by pydantic
on first use (never at import time):

* ``types`` / ``priorities`` — the tool's names → our types
  (``incident``, ``informatieverzoek``, ``wijzigingsverzoek``,
  ``serviceverzoek``, ``collega``; SLA §5.2) and priorities (``urgent``,
  ``hoog``, ``gemiddeld``, ``laag``). **Strict**: a name that is not mapped is
  a 422 naming the payload field, so a misconfiguration shows at once and
  nothing is stored. An absent value (``null``) is allowed: the ticket simply
  has no type or priority yet (a TOPdesk call not yet triaged).
* ``statuses`` — the tool's status names → canonical statuses. What is
  stored is only the status *class* of the result (measurement §8.3,
  :mod:`sla_core.status_class`): a known status of the contract, the pause
  pattern it matches ("wachten op …") or ``overig``; an unmapped name is
  classed as it is, so "Wachten op Piet de Vries" is stored as
  "wachten op …" and never as text. Map every status that means "waiting" to a
  text matching a pause pattern (``wachten op*``, ``onvoldoende
  documentatie*``; SLA §7.2).
* ``ticket_id_pattern`` — the tool's ticket numbers (TOPdesk ``I 2610 042``,
  Jira ``SD-42``). A number that does not match is a 422 naming the field (a
  name in a ticket id is never stored); the ticket id kept is the number with
  each space written as ``-`` (``I-2610-042``), within the identifier pattern
  of measurement §8.3.
* ``platform_when`` — when a ticket's restore scope is ``platform``
  (otherwise ``applicatie``; SLA §7.2.2–7.2.3).
* ``not_attributable_when`` — when a ticket is not attributable to the
  supplier (SLA §5.2.2, §7.1); otherwise it is.
* TOPdesk: ``on_hold_status``, the status of an incident that is on hold
  ("wachten op klant"). Jira: ``kinds``, the status names that mean
  responded, resolved and closed.

Names are compared case-insensitively with runs of white space collapsed, so
"P1  urgent" is "P1 Urgent". A rule (``platform_when``,
``not_attributable_when``) names dotted paths into the payload; the value at a
path may be text, a boolean, an object with ``name`` (or ``value``), or a list
of these (Jira labels and components); the rule holds when any of them equals
one of its ``values``.

Only canonical values ever leave this module: free text and personal data in
a payload are read by nobody here (SLA §5.2.1, AVG).
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from sla_app.adapters.payload import values_at
from sla_app.errors import Unprocessable
from sla_core.events import MAX_STATUS_LENGTH
from sla_core.vocabulary import Priority, TicketType

MAPPING_FILE = Path(__file__).with_name("ticket_tool_mapping.json")

StatusText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_STATUS_LENGTH)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
V = TypeVar("V")


def fold(name: str) -> str:
    """A name as compared: white space collapsed, case folded."""
    return " ".join(name.split()).casefold()


def _folded_keys(table: dict[str, V], what: str) -> dict[str, V]:
    folded: dict[str, V] = {}
    for name, value in table.items():
        key = fold(name)
        if not key:
            raise ValueError(f"{what}: an empty name")
        if key in folded and folded[key] != value:
            raise ValueError(f"{what}: {name!r} is mapped twice, to different values")
        folded[key] = value
    return folded


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchRule(_Strict):
    """Holds when a value at one of ``fields`` (dotted paths into the payload) is one of ``values``."""

    fields: list[Name] = Field(min_length=1)
    values: list[bool | Name] = Field(min_length=1)

    def matches(self, payload: Any) -> bool:
        """Whether the rule holds for this payload (text compared case-insensitively)."""
        wanted = {fold(v) if isinstance(v, str) else v for v in self.values}
        for path in self.fields:
            for value in values_at(payload, path):
                if (fold(value) if isinstance(value, str) else value) in wanted:
                    return True
        return False


class _ToolMapping(_Strict):
    types: dict[str, TicketType] = Field(min_length=1)
    priorities: dict[str, Priority] = Field(min_length=1)
    statuses: dict[str, StatusText] = Field(default_factory=dict)
    ticket_id_pattern: str
    platform_when: MatchRule | None = None
    not_attributable_when: MatchRule | None = None

    @field_validator("types", "priorities", "statuses")
    @classmethod
    def _fold_names(cls, table: dict[str, Any], info: Any) -> dict[str, Any]:
        return _folded_keys(table, info.field_name)

    def type_of(self, name: str) -> str | None:
        """Our type for the tool's type name; None when unmapped."""
        return self.types.get(fold(name))

    def priority_of(self, name: str) -> str | None:
        """Our priority for the tool's priority name; None when unmapped."""
        return self.priorities.get(fold(name))

    def status_of(self, name: str) -> str:
        """The canonical status for the tool's status name (unmapped: the name itself, to be classed)."""
        return self.statuses.get(fold(name), " ".join(name.split()))

    @field_validator("ticket_id_pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        if not pattern.startswith("^") or not pattern.endswith("$"):
            raise ValueError("the pattern must be anchored with ^ and $")
        if compiled.match("") is not None:
            raise ValueError("the pattern must not match an empty id")
        return pattern

    def ticket_id_of(self, number: str, path: str, source: str) -> str:
        """The ticket id of a tool's number (spaces as ``-``); 422 naming ``path`` when it does not match."""
        if re.fullmatch(self.ticket_id_pattern, number) is None:
            raise Unprocessable(
                f"{source}: field {path}: not a ticket number of the configured pattern {self.ticket_id_pattern}",
                field=path,
            )
        return number.replace(" ", "-")

    def scope_of(self, payload: Any) -> str:
        """``platform`` when the platform rule holds, else ``applicatie`` (measurement §2)."""
        return "platform" if self.platform_when is not None and self.platform_when.matches(payload) else "applicatie"

    def attributable_of(self, payload: Any) -> bool:
        """False when the not-attributable rule holds, else true."""
        return not (self.not_attributable_when is not None and self.not_attributable_when.matches(payload))


class TopdeskMapping(_ToolMapping):
    """TOPdesk incidents: ``callType.name``, ``priority.name``, ``processingStatus.name``, ``onHold``."""

    on_hold_status: StatusText = "wachten op klant"


class JiraKinds(_Strict):
    """Jira status names that mean a kind of event when the issue enters them."""

    responded: list[Name] = Field(default_factory=list)  # the first time only
    resolved: list[Name] = Field(min_length=1)
    closed: list[Name] = Field(default_factory=list)

    @field_validator("responded", "resolved", "closed")
    @classmethod
    def _fold_list(cls, names: list[str]) -> list[str]:
        return sorted({fold(n) for n in names})

    @model_validator(mode="after")
    def _disjoint(self) -> JiraKinds:
        for one, other in (("resolved", "closed"), ("responded", "resolved"), ("responded", "closed")):
            both = set(getattr(self, one)) & set(getattr(self, other))
            if both:
                raise ValueError(f"status {sorted(both)[0]!r} is in both {one} and {other}")
        return self


class JiraMapping(_ToolMapping):
    """Jira Service Management issues: ``issuetype.name``, ``priority.name``, ``status.name``."""

    kinds: JiraKinds

    def phase_of(self, status_name: str) -> str:
        """``resolved``, ``closed`` or ``open``: where a status puts the restore clock."""
        key = fold(status_name)
        if key in self.kinds.resolved:
            return "resolved"
        if key in self.kinds.closed:
            return "closed"
        return "open"

    def means_responded(self, status_name: str) -> bool:
        """Whether entering this status is a response (SLA §7.2.1)."""
        return fold(status_name) in self.kinds.responded


class ToolMappings(_Strict):
    """The mappings of all ticket tools (one JSON file)."""

    topdesk: TopdeskMapping
    jira: JiraMapping


def load_mappings(path: Path) -> ToolMappings:
    """Read and validate a mapping file (pydantic errors name the offending field)."""
    return ToolMappings.model_validate(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_mappings() -> ToolMappings:
    """The shipped mapping, read once per process on first use."""
    return load_mappings(MAPPING_FILE)

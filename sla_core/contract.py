"""The contract as data: service hours, holidays, pauses, targets and norms.

Every rule the measurement core applies comes from a :class:`Contract`, loaded
from a JSON contract file and validated by pydantic, or from
:func:`default_contract`, which encodes the seed SLA (Stratech Perspectief
Cloud) with the product decisions of ``docs/measurement.md``. A contract file
may give only the parts that differ: it is merged over the default.

Units: targets in ``hours`` run on the business clock (service hours only),
targets in ``months`` on the calendar clock (all wall time); norms and
percentages are in percent (0–100).
"""

from __future__ import annotations

import json
import re
from datetime import date, time
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sla_core.errors import InputError
from sla_core.in_service import ListedTest, check_listed
from sla_core.status_class import check_status_rules
from sla_core.vocabulary import PRIORITIES, WEEKDAYS, Priority

KNOWN_STATUSES: tuple[str, ...] = (
    "nieuw",
    "in behandeling",
    "wachten op klant",
    "wachten op leverancier",
    "onvoldoende documentatie",
    "opgelost",
    "gesloten",
)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def parse_hhmm(text: str) -> time | None:
    """Parse ``HH:MM``; ``24:00`` (end of day) is returned as ``None``."""
    if not _HHMM.match(text):
        raise ValueError(f"{text!r} is not a local time HH:MM (00:00–24:00)")
    if text == "24:00":
        return None
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


class TimeRange(_Strict):
    """A local-time range ``[start, end)`` within one day; ``end`` may be ``24:00``."""

    start: str
    end: str

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        start, end = parse_hhmm(self.start), parse_hhmm(self.end)
        if start is None:
            raise ValueError("start may not be 24:00")
        if end is not None and end <= start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        return self

    def bounds(self) -> tuple[time, time | None]:
        """``(start, end)``; ``end`` ``None`` means midnight at the end of the day."""
        start = parse_hhmm(self.start)
        assert start is not None
        return start, parse_hhmm(self.end)


def _working_day() -> list[TimeRange]:
    return [TimeRange(start="07:00", end="19:00")]


class ServiceHours(_Strict):
    """Beschikbaarheidstijden per weekday (SLA §2.1, §7; default 07:00–19:00 on working days).

    Each weekday has a list of non-overlapping local ``[start, end)`` ranges.
    Closed dates (holidays) have no service hours at all.
    """

    monday: list[TimeRange] = Field(default_factory=_working_day)
    tuesday: list[TimeRange] = Field(default_factory=_working_day)
    wednesday: list[TimeRange] = Field(default_factory=_working_day)
    thursday: list[TimeRange] = Field(default_factory=_working_day)
    friday: list[TimeRange] = Field(default_factory=_working_day)
    saturday: list[TimeRange] = Field(default_factory=list)
    sunday: list[TimeRange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _disjoint_and_not_empty(self) -> ServiceHours:
        total = 0
        for day in WEEKDAYS:
            ranges = sorted(getattr(self, day), key=lambda r: r.start)
            for before, after in zip(ranges, ranges[1:]):
                if before.end == "24:00" or before.end > after.start:
                    raise ValueError(f"{day}: ranges {before.start}-{before.end} and {after.start}-{after.end} overlap")
            total += len(ranges)
        if total == 0:
            raise ValueError("no service hours on any weekday")
        return self

    def for_weekday(self, weekday: int) -> list[tuple[time, time | None]]:
        """Sorted ranges of a weekday (Monday = 0), as ``(start, end)`` local times."""
        ranges = getattr(self, WEEKDAYS[weekday])
        return sorted((r.bounds() for r in ranges), key=lambda b: b[0])


class Holidays(_Strict):
    """Closed dates: Algemene termijnenwet art. 3 plus extra dates, minus removed dates (measurement §1)."""

    algemene_termijnenwet: bool = True
    extra_closed: list[date] = Field(default_factory=list, description="Extra closed dates, e.g. brugdagen.")
    removed: list[date] = Field(default_factory=list, description="Dates that are working days after all.")


class Target(_Strict):
    """A target duration: ``hours`` on the business clock or whole ``months`` on the calendar clock."""

    value: float = Field(gt=0)
    unit: Literal["hours", "months"]

    @model_validator(mode="after")
    def _whole_months(self) -> Target:
        if self.unit == "months" and self.value != int(self.value):
            raise ValueError("a target in months must be a whole number of months")
        return self

    def describe(self) -> str:
        """Dutch text, e.g. ``4 uur`` or ``1 maand``."""
        amount = f"{self.value:g}"
        if self.unit == "hours":
            return f"{amount} uur"
        return f"{amount} maand" if self.value == 1 else f"{amount} maanden"


class TicketMetricRule(_Strict):
    """Norm (percent of decided outcomes within target) and a target per priority (SLA §7.2)."""

    norm: float = Field(gt=0, le=100)
    targets: dict[Priority, Target]

    @field_validator("targets")
    @classmethod
    def _all_priorities(cls, targets: dict[str, Target]) -> dict[str, Target]:
        missing = [p for p in PRIORITIES if p not in targets]
        if missing:
            raise ValueError(f"missing target for priority {', '.join(missing)}")
        return targets


def _hours(*values: float) -> dict[str, Target]:
    return {p: Target(value=v, unit="hours") for p, v in zip(PRIORITIES, values)}


class TicketMetrics(_Strict):
    """The three ticket service levels of SLA §7.2.1–7.2.3 (defaults as in the SLA)."""

    response_time: TicketMetricRule = TicketMetricRule(norm=95.0, targets=_hours(1, 2, 4, 8))
    restore_time_platform: TicketMetricRule = TicketMetricRule(norm=95.0, targets=_hours(2, 4, 8, 16))
    restore_time_application: TicketMetricRule = TicketMetricRule(
        norm=95.0,
        targets={
            "urgent": Target(value=4, unit="hours"),
            "hoog": Target(value=8, unit="hours"),
            "gemiddeld": Target(value=1, unit="months"),
            "laag": Target(value=2, unit="months"),
        },
    )

    def rule(self, metric: str) -> TicketMetricRule:
        """The rule of a metric id."""
        return getattr(self, metric)


class AvailabilityRule(_Strict):
    """Availability (SLA §7.1, measurement §3): norm 99.4 %, 5-minute slots, location quorum.

    ``tests``: the availability tests and the period each is in service (measurement §8.7); None (the
    default): every test seen in the month counts (§3.2).
    """

    norm: float = Field(default=99.4, gt=0, le=100)
    slot_minutes: int = Field(default=5, ge=1, le=60)
    min_failed_locations: int = Field(default=2, ge=1)
    min_coverage: float = Field(default=90.0, ge=0, le=100, description="Below this coverage a month is flagged.")
    tests: tuple[ListedTest, ...] | None = Field(
        default=None, description="The tests and their periods in service (§8.7); absent: every test seen counts."
    )

    @field_validator("tests")
    @classmethod
    def _each_test_once(cls, tests: tuple[ListedTest, ...] | None) -> tuple[ListedTest, ...] | None:
        if tests is not None:
            check_listed(tests)
        return tests

    @field_validator("slot_minutes")
    @classmethod
    def _divides_an_hour(cls, value: int) -> int:
        if 60 % value:
            raise ValueError("slot_minutes must divide 60")
        return value


class LoadTimeRule(_Strict):
    """Load time aim (SLA §7.2.4): share of successful results within the target, and a percentile."""

    target_ms: float = Field(default=3000.0, gt=0)
    percentile: float = Field(default=95.0, gt=0, le=100)


class TenantWindow(_Strict):
    """A municipality's measurement window (SLA §7): from the month after go-live to the month before the end."""

    go_live: date
    contract_end: date | None = None
    name: str | None = Field(default=None, description="Display name, e.g. 'Gemeente Enschede'.")

    @model_validator(mode="after")
    def _end_after_go_live(self) -> TenantWindow:
        if self.contract_end is not None and self.contract_end <= self.go_live:
            raise ValueError("contract_end must be after go_live")
        return self


class Contract(_Strict):
    """The whole measurement contract. ``version`` is printed in every report."""

    version: str = "Stratech Perspectief Cloud SLA (seed), regels v1"
    timezone: str = "Europe/Amsterdam"
    service_hours: ServiceHours = ServiceHours()
    holidays: Holidays = Holidays()
    pause_patterns: list[str] = Field(default_factory=lambda: ["wachten op*", "onvoldoende documentatie*"])
    known_statuses: list[str] = Field(
        default_factory=lambda: list(KNOWN_STATUSES),
        description="Statuses kept as they are (measurement §8.3); any other status is kept as its status class.",
    )
    metrics: TicketMetrics = TicketMetrics()
    availability: AvailabilityRule = AvailabilityRule()
    load_time: LoadTimeRule = LoadTimeRule()
    tenants: dict[str, TenantWindow] = Field(default_factory=dict)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA timezone {value!r}") from exc
        return value

    @field_validator("pause_patterns")
    @classmethod
    def _non_empty_patterns(cls, patterns: list[str]) -> list[str]:
        if any(not p.strip() for p in patterns):
            raise ValueError("a pause pattern may not be empty")
        return patterns

    @model_validator(mode="after")
    def _status_classes_are_sound(self) -> Contract:
        check_status_rules(self.known_statuses, self.pause_patterns)
        return self

    @property
    def zone(self) -> ZoneInfo:
        """The contract's timezone."""
        return ZoneInfo(self.timezone)


def default_contract() -> Contract:
    """The built-in contract: the seed SLA with the rules of ``docs/measurement.md``."""
    return Contract()


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "tenants":
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def contract_from_mapping(data: Any, source: str = "contract") -> Contract:
    """Validate a contract mapping merged over the default; raise InputError naming the field.

    Validated strictly, as the JSON it is: the types the schema states, no coercion of strings.
    """
    if not isinstance(data, dict):
        raise InputError(f"{source}: a contract must be a JSON object")
    base = default_contract().model_dump(mode="json")
    try:
        text = json.dumps(_merge(base, data), allow_nan=False)
    except (TypeError, ValueError) as exc:  # an object JSON has no value for, NaN or an infinity
        raise InputError(f"{source}: a contract holds JSON values only ({exc})") from exc
    try:  # strict, as JSON: a number must be a JSON number and a flag true or false (not "99.4" or "yes")
        return Contract.model_validate_json(text, strict=True)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise InputError(f"{source}: field {field}: {first['msg']}", field=field) from exc


def contract_from_json(text: str | bytes, source: str = "contract") -> Contract:
    """Parse and validate contract JSON text (merged over the default contract); InputError names line or field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}: line {exc.lineno}: invalid JSON ({exc.msg})") from exc
    return contract_from_mapping(data, source=source)

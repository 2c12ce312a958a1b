"""The drill's world: scenarios, tenants, ticket events and availability rows, and the CLI's input files.

Everything is generated deterministically from the scenario (a seeded
``random.Random``), so a failing drill can be re-run exactly.

* **Availability** is the platform's (shared by every tenant): one test,
  three locations, one result per 5-minute slot, all successful except the
  scenario's outages (every location fails). Each row has an *arrival*
  instant: when Azure Monitor would start returning it (the ingestion delay,
  or a whole day later for the scenario's late day).
* **Tenants**: ``count`` measured tenants (``drill-001``…) with go-live dates
  spread before the month (one just before it, first measured in it) and one
  whose contract ends with the month; plus one tenant not measured in the
  month (go-live inside it), who must receive nothing.
* **Tickets**: a few per measured tenant, opened, answered, resolved and
  closed within the month's service hours (so their figures do not depend on
  the instant they are computed at); each event reaches the webhook a minute
  after it happened.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sla_core.holidays_nl import atw_holidays
from sla_core.periods import Month

ZONE = ZoneInfo("Europe/Amsterdam")
TEST_NAME = "perspectief-portaal"
LOCATIONS = ("West Europe", "North Europe", "France Central")
SLOT = timedelta(minutes=5)
INGESTION_DELAY = timedelta(minutes=10)  # how long after a result Monitor normally serves it
WEBHOOK_DELAY = timedelta(minutes=1)
PRIORITIES = ("hoog", "gemiddeld", "laag")


@dataclass(frozen=True)
class Scenario:
    """One month end to drill."""

    name: str
    month: Month
    tenants: int = 3
    outages: tuple[tuple[datetime, datetime], ...] = ()  # local [start, end): every location fails
    late_day: date | None = None  # its rows arrive a whole day late
    partial_day: date | None = None  # the first query that covers it answers a PartialError
    start_day: int = 14  # the simulated clock starts on this day at noon UTC (the 14th: before the mid-month timer)
    seed: int = 8

    @property
    def start(self) -> datetime:
        """When the simulated clock starts; the days before are already ingested."""
        first = self.month.first_day()
        return datetime(first.year, first.month, self.start_day, 12, 0, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """A day after the delivery deadline (the 3rd working day of the next month, 12:00 local)."""
        day, working = self.month.shift(1).first_day(), 0
        while working < 3:
            working += day.isoweekday() <= 5 and day not in atw_holidays(day.year)
            day += timedelta(days=1)
        return datetime.combine(day, time(12, 0), ZONE).astimezone(UTC)

    def sized(self, tenants: int, start_day: int | None = None) -> Scenario:
        """The same scenario with another number of tenants (and start day)."""
        return replace(self, tenants=tenants, start_day=start_day or self.start_day)


def local(text: str) -> datetime:
    """A local (Amsterdam) wall-clock time as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        # Tuesday 30 June is a working day: 100 minutes down on its afternoon; one partial answer before.
        Scenario(
            "june-2026",
            Month(2026, 6),
            outages=((local("2026-06-30T14:00"), local("2026-06-30T15:40")),),
            partial_day=date(2026, 6, 27),
        ),
        # Summer time ends on Sunday 25 October (a 25-hour day, 02:00-03:00 twice); an outage in the repeated
        # hour's second pass and one on Friday 30 October.
        Scenario(
            "october-2026",
            Month(2026, 10),
            outages=(
                (datetime(2026, 10, 25, 1, 10, tzinfo=UTC), datetime(2026, 10, 25, 1, 40, tzinfo=UTC)),
                (local("2026-10-30T10:00"), local("2026-10-30T10:50")),
            ),
            partial_day=date(2026, 10, 29),
        ),
        # Friday 31 July: the last day's rows reach Azure Monitor a day late; 45 minutes down that morning.
        Scenario(
            "late-day-2026-07",
            Month(2026, 7),
            outages=((local("2026-07-31T09:00"), local("2026-07-31T09:45")),),
            late_day=date(2026, 7, 31),
        ),
    )
}


@dataclass(frozen=True)
class Tenant:
    """A tenant as the admin API receives it."""

    tenant: str
    go_live: date
    contract_end: date | None
    name: str
    measured: bool  # whether the scenario's month is in its measurement window

    @property
    def recipients(self) -> list[str]:
        return [f"contractbeheer@{self.tenant}.example"]  # RFC 2606: never a real address

    def to_admin_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"go_live": self.go_live.isoformat(), "name": self.name, "recipients": self.recipients}
        if self.contract_end is not None:
            body["contract_end"] = self.contract_end.isoformat()
        return body


@dataclass(frozen=True)
class Row:
    """One AppAvailabilityResults row and when Monitor starts serving it."""

    at: datetime  # TimeGenerated, UTC
    location: str
    success: bool
    duration_ms: float
    arrives: datetime

    def to_table_row(self) -> list[Any]:
        """As a Log Analytics response row (TimeGenerated, Name, Location, Success, DurationMs)."""
        return [self.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), TEST_NAME, self.location, self.success, self.duration_ms]


@dataclass
class World:
    """The generated inputs of one scenario."""

    scenario: Scenario
    tenants: list[Tenant]
    events: list[dict[str, Any]]  # canonical events, in occurrence order
    rows: list[Row]
    posted: dict[str, datetime] = field(default_factory=dict)  # event id -> when the webhook receives it

    @property
    def measured(self) -> list[str]:
        return sorted(t.tenant for t in self.tenants if t.measured)

    def history_csv(self, path: Path) -> Path:
        """The rows that had arrived when the drill starts, as a CSV export (the days ingested before it)."""
        self._csv(path, [r for r in self.rows if r.arrives <= self.scenario.start])
        return path

    @staticmethod
    def _csv(path: Path, rows: list[Row]) -> None:
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["TimeGenerated", "Name", "Location", "Success", "DurationMs"])
            for row in rows:
                writer.writerow(row.to_table_row())

    def export(self, folder: Path) -> dict[str, Path]:
        """The complete data as the CLI reads it: events.jsonl, availability.csv, contract.json."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = {
            "events": folder / "events.jsonl",
            "availability": folder / "availability.csv",
            "contract": folder / "contract.json",
        }
        with paths["events"].open("w", encoding="utf-8") as out:
            for event in self.events:
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
        self._csv(paths["availability"], self.rows)
        tenants = {
            t.tenant: {
                "go_live": t.go_live.isoformat(),
                "name": t.name,
                **({"contract_end": t.contract_end.isoformat()} if t.contract_end else {}),
            }
            for t in self.tenants
        }
        paths["contract"].write_text(json.dumps({"tenants": tenants}, indent=1), encoding="utf-8")
        return paths


def _tenants(scenario: Scenario, rng: random.Random) -> list[Tenant]:
    first = scenario.month.first_day()
    tenants = []
    for number in range(1, scenario.tenants + 1):
        name = f"drill-{number:03d}"
        if number == 2:
            go_live, end = first - timedelta(days=12), None  # live last month: first measured this month
        elif number == 3:
            go_live, end = first - timedelta(days=400), scenario.month.shift(1).first_day()  # ends with the month
        else:
            go_live, end = first - timedelta(days=rng.randint(40, 700)), None
        tenants.append(Tenant(name, go_live, end, f"Gemeente Drill {number}", measured=True))
    tenants.append(Tenant("drill-later", first + timedelta(days=9), None, "Gemeente Later", measured=False))
    return tenants


def _service_instant(rng: random.Random, day: date, earliest: int = 8, latest: int = 15) -> datetime:
    return datetime.combine(day, time(rng.randint(earliest, latest), rng.randrange(0, 60, 7)), ZONE)


def _working_days(month: Month) -> list[date]:
    day, end, days = month.first_day(), month.shift(1).first_day(), []
    while day < end:
        if day.isoweekday() <= 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _tickets(scenario: Scenario, tenant: Tenant, rng: random.Random) -> list[dict[str, Any]]:
    days = _working_days(scenario.month)
    chosen = sorted(rng.sample(days[:-1], k=3)) + [days[-1]]  # always one on the month's last working day
    events = []
    for index, day in enumerate(chosen, start=1):
        ticket = f"D{scenario.month.year % 100:02d}{scenario.month.month:02d}-{index:04d}"
        opened = _service_instant(rng, day, latest=13 if day == days[-1] else 15)
        responded = opened + timedelta(minutes=rng.choice((12, 45, 95, 150)))
        resolved = responded + timedelta(minutes=rng.choice((40, 90, 160)))
        closed = resolved + timedelta(minutes=20)
        steps = [
            (
                "opened",
                opened,
                {
                    "type": "incident",
                    "priority": rng.choice(PRIORITIES),
                    "status": "nieuw",
                    "scope": rng.choice(("applicatie", "platform")),
                    "attributable": True,
                },
            ),
            ("responded", responded, {"status": "in behandeling"}),
            ("resolved", resolved, {"status": "opgelost"}),
            ("closed", closed, {"status": "gesloten"}),
        ]
        for step, (kind, at, extra) in enumerate(steps, start=1):
            events.append(
                {
                    "event_id": f"{tenant.tenant}-{index:02d}-{step}",
                    "tenant": tenant.tenant,
                    "ticket_id": ticket,
                    "occurred_at": at.isoformat(),
                    "kind": kind,
                    **extra,
                }
            )
    return events


def _down(scenario: Scenario, at: datetime) -> bool:
    return any(start <= at < end for start, end in scenario.outages)


def _rows(scenario: Scenario, rng: random.Random) -> list[Row]:
    """Results from the 1st of the month (local) to the end of the drill."""
    first = scenario.month.first_day()
    instant = datetime(first.year, first.month, first.day, tzinfo=ZONE).astimezone(UTC)
    rows = []
    while instant < scenario.end:
        for offset, location in enumerate(LOCATIONS):
            at = instant + timedelta(seconds=11 + 7 * offset, microseconds=rng.randrange(0, 1_000_000, 1000))
            success = not _down(scenario, at)
            duration = float(rng.randint(350, 1900)) if success else 30000.0
            arrives = at + INGESTION_DELAY
            if scenario.late_day is not None and at.astimezone(ZONE).date() == scenario.late_day:
                arrives += timedelta(days=1)
            rows.append(Row(at, location, success, duration, arrives))
        instant += SLOT
    return rows


def build(scenario: Scenario) -> World:
    """The scenario's world."""
    rng = random.Random(f"{scenario.name}/{scenario.seed}/{scenario.tenants}")
    tenants = _tenants(scenario, rng)
    events = [e for t in tenants if t.measured for e in _tickets(scenario, t, rng)]
    events.sort(key=lambda e: (datetime.fromisoformat(e["occurred_at"]), e["event_id"]))
    world = World(scenario, tenants, events, _rows(scenario, rng))
    world.posted = {
        e["event_id"]: datetime.fromisoformat(e["occurred_at"]).astimezone(UTC) + WEBHOOK_DELAY for e in events
    }
    return world

"""Generate the deterministic sample data of May 2026 shipped in ``samples/``.

    python -m tools.generate_samples [--out samples] [--seed 20260501]

Three municipalities (tenants ``enschede``, ``hengelo``, ``almelo``) share one
Stratech Perspectief Cloud platform. For the month May 2026 the generator
writes:

* ``events.jsonl`` -- canonical ticket events, one JSON object per line
  (measurement measurement §6);
* ``availability.csv`` -- rows of Application Insights' ``AppAvailabilityResults``
  (measurement §3 and §7), one file for the shared platform;
* ``exclusions.json`` -- intervals whose down time is not attributable to the
  supplier (SLA §7.1).

The output is a pure function of ``--seed``: every random choice comes from a
``random.Random`` seeded from it, nothing reads the wall clock and nothing
depends on set or hash order. Only the standard library is used.
``samples/README.md`` describes the scenarios and the figures a correct engine
must compute from these files.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_SEED = 20260501
TENANTS = ("enschede", "hengelo", "almelo")

# --------------------------------------------------------------------------
# Calendar and business clock (measurement §1)
# --------------------------------------------------------------------------

TZ = ZoneInfo("Europe/Amsterdam")
UTC = UTC
#: The sample month, local time, half-open ``[MONTH_START, MONTH_END)``.
MONTH_START = datetime(2026, 5, 1, tzinfo=TZ).astimezone(UTC)
MONTH_END = datetime(2026, 6, 1, tzinfo=TZ).astimezone(UTC)
#: Ticket events are exported up to the end of the month: nothing later exists.
EXPORT_END = MONTH_END

#: Public holidays (art. 3 Algemene termijnenwet) from Easter to the end of 2026.
HOLIDAYS = {
    date(2026, 4, 3): "Goede Vrijdag",
    date(2026, 4, 6): "Tweede Paasdag",
    date(2026, 4, 27): "Koningsdag",
    date(2026, 5, 5): "Bevrijdingsdag",
    date(2026, 5, 14): "Hemelvaartsdag",
    date(2026, 5, 25): "Tweede Pinksterdag",
}
#: The holiday list above is complete from this day up to and including the next.
CALENDAR_KNOWN = (date(2026, 4, 1), date(2026, 12, 24))
#: Default service hours (Beschikbaarheidstijden): working days, local time.
SERVICE_START, SERVICE_END = time(7, 0), time(19, 0)


def local(text: str) -> datetime:
    """The UTC instant of a local (Europe/Amsterdam) wall time ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(UTC)


def is_working_day(day: date) -> bool:
    """Monday to Friday, except the public holidays of the Algemene termijnenwet."""
    if not CALENDAR_KNOWN[0] <= day <= CALENDAR_KNOWN[1]:
        raise ValueError(f"no holiday calendar for {day}")
    return day.weekday() < 5 and day not in HOLIDAYS


def service_window(day: date) -> tuple[datetime, datetime] | None:
    """The service hours of a local date as a UTC ``[start, end)``, or None."""
    if not is_working_day(day):
        return None
    start = datetime.combine(day, SERVICE_START, tzinfo=TZ).astimezone(UTC)
    end = datetime.combine(day, SERVICE_END, tzinfo=TZ).astimezone(UTC)
    return start, end


def add_business(start: datetime, minutes: float) -> datetime:
    """The first instant at which ``minutes`` of service-hours time have passed
    since ``start`` (the business clock). With 0 minutes outside service hours
    this is the start of the next service window."""
    remaining = timedelta(minutes=minutes)
    day = start.astimezone(TZ).date()
    while True:
        window = service_window(day)
        if window is not None:
            begin, end = max(window[0], start), window[1]
            if begin < end:
                if begin + remaining <= end:
                    return begin + remaining
                remaining -= end - begin
        day += timedelta(days=1)


def working_days(first: date, last: date) -> list[date]:
    """The working days from ``first`` up to and including ``last``."""
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if is_working_day(day)]


# --------------------------------------------------------------------------
# Ticket scenarios
# --------------------------------------------------------------------------

TYPES = ("incident", "informatieverzoek", "wijzigingsverzoek", "serviceverzoek", "collega")
PRIORITIES = ("urgent", "hoog", "gemiddeld", "laag")
SCOPES = ("platform", "applicatie")
#: Response targets in business minutes (SLA §7.2.1), used to draw timings.
RESPONSE_TARGET = {"urgent": 60, "hoog": 120, "gemiddeld": 240, "laag": 480}
#: Restore targets in business minutes; None where the target is in months.
RESTORE_TARGET = {
    "platform": {"urgent": 120, "hoog": 240, "gemiddeld": 480, "laag": 960},
    "applicatie": {"urgent": 240, "hoog": 480, "gemiddeld": None, "laag": None},
}


@dataclass(frozen=True)
class Update:
    """An ``updated`` event ``at`` active business minutes after opening."""

    at: int
    fields: dict[str, object]


@dataclass(frozen=True)
class Pause:
    """A waiting status set ``at`` active business minutes after opening and
    set back to ``in behandeling`` after ``length`` business minutes."""

    at: int
    length: int
    status: str = "wachten op klant"


@dataclass(frozen=True)
class Reopen:
    """The customer reopens ``after`` business minutes past the resolve; the
    ticket is resolved again after ``work`` more business minutes."""

    after: int
    work: int


@dataclass(frozen=True)
class TicketStory:
    """One ticket's life. Times are *active* business minutes since opening:
    minutes of service hours outside pauses, the clock the SLA measures."""

    tenant: str
    opened_at: datetime
    type: str = "incident"
    priority: str = "gemiddeld"
    scope: str = "applicatie"
    respond: int | None = 30
    """Active minutes to the first ``responded``; None: no response."""
    resolve: int | None = 240
    """Active minutes to ``resolved``; None: still open at the end of the export."""
    updates: tuple[Update, ...] = ()
    pauses: tuple[Pause, ...] = ()
    reopen: Reopen | None = None
    close: int | None = 120
    """Business minutes from the (last) resolve to ``closed``; None: not closed."""
    close_without_resolve: bool = False
    """Emit ``closed`` instead of ``resolved`` at the resolve instant."""
    resolved_at: datetime | None = None
    """A wall instant that overrides ``resolve`` (e.g. work in a weekend)."""
    label: str = "gewoon"
    """The scenario's name, for the README and the tests; never written."""
    ticket_id: str = ""


@dataclass(frozen=True)
class RawEvent:
    """A ticket event before ids and JSON: instant, kind and the set fields."""

    at: datetime
    kind: str
    fields: dict[str, object] = field(default_factory=dict)


def active_instant(story: TicketStory, minutes: int) -> datetime:
    """The instant at which the ticket's clock has run ``minutes`` business
    minutes since opening, skipping the pauses that start before it."""
    cursor, done = story.opened_at, 0
    for pause in story.pauses:
        if pause.at >= minutes:
            break
        cursor = add_business(add_business(cursor, pause.at - done), pause.length)
        done = pause.at
    return add_business(cursor, minutes - done)


def story_events(story: TicketStory) -> list[RawEvent]:
    """The lifecycle events of a story, in time order (no seconds jitter yet)."""
    events = [
        RawEvent(
            story.opened_at,
            "opened",
            {
                "type": story.type,
                "priority": story.priority,
                "status": "nieuw",
                "scope": story.scope,
                "attributable": True,
            },
        )
    ]
    if story.respond is not None:
        events.append(RawEvent(active_instant(story, story.respond), "responded", {"status": "in behandeling"}))
    for update in story.updates:
        events.append(RawEvent(active_instant(story, update.at), "updated", dict(update.fields)))
    for pause in story.pauses:
        start = active_instant(story, pause.at)
        events.append(RawEvent(start, "updated", {"status": pause.status}))
        events.append(RawEvent(add_business(start, pause.length), "updated", {"status": "in behandeling"}))
    events.extend(closing_events(story))
    events.sort(key=lambda event: event.at)
    return events


def closing_events(story: TicketStory) -> list[RawEvent]:
    """``resolved``/``reopened``/``closed`` events of a story (empty when open)."""
    if story.resolve is None and story.resolved_at is None:
        return []
    resolved = story.resolved_at or active_instant(story, story.resolve)
    if story.close_without_resolve:
        return [RawEvent(resolved, "closed", {"status": "gesloten"})]
    events = [RawEvent(resolved, "resolved", {"status": "opgelost"})]
    if story.reopen is not None:
        reopened = add_business(resolved, story.reopen.after)
        resolved = add_business(reopened, story.reopen.work)
        events.append(RawEvent(reopened, "reopened", {"status": "in behandeling"}))
        events.append(RawEvent(resolved, "resolved", {"status": "opgelost"}))
    if story.close is not None:
        events.append(RawEvent(add_business(resolved, story.close), "closed", {"status": "gesloten"}))
    return events


def jitter(events: list[RawEvent], rng: random.Random) -> list[RawEvent]:
    """Give every event a random second within its minute, keeping the order
    strict (each event at least one second after the previous one)."""
    result: list[RawEvent] = []
    for event in events:
        at = event.at + timedelta(seconds=rng.randint(0, 59))
        if result and at <= result[-1].at:
            at = result[-1].at + timedelta(seconds=1)
        result.append(replace(event, at=at))
    return result


# --------------------------------------------------------------------------
# The on-purpose scenarios of each tenant
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantPlan:
    """Where a tenant's on-purpose scenarios fall and how bad its month is."""

    tenant: str
    friday_opened: str
    """An urgent platform incident on a Friday afternoon (local time)."""
    friday_resolved: str
    """Its resolve after the weekend or during it (local time)."""
    holiday_eve_opened: str
    """A ticket opened on the evening before a public holiday (local time)."""
    late_responses: tuple[tuple[str, str, int, int], ...]
    """(priority, scope, respond, resolve) of the incidents answered too late."""
    late_restore: tuple[str, str, int]
    """(priority, scope, resolve) of the incident restored too late."""
    april_open: bool
    """Whether a ticket opened in April is still open at the end of May."""


PLANS = (
    TenantPlan(
        tenant="enschede",
        friday_opened="2026-05-08 17:30",
        friday_resolved="2026-05-09 10:20",
        holiday_eve_opened="2026-05-04 21:10",  # Bevrijdingsdag on Tuesday 5 May
        late_responses=(("gemiddeld", "applicatie", 300, 1100),),
        late_restore=("hoog", "platform", 370),
        april_open=True,
    ),
    TenantPlan(
        tenant="hengelo",
        # Monday 25 May is Tweede Pinksterdag: the clock resumes on Tuesday.
        friday_opened="2026-05-22 17:35",
        friday_resolved="2026-05-26 07:20",
        holiday_eve_opened="2026-05-13 20:45",  # Hemelvaartsdag on Thursday 14 May
        late_responses=(("hoog", "applicatie", 170, 420),),
        late_restore=("urgent", "applicatie", 390),
        april_open=False,
    ),
    TenantPlan(
        tenant="almelo",
        # 130 minutes by Saturday: breached at Friday 18:50, the deadline.
        friday_opened="2026-05-29 16:50",
        friday_resolved="2026-05-30 09:40",
        holiday_eve_opened="2026-05-24 22:05",  # Tweede Pinksterdag on Monday 25 May
        late_responses=(
            ("urgent", "applicatie", 95, 210),
            ("hoog", "applicatie", 200, 400),
            ("gemiddeld", "applicatie", 330, 1200),
        ),
        late_restore=("urgent", "applicatie", 330),
        april_open=True,
    ),
)


def office_hours_instant(rng: random.Random, first: date, last: date) -> datetime:
    """A random minute between 08:00 and 15:00 on a working day in ``[first, last]``."""
    day = rng.choice(working_days(first, last))
    minute = rng.randrange(8 * 60, 15 * 60)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=TZ).astimezone(UTC)


def special_stories(plan: TenantPlan, rng: random.Random) -> list[TicketStory]:
    """The scenarios every tenant has on purpose (see samples/README.md)."""
    t = plan.tenant

    def mid_may() -> datetime:
        return office_hours_instant(rng, date(2026, 5, 4), date(2026, 5, 22))

    stories = [
        TicketStory(
            t,
            mid_may(),
            priority="gemiddeld",
            scope="applicatie",
            respond=35,
            pauses=(Pause(120, 900),),
            resolve=400,
            label="pauze",
        ),
        TicketStory(
            t,
            mid_may(),
            priority="laag",
            scope="applicatie",
            respond=100,
            pauses=(Pause(130, 400, "onvoldoende documentatie"), Pause(600, 1500, "wachten op leverancier")),
            resolve=900,
            close=240,
            label="pauzes documentatie en leverancier",
        ),
        TicketStory(
            t,
            mid_may(),
            priority="gemiddeld",
            scope="platform",
            respond=50,
            updates=(Update(25, {"priority": "hoog"}),),
            resolve=190,
            label="prioriteit verhoogd",
        ),
        TicketStory(
            t,
            mid_may(),
            priority="hoog",
            scope="platform",
            respond=40,
            updates=(Update(150, {"priority": "laag"}),),
            resolve=600,
            label="prioriteit verlaagd",
        ),
        TicketStory(
            t,
            mid_may(),
            priority="hoog",
            scope="applicatie",
            respond=30,
            resolve=200,
            reopen=Reopen(after=300, work=150),
            close=60,
            label="heropend",
        ),
        TicketStory(
            t,
            mid_may(),
            priority="laag",
            scope="platform",
            respond=90,
            resolve=420,
            close_without_resolve=True,
            label="gesloten zonder opgelost",
        ),
        TicketStory(
            t,
            mid_may(),
            priority="urgent",
            scope="platform",
            respond=95,
            updates=(Update(100, {"attributable": False}),),
            resolve=110,
            close_without_resolve=True,
            label="niet toerekenbaar",
        ),
    ]
    for priority, scope, respond, resolve in plan.late_responses:
        stories.append(
            TicketStory(
                t, mid_may(), priority=priority, scope=scope, respond=respond, resolve=resolve, label="reactie te laat"
            )
        )
    priority, scope, resolve = plan.late_restore
    stories.append(
        TicketStory(t, mid_may(), priority=priority, scope=scope, respond=20, resolve=resolve, label="herstel te laat")
    )
    friday_resolved = local(plan.friday_resolved)
    closed_in_may = add_business(friday_resolved, 120) < EXPORT_END
    stories.append(
        TicketStory(
            t,
            local(plan.friday_opened),
            priority="urgent",
            scope="platform",
            respond=15,
            resolved_at=friday_resolved,
            close=120 if closed_in_may else None,
            label="urgent vrijdagmiddag",
        )
    )
    stories.append(
        TicketStory(
            t,
            local(plan.holiday_eve_opened),
            priority="hoog",
            scope="applicatie",
            respond=50,
            resolve=300,
            label="avond voor feestdag",
        )
    )
    stories.extend(april_stories(plan, rng))
    stories.append(
        TicketStory(
            t,
            office_hours_instant(rng, date(2026, 5, 26), date(2026, 5, 28)),
            priority="gemiddeld",
            scope="applicatie",
            respond=60,
            pauses=(Pause(200, 300),),
            resolve=None,
            close=None,
            label="open eind mei",
        )
    )
    return stories


def april_stories(plan: TenantPlan, rng: random.Random) -> list[TicketStory]:
    """Tickets opened in late April that are answered, resolved or still open in May."""
    t = plan.tenant
    stories = [
        # Opened 40 minutes before the end of service hours: the response
        # (80 business minutes) falls on Friday 1 May, so it counts in May.
        TicketStory(
            t,
            local("2026-04-30 18:20"),
            priority="hoog",
            scope="applicatie",
            respond=80,
            resolve=280,
            close=60,
            label="april, reactie in mei",
        ),
        TicketStory(
            t,
            local(f"2026-04-28 {rng.randrange(9, 12):02d}:10"),
            priority="gemiddeld",
            scope="applicatie",
            respond=45,
            pauses=(Pause(120, 2400),),
            resolve=600,
            label="april, opgelost in mei",
        ),
    ]
    if plan.april_open:
        stories.append(
            TicketStory(
                t,
                local("2026-04-29 09:30"),
                priority="laag",
                scope="applicatie",
                respond=200,
                resolve=None,
                close=None,
                label="april, open eind mei",
            )
        )
    return stories


# --------------------------------------------------------------------------
# Ordinary tickets
# --------------------------------------------------------------------------

#: Weights of the priorities (in the order of PRIORITIES) of ordinary tickets by type.
PRIORITY_WEIGHTS = {
    "incident": (8, 25, 45, 22),
    "informatieverzoek": (0, 5, 45, 50),
    "wijzigingsverzoek": (0, 10, 40, 50),
    "serviceverzoek": (0, 15, 50, 35),
    "collega": (0, 0, 30, 70),
}
#: Weight of scope ``platform`` (against ``applicatie``) by type.
PLATFORM_WEIGHT = {"incident": 35, "informatieverzoek": 15, "wijzigingsverzoek": 20, "serviceverzoek": 40, "collega": 5}
#: Weights of the non-incident types among the extra ordinary tickets.
OTHER_TYPE_WEIGHTS = {"informatieverzoek": 45, "serviceverzoek": 25, "wijzigingsverzoek": 18, "collega": 12}


def opening_instant(rng: random.Random) -> datetime:
    """When an ordinary ticket is opened: mostly in service hours between 1 and
    27 May, sometimes in the evening, early morning, weekend or on a holiday."""
    if rng.random() < 0.88:
        day = rng.choice(working_days(date(2026, 5, 1), date(2026, 5, 27)))
        minute = round(rng.triangular(7.25, 18.5, 10.5) * 60)
    else:
        days = [date(2026, 5, 1) + timedelta(days=n) for n in range(27)]
        day = rng.choice(days)
        if is_working_day(day):
            minute = rng.choice([rng.randrange(19 * 60, 23 * 60), rng.randrange(6 * 60, 7 * 60)])
        else:
            minute = rng.randrange(9 * 60, 17 * 60)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=TZ).astimezone(UTC)


def ordinary_story(tenant: str, ticket_type: str, rng: random.Random) -> TicketStory:
    """A ticket handled well within its targets, closed before the end of May."""
    for _ in range(100):
        story = draw_ordinary(tenant, ticket_type, rng)
        if story_events(story)[-1].at < EXPORT_END - timedelta(minutes=5):
            return story
    raise RuntimeError("no ordinary ticket fits in the month")  # pragma: no cover


def draw_ordinary(tenant: str, ticket_type: str, rng: random.Random) -> TicketStory:
    """One random draw of an ordinary ticket (may end after the export)."""
    priority = rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS[ticket_type])[0]
    scope = "platform" if rng.randrange(100) < PLATFORM_WEIGHT[ticket_type] else "applicatie"
    respond = max(3, round(RESPONSE_TARGET[priority] * rng.uniform(0.05, 0.5)))
    target = RESTORE_TARGET[scope][priority]
    if target is not None:
        resolve = max(respond + 15, round(target * rng.uniform(0.3, 0.8)))
    else:
        resolve = respond + rng.randint(180, 2400)
    pauses: tuple[Pause, ...] = ()
    if priority != "urgent" and rng.random() < 0.2:
        pauses = (Pause(respond + (resolve - respond) // 3, rng.randint(60, 900)),)
    return TicketStory(
        tenant,
        opening_instant(rng),
        type=ticket_type,
        priority=priority,
        scope=scope,
        respond=respond,
        resolve=resolve,
        pauses=pauses,
        close=rng.randint(30, 600),
    )


def ordinary_stories(tenant: str, rng: random.Random) -> list[TicketStory]:
    """12-18 ordinary incidents and 8-13 other tickets (every type at least once)."""
    types = ["incident"] * rng.randint(12, 18) + list(OTHER_TYPE_WEIGHTS)
    extra = rng.randint(8, 13) - len(OTHER_TYPE_WEIGHTS)
    types += rng.choices(list(OTHER_TYPE_WEIGHTS), weights=list(OTHER_TYPE_WEIGHTS.values()), k=extra)
    return [ordinary_story(tenant, ticket_type, rng) for ticket_type in types]


# --------------------------------------------------------------------------
# Events file
# --------------------------------------------------------------------------


def assign_ticket_ids(stories: Sequence[TicketStory]) -> list[TicketStory]:
    """Number tickets ``MyymM-nnnn`` per opening month in opening order (one
    numbering for all tenants, like the supplier's ticket system)."""
    ordered = sorted(enumerate(stories), key=lambda pair: (pair[1].opened_at, pair[0]))
    counters: dict[str, int] = {}
    result = []
    for _, story in ordered:
        prefix = "M" + story.opened_at.astimezone(TZ).strftime("%y%m")
        counters[prefix] = counters.get(prefix, 0) + 1
        result.append(replace(story, ticket_id=f"{prefix}-{counters[prefix]:04d}"))
    return result


def build_stories(seed: int) -> list[TicketStory]:
    """All ticket stories of all tenants, with ticket ids."""
    stories: list[TicketStory] = []
    for plan in PLANS:
        rng = random.Random(f"{seed}:tickets:{plan.tenant}")
        specials = special_stories(plan, rng)
        for story in specials:
            if story_events(story)[-1].at >= EXPORT_END:
                raise AssertionError(f"scenario {story.label!r} of {plan.tenant} ends after May")
        stories += specials + ordinary_stories(plan.tenant, rng)
    return assign_ticket_ids(stories)


def event_records(stories: Sequence[TicketStory], seed: int) -> list[dict[str, object]]:
    """Canonical event objects (measurement §6), sorted by instant, with event ids
    numbered per tenant in time order."""
    rng = random.Random(f"{seed}:seconds")
    timed = []
    for story in stories:
        for event in jitter(story_events(story), rng):
            timed.append((event.at, story.ticket_id, story.tenant, event))
    timed.sort(key=lambda item: (item[0], item[1]))
    counters = {tenant: 0 for tenant in TENANTS}
    records = []
    for at, ticket_id, tenant, event in timed:
        counters[tenant] += 1
        record: dict[str, object] = {
            "event_id": f"{tenant}-{counters[tenant]:06d}",
            "tenant": tenant,
            "ticket_id": ticket_id,
            "occurred_at": at.astimezone(TZ).isoformat(),
            "kind": event.kind,
        }
        for key in ("type", "priority", "status", "scope", "attributable"):
            if key in event.fields:
                record[key] = event.fields[key]
        records.append(record)
    return records


def disorder(lines: list[str], rng: random.Random) -> list[str]:
    """Move ~5 % of the lines 3-40 positions away and repeat 3 lines exactly,
    so a reader must not depend on file order or on unique lines."""
    lines = list(lines)
    for _ in range(round(len(lines) * 0.05)):
        source = rng.randrange(len(lines))
        line = lines.pop(source)
        target = source + rng.choice((-1, 1)) * rng.randint(3, 40)
        lines.insert(min(max(target, 0), len(lines)), line)
    for source in sorted(rng.sample(range(len(lines) - 60), 3), reverse=True):
        lines.insert(source + rng.randint(5, 50), lines[source])
    return lines


def events_jsonl(seed: int) -> str:
    """The text of ``events.jsonl``."""
    records = event_records(build_stories(seed), seed)
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    return "".join(line + "\n" for line in disorder(lines, random.Random(f"{seed}:order")))


# --------------------------------------------------------------------------
# Availability test results (measurement §3)
# --------------------------------------------------------------------------

TESTS = ("portaal-login", "dossier-zoeken", "api-vroegsignalering")
LOCATIONS = ("West Europe", "North Europe", "France Central", "UK South", "Switzerland North")
SLOT = timedelta(minutes=5)
#: Typical load time per test in milliseconds.
MEDIAN_MS = {"portaal-login": 1100, "dossier-zoeken": 1450, "api-vroegsignalering": 600}
#: Seconds after the slot start at which each test and location run.
TEST_OFFSET_S = {"portaal-login": 2, "dossier-zoeken": 21, "api-vroegsignalering": 43}
LOCATION_OFFSET_S = {location: 3 * n for n, location in enumerate(LOCATIONS)}


def utc(text: str) -> datetime:
    """A UTC instant from ``YYYY-MM-DDTHH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Interval:
    """A UTC ``[start, end)`` with what it is, for outages, gaps and exclusions."""

    start: datetime
    end: datetime
    what: str

    def contains(self, instant: datetime) -> bool:
        """Whether ``instant`` lies in ``[start, end)``."""
        return self.start <= instant < self.end


#: Every test fails from 3-5 locations in every slot of these intervals.
OUTAGES = (
    Interval(
        utc("2026-05-05T08:00"),
        utc("2026-05-05T08:40"),
        "Tue 5 May 10:00-10:40 local, Bevrijdingsdag: no service hours",
    ),
    Interval(utc("2026-05-12T08:15"), utc("2026-05-12T08:40"), "Tue 12 May 10:15-10:40 local, inside service hours"),
    Interval(
        utc("2026-05-19T12:05"), utc("2026-05-19T12:20"), "Tue 19 May 14:05-14:20 local, covered by the exclusion"
    ),
    Interval(
        utc("2026-05-21T16:40"),
        utc("2026-05-21T17:30"),
        "Thu 21 May 18:40-19:30 local, 20 minutes inside service hours",
    ),
)
#: No results at all for one test.
GAP_TEST = "dossier-zoeken"
GAP = Interval(
    utc("2026-05-27T09:00"), utc("2026-05-27T09:30"), "Wed 27 May 11:00-11:30 local, no results for dossier-zoeken"
)
EXCLUSION = Interval(
    utc("2026-05-19T12:00"),
    utc("2026-05-19T12:30"),
    "Storing Vtlb-calculator (Raad voor Rechtsbijstand), niet toerekenbaar aan Leverancier (SLA §7.1)",
)
#: Single-location failures placed on purpose (slot start UTC, test, location):
#: two tests failing in one slot from different locations, and one location
#: failing three slots in a row. Neither is down: one location per test.
PLANNED_BLIPS = (
    (utc("2026-05-20T09:00"), "portaal-login", "West Europe"),
    (utc("2026-05-20T09:00"), "dossier-zoeken", "North Europe"),
    (utc("2026-05-07T12:00"), "api-vroegsignalering", "UK South"),
    (utc("2026-05-07T12:05"), "api-vroegsignalering", "UK South"),
    (utc("2026-05-07T12:10"), "api-vroegsignalering", "UK South"),
)
RANDOM_BLIPS = 40


def slot_starts() -> Iterator[datetime]:
    """The 5-minute slots of the month (UTC, aligned to the epoch)."""
    slot = MONTH_START
    while slot < MONTH_END:
        yield slot
        slot += SLOT


def near_planned(slot: datetime) -> bool:
    """Whether a slot is within one slot of an outage, the gap or a planned blip."""
    for interval in (*OUTAGES, GAP):
        if interval.start - SLOT <= slot < interval.end + SLOT:
            return True
    return any(abs(slot - blip[0]) <= SLOT for blip in PLANNED_BLIPS)


def blips(rng: random.Random) -> dict[tuple[datetime, str], str]:
    """Isolated failures: (slot, test) -> the one location that failed."""
    result = {(slot, test): location for slot, test, location in PLANNED_BLIPS}
    slots = [slot for slot in slot_starts() if not near_planned(slot)]
    while len(result) < len(PLANNED_BLIPS) + RANDOM_BLIPS:
        key = (rng.choice(slots), rng.choice(TESTS))
        if key not in result:
            result[key] = rng.choice(LOCATIONS)
    return result


def failing_locations(
    slot: datetime, test: str, isolated: dict[tuple[datetime, str], str], rng: random.Random
) -> tuple[str, ...]:
    """The locations whose result fails for ``test`` in ``slot``."""
    if any(outage.contains(slot) for outage in OUTAGES):
        return tuple(rng.sample(LOCATIONS, rng.randint(3, 5)))
    if (slot, test) in isolated:
        return (isolated[(slot, test)],)
    return ()


def duration_ms(test: str, success: bool, rng: random.Random) -> int:
    """A realistic ``DurationMs``: mostly 400-2500, a few slow ones above 3000;
    failures time out at 30 s or fail fast."""
    if not success:
        return 30000 + rng.randint(0, 60) if rng.random() < 0.5 else rng.randint(80, 450)
    if rng.random() < 0.015:
        return rng.randint(3001, 7500)
    return min(2900, max(250, round(MEDIAN_MS[test] * rng.lognormvariate(0, 0.3))))


def format_utc(instant: datetime) -> str:
    """``2026-05-04T07:00:03.512Z``."""
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def availability_rows(seed: int) -> Iterator[tuple[str, str, str, str, int]]:
    """One result per test per location per slot, in time order within a slot."""
    rng = random.Random(f"{seed}:availability")
    isolated = blips(rng)
    for slot in slot_starts():
        rows = []
        for test in TESTS:
            if test == GAP_TEST and GAP.contains(slot):
                continue
            failing = failing_locations(slot, test, isolated, rng)
            for location in LOCATIONS:
                offset_ms = (TEST_OFFSET_S[test] + LOCATION_OFFSET_S[location]) * 1000
                at = slot + timedelta(milliseconds=offset_ms + rng.randint(0, 4999))
                success = location not in failing
                rows.append((at, test, location, success, duration_ms(test, success, rng)))
        rows.sort(key=lambda row: row[0])
        for at, test, location, success, duration in rows:
            yield format_utc(at), test, location, "True" if success else "False", duration


def write_availability(path: Path, seed: int) -> None:
    """Write ``availability.csv`` with the header of measurement §7."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("TimeGenerated", "Name", "Location", "Success", "DurationMs"))
        writer.writerows(availability_rows(seed))


def exclusions_json() -> str:
    """The text of ``exclusions.json``: the one exclusion of the month."""
    exclusion = {
        "start": EXCLUSION.start.astimezone(TZ).isoformat(),
        "end": EXCLUSION.end.astimezone(TZ).isoformat(),
        "reason": EXCLUSION.what,
    }
    return json.dumps([exclusion], ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def generate(out: Path, seed: int = DEFAULT_SEED) -> None:
    """Write the three sample files into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "events.jsonl").write_text(events_jsonl(seed), encoding="utf-8", newline="")
    write_availability(out / "availability.csv", seed)
    (out / "exclusions.json").write_text(exclusions_json(), encoding="utf-8", newline="")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and generate."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("samples"), help="output directory (default: samples)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    generate(args.out, args.seed)


if __name__ == "__main__":
    main()

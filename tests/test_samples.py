"""The sample data in ``samples/`` (May 2026): reproducible, well-formed, and
holding the cases it is meant to exercise (see samples/README.md).

These tests check the *data*, with small calculations of their own; they do not
use ``sla_core``.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
FILES = ("events.jsonl", "availability.csv", "exclusions.json")
TZ = ZoneInfo("Europe/Amsterdam")
UTC = UTC
TENANTS = ("enschede", "hengelo", "almelo")
MONTH_START = datetime(2026, 5, 1, tzinfo=TZ)
MONTH_END = datetime(2026, 6, 1, tzinfo=TZ)
HOLIDAYS = {date(2026, 4, 27), date(2026, 5, 5), date(2026, 5, 14), date(2026, 5, 25)}

ALLOWED_VALUES = {
    "kind": {"opened", "updated", "responded", "resolved", "reopened", "closed"},
    "type": {"incident", "informatieverzoek", "wijzigingsverzoek", "serviceverzoek", "collega"},
    "priority": {"urgent", "hoog", "gemiddeld", "laag"},
    "status": {
        "nieuw",
        "in behandeling",
        "wachten op klant",
        "wachten op leverancier",
        "onvoldoende documentatie",
        "opgelost",
        "gesloten",
    },
    "scope": {"platform", "applicatie"},
    "attributable": {True, False},
}
REQUIRED_KEYS = ("event_id", "tenant", "ticket_id", "occurred_at", "kind")
PRIORITY_RANK = {"laag": 0, "gemiddeld": 1, "hoog": 2, "urgent": 3}
RESPONSE_TARGET_MIN = {"urgent": 60, "hoog": 120, "gemiddeld": 240, "laag": 480}
RESTORE_TARGET_MIN = {
    "platform": {"urgent": 120, "hoog": 240, "gemiddeld": 480, "laag": 960},
    "applicatie": {"urgent": 240, "hoog": 480},
}

TESTS = ("portaal-login", "dossier-zoeken", "api-vroegsignalering")
LOCATIONS = ("West Europe", "North Europe", "France Central", "UK South", "Switzerland North")
CSV_HEADER = "TimeGenerated,Name,Location,Success,DurationMs"
SLOT = timedelta(minutes=5)
#: The figures documented in samples/README.md.
EXPECTED_DOWN_INTERVALS = [  # UTC [start, end) of the slots in which the service is down
    ("2026-05-05T08:00Z", "2026-05-05T08:40Z"),
    ("2026-05-12T08:15Z", "2026-05-12T08:40Z"),
    ("2026-05-19T12:05Z", "2026-05-19T12:20Z"),
    ("2026-05-21T16:40Z", "2026-05-21T17:30Z"),
]
EXPECTED_UNKNOWN_INTERVALS = [("2026-05-27T09:00Z", "2026-05-27T09:30Z")]
EXPECTED_MINUTES = {"scheduled": 12960, "unknown": 30, "down": 45}


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files written by the command line with the default seed."""
    out = tmp_path_factory.mktemp("samples")
    subprocess.run(
        [sys.executable, "-m", "tools.generate_samples", "--out", str(out)], cwd=REPO, check=True, timeout=120
    )
    return out


@pytest.fixture(scope="module")
def event_lines() -> list[str]:
    return (SAMPLES / "events.jsonl").read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def events(event_lines: list[str]) -> list[dict]:
    """Unique events in ``occurred_at`` order, with ``at`` as an aware datetime."""
    unique = {}
    for line in event_lines:
        event = json.loads(line)
        unique[event["event_id"]] = event | {"at": datetime.fromisoformat(event["occurred_at"])}
    return sorted(unique.values(), key=lambda e: (e["at"], e["event_id"]))


@pytest.fixture(scope="module")
def tickets(events: list[dict]) -> dict[str, dict[str, list[dict]]]:
    """tenant -> ticket id -> its events in time order."""
    result: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for event in events:
        result[event["tenant"]][event["ticket_id"]].append(event)
    return result


@pytest.fixture(scope="module")
def csv_rows() -> list[list[str]]:
    with (SAMPLES / "availability.csv").open(newline="", encoding="utf-8") as src:
        return list(csv.reader(src))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text)


def in_service_hours(instant: datetime) -> bool:
    """Mon-Fri 07:00-19:00 local, except the public holidays around May 2026."""
    wall = instant.astimezone(TZ)
    return wall.weekday() < 5 and wall.date() not in HOLIDAYS and time(7) <= wall.time() < time(19)


def business_minutes(start: datetime, end: datetime) -> float:
    """Service-hours minutes in ``[start, end)``."""
    total = 0.0
    day = start.astimezone(TZ).date()
    while datetime.combine(day, time(0), tzinfo=TZ) < end:
        if day.weekday() < 5 and day not in HOLIDAYS:
            lo = max(start, datetime.combine(day, time(7), tzinfo=TZ))
            hi = min(end, datetime.combine(day, time(19), tzinfo=TZ))
            total += max(0.0, (hi - lo).total_seconds() / 60)
        day += timedelta(days=1)
    return total


def latest(ticket: list[dict], key: str, until: datetime | None = None, default=None):
    """The latest value of ``key`` set by the ticket's events (up to ``until``)."""
    value = default
    for event in ticket:
        if until is not None and event["at"] > until:
            break
        value = event.get(key, value)
    return value


def kinds(ticket: list[dict]) -> list[str]:
    return [event["kind"] for event in ticket]


# --------------------------------------------------------------------------
# Reproducibility
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", FILES)
def test_regenerating_with_the_default_seed_gives_identical_files(regenerated: Path, name: str):
    assert (regenerated / name).read_bytes() == (SAMPLES / name).read_bytes()


def test_another_seed_gives_other_tickets_but_the_same_exclusion(tmp_path: Path, regenerated: Path):
    subprocess.run(
        [sys.executable, "-m", "tools.generate_samples", "--out", str(tmp_path), "--seed", "7"],
        cwd=REPO,
        check=True,
        timeout=120,
    )
    assert (tmp_path / "events.jsonl").read_bytes() != (regenerated / "events.jsonl").read_bytes()
    assert (tmp_path / "exclusions.json").read_bytes() == (regenerated / "exclusions.json").read_bytes()


# --------------------------------------------------------------------------
# availability.csv
# --------------------------------------------------------------------------


def test_the_csv_header_is_exact():
    with (SAMPLES / "availability.csv").open(encoding="utf-8", newline="") as src:
        assert src.readline() == CSV_HEADER + "\n"


def test_the_csv_stays_under_10_mb():
    assert (SAMPLES / "availability.csv").stat().st_size < 10_000_000


def test_every_csv_row_parses(csv_rows: list[list[str]]):
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
    for row in csv_rows[1:]:
        when, name, location, success, duration = row
        assert stamp.fullmatch(when), row
        instant = datetime.fromisoformat(when)
        assert instant.utcoffset() == timedelta(0), row
        assert MONTH_START <= instant < MONTH_END, row
        assert name in TESTS and location in LOCATIONS, row
        assert success in ("True", "False"), row
        assert 0 < int(duration) <= 60_000, row


def test_one_result_per_test_location_and_slot_except_the_gap(csv_rows: list[list[str]]):
    counts = Counter()
    for when, name, location, *_ in csv_rows[1:]:
        epoch = int(datetime.fromisoformat(when).timestamp())
        counts[(epoch - epoch % 300, name, location)] += 1
    assert set(counts.values()) == {1}
    slots = int((MONTH_END - MONTH_START) / SLOT)
    gap_slots = 6
    assert len(counts) == slots * len(TESTS) * len(LOCATIONS) - gap_slots * len(LOCATIONS)


def test_load_times_are_mostly_between_400_and_2500_ms_with_some_above_3000(csv_rows):
    durations = [int(row[4]) for row in csv_rows[1:] if row[3] == "True"]
    typical = sum(400 <= d <= 2500 for d in durations) / len(durations)
    slow = sum(d > 3000 for d in durations)
    assert typical > 0.9 and 100 < slow < 0.05 * len(durations)


def service_states(csv_rows: list[list[str]]) -> dict[datetime, str]:
    """Per 5-minute slot: service ``up``, ``down`` or ``unknown`` (measurement §3,
    at least 2 failed locations per test)."""
    seen, failed = defaultdict(set), defaultdict(set)
    for when, name, location, success, _ in csv_rows[1:]:
        epoch = int(datetime.fromisoformat(when).timestamp())
        key = (epoch - epoch % 300, name)
        seen[key].add(location)
        if success == "False":
            failed[key].add(location)
    states = {}
    slot = MONTH_START.astimezone(UTC)
    while slot < MONTH_END:
        epoch = int(slot.timestamp())
        tests = ["unknown" if not seen[(epoch, t)] else "down" if len(failed[(epoch, t)]) >= 2 else "up" for t in TESTS]
        states[slot] = "down" if "down" in tests else "up" if all(t == "up" for t in tests) else "unknown"
        slot += SLOT
    return states


def runs(slots: list[datetime]) -> list[tuple[datetime, datetime]]:
    """Merge consecutive slot starts into ``[start, end)`` intervals."""
    result: list[tuple[datetime, datetime]] = []
    for slot in sorted(slots):
        if result and result[-1][1] == slot:
            result[-1] = (result[-1][0], slot + SLOT)
        else:
            result.append((slot, slot + SLOT))
    return result


def test_outages_and_the_gap_are_exactly_the_documented_intervals(csv_rows):
    states = service_states(csv_rows)
    down = runs([slot for slot, state in states.items() if state == "down"])
    unknown = runs([slot for slot, state in states.items() if state == "unknown"])
    assert down == [(utc(a), utc(b)) for a, b in EXPECTED_DOWN_INTERVALS]
    assert unknown == [(utc(a), utc(b)) for a, b in EXPECTED_UNKNOWN_INTERVALS]


def test_isolated_single_location_failures_exist_outside_the_outages(csv_rows):
    states = service_states(csv_rows)
    isolated = set()
    for when, _, _, success, _ in csv_rows[1:]:
        epoch = int(datetime.fromisoformat(when).timestamp())
        slot = datetime.fromtimestamp(epoch - epoch % 300, UTC)
        if success == "False" and states[slot] == "up":
            isolated.add(slot)
    assert len(isolated) >= 20


def test_the_documented_availability_minutes(csv_rows):
    exclusions = json.loads((SAMPLES / "exclusions.json").read_text(encoding="utf-8"))
    excluded = [(datetime.fromisoformat(x["start"]), datetime.fromisoformat(x["end"])) for x in exclusions]
    minutes = Counter()
    for slot, state in service_states(csv_rows).items():
        if not in_service_hours(slot):  # 07:00/19:00 local fall on slot boundaries
            continue
        minutes["scheduled"] += 5
        if state == "unknown":
            minutes["unknown"] += 5
        elif state == "down" and not any(start <= slot < end for start, end in excluded):
            minutes["down"] += 5
    assert dict(minutes) == EXPECTED_MINUTES
    availability = (12960 - 30 - 45) / (12960 - 30) * 100  # measurement §3
    assert abs(availability - 99.65197) < 1e-5


def test_the_exclusion_covers_the_15_minute_outage():
    exclusions = json.loads((SAMPLES / "exclusions.json").read_text(encoding="utf-8"))
    assert len(exclusions) == 1 and set(exclusions[0]) == {"start", "end", "reason"}
    start = datetime.fromisoformat(exclusions[0]["start"])
    end = datetime.fromisoformat(exclusions[0]["end"])
    assert start.utcoffset() == end.utcoffset() == timedelta(hours=2)
    assert start <= utc("2026-05-19T12:05Z") and utc("2026-05-19T12:20Z") <= end
    assert "§7.1" in exclusions[0]["reason"]


# --------------------------------------------------------------------------
# events.jsonl: format
# --------------------------------------------------------------------------


def test_every_event_line_is_a_canonical_event(event_lines: list[str]):
    allowed_keys = set(REQUIRED_KEYS) | set(ALLOWED_VALUES)
    for line in event_lines:
        event = json.loads(line)
        assert set(REQUIRED_KEYS) <= set(event) <= allowed_keys, line
        for key, allowed in ALLOWED_VALUES.items():
            if key in event:
                expected_type = bool if key == "attributable" else str
                assert type(event[key]) is expected_type and event[key] in allowed, line
        assert event["tenant"] in TENANTS, line
        assert re.fullmatch(rf"{event['tenant']}-\d{{6}}", event["event_id"]), line
        assert re.fullmatch(r"M\d{4}-\d{4}", event["ticket_id"]), line
        instant = datetime.fromisoformat(event["occurred_at"])
        assert instant.tzinfo is not None and instant.utcoffset() == timedelta(hours=2), line
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+02:00", event["occurred_at"]), line


def test_exactly_three_lines_repeat_an_event_and_they_repeat_it_exactly(event_lines):
    by_id = defaultdict(list)
    for line in event_lines:
        by_id[json.loads(line)["event_id"]].append(line)
    repeated = {key: lines for key, lines in by_id.items() if len(lines) > 1}
    assert len(repeated) == 3
    assert all(len(set(lines)) == 1 for lines in repeated.values())


def test_about_five_percent_of_the_lines_are_out_of_order(event_lines):
    instants = [datetime.fromisoformat(json.loads(line)["occurred_at"]) for line in event_lines]
    backwards = sum(later < earlier for earlier, later in zip(instants, instants[1:]))
    assert 0.02 * len(instants) <= backwards <= 0.08 * len(instants)


def test_every_ticket_starts_with_opened_and_has_one_tenant(events, tickets):
    owners = defaultdict(set)
    for event in events:
        owners[event["ticket_id"]].add(event["tenant"])
    assert all(len(tenants) == 1 for tenants in owners.values())
    for by_id in tickets.values():
        for ticket in by_id.values():
            assert kinds(ticket)[0] == "opened" and kinds(ticket).count("opened") == 1


def test_events_end_with_may(events):
    assert max(event["at"] for event in events) < MONTH_END


# --------------------------------------------------------------------------
# events.jsonl: the cases each tenant has on purpose
# --------------------------------------------------------------------------


def has_pause_and_resume(ticket):
    statuses = [e["status"] for e in ticket if "status" in e]
    return any(a == "wachten op klant" and b == "in behandeling" for a, b in zip(statuses, statuses[1:]))


def has_priority_change(direction: int):
    def check(ticket):
        ranks = [PRIORITY_RANK[e["priority"]] for e in ticket if "priority" in e]
        return any((b - a) * direction > 0 for a, b in zip(ranks, ranks[1:]))

    return check


def is_friday_afternoon_urgent_into_weekend(ticket):
    opened = ticket[0]["at"].astimezone(TZ)
    end = next((e["at"].astimezone(TZ) for e in ticket if e["kind"] in ("resolved", "closed")), None)
    return (
        ticket[0].get("priority") == "urgent"
        and opened.weekday() == 4
        and opened.hour >= 12
        and end is not None
        and end.date() > opened.date()
    )


def is_opened_on_the_evening_before_a_holiday(ticket):
    opened = ticket[0]["at"].astimezone(TZ)
    return opened.hour >= 19 and opened.date() + timedelta(days=1) in HOLIDAYS


CASES = {
    "a ticket pauses on 'wachten op klant' and resumes": has_pause_and_resume,
    "a ticket waits on 'onvoldoende documentatie'": lambda t: any(
        e.get("status") == "onvoldoende documentatie" for e in t
    ),
    "a ticket waits on 'wachten op leverancier'": lambda t: any(e.get("status") == "wachten op leverancier" for e in t),
    "a priority is raised after opening": has_priority_change(+1),
    "a priority is lowered after opening": has_priority_change(-1),
    "a resolved ticket is reopened and resolved again": lambda t: (
        "reopened" in kinds(t) and kinds(t).count("resolved") == 2
    ),
    "a ticket is closed without a resolved event": lambda t: "closed" in kinds(t) and "resolved" not in kinds(t),
    "an incident is marked not attributable by an update": lambda t: any(
        e["kind"] == "updated" and e.get("attributable") is False for e in t
    ),
    "an urgent incident opened on a Friday afternoon runs past the weekend": is_friday_afternoon_urgent_into_weekend,
    "a ticket is opened on the evening before a public holiday": is_opened_on_the_evening_before_a_holiday,
    "a ticket opened in April has events in May": lambda t: t[0]["at"] < MONTH_START <= t[-1]["at"],
    "a ticket is still open at the end of May": lambda t: not {"resolved", "closed"} & set(kinds(t)),
}


@pytest.mark.parametrize("tenant", TENANTS)
@pytest.mark.parametrize("case", list(CASES))
def test_each_tenant_has_the_case(tickets, tenant: str, case: str):
    assert any(CASES[case](ticket) for ticket in tickets[tenant].values())


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_tenant_opens_25_to_45_tickets_in_may_mostly_in_service_hours(tickets, tenant):
    opened = [t[0]["at"] for t in tickets[tenant].values() if t[0]["at"] >= MONTH_START]
    outside = sum(not in_service_hours(at) for at in opened)
    assert 25 <= len(opened) <= 45
    assert 1 <= outside <= 0.2 * len(opened)
    april = [t for t in tickets[tenant].values() if t[0]["at"] < MONTH_START]
    assert 2 <= len(april) <= 3
    still_open = [t for t in tickets[tenant].values() if not {"resolved", "closed"} & set(kinds(t))]
    assert 1 <= len(still_open) <= 2


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_tenant_uses_every_type_priority_scope_and_status(tickets, tenant):
    seen = defaultdict(set)
    for ticket in tickets[tenant].values():
        for event in ticket:
            for key in ("type", "priority", "scope", "status", "kind"):
                if key in event:
                    seen[key].add(event[key])
    for key in ("type", "priority", "scope", "status", "kind"):
        assert seen[key] == ALLOWED_VALUES[key], key
    types = Counter(latest(t, "type") for t in tickets[tenant].values())
    assert types.most_common(1)[0][0] == "incident"


def is_pause(status: str | None) -> bool:
    """Default pause patterns of measurement §2: ``wachten op*``, ``onvoldoende documentatie*``."""
    return status is not None and status.lower().startswith(("wachten op", "onvoldoende documentatie"))


def measured_incidents(tickets, tenant):
    """Attributable incidents (latest values) of a tenant."""
    return [
        t
        for t in tickets[tenant].values()
        if latest(t, "type") == "incident" and latest(t, "attributable", default=True)
    ]


def response_outcomes(tickets, tenant) -> list[bool]:
    """Within target or not, per measured incident whose clock stopped in May.

    Simplified measurement §2: in these samples no ticket pauses before its first
    response (asserted), so elapsed time is plain service-hours time."""
    outcomes = []
    for ticket in measured_incidents(tickets, tenant):
        stop = next((e for e in ticket[1:] if e["kind"] in ("responded", "resolved", "closed")), None)
        if stop is None or not MONTH_START <= stop["at"] < MONTH_END:
            continue
        assert not any(is_pause(e.get("status")) for e in ticket if e["at"] < stop["at"])
        target = RESPONSE_TARGET_MIN[latest(ticket, "priority", until=stop["at"])]
        outcomes.append(business_minutes(ticket[0]["at"], stop["at"]) <= target)
    return outcomes


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_tenant_has_a_late_response(tickets, tenant):
    assert not all(response_outcomes(tickets, tenant))


@pytest.mark.parametrize("tenant, meets_norm", [("enschede", True), ("hengelo", True), ("almelo", False)])
def test_only_almelo_misses_the_response_norm(tickets, tenant, meets_norm):
    outcomes = response_outcomes(tickets, tenant)
    assert len(outcomes) >= 20
    assert (sum(outcomes) / len(outcomes) * 100 >= 95.0) is meets_norm


@pytest.mark.parametrize("tenant", TENANTS)
def test_each_tenant_has_a_late_restore(tickets, tenant):
    """An incident without pauses or reopen, resolved after its hours target."""
    late = []
    for ticket in measured_incidents(tickets, tenant):
        if any(e["kind"] == "reopened" or is_pause(e.get("status")) for e in ticket):
            continue
        stop = next((e for e in ticket if e["kind"] in ("resolved", "closed")), None)
        priority = latest(ticket, "priority", until=stop["at"]) if stop else None
        target = RESTORE_TARGET_MIN[latest(ticket, "scope")].get(priority)
        if stop and target and business_minutes(ticket[0]["at"], stop["at"]) > target:
            late.append(ticket[0]["ticket_id"])
    assert late

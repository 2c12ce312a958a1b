"""TOPdesk incidents → canonical events: the mapper as tables, then POST /api/tickets/topdesk.

Payloads have the fields of TOPdesk's incident API (``number``, ``callType``,
``priority``, ``processingStatus``, ``onHold``/``onHoldDate``,
``responded``/``responseDate``, ``completed``/``completedDate``,
``closed``/``closedDate``, ``callDate``, ``creationDate``,
``modificationDate``) with realistic free text and personal data, which must
never be stored. Times are Europe/Amsterdam (October 2026: +02:00), in
TOPdesk's own format (``.000+0200``, no colon in the offset).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from sla_app.adapters.payload import parse_instant
from sla_app.adapters.ticket_tool_mapping import (
    MAPPING_FILE,
    ToolMappings,
    TopdeskMapping,
    default_mappings,
    load_mappings,
)
from sla_app.adapters.topdesk import TopdeskReader
from sla_app.bootstrap import AppContext
from sla_app.errors import AppError, BadRequest, Unprocessable
from sla_app.services.tool_credentials import tenant_credential
from sla_core.events import TicketEvent
from tests.support.app import SECRETS, call_http
from tests.support.core import outcome_of, outcome_rules, us
from tests.support.ticket_tools import (
    CLASSES,
    STORED_EVENT_COLUMNS,
    ToolStory,
    stored_events,
    stored_readings,
    summary,
)

URL = "http://localhost/api/tickets/topdesk"
NUMBER = "I 2610 042"
TICKET = "I-2610-042"  # the ticket id kept: spaces as "-" (measurement §8.3)
FREE_TEXT = (
    "Jan Jansen",
    "jan.jansen@enschede.nl",
    "123456782",
    "kan niet inloggen",
    "Inlogprobleem",
    "Piet de Vries",
    "wachtwoord",
)


def td(local: str) -> str:
    """A TOPdesk timestamp of a local October 2026 time: ``2026-10-05 09:30`` → ``2026-10-05T09:30:00.000+0200``."""
    return local.replace(" ", "T") + ":00.000+0200"


def named(name: str | None) -> dict[str, str] | None:
    return None if name is None else {"id": f"id-{name}", "name": name}


def incident(**changes: Any) -> dict[str, Any]:
    """Incident I 2610 042 as TOPdesk sends it when it is registered (Mon 5 Oct 2026 09:00), with ``changes``."""
    created = td("2026-10-05 09:00")
    data: dict[str, Any] = {
        "id": "0b6f4c1e-3d1a-4c8e-9a57-2f0d7b9e1c42",
        "number": NUMBER,
        "status": "secondLine",
        "briefDescription": "Inlogprobleem Jan Jansen",
        "request": "Jan Jansen (BSN 123456782) kan niet inloggen, wachtwoord vergeten? Mail: jan.jansen@enschede.nl",
        "caller": {
            "id": None,
            "dynamicName": "Jan Jansen",
            "email": "jan.jansen@enschede.nl",
            "phoneNumber": "053 481 0000",
            "branch": {"name": "Gemeente Enschede"},
        },
        "operator": {"id": "op-1", "name": "Piet de Vries"},
        "category": named("Applicatie"),
        "subcategory": named("Inloggen"),
        "callType": named("Storing"),
        "entryType": named("E-mail"),
        "priority": named("P2 Hoog"),
        "processingStatus": named("Geregistreerd"),
        "onHold": False,
        "onHoldDate": None,
        "onHoldDuration": 0,
        "responded": False,
        "responseDate": None,
        "completed": False,
        "completedDate": None,
        "closed": False,
        "closedDate": None,
        "callDate": created,
        "creationDate": created,
        "modificationDate": created,
        "optionalFields1": {"boolean1": False, "text1": "Jan Jansen, kamer 2.14", "memo1": None},
        "optionalFields2": {"boolean1": False, "text1": ""},
    }
    data.update(changes)
    return data


def story() -> list[dict[str, Any]]:
    """One incident's life, Mon 5 – Wed 7 Oct 2026.

    new → responded (raised to P1) → on hold → back → completed → reopened → completed → closed.
    """
    new = incident()
    responded = {
        **new,
        "modificationDate": td("2026-10-05 09:30"),
        "responded": True,
        "responseDate": td("2026-10-05 09:30"),
        "processingStatus": named("In behandeling"),
        "priority": named("P1 Urgent"),
    }
    on_hold = {
        **responded,
        "modificationDate": td("2026-10-05 10:00"),
        "onHold": True,
        "onHoldDate": td("2026-10-05 10:00"),
    }
    back = {
        **on_hold,
        "modificationDate": td("2026-10-05 13:00"),
        "onHold": False,
        "onHoldDate": None,
        "onHoldDuration": 180,
    }
    completed = {
        **back,
        "modificationDate": td("2026-10-05 15:00"),
        "completed": True,
        "completedDate": td("2026-10-05 15:00"),
        "processingStatus": named("Afgemeld"),
    }
    reopened = {
        **completed,
        "modificationDate": td("2026-10-06 09:00"),
        "completed": False,
        "completedDate": None,
        "processingStatus": named("In behandeling"),
    }
    again = {
        **reopened,
        "modificationDate": td("2026-10-06 09:30"),
        "completed": True,
        "completedDate": td("2026-10-06 09:30"),
        "processingStatus": named("Afgemeld"),
    }
    closed = {
        **again,
        "modificationDate": td("2026-10-07 10:00"),
        "closed": True,
        "closedDate": td("2026-10-07 10:00"),
        "processingStatus": named("Gesloten"),
    }
    return [new, responded, on_hold, back, completed, reopened, again, closed]


# The canonical events of story(), by snapshot: (kind, local time, fields).
STORY_EVENTS = [
    [
        (
            "opened",
            "2026-10-05 09:00",
            {"type": "incident", "priority": "hoog", "status": "nieuw", "scope": "applicatie", "attributable": True},
        )
    ],
    [
        ("updated", "2026-10-05 09:30", {"priority": "urgent", "status": "in behandeling"}),
        ("responded", "2026-10-05 09:30", {}),
    ],
    [("updated", "2026-10-05 10:00", {"status": "wachten op klant"})],
    [("updated", "2026-10-05 13:00", {"status": "in behandeling"})],
    [("updated", "2026-10-05 15:00", {"status": "opgelost"}), ("resolved", "2026-10-05 15:00", {})],
    [("updated", "2026-10-06 09:00", {"status": "in behandeling"}), ("reopened", "2026-10-06 09:00", {})],
    [("updated", "2026-10-06 09:30", {"status": "opgelost"}), ("resolved", "2026-10-06 09:30", {})],
    [("updated", "2026-10-07 10:00", {"status": "gesloten"}), ("closed", "2026-10-07 10:00", {})],
]


TOOL = ToolStory(TopdeskReader)
reader, readings, events_of, derive_all = TOOL.reader, TOOL.readings, TOOL.events_of, TOOL.derive_all


# -- the mapper, pure -------------------------------------------------------------------------


def test_the_story_of_one_incident_yields_the_expected_events_snapshot_by_snapshot() -> None:
    per_payload = derive_all(story())
    assert [summary(events) for events in per_payload] == STORY_EVENTS
    last = readings(story())[-1]
    assert (last.values, last.phase) == (
        {"type": "incident", "priority": "urgent", "status": "gesloten", "scope": "applicatie", "attributable": True},
        "closed",
    )


@pytest.mark.parametrize(
    ("history", "payload", "expected"),
    [
        pytest.param(
            [],
            incident(category=named("Platform")),
            [
                (
                    "opened",
                    "2026-10-05 09:00",
                    {
                        "type": "incident",
                        "priority": "hoog",
                        "status": "nieuw",
                        "scope": "platform",
                        "attributable": True,
                    },
                )
            ],
            id="a platform category gives scope platform",
        ),
        pytest.param(
            [],
            incident(optionalFields2={"boolean1": True}, callType=named("Vraag")),
            [
                (
                    "opened",
                    "2026-10-05 09:00",
                    {
                        "type": "informatieverzoek",
                        "priority": "hoog",
                        "status": "nieuw",
                        "scope": "applicatie",
                        "attributable": False,
                    },
                )
            ],
            id="the not-attributable box and a question type are mapped",
        ),
        pytest.param(
            [],
            incident(callDate=td("2026-10-05 08:40")),
            [
                (
                    "opened",
                    "2026-10-05 08:40",
                    {
                        "type": "incident",
                        "priority": "hoog",
                        "status": "nieuw",
                        "scope": "applicatie",
                        "attributable": True,
                    },
                )
            ],
            id="opened is dated by callDate, not by the record's creation",
        ),
        pytest.param(
            [],
            incident(callDate=None),
            [
                (
                    "opened",
                    "2026-10-05 09:00",
                    {
                        "type": "incident",
                        "priority": "hoog",
                        "status": "nieuw",
                        "scope": "applicatie",
                        "attributable": True,
                    },
                )
            ],
            id="without a callDate the creationDate opens the ticket",
        ),
        pytest.param(
            [],
            incident(priority=None, callType=None),
            [("opened", "2026-10-05 09:00", {"status": "nieuw", "scope": "applicatie", "attributable": True})],
            id="a call not yet triaged opens without type and priority",
        ),
        pytest.param(
            [incident(priority=None)],
            incident(priority=named("P3 Gemiddeld"), modificationDate=td("2026-10-05 09:05")),
            [("updated", "2026-10-05 09:05", {"priority": "gemiddeld"})],
            id="a priority given later is an update of the priority alone",
        ),
        pytest.param(
            [incident()],
            incident(callType=named("Wijziging"), modificationDate=td("2026-10-05 09:10")),
            [("updated", "2026-10-05 09:10", {"type": "wijzigingsverzoek"})],
            id="a call type change is an update of the type",
        ),
        pytest.param(
            [incident()],
            incident(processingStatus=named("Wachten op leverancier"), modificationDate=td("2026-10-05 09:10")),
            [("updated", "2026-10-05 09:10", {"status": "wachten op leverancier"})],
            id="a mapped waiting processing status is the canonical waiting status",
        ),
        pytest.param(
            [incident()],
            incident(processingStatus=named("Ingepland"), modificationDate=td("2026-10-05 09:10")),
            [("updated", "2026-10-05 09:10", {"status": "overig"})],
            id="an unmapped processing status is kept only as its class overig",
        ),
        pytest.param(
            [incident()],
            incident(
                processingStatus=named("Wachten op Piet de Vries (p.devries@enschede.nl)"),
                modificationDate=td("2026-10-05 09:10"),
            ),
            [("updated", "2026-10-05 09:10", {"status": "wachten op …"})],
            id="an unmapped waiting status is kept only as the pause pattern it matches",
        ),
        pytest.param(
            [incident()],
            incident(priority=None, modificationDate=td("2026-10-05 09:10")),
            [],
            id="a cleared priority changes nothing: the last priority holds",
        ),
        pytest.param(
            [incident()],
            incident(modificationDate=td("2026-10-05 09:10"), request="Nog steeds geen toegang, Jan Jansen belt terug"),
            [],
            id="a change of free text alone yields no event",
        ),
        pytest.param([incident()], incident(), [], id="the same snapshot twice yields nothing the second time"),
        pytest.param(
            [incident()],
            incident(
                completed=True,
                closed=True,
                completedDate=td("2026-10-05 11:00"),
                closedDate=td("2026-10-05 11:00"),
                modificationDate=td("2026-10-05 11:00"),
            ),
            [("resolved", "2026-10-05 11:00", {}), ("closed", "2026-10-05 11:00", {})],
            id="completing and closing at once gives resolved and closed",
        ),
        pytest.param(
            [
                incident(
                    closed=True, completed=True, completedDate=td("2026-10-05 11:00"), closedDate=td("2026-10-05 11:00")
                )
            ],
            incident(modificationDate=td("2026-10-05 12:00")),
            [("reopened", "2026-10-05 12:00", {})],
            id="reopening a closed incident is one reopened event",
        ),
        pytest.param(
            [incident(closed=True, closedDate=td("2026-10-05 11:00"))],
            incident(modificationDate=td("2026-10-05 12:00")),
            [("reopened", "2026-10-05 12:00", {})],
            id="reopening an incident closed without completion is reopened too",
        ),
    ],
)
def test_topdesk_snapshots_become_canonical_events(
    history: list[dict[str, Any]], payload: dict[str, Any], expected: list[tuple[str, str, dict[str, Any]]]
) -> None:
    assert summary(derive_all([*history, payload])[-1]) == expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param(
            incident(modificationDate=td("2026-10-05 09:20"), processingStatus=named("In behandeling")),
            [
                (
                    "opened",
                    "2026-10-05 09:00",
                    {"type": "incident", "priority": "hoog", "scope": "applicatie", "attributable": True},
                ),
                ("updated", "2026-10-05 09:20", {"status": "in behandeling"}),
            ],
            id="first seen after its creation, the status is known from the snapshot on",
        ),
        pytest.param(
            incident(modificationDate=td("2026-10-05 11:00"), onHold=True, onHoldDate=td("2026-10-05 10:15")),
            [
                (
                    "opened",
                    "2026-10-05 09:00",
                    {"type": "incident", "priority": "hoog", "scope": "applicatie", "attributable": True},
                ),
                ("updated", "2026-10-05 10:15", {"status": "wachten op klant"}),
            ],
            id="first seen on hold, the pause starts at onHoldDate",
        ),
        pytest.param(
            incident(
                modificationDate=td("2026-10-06 12:00"),
                responded=True,
                responseDate=td("2026-10-05 09:40"),
                completed=True,
                completedDate=td("2026-10-06 11:00"),
                processingStatus=named("Afgemeld"),
            ),
            [
                (
                    "opened",
                    "2026-10-05 09:00",
                    {"type": "incident", "priority": "hoog", "scope": "applicatie", "attributable": True},
                ),
                ("updated", "2026-10-06 12:00", {"status": "opgelost"}),
                ("responded", "2026-10-05 09:40", {}),
                ("resolved", "2026-10-06 11:00", {}),
            ],
            id="first seen completed, response and resolution keep their own dates",
        ),
    ],
)
def test_an_incident_first_seen_late_is_never_paused_before_a_pause_was_seen(
    payload: dict[str, Any], expected: list[tuple[str, str, dict[str, Any]]]
) -> None:
    assert summary(events_of([payload])) == expected


def test_event_ids_are_deterministic_and_independent_of_the_offset_sent() -> None:
    local = events_of([incident()])
    in_utc = incident(
        callDate="2026-10-05T07:00:00.000+0000",
        creationDate="2026-10-05T07:00:00Z",
        modificationDate="2026-10-05T07:00:00.000+00:00",
    )
    assert local == events_of([in_utc])
    assert [e["event_id"] for e in local] == ["topdesk:I-2610-042:opened:2026-10-05T07:00:00.000Z"]
    _, updated, responded = events_of(story()[:2])
    assert updated["event_id"] == "topdesk:I-2610-042:updated:2026-10-05T07:30:00.000Z:priority+status"
    assert responded["event_id"] == "topdesk:I-2610-042:responded:2026-10-05T07:30:00.000Z"
    assert events_of(story()[:2]) == events_of(story()[:2][::-1])


def test_the_on_hold_status_and_the_waiting_statuses_pause_the_clock_under_the_default_contract() -> None:
    rules = outcome_rules()
    mapping = default_mappings().topdesk
    assert rules.is_pause_status(mapping.on_hold_status)
    for name in ("Wachten op gebruiker", "Wachten op leverancier", "Onvoldoende documentatie"):
        assert rules.is_pause_status(mapping.status_of(name)), name
    for name in ("Geregistreerd", "In behandeling", "Afgemeld", "Gesloten"):
        assert not rules.is_pause_status(mapping.status_of(name)), name


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        pytest.param(
            incident(priority=named("P5 Nice to have")),
            Unprocessable,
            "priority",
            id="an unmapped priority is a 422 naming priority",
        ),
        pytest.param(
            incident(callType=named("Klacht")),
            Unprocessable,
            "callType",
            id="an unmapped call type is a 422 naming callType",
        ),
        pytest.param(
            incident(priority="P1 Urgent"), Unprocessable, "priority", id="a priority that is not an object is a 422"
        ),
        pytest.param(
            incident(callDate="2026-10-05T09:00:00.000"),
            Unprocessable,
            "callDate",
            id="a callDate without offset is a 422 naming callDate",
        ),
        pytest.param(
            incident(modificationDate="5-10-2026 09:00"),
            Unprocessable,
            "modificationDate",
            id="a modificationDate that is no timestamp is a 422",
        ),
        pytest.param(
            incident(modificationDate=None), Unprocessable, "modificationDate", id="a missing modificationDate is a 422"
        ),
        pytest.param(
            incident(callDate=None, creationDate=None),
            Unprocessable,
            "creationDate",
            id="an incident without callDate and creationDate is a 422",
        ),
        pytest.param(incident(number=None), Unprocessable, "number", id="a missing number is a 422"),
        pytest.param(
            incident(number="I 2610 042 Jansen"),
            Unprocessable,
            "number",
            id="a number carrying a name is a 422 naming number",
        ),
        pytest.param(
            incident(number="jan.jansen@enschede.nl"),
            Unprocessable,
            "number",
            id="an e-mail address as number is a 422 naming number",
        ),
        pytest.param(
            incident(modificationDate="1900-01-01T09:00:00.000+0100"),
            Unprocessable,
            "modificationDate",
            id="an instant before 2000 is a 422 naming the field",
        ),
        pytest.param(
            incident(responded=True),
            Unprocessable,
            "responseDate",
            id="responded without responseDate is a 422 naming responseDate",
        ),
        pytest.param(incident(completed="ja"), Unprocessable, "completed", id="a flag that is not a boolean is a 422"),
        pytest.param(
            incident(closed=True, closedDate="2026-10-05T25:00:00.000+0200"),
            Unprocessable,
            "closedDate",
            id="an impossible closedDate is a 422",
        ),
        pytest.param([incident()], BadRequest, None, id="a JSON array is a 400"),
    ],
)
def test_unreadable_incidents_are_refused_naming_the_field(
    payload: Any, error: type[AppError], field: str | None
) -> None:
    with pytest.raises(error) as caught:
        reader().read(payload, CLASSES)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-10-05T09:12:00.000+0200", "2026-10-05T09:12:00+02:00", id="TOPdesk's offset without colon"),
        pytest.param("2026-10-05T07:12:00.000+0000", "2026-10-05T07:12:00+00:00", id="UTC as TOPdesk sends it"),
        pytest.param("2026-10-05T09:12:00+02:00", "2026-10-05T09:12:00+02:00", id="RFC 3339 with colon"),
        pytest.param("2026-10-05T07:12:00.5Z", "2026-10-05T07:12:00.500000+00:00", id="Z and a short fraction"),
        pytest.param(
            "2026-10-25T02:30:00.000+0100",
            "2026-10-25T02:30:00+01:00",
            id="the repeated hour of the DST change is told apart by its offset",
        ),
    ],
)
def test_tool_timestamps_are_parsed_with_their_offset(text: str, expected: str) -> None:
    assert parse_instant(text, "callDate", "topdesk").isoformat() == expected


def test_a_misconfigured_mapping_is_refused_when_loaded(tmp_path: Path) -> None:
    shipped = json.loads(MAPPING_FILE.read_text(encoding="utf-8"))
    cases = [
        ("priorities", {"P1 Urgent": "kritiek"}),
        ("types", {"Storing": "probleem"}),
        ("priorities", {"P1 Urgent": "urgent", "p1  urgent": "hoog"}),
        ("statuses", {"Wachten": ""}),
    ]
    for key, value in cases:
        broken = json.loads(json.dumps(shipped))
        broken["topdesk"][key] = value
        path = tmp_path / "mapping.json"
        path.write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(ValidationError):
            load_mappings(path)
    assert isinstance(load_mappings(MAPPING_FILE), ToolMappings)
    assert TopdeskMapping.model_validate({**shipped["topdesk"]}).priority_of("p1  URGENT") == "urgent"


def test_the_mapping_is_read_on_first_use_not_at_import() -> None:
    code = (
        "import function_app, sla_app.adapters.topdesk, sla_app.adapters.jira\n"
        "from sla_app.adapters.ticket_tool_mapping import default_mappings\n"
        "assert default_mappings.cache_info().currsize == 0\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# -- POST /api/tickets/topdesk ------------------------------------------------------------------


def post(payload: Any, *, token: str | None = "derived", tenant: str | None = "enschede", raw: bytes | None = None):
    """POST a snapshot with the tenant's own bearer token (``"derived"``), another token, or none."""
    if token == "derived":
        token = tenant_credential(SECRETS["topdesk"], "topdesk", tenant or "enschede")
    headers = {} if token is None else {"Authorization": "Bearer " + token}
    params = {} if tenant is None else {"tenant": tenant}
    body = raw if raw is not None else json.dumps(payload).encode()
    return call_http("post_topdesk_incident", url=URL, params=params, headers=headers, body=body)


def entities(rows: list[dict[str, Any]]) -> list[str]:
    """Stored entities, comparable: each as sorted JSON."""
    return sorted(json.dumps(dict(row), sort_keys=True, default=str) for row in rows)


def test_a_realistic_incident_is_stored_as_canonical_events_and_measured(ctx: AppContext, tenants: list[str]) -> None:
    for payload, expected in zip(story(), STORY_EVENTS, strict=True):
        reply = post(payload)
        assert reply.status == 200, reply.body
        assert reply.body == {"received": len(expected), "unique": len(expected), "tickets": 1}

    events = ctx.events.of_ticket("enschede", TICKET)
    assert summary([e.to_json() for e in sorted(events, key=TicketEvent.sort_key)]) == [
        row for rows in STORY_EVENTS for row in rows
    ]
    assert len(ctx.events.of_tenant("enschede")) == len(events)  # the readings are no events
    as_of = "2026-11-01T00:00:00+01:00"
    response = outcome_of(events, as_of, "response_time")
    assert (response.outcome, response.priority) == ("met", "urgent")
    assert response.decided_at == us("2026-10-05T09:30:00+02:00")
    assert response.elapsed == 30 * 60 * 10**6
    restore = outcome_of(events, as_of, "restore_time_application")
    # 09:00–10:00 and 13:00–15:00 on Monday (on hold in between), 09:00–09:30 on Tuesday after the reopen.
    assert (restore.outcome, restore.priority, restore.decided_at) == ("met", "urgent", us("2026-10-06T09:30:00+02:00"))
    assert restore.elapsed == int(3.5 * 3600 * 10**6) and restore.target == 4 * 3600 * 10**6
    assert [(p.status, p.end - p.start) for p in restore.pauses] == [("wachten op klant", 3 * 3600 * 10**6)]


def test_without_the_on_hold_pause_the_same_incident_would_breach(ctx: AppContext, tenants: list[str]) -> None:
    """The control for the test above: the pause is what keeps the restore within 4 hours."""
    snapshots = [s for i, s in enumerate(story()) if i not in (2, 3)]
    for payload in snapshots:
        assert post(payload).status == 200
    restore = outcome_of(
        ctx.events.of_ticket("enschede", TICKET), "2026-11-01T00:00:00+01:00", "restore_time_application"
    )
    assert (restore.outcome, restore.decided_at) == ("breached", us("2026-10-05T13:00:00+02:00"))


def test_redelivering_every_payload_stores_nothing_new(ctx: AppContext, tenants: list[str]) -> None:
    for payload in story():
        assert post(payload).status == 200
    before = entities(stored_events(ctx) + stored_readings(ctx))
    for payload in story():
        reply = post(payload)
        assert reply.status == 200 and reply.body["received"] == 0, reply.body
    assert entities(stored_events(ctx) + stored_readings(ctx)) == before


def test_an_older_payload_delivered_late_takes_its_place_in_the_history(ctx: AppContext, tenants: list[str]) -> None:
    new, responded, on_hold, *_ = story()
    for payload in (new, on_hold):
        assert post(payload).status == 200
    reply = post(responded)  # older than the on-hold snapshot already received
    assert reply.status == 200, reply.body
    kinds = summary([e.to_json() for e in sorted(ctx.events.of_ticket("enschede", TICKET), key=TicketEvent.sort_key)])
    assert kinds == [row for rows in STORY_EVENTS[:3] for row in rows]


def test_free_text_and_personal_data_are_never_stored(ctx: AppContext, tenants: list[str]) -> None:
    for payload in story():
        assert post(payload).status == 200
    events, kept = stored_events(ctx), stored_readings(ctx)
    assert events and len(kept) == len(story()) + 1  # a reading per snapshot, and the head
    text = json.dumps([dict(e) for e in events + kept], default=str)
    for secret in FREE_TEXT + ("caller", "request", "briefDescription", "Applicatie", "Inloggen", "E-mail", NUMBER):
        assert secret not in text, secret
    for entity in events:
        assert set(entity) <= STORED_EVENT_COLUMNS
    for entity in kept:
        assert set(entity) <= {"PartitionKey", "RowKey", "reading", "snapshots", "digest"}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(None, id="a missing bearer token is refused"),
        pytest.param("wrong-token", id="a wrong bearer token is refused"),
        pytest.param(SECRETS["topdesk"], id="the master secret itself is no tenant's token"),
        pytest.param(
            tenant_credential(SECRETS["topdesk"], "topdesk", "hengelo"), id="another tenant's token is refused"
        ),
        pytest.param(
            tenant_credential(SECRETS["topdesk"], "jira", "enschede"), id="the tenant's Jira secret is no TOPdesk token"
        ),
    ],
)
def test_unauthenticated_requests_get_401_and_store_nothing(
    ctx: AppContext, tenants: list[str], token: str | None
) -> None:
    reply = post(incident(), token=token)
    assert reply.status == 401 and reply.mimetype == "application/problem+json"
    assert stored_events(ctx) == [] and stored_readings(ctx) == []


def test_the_token_is_checked_before_the_body_is_read(ctx: AppContext, tenants: list[str]) -> None:
    assert post(None, token="wrong", raw=b"{not json").status == 401


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        pytest.param({"raw": b"{not json"}, 400, None, id="malformed JSON is a 400"),
        pytest.param({"payload": [incident()]}, 400, None, id="a body that is not an object is a 400"),
        pytest.param({"payload": incident(), "tenant": None}, 400, "tenant", id="a missing tenant parameter is a 400"),
        pytest.param(
            {"payload": incident(), "tenant": "atlantis"}, 422, "tenant", id="an unknown tenant is a 422 naming tenant"
        ),
        pytest.param(
            {"payload": incident(priority=named("P5 Nice to have"))},
            422,
            "priority",
            id="an unmapped priority is a 422 naming priority",
        ),
        pytest.param(
            {"payload": incident(callType=named("Klacht"))},
            422,
            "callType",
            id="an unmapped call type is a 422 naming callType",
        ),
        pytest.param(
            {"payload": incident(callDate="2026-10-05T09:00:00")},
            422,
            "callDate",
            id="a naive timestamp is a 422 naming the field",
        ),
        pytest.param(
            {"payload": incident(number="TEST-2 Jansen")},
            422,
            "number",
            id="a ticket number with a name is a 422 naming number",
        ),
    ],
)
def test_bad_requests_are_problem_responses_and_store_nothing(
    ctx: AppContext, tenants: list[str], kwargs: dict[str, Any], status: int, field: str | None
) -> None:
    reply = post(kwargs.get("payload"), tenant=kwargs.get("tenant", "enschede"), raw=kwargs.get("raw"))
    assert reply.status == status, reply.body
    assert reply.mimetype == "application/problem+json"
    assert reply.body["status"] == status and reply.body["detail"]
    assert reply.body.get("field") == field
    assert stored_events(ctx) == [] and stored_readings(ctx) == []


def test_a_refused_payload_leaves_the_stored_history_alone(ctx: AppContext, tenants: list[str]) -> None:
    new, responded, *_ = story()
    assert post(new).status == 200
    before = entities(stored_events(ctx) + stored_readings(ctx))
    assert post({**responded, "priority": named("P0 Paniek")}).status == 422
    assert entities(stored_events(ctx) + stored_readings(ctx)) == before
    assert len(stored_events(ctx)) == 1

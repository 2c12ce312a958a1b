"""Jira Service Management issues → canonical events: the mapper as tables, then POST /api/tickets/jira.

Payloads have the shape of Jira's issue webhook: ``timestamp`` (ms),
``webhookEvent``, ``issue.key``, ``issue.fields`` (``issuetype``,
``priority``, ``status``, ``created``, ``updated``, ``resolutiondate``,
``labels``, ``components``, plus summary, description, reporter and comments,
which must never be stored) and a ``changelog`` of ``{field, fromString,
toString}`` items. Times are Europe/Amsterdam (October 2026: +02:00) in Jira's
format (``.000+0200``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sla_app import bootstrap
from sla_app.adapters.jira import JiraReader
from sla_app.bootstrap import AppContext
from sla_app.errors import AppError, BadRequest, Unprocessable
from sla_app.services.tool_credentials import tenant_credential
from sla_core.events import TicketEvent
from tests.support.app import SECRETS, call_http
from tests.support.core import outcome_of, outcome_rules, us
from tests.support.ticket_tools import CLASSES, ToolStory, stored_events, stored_readings, summary

URL = "http://localhost/api/tickets/jira"
KEY = "SD-42"
FREE_TEXT = (
    "Jan Jansen",
    "jan.jansen@enschede.nl",
    "123456782",
    "kan niet inloggen",
    "Piet de Vries",
    "wachtwoord",
    "Servicedesk Perspectief",
)


def jt(local: str) -> str:
    """A Jira timestamp of a local October 2026 time: ``2026-10-05 09:30`` → ``2026-10-05T09:30:00.000+0200``."""
    return local.replace(" ", "T") + ":00.000+0200"


def ms(local: str) -> int:
    return int(datetime.fromisoformat(jt(local)).timestamp() * 1000)


def issue(
    at: str = "2026-10-05 09:00",
    *,
    webhook_event: str = "jira:issue_updated",
    status: str = "Open",
    priority: str | None = "High",
    issuetype: str = "[System] Incident",
    created: str = "2026-10-05 09:00",
    resolved: str | None = None,
    labels: tuple[str, ...] = (),
    components: tuple[str, ...] = (),
    changes: tuple[tuple[str, str, str], ...] = (),
    key: str = KEY,
) -> dict[str, Any]:
    """Issue SD-42 as Jira's webhook sends it at local time ``at``; ``changes`` are changelog (field, from, to)."""
    person = {
        "accountId": "5b10ac8d82e05b22cc7d4ef5",
        "displayName": "Jan Jansen",
        "emailAddress": "jan.jansen@enschede.nl",
        "timeZone": "Europe/Amsterdam",
    }
    data: dict[str, Any] = {
        "timestamp": ms(at),
        "webhookEvent": webhook_event,
        "issue_event_type_name": "issue_created" if webhook_event == "jira:issue_created" else "issue_generic",
        "user": {"accountId": "op-7", "displayName": "Piet de Vries", "emailAddress": "piet@stratech.example"},
        "issue": {
            "id": "10042",
            "self": "https://stratech.atlassian.example/rest/api/2/issue/10042",
            "key": key,
            "fields": {
                "summary": "Jan Jansen kan niet inloggen",
                "description": "BSN 123456782, wachtwoord werkt niet. Bel 053 481 0000.",
                "reporter": person,
                "creator": person,
                "assignee": {"accountId": "op-7", "displayName": "Piet de Vries"},
                "project": {"key": "SD", "name": "Servicedesk Perspectief"},
                "issuetype": {"id": "10001", "name": issuetype, "description": "Iets is kapot"},
                "priority": None if priority is None else {"id": "2", "name": priority},
                "status": {"id": "3", "name": status, "statusCategory": {"key": "indeterminate"}},
                "created": jt(created),
                "updated": jt(at),
                "resolutiondate": None if resolved is None else jt(resolved),
                "labels": list(labels),
                "components": [{"id": f"c-{name}", "name": name} for name in components],
                "comment": {"comments": [{"body": "Jan Jansen belt terug over zijn wachtwoord"}]},
            },
        },
    }
    if changes:
        data["changelog"] = {
            "id": f"cl-{ms(at)}",
            "items": [{"field": f, "fieldtype": "jira", "fromString": a, "toString": b} for f, a, b in changes],
        }
    return data


def english_story() -> list[dict[str, Any]]:
    """SD-42, Mon 5 – Wed 7 Oct 2026.

    Created → In Progress (raised to Highest) → Waiting for customer → In Progress → Resolved →
    reopened → Done → Closed.
    """
    return [
        issue(webhook_event="jira:issue_created"),
        issue(
            "2026-10-05 09:20",
            status="In Progress",
            priority="Highest",
            changes=(("status", "Open", "In Progress"), ("priority", "High", "Highest")),
        ),
        issue(
            "2026-10-05 10:00",
            status="Waiting for customer",
            priority="Highest",
            changes=(("status", "In Progress", "Waiting for customer"),),
        ),
        issue(
            "2026-10-05 12:00",
            status="In Progress",
            priority="Highest",
            changes=(("status", "Waiting for customer", "In Progress"),),
        ),
        issue(
            "2026-10-05 14:00",
            status="Resolved",
            priority="Highest",
            resolved="2026-10-05 14:00",
            changes=(("status", "In Progress", "Resolved"), ("resolution", "", "Done")),
        ),
        issue(
            "2026-10-06 09:00",
            status="In Progress",
            priority="Highest",
            changes=(("status", "Resolved", "In Progress"), ("resolution", "Done", "")),
        ),
        issue(
            "2026-10-06 09:30",
            status="Done",
            priority="Highest",
            resolved="2026-10-06 09:30",
            changes=(("status", "In Progress", "Done"),),
        ),
        issue(
            "2026-10-07 10:00",
            status="Closed",
            priority="Highest",
            resolved="2026-10-06 09:30",
            changes=(("status", "Done", "Closed"),),
        ),
    ]


ENGLISH_EVENTS = [
    [
        (
            "opened",
            "2026-10-05 09:00",
            {"type": "incident", "priority": "hoog", "status": "nieuw", "scope": "applicatie", "attributable": True},
        )
    ],
    [
        ("updated", "2026-10-05 09:20", {"priority": "urgent", "status": "in behandeling"}),
        ("responded", "2026-10-05 09:20", {}),
    ],
    [("updated", "2026-10-05 10:00", {"status": "wachten op klant"})],
    [("updated", "2026-10-05 12:00", {"status": "in behandeling"})],
    [("updated", "2026-10-05 14:00", {"status": "opgelost"}), ("resolved", "2026-10-05 14:00", {})],
    [("updated", "2026-10-06 09:00", {"status": "in behandeling"}), ("reopened", "2026-10-06 09:00", {})],
    [("updated", "2026-10-06 09:30", {"status": "opgelost"}), ("resolved", "2026-10-06 09:30", {})],
    [("updated", "2026-10-07 10:00", {"status": "gesloten"}), ("closed", "2026-10-07 10:00", {})],
]


def dutch_story() -> list[dict[str, Any]]:
    """SD-43, a platform storing in Dutch.

    Nieuw → In behandeling → Wachten op klant → In behandeling → Opgelost → Gesloten.
    """
    common = {"issuetype": "Storing", "priority": "Hoog", "labels": ("platform",), "key": "SD-43"}
    return [
        issue(webhook_event="jira:issue_created", status="Nieuw", **common),
        issue("2026-10-05 09:45", status="In behandeling", changes=(("status", "Nieuw", "In behandeling"),), **common),
        issue(
            "2026-10-05 10:00",
            status="Wachten op klant",
            changes=(("status", "In behandeling", "Wachten op klant"),),
            **common,
        ),
        issue(
            "2026-10-05 11:00",
            status="In behandeling",
            changes=(("status", "Wachten op klant", "In behandeling"),),
            **common,
        ),
        issue(
            "2026-10-05 13:00",
            status="Opgelost",
            resolved="2026-10-05 13:00",
            changes=(("status", "In behandeling", "Opgelost"),),
            **common,
        ),
        issue(
            "2026-10-05 16:00",
            status="Gesloten",
            resolved="2026-10-05 13:00",
            changes=(("status", "Opgelost", "Gesloten"),),
            **common,
        ),
    ]


DUTCH_EVENTS = [
    [
        (
            "opened",
            "2026-10-05 09:00",
            {"type": "incident", "priority": "hoog", "status": "nieuw", "scope": "platform", "attributable": True},
        )
    ],
    [("updated", "2026-10-05 09:45", {"status": "in behandeling"}), ("responded", "2026-10-05 09:45", {})],
    [("updated", "2026-10-05 10:00", {"status": "wachten op klant"})],
    [("updated", "2026-10-05 11:00", {"status": "in behandeling"})],
    [("updated", "2026-10-05 13:00", {"status": "opgelost"}), ("resolved", "2026-10-05 13:00", {})],
    [("updated", "2026-10-05 16:00", {"status": "gesloten"}), ("closed", "2026-10-05 16:00", {})],
]


TOOL = ToolStory(JiraReader)
reader, readings, events_of, derive_all = TOOL.reader, TOOL.readings, TOOL.events_of, TOOL.derive_all


# -- the mapper, pure -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("story", "expected"),
    [
        pytest.param(english_story(), ENGLISH_EVENTS, id="English statuses and priorities"),
        pytest.param(dutch_story(), DUTCH_EVENTS, id="Dutch statuses, priority and type, labelled platform"),
    ],
)
def test_a_jira_issue_story_yields_the_expected_events_delivery_by_delivery(
    story: list[dict[str, Any]], expected: list[list[tuple[str, str, dict[str, Any]]]]
) -> None:
    assert [summary(events) for events in derive_all(story)] == expected
    assert readings(story)[-1].phase == "closed"


OPEN = issue(webhook_event="jira:issue_created")
IN_PROGRESS = issue("2026-10-05 09:20", status="In Progress")
RESOLVED = issue("2026-10-05 11:00", status="Resolved", resolved="2026-10-05 11:00")
CLOSED = issue("2026-10-05 12:00", status="Closed", resolved="2026-10-05 11:00")


@pytest.mark.parametrize(
    ("history", "payload", "expected"),
    [
        pytest.param(
            [OPEN, IN_PROGRESS, issue("2026-10-05 10:00", status="Waiting for customer")],
            issue("2026-10-05 10:30", status="In Progress"),
            [("updated", "2026-10-05 10:30", {"status": "in behandeling"})],
            id="entering In Progress a second time is no second response",
        ),
        pytest.param(
            [OPEN],
            issue("2026-10-05 09:50", status="Done"),
            [("updated", "2026-10-05 09:50", {"status": "opgelost"}), ("resolved", "2026-10-05 09:50", {})],
            id="resolved without a resolutiondate is dated by updated",
        ),
        pytest.param(
            [OPEN, RESOLVED, issue("2026-10-05 11:30", status="Open")],
            issue("2026-10-05 12:00", status="Resolved", resolved="2026-10-05 11:00"),
            [("updated", "2026-10-05 12:00", {"status": "opgelost"}), ("resolved", "2026-10-05 12:00", {})],
            id="a resolutiondate left from before a reopen is not used",
        ),
        pytest.param(
            [OPEN, RESOLVED],
            issue("2026-10-05 11:30", status="Waiting for support"),
            [("updated", "2026-10-05 11:30", {"status": "nieuw"}), ("reopened", "2026-10-05 11:30", {})],
            id="leaving a resolved status for an open one reopens",
        ),
        pytest.param(
            [OPEN, CLOSED],
            issue("2026-10-05 12:30", status="Open"),
            [("updated", "2026-10-05 12:30", {"status": "nieuw"}), ("reopened", "2026-10-05 12:30", {})],
            id="leaving a closed status for an open one reopens",
        ),
        pytest.param(
            [OPEN],
            issue("2026-10-05 12:00", status="Gesloten"),
            [("updated", "2026-10-05 12:00", {"status": "gesloten"}), ("closed", "2026-10-05 12:00", {})],
            id="closing an open issue at once is closed",
        ),
        pytest.param(
            [OPEN, CLOSED],
            issue("2026-10-05 12:30", status="Resolved", resolved="2026-10-05 11:00"),
            [("updated", "2026-10-05 12:30", {"status": "opgelost"})],
            id="from closed back to resolved only updates the status",
        ),
        pytest.param(
            [OPEN],
            issue("2026-10-05 09:10", priority="Lowest", changes=(("priority", "High", "Lowest"),)),
            [("updated", "2026-10-05 09:10", {"priority": "laag"})],
            id="a priority change is an update of the priority alone",
        ),
        pytest.param(
            [OPEN],
            issue("2026-10-05 09:10", labels=("niet-toerekenbaar",), changes=(("labels", "", "niet-toerekenbaar"),)),
            [("updated", "2026-10-05 09:10", {"attributable": False})],
            id="the label niet-toerekenbaar makes the issue not attributable",
        ),
        pytest.param(
            [OPEN],
            issue("2026-10-05 09:10", components=("Platform",)),
            [("updated", "2026-10-05 09:10", {"scope": "platform"})],
            id="the component Platform makes the scope platform",
        ),
        pytest.param(
            [OPEN],
            issue("2026-10-05 09:10", issuetype="[System] Service request"),
            [("updated", "2026-10-05 09:10", {"type": "serviceverzoek"})],
            id="an issue type change is an update of the type",
        ),
        pytest.param(
            [OPEN],
            issue("2026-10-05 09:10", status="Pending"),
            [("updated", "2026-10-05 09:10", {"status": "wachten op klant"})],
            id="Pending is mapped to a waiting status",
        ),
        pytest.param(
            [OPEN],
            issue("2026-10-05 09:10", status="Triage"),
            [("updated", "2026-10-05 09:10", {"status": "overig"})],
            id="an unmapped status is kept only as its class overig",
        ),
        pytest.param(
            [OPEN],
            issue("2026-10-05 09:10", status="Wachten op Jan Jansen 06-12345678"),
            [("updated", "2026-10-05 09:10", {"status": "wachten op …"})],
            id="an unmapped waiting status is kept only as the pause pattern it matches",
        ),
        pytest.param([OPEN], issue("2026-10-05 09:10"), [], id="a comment or edit of free text yields nothing"),
        pytest.param(
            [OPEN],
            {**issue("2026-10-05 09:10", status="Closed"), "webhookEvent": "jira:issue_deleted"},
            [],
            id="a deleted issue yields nothing: measured history stays",
        ),
        pytest.param(
            [OPEN],
            {**issue("2026-10-05 09:10"), "webhookEvent": "comment_created"},
            [],
            id="other webhook events yield nothing",
        ),
        pytest.param(
            [OPEN, IN_PROGRESS],
            issue("2026-10-05 09:10", status="Open"),
            [],
            id="an older delivery that changes nothing adds nothing to the history",
        ),
        pytest.param([OPEN, IN_PROGRESS], IN_PROGRESS, [], id="the same delivery twice yields nothing the second time"),
        pytest.param(
            [],
            issue("2026-10-05 09:30", status="In behandeling"),
            [
                (
                    "opened",
                    "2026-10-05 09:00",
                    {"type": "incident", "priority": "hoog", "scope": "applicatie", "attributable": True},
                ),
                ("updated", "2026-10-05 09:30", {"status": "in behandeling"}),
                ("responded", "2026-10-05 09:30", {}),
            ],
            id="first seen after its creation, the status is known from that delivery on",
        ),
        pytest.param(
            [],
            issue(priority=None, webhook_event="jira:issue_created"),
            [
                (
                    "opened",
                    "2026-10-05 09:00",
                    {"type": "incident", "status": "nieuw", "scope": "applicatie", "attributable": True},
                )
            ],
            id="an issue without priority opens without one",
        ),
    ],
)
def test_jira_deliveries_become_canonical_events(
    history: list[dict[str, Any]], payload: dict[str, Any], expected: list[tuple[str, str, dict[str, Any]]]
) -> None:
    assert summary(derive_all([*history, payload])[-1]) == expected


def test_without_fields_updated_the_webhook_timestamp_dates_the_change() -> None:
    payload = issue("2026-10-05 09:20", status="In Progress")
    del payload["issue"]["fields"]["updated"]
    assert summary(derive_all([OPEN, payload])[-1]) == [
        ("updated", "2026-10-05 09:20", {"status": "in behandeling"}),
        ("responded", "2026-10-05 09:20", {}),
    ]


def test_event_ids_are_deterministic() -> None:
    first = derive_all([OPEN, IN_PROGRESS])[-1]
    assert [e["event_id"] for e in first] == [
        "jira:SD-42:updated:2026-10-05T07:20:00.000Z:status",
        "jira:SD-42:responded:2026-10-05T07:20:00.000Z",
    ]
    assert events_of([OPEN, IN_PROGRESS]) == events_of([IN_PROGRESS, OPEN])


def test_the_waiting_statuses_pause_and_the_working_ones_do_not() -> None:
    rules, mapping = outcome_rules(), reader().mapping
    for name in ("Waiting for customer", "Wachten op klant", "Pending", "Wachten op leverancier"):
        assert rules.is_pause_status(mapping.status_of(name)), name
    for name in ("Open", "Nieuw", "In Progress", "In behandeling", "Resolved", "Opgelost", "Closed", "Gesloten"):
        assert not rules.is_pause_status(mapping.status_of(name)), name


def without(payload: dict[str, Any], path: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(payload))
    *parents, last = path.split(".")
    node = copy
    for part in parents:
        node = node[part]
    del node[last]
    return copy


@pytest.mark.parametrize(
    ("payload", "error", "field"),
    [
        pytest.param(
            issue(priority="Blocker"),
            Unprocessable,
            "issue.fields.priority",
            id="an unmapped priority is a 422 naming issue.fields.priority",
        ),
        pytest.param(
            issue(issuetype="Epic"),
            Unprocessable,
            "issue.fields.issuetype",
            id="an unmapped issue type is a 422 naming issue.fields.issuetype",
        ),
        pytest.param(
            without(OPEN, "issue.fields.status"), Unprocessable, "issue.fields.status", id="a missing status is a 422"
        ),
        pytest.param(
            without(OPEN, "issue.fields.created"),
            Unprocessable,
            "issue.fields.created",
            id="a missing created is a 422",
        ),
        pytest.param(
            without(without(OPEN, "issue.fields.updated"), "timestamp"),
            Unprocessable,
            "issue.fields.updated",
            id="neither updated nor timestamp is a 422",
        ),
        pytest.param(
            without(OPEN, "webhookEvent"), Unprocessable, "webhookEvent", id="a missing webhookEvent is a 422"
        ),
        pytest.param(without(OPEN, "issue.key"), Unprocessable, "issue.key", id="a missing issue key is a 422"),
        pytest.param(issue(key="TEST-2 Jansen"), Unprocessable, "issue.key", id="an issue key with a name is a 422"),
        pytest.param(
            {**OPEN, "timestamp": 10**20, "issue": without(OPEN, "issue.fields.updated")["issue"]},
            Unprocessable,
            "timestamp",
            id="a timestamp of 10^20 ms is a 422 naming timestamp",
        ),
        pytest.param(
            {
                **OPEN,
                "issue": {**OPEN["issue"], "fields": {**OPEN["issue"]["fields"], "created": "2026-10-05T09:00:00.000"}},
            },
            Unprocessable,
            "issue.fields.created",
            id="a naive created is a 422 naming the field",
        ),
        pytest.param("jira:issue_created", BadRequest, None, id="a body that is not an object is a 400"),
    ],
)
def test_unreadable_issues_are_refused_naming_the_field(payload: Any, error: type[AppError], field: str | None) -> None:
    with pytest.raises(error) as caught:
        reader().read(payload, CLASSES)
    assert caught.value.field == field


# -- POST /api/tickets/jira ---------------------------------------------------------------------


def secret_of(tenant: str = "enschede") -> str:
    """The tenant's own Jira webhook secret, derived from the master secret."""
    return tenant_credential(SECRETS["jira"], "jira", tenant)


def signed(body: bytes, secret: str | None = None) -> dict[str, str]:
    """Jira's header: ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` (default: enschede's secret)."""
    key = secret if secret is not None else secret_of()
    return {"X-Hub-Signature": "sha256=" + hmac.new(key.encode(), body, hashlib.sha256).hexdigest()}


def received_at(payload: Any, delay: timedelta = timedelta(seconds=2)) -> None:
    """Set the service's clock to ``delay`` after the delivery's ``timestamp`` (Jira posts at once)."""
    if isinstance(payload, dict) and isinstance(payload.get("timestamp"), int) and payload["timestamp"] < 10**15:
        sent = datetime.fromtimestamp(payload["timestamp"] / 1000, UTC)
        bootstrap.context().clock.now = sent + delay  # type: ignore[attr-defined]


def post(
    payload: Any,
    *,
    secret: str | None = "derived",
    tenant: str | None = "enschede",
    raw: bytes | None = None,
    delay: timedelta = timedelta(seconds=2),
):
    """POST a delivery signed with the tenant's secret (``"derived"``), another secret, or unsigned."""
    body = raw if raw is not None else json.dumps(payload).encode()
    if secret == "derived":
        secret = secret_of(tenant or "enschede")
    headers = {} if secret is None else signed(body, secret)
    params = {} if tenant is None else {"tenant": tenant}
    received_at(payload, delay)
    return call_http("post_jira_issue", url=URL, params=params, headers=headers, body=body)


def test_an_english_issue_is_stored_as_canonical_events_and_measured(ctx: AppContext, tenants: list[str]) -> None:
    for payload, expected in zip(english_story(), ENGLISH_EVENTS, strict=True):
        reply = post(payload)
        assert reply.status == 200, reply.body
        assert reply.body == {"received": len(expected), "unique": len(expected), "tickets": 1}
    events = ctx.events.of_ticket("enschede", KEY)
    assert summary([e.to_json() for e in sorted(events, key=TicketEvent.sort_key)]) == [
        row for rows in ENGLISH_EVENTS for row in rows
    ]
    as_of = "2026-11-01T00:00:00+01:00"
    response = outcome_of(events, as_of, "response_time")
    assert (response.outcome, response.priority) == ("met", "urgent")
    assert response.decided_at == us("2026-10-05T09:20:00+02:00")
    restore = outcome_of(events, as_of, "restore_time_application")
    # 09:00–10:00 and 12:00–14:00 on Monday (waiting for the customer in between), 09:00–09:30 on Tuesday.
    assert (restore.outcome, restore.decided_at) == ("met", us("2026-10-06T09:30:00+02:00"))
    assert restore.elapsed == int(3.5 * 3600 * 10**6) and restore.target == 4 * 3600 * 10**6


def test_a_dutch_platform_issue_is_measured_on_the_platform_restore_time(ctx: AppContext, tenants: list[str]) -> None:
    for payload in dutch_story():
        assert post(payload).status == 200
    events = ctx.events.of_ticket("enschede", "SD-43")
    restore = outcome_of(events, "2026-11-01T00:00:00+01:00", "restore_time_platform")
    # hoog on the platform: 4 hours; 09:00–10:00 and 11:00–13:00 count.
    assert (restore.outcome, restore.priority, restore.decided_at) == ("met", "hoog", us("2026-10-05T13:00:00+02:00"))
    assert restore.elapsed == 3 * 3600 * 10**6


def test_redelivering_every_issue_payload_stores_nothing_new(ctx: AppContext, tenants: list[str]) -> None:
    for payload in english_story():
        assert post(payload).status == 200
    before = sorted(e["RowKey"] for e in stored_events(ctx) + stored_readings(ctx))
    for payload in english_story():
        reply = post(payload)
        assert reply.status == 200 and reply.body["received"] == 0, reply.body
    assert sorted(e["RowKey"] for e in stored_events(ctx) + stored_readings(ctx)) == before


def test_free_text_and_personal_data_of_issues_are_never_stored(ctx: AppContext, tenants: list[str]) -> None:
    for payload in english_story():
        assert post(payload).status == 200
    events, kept = stored_events(ctx), stored_readings(ctx)
    assert events and kept
    text = json.dumps([dict(e) for e in events + kept], default=str)
    for secret in FREE_TEXT + ("summary", "description", "reporter", "comment", "changelog"):
        assert secret not in text, secret


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        pytest.param(None, "missing", id="a missing signature is refused"),
        pytest.param("wrong-secret", "does not match", id="a signature with the wrong secret is refused"),
        pytest.param(SECRETS["jira"], "does not match", id="the master secret itself signs for no tenant"),
        pytest.param(
            tenant_credential(SECRETS["jira"], "jira", "hengelo"),
            "does not match",
            id="another tenant's secret is refused",
        ),
    ],
)
def test_unsigned_or_badly_signed_deliveries_get_401_and_store_nothing(
    ctx: AppContext, tenants: list[str], secret: str | None, reason: str
) -> None:
    reply = post(OPEN, secret=secret)
    assert reply.status == 401 and reason in reply.body["detail"]
    assert stored_events(ctx) == [] and stored_readings(ctx) == []


def test_a_signature_over_another_body_is_refused(ctx: AppContext, tenants: list[str]) -> None:
    body = json.dumps(OPEN).encode()
    headers = signed(json.dumps(issue(priority="Low")).encode())
    received_at(OPEN)
    reply = call_http("post_jira_issue", url=URL, params={"tenant": "enschede"}, headers=headers, body=body)
    assert reply.status == 401 and stored_events(ctx) == []


@pytest.mark.parametrize(
    ("kwargs", "status", "field"),
    [
        pytest.param({"raw": b"{not json"}, 400, None, id="malformed JSON is a 400"),
        pytest.param({"payload": OPEN, "tenant": None}, 400, "tenant", id="a missing tenant parameter is a 400"),
        pytest.param({"payload": OPEN, "tenant": "atlantis"}, 422, "tenant", id="an unknown tenant is a 422"),
        pytest.param(
            {"payload": issue(priority="Blocker", webhook_event="jira:issue_created")},
            422,
            "issue.fields.priority",
            id="an unmapped priority is a 422 naming the field",
        ),
        pytest.param(
            {"payload": issue(issuetype="Epic", webhook_event="jira:issue_created")},
            422,
            "issue.fields.issuetype",
            id="an unmapped issue type is a 422 naming the field",
        ),
        pytest.param(
            {"payload": issue(key="TEST-2 Jansen", webhook_event="jira:issue_created")},
            422,
            "issue.key",
            id="an issue key with a name is a 422 naming issue.key",
        ),
    ],
)
def test_bad_deliveries_are_problem_responses_and_store_nothing(
    ctx: AppContext, tenants: list[str], kwargs: dict[str, Any], status: int, field: str | None
) -> None:
    reply = post(kwargs.get("payload"), tenant=kwargs.get("tenant", "enschede"), raw=kwargs.get("raw"))
    assert reply.status == status, reply.body
    assert reply.mimetype == "application/problem+json"
    assert reply.body.get("field") == field
    assert stored_events(ctx) == [] and stored_readings(ctx) == []

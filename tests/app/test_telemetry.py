"""Telemetry: event lines the alert rules parse, no personal data, one operation id end to end."""

from __future__ import annotations

import inspect
import json
import logging
from datetime import UTC, datetime

import azure.functions as func
import pytest
from azure.functions.queue import QueueMessage
from azure.functions.timer import TimerRequest
from hypothesis import given
from hypothesis import strategies as st

from sla_app import telemetry
from sla_app.bootstrap import AppContext
from sla_app.http.auth import encode_principal, sign_timestamped
from tests.support.app import SECRETS, call_http, functions

ADMIN = {"X-MS-CLIENT-PRINCIPAL": encode_principal("beheerder@stratech.example", ["SLA.Admin"])}
OP = "0af7651916cd43dd8448eb211c80319c"


def logged(caplog: pytest.LogCaptureFixture) -> list[tuple[str, dict]]:
    parsed = [telemetry.parse_event(r.getMessage()) for r in caplog.records if r.name == telemetry.LOGGER_NAME]
    return [p for p in parsed if p is not None]


def named(caplog: pytest.LogCaptureFixture, name: str) -> list[dict]:
    return [dims for event, dims in logged(caplog) if event == name]


# -- the event line ----------------------------------------------------------------------------


def test_an_event_is_one_line_with_a_marker_a_name_and_sorted_json(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    telemetry.event("report.computed", tenant="enschede", month="2026-10", version=2)
    (record,) = caplog.records
    assert record.getMessage() == 'sla.event report.computed {"month":"2026-10","tenant":"enschede","version":2}'
    assert (record.tenant, record.month, record.sla_event) == ("enschede", "2026-10", "report.computed")


def test_an_event_inside_an_operation_carries_its_id(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    with telemetry.operation(OP) as chosen:
        telemetry.event("x.y", tenant="almelo")
    assert chosen == OP
    assert named(caplog, "x.y") == [{"operation": OP, "tenant": "almelo"}]
    assert telemetry.current_operation() is None


@pytest.mark.parametrize(
    "given_id, kept",
    [
        pytest.param(OP, True, id="a 32-hex id is kept"),
        pytest.param("0" * 32, False, id="the all-zero id is replaced"),
        pytest.param("not-an-id", False, id="free text is replaced"),
        pytest.param(OP + "\n", False, id="an id with a trailing newline is replaced"),
        pytest.param(None, False, id="no id gets a new one"),
    ],
)
def test_operation_ids(given_id: str | None, kept: bool) -> None:
    with telemetry.operation(given_id) as chosen:
        assert telemetry.valid_operation_id(chosen) == chosen
        assert (chosen == given_id) is kept


def test_an_unknown_dimension_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="recipients"):
        telemetry.event("delivery.sent", recipients="a@b.example")


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("jan.jansen@enschede.nl", id="an e-mail address"),
        pytest.param("Jan Jansen", id="a name with a space"),
        pytest.param("wachten op klant", id="free text"),
        pytest.param("x" * 121, id="an over-long value"),
        pytest.param("enschede\n", id="a trailing newline (a forged second log line)"),
    ],
)
def test_personal_data_never_reaches_a_dimension(value: str) -> None:
    assert telemetry.dimensions(tenant=value) == {"tenant": telemetry.REDACTED}


@given(st.text(max_size=60))
def test_no_string_dimension_holds_an_at_sign_or_whitespace(value: str) -> None:
    cleaned = telemetry.dimensions(status=value)["status"]
    assert "@" not in cleaned and not any(ch.isspace() for ch in cleaned)
    assert cleaned in (value, telemetry.REDACTED)


# -- audit actions become events and counters -------------------------------------------------------


def test_an_audit_action_keeps_only_safe_detail_and_counts_rows(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    telemetry.audited(
        "availability.ingested",
        None,
        {"day": "2026-10-25", "complete": False, "rows": 1234, "note": "partial: query timed out", "outcome": "stored"},
    )
    assert named(caplog, telemetry.AVAILABILITY_INGESTED) == [
        {"complete": False, "day": "2026-10-25", "outcome": "stored", "rows": 1234}
    ]
    assert named(caplog, telemetry.ROWS_INGESTED) == [{"count": 1234, "day": "2026-10-25"}]


def test_a_sent_delivery_counts_one_email_and_drops_the_recipients(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    telemetry.audited("delivery.sent", "enschede", {"month": "2026-10", "version": 1, "recipients": ["a@b.example"]})
    assert named(caplog, telemetry.DELIVERY_SENT) == [{"month": "2026-10", "tenant": "enschede", "version": 1}]
    assert named(caplog, telemetry.EMAILS_SENT) == [{"count": 1, "month": "2026-10", "tenant": "enschede"}]
    assert "a@b.example" not in caplog.text


@pytest.mark.parametrize(
    "action, detail, counted",
    [
        pytest.param("availability.ingested", {"rows": 10, "outcome": "kept"}, [], id="a kept day ingested no rows"),
        pytest.param(
            "report.computed",
            {"month": "2026-10", "new": False},
            [(telemetry.REPORTS_COMPUTED, 1)],
            id="a computation without a new version still counts",
        ),
        pytest.param(
            "delivery.correction_sent",
            {"month": "2026-10"},
            [(telemetry.EMAILS_SENT, 1)],
            id="a correction e-mail counts",
        ),
        pytest.param(
            "tenant.updated", {"values": {"recipients": ["a@b.example"]}}, [], id="an admin change counts nothing"
        ),
    ],
)
def test_the_counters_audit_actions_imply(
    caplog: pytest.LogCaptureFixture, action: str, detail: dict, counted: list
) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    telemetry.audited(action, "enschede", detail)
    assert [(name, dims["count"]) for name, dims in logged(caplog) if name in telemetry.COUNTERS] == counted
    assert "a@b.example" not in caplog.text


def test_failed_and_poisoned_actions_are_warnings(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    telemetry.audited("report.poisoned", None, {"message": '{"tenant": "x"}'})
    telemetry.audited(
        "delivery.failed", "hengelo", {"month": "2026-10", "outcome": "unknown", "needs_manual_check": True}
    )
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]
    assert named(caplog, "delivery.failed") == [
        {"month": "2026-10", "needs_manual_check": True, "outcome": "unknown", "tenant": "hengelo"}
    ]


# -- queue messages carry the operation ----------------------------------------------------------


def test_a_queue_message_is_stamped_only_inside_an_operation() -> None:
    assert telemetry.with_operation({"tenant": "a"}) == {"tenant": "a"}
    with telemetry.operation(OP):
        assert telemetry.with_operation({"tenant": "a"}) == {"tenant": "a", "operation_id": OP}
        assert telemetry.with_operation({"operation_id": "b" * 32}) == {"operation_id": "b" * 32}


@pytest.mark.parametrize(
    "body, expected",
    [
        pytest.param(json.dumps({"tenant": "a", "operation_id": OP}).encode(), OP, id="carried"),
        pytest.param(b'{"tenant": "a"}', None, id="absent"),
        pytest.param(b"not json", None, id="not JSON"),
        pytest.param(b'["a"]', None, id="not an object"),
    ],
)
def test_the_operation_of_a_message(body: bytes, expected: str | None) -> None:
    assert telemetry.operation_of_message(body) == expected


# -- traced handlers ---------------------------------------------------------------------------------


def test_traced_keeps_the_signature_the_functions_worker_reads() -> None:
    def handler(msg: func.QueueMessage) -> None: ...

    assert list(inspect.signature(telemetry.traced("h")(handler)).parameters) == ["msg"]


def test_a_queue_trigger_continues_the_operation_of_its_message(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    seen = []
    handler = telemetry.traced("q")(lambda msg: seen.append(telemetry.current_operation()))
    handler(QueueMessage(id="1", body=json.dumps({"operation_id": OP}).encode(), dequeue_count=1))
    assert seen == [OP]
    (finished,) = named(caplog, telemetry.FUNCTION_FINISHED)
    assert finished["operation"] == OP and finished["kind"] == "queue" and finished["outcome"] == "ok"


def test_an_http_trigger_takes_the_trace_id_of_traceparent() -> None:
    seen = []
    handler = telemetry.traced("h")(lambda req: seen.append(telemetry.current_operation()))
    headers = {"traceparent": f"00-{OP}-b7ad6b7169203331-01"}
    handler(func.HttpRequest("GET", "http://localhost/api/x", headers=headers, body=b""))
    handler(func.HttpRequest("GET", "http://localhost/api/x", headers={}, body=b""))
    assert seen[0] == OP and telemetry.valid_operation_id(seen[1]) and seen[1] != OP


def test_a_failing_timer_is_logged_recorded_and_re_raised(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    runs = []
    recorder = telemetry.on_timer_run(lambda *args: runs.append(args))
    try:

        @telemetry.traced("boom_timer", schedule="0 0 * * * *")
        def boom(timer: func.TimerRequest) -> None:
            raise RuntimeError("storage down")

        with pytest.raises(RuntimeError):
            boom(TimerRequest())
    finally:
        telemetry._recorders.remove(recorder)
        telemetry.TIMERS.pop("boom_timer")
    (failed,) = named(caplog, telemetry.FUNCTION_FAILED)
    assert (failed["function"], failed["kind"], failed["outcome"]) == ("boom_timer", "timer", "failed")
    ((function, started, finished, outcome, operation),) = runs
    assert (function, outcome, operation) == ("boom_timer", "failed", failed["operation"])
    assert started <= finished <= datetime.now(UTC)


def test_a_500_answer_counts_as_a_failed_invocation(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    telemetry.traced("h")(lambda req: func.HttpResponse("x", status_code=500))(
        func.HttpRequest("GET", "http://localhost/api/x", body=b"")
    )
    (failed,) = named(caplog, telemetry.FUNCTION_FAILED)
    assert failed["status_code"] == 500


def test_every_timer_is_traced_with_the_schedule_it_is_registered_with() -> None:
    registered = {
        name: f.get_trigger().schedule
        for name, f in functions().items()
        if type(f.get_trigger()).__name__ == "TimerTrigger"
    }
    assert registered and {k: v for k, v in telemetry.TIMERS.items() if k in registered} == registered
    assert set(registered) <= set(telemetry.TIMERS), "a timer without @telemetry.traced(..., schedule=...)"


# -- through the app over Azurite ----------------------------------------------------------------------


def test_one_operation_id_from_the_admin_run_through_the_queue_to_the_computed_report(
    ctx: AppContext, tenants: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    reply = call_http("run_month", headers=ADMIN, route_params={"month": "2026-10"})
    assert reply.status == 202
    (run,) = [d for d in named(caplog, telemetry.FUNCTION_FINISHED) if d["function"] == "run_month"]
    operation = run["operation"]
    messages = [json.loads(m.content) for m in ctx.monthly_queue.client.receive_messages(max_messages=32)]
    assert {m["operation_id"] for m in messages} == {operation} and len(messages) == 3
    caplog.clear()
    trigger = functions()["monthly_tenant_report"].get_user_function()
    trigger(QueueMessage(id="m", body=json.dumps(messages[0]).encode(), dequeue_count=1))
    (computed,) = named(caplog, telemetry.REPORT_COMPUTED)
    assert computed["operation"] == operation and computed["tenant"] == messages[0]["tenant"]
    (counted,) = named(caplog, telemetry.REPORTS_COMPUTED)
    assert counted == {"count": 1, "month": "2026-10", "operation": operation, "tenant": messages[0]["tenant"]}


def test_a_webhook_401_is_an_event_naming_the_route(ctx: AppContext, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    reply = call_http(
        "post_ticket_events",
        url="http://localhost/api/tickets/events?code=x",
        body=b"[]",
        headers={"X-SLA-Timestamp": "1", "X-SLA-Signature": "sha256=00"},
    )
    assert reply.status == 401
    assert named(caplog, telemetry.HTTP_UNAUTHORIZED) == [
        {
            "operation": named(caplog, telemetry.FUNCTION_FINISHED)[0]["operation"],
            "route": "/api/tickets/events",
            "status_code": 401,
        }
    ]


def test_stored_ticket_events_are_counted(
    ctx: AppContext, tenants: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=telemetry.LOGGER_NAME)
    event = {
        "event_id": "e-1",
        "tenant": "enschede",
        "ticket_id": "M1",
        "occurred_at": "2026-11-02T09:00:00+01:00",
        "kind": "opened",
        "type": "incident",
        "priority": "hoog",
    }
    body = json.dumps([event, event]).encode()
    stamp = int(ctx.clock().timestamp())
    reply = call_http(
        "post_ticket_events",
        url="http://localhost/api/tickets/events",
        body=body,
        headers=sign_timestamped(SECRETS["events"], body, stamp),
    )
    assert reply.status == 200, reply.body
    assert [d["count"] for d in named(caplog, telemetry.EVENTS_INGESTED)] == [1]

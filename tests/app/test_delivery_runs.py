"""Delivery as production runs it: timers only enqueue, one queue message per tenant, each e-mail once.

Over Azurite with the real queue: the timers fan out, :func:`pump` hands every
message to the registered queue trigger (optionally twice, as the queue may),
and a recording mailer counts the e-mails. Reports are written through
:class:`~sla_app.storage.reports_repo.ReportRepository`.
"""

from __future__ import annotations

import inspect
import json
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.parser import BytesParser
from typing import Any

import pytest
from azure.functions.queue import QueueMessage
from azure.storage.queue import QueueClient

from sla_app import bootstrap
from sla_app.bootstrap import AppContext
from sla_app.errors import BadRequest
from sla_app.mail import MailError, Outbox
from sla_app.records import SUPPLIER, DeliveryRecord, TenantRecord
from sla_app.services.delivery_runs import LOOKBACK_MONTHS, parse_message
from sla_app.storage.deliveries_repo import DeliveryRepository
from sla_app.storage.queues import JsonQueue
from tests.app.test_delivery import (
    ADMIN,
    OCTOBER,
    RECIPIENTS,
    RecordingMailer,
    call,
    delivery_app,
    render,
)
from tests.app.test_graph_mail import rendered
from tests.support.app import FixedClock

SUPPLIER_MAILBOX = "servicedesk@stratech.example"
MISSING = ["2026-10-31"]


def store(
    ctx: AppContext,
    tenant: str,
    month: str = "2026-10",
    *,
    status: str = "final",
    content: str = "a",
    changes: dict[str, Any] | None = None,
) -> int:
    """Store a report version through the repository (with ``changes`` where the repository takes them)."""
    body: dict[str, Any] = {
        "tenant": tenant,
        "month": month,
        "content": content,
        "status": status,
        "missing_days": MISSING if status == "provisional" else [],
    }
    kwargs: dict[str, Any] = {}
    if changes is not None:
        if "changes" in inspect.signature(ctx.reports.save).parameters:
            kwargs["changes"] = lambda previous: changes
        else:
            body["changes"] = changes
    stored, _ = ctx.reports.save(
        tenant, month, f"hash-{content}-{status}", "inputs", "2026-11-01T03:00:00+00:00", body, **kwargs
    )
    return int(stored.version)


@pytest.fixture
def queue(ctx: AppContext) -> QueueClient:
    """The test's own delivery queue (SLA_DELIVERY_QUEUE_NAME), pre-created as infra/ declares it."""
    client = ctx.queue_client(ctx.settings.delivery_queue_name)
    client.create_queue()
    return client


@pytest.fixture
def mailer(ctx: AppContext) -> RecordingMailer:
    recording = RecordingMailer()
    ctx.mailer = recording
    ctx.render = render
    ctx.notices = notice
    return recording


def notice(kind: str, month: Any, as_of: datetime) -> Any:
    """A supplier notice as the overview package would render it (subject names kind, month and as-of)."""
    return replace(rendered(), subject=f"{kind} {month} {as_of.isoformat()}", attachments=())


@pytest.fixture
def municipalities(ctx: AppContext) -> list[str]:
    for tenant, go_live in (("enschede", "2025-09-15"), ("hengelo", "2025-11-03"), ("almelo", "2026-02-16")):
        ctx.admin.put_tenant(
            TenantRecord(tenant=tenant, go_live=date.fromisoformat(go_live), recipients=RECIPIENTS[tenant])
        )
    return ["almelo", "enschede", "hengelo"]


def with_supplier(ctx: AppContext) -> AppContext:
    """The process's context from now on: the supplier's mailbox set, the test's mail fakes kept."""
    supplier = ctx.with_settings(supplier_mailbox=SUPPLIER_MAILBOX)
    for name in ("mailer", "render", "notices"):
        if name in vars(ctx):
            setattr(supplier, name, getattr(ctx, name))
    bootstrap.use(supplier)
    return supplier


def fire(name: str) -> None:
    delivery_app()[name].get_user_function()(None)


def first_morning(ctx: AppContext, tenants: list[str], clock: FixedClock) -> None:
    """Each tenant's October report stored, then the morning timer fires on 1 November 06:00 UTC."""
    for tenant in tenants:
        store(ctx, tenant)
    clock.now = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    fire("delivery_morning")


def drain(queue: QueueClient) -> list[dict[str, Any]]:
    messages = []
    while batch := list(queue.receive_messages(max_messages=32)):
        for message in batch:
            messages.append(json.loads(message.content))
            queue.delete_message(message)
    return messages


def pump(queue: QueueClient, times: int = 1) -> list[dict[str, Any]]:
    """Hand every queued message to the queue trigger ``times`` times (a message delivered twice)."""
    messages = drain(queue)
    for message in messages:
        for count in range(1, times + 1):
            body = json.dumps(message).encode()
            delivery_app()["delivery_item"].get_user_function()(QueueMessage(id="m", body=body, dequeue_count=count))
    return messages


def sent(mailer: RecordingMailer) -> list[tuple[str, str, str]]:
    return sorted((e.tenant, e.month, e.kind) for e, _ in mailer.sent)


def audit(ctx: AppContext, clock: FixedClock, action: str) -> list[dict[str, Any]]:
    return [e for e in ctx.admin.audit_entries(clock().date()) if e["action"] == action]


# -- fan-out -----------------------------------------------------------------------------------------------


def test_the_timer_only_enqueues_one_message_per_tenant_with_its_months_and_the_overview(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, mailer: RecordingMailer, clock: FixedClock
) -> None:
    first_morning(ctx, municipalities, clock)
    assert mailer.sent == [], "the timer sends nothing itself"
    messages = drain(queue)
    assert len({m.pop("operation_id") for m in messages}) == 1, "the run's operation id is on every message"
    by_tenant = {m["tenant"]: m["months"] for m in messages if "tenant" in m}
    assert sorted(by_tenant) == municipalities
    assert by_tenant["enschede"] == [
        f"{y}-{m:02d}" for y, m in [(2025, 10), (2025, 11), (2025, 12)] + [(2026, m) for m in range(1, 11)]
    ]
    assert len(by_tenant["enschede"]) == LOOKBACK_MONTHS and by_tenant["almelo"][0] == "2026-03"
    assert [m for m in messages if "notice" in m] == [{"notice": "overview", "month": "2026-10"}]
    [entry] = audit(ctx, clock, "delivery.fan_out")
    assert entry["detail"]["tenants"] == 3


def test_an_existing_queue_is_normal_and_never_recognised_by_its_message_text(ctx: AppContext, storage: Any) -> None:
    client = QueueClient.from_connection_string(storage.connection_string, f"exists-{uuid.uuid4().hex[:8]}")
    client.create_queue()  # declared by infra/
    JsonQueue(client).send({"tenant": "enschede", "months": ["2026-10"]})
    JsonQueue(client).send({"tenant": "hengelo", "months": ["2026-10"]})  # a fresh process: creates again
    assert len(list(client.receive_messages(max_messages=32))) == 2


def test_each_message_delivered_twice_sends_each_report_once(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, mailer: RecordingMailer, clock: FixedClock
) -> None:
    first_morning(ctx, municipalities, clock)
    pump(queue, times=2)
    assert sent(mailer) == [(t, "2026-10", "report") for t in municipalities]
    clock.now += timedelta(hours=5, minutes=5)
    fire("delivery_midday")
    pump(queue)
    assert len(mailer.sent) == 3


def test_a_month_left_undelivered_is_still_delivered_after_the_calendar_moves_on(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, clock: FixedClock
) -> None:
    failing = RecordingMailer(MailError("sendMail: HTTP 400 ErrorInvalidRecipients", status=400))
    ctx.mailer, ctx.render, ctx.notices = failing, render, notice
    store(ctx, "hengelo")
    clock.now = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    fire("delivery_morning")
    pump(queue)
    assert failing.sent == [] and DeliveryRepository(ctx.store).get("hengelo", "2026-10").state == "failed"
    store(ctx, "hengelo", "2026-11")
    clock.now = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)  # a month later: the timers now look at November too
    fire("delivery_morning")
    pump(queue)
    assert sent(failing) == [("hengelo", "2026-10", "report"), ("hengelo", "2026-11", "report")]


def test_a_failing_message_is_audited_and_raised_for_the_hosts_retry_and_the_poison_queue_is_audited(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, mailer: RecordingMailer, clock: FixedClock
) -> None:
    item = delivery_app()["delivery_item"].get_user_function()
    with pytest.raises(BadRequest):
        item(QueueMessage(id="m", body=b'{"tenant": "enschede", "months": ["oktober"]}', dequeue_count=5))
    [failed] = audit(ctx, clock, "delivery.message_failed")
    assert failed["detail"]["dequeue_count"] == 5 and "oktober" in failed["detail"]["message"]
    delivery_app()["delivery_poisoned"].get_user_function()(QueueMessage(id="m", body=b'{"tenant": "enschede"}'))
    [poisoned] = audit(ctx, clock, "delivery.poisoned")
    assert poisoned["detail"]["message"] == '{"tenant": "enschede"}'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(b"not json", "message", id="not JSON"),
        pytest.param(b"[1]", "message", id="not an object"),
        pytest.param(b'{"months": ["2026-10"]}', "tenant", id="no tenant"),
        pytest.param(b'{"tenant": "x", "months": []}', "months", id="no months"),
        pytest.param(b'{"notice": "newsletter", "month": "2026-10"}', "notice", id="an unknown notice"),
    ],
)
def test_a_malformed_message_names_its_field(body: bytes, field: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_message(body)
    assert caught.value.field == field


# -- final only; provisional after the deadline; corrections ---------------------------------------------------


@pytest.mark.parametrize(
    ("now", "delivered"),
    [
        pytest.param(
            datetime(2026, 11, 2, 6, 0, tzinfo=UTC), False, id="on the 1st working day a provisional report waits"
        ),
        pytest.param(
            datetime(2026, 11, 4, 10, 59, tzinfo=UTC), False, id="11:59 local on the 3rd working day it still waits"
        ),
        pytest.param(
            datetime(2026, 11, 4, 11, 0, tzinfo=UTC), True, id="from 12:00 local on the 3rd working day it goes out"
        ),
    ],
)
def test_a_provisional_report_waits_for_the_deadline(
    ctx: AppContext,
    municipalities: list[str],
    mailer: RecordingMailer,
    clock: FixedClock,
    now: datetime,
    delivered: bool,
) -> None:
    store(ctx, "enschede", status="provisional")
    clock.now = now
    [outcome] = ctx.delivery.deliver_month(OCTOBER, tenants=["enschede"])
    assert (outcome.outcome == "sent") is delivered
    if not delivered:
        assert outcome.outcome == "not_final" and mailer.sent == []
        [entry] = audit(ctx, clock, "delivery.waiting_final")
        assert entry["detail"]["missing_days"] == MISSING


def test_a_provisional_report_after_the_deadline_is_marked_and_the_final_one_follows_as_a_correction_once(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, mailer: RecordingMailer, clock: FixedClock
) -> None:
    store(ctx, "enschede", status="provisional")
    clock.now = datetime(2026, 11, 4, 11, 5, tzinfo=UTC)
    fire("delivery_midday")
    pump(queue)
    [(envelope, report)] = mailer.sent
    assert envelope.kind == "report" and report.subject.startswith("VOORLOPIG: ")
    assert "VOORLOPIGE rapportage" in report.html and "2026-10-31" in report.html
    assert report.text.startswith("Dit is een VOORLOPIGE rapportage") and report.attachments
    record = DeliveryRepository(ctx.store).get("enschede", "2026-10")
    assert (record.state, record.report_status) == ("sent", "provisional")

    store(
        ctx,
        "enschede",
        content="b",
        changes={
            "service_levels": [{"metric": "availability", "before": 100.0, "after": 99.6789}],
            "outcomes": [],
            "cause": ["31 oktober compleet"],
        },
    )
    for _ in range(2):
        clock.now += timedelta(days=1)
        fire("delivery_morning")
        pump(queue, times=2)
    assert [(e.kind, e.version) for e, _ in mailer.sent] == [("report", 1), ("correction", 2)]
    correction = mailer.sent[1][1]
    assert correction.subject.startswith("Correctie servicerapportage oktober 2026")
    assert "voorlopige" in correction.html and "Beschikbaarheid" in correction.html and "99,67" in correction.html
    assert "100,00 → 99,67" in correction.text and correction.attachments


def test_a_later_version_with_changes_of_a_delivered_month_is_sent_once_as_a_correction(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, mailer: RecordingMailer, clock: FixedClock
) -> None:
    store(ctx, "hengelo")
    clock.now = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    fire("delivery_morning")
    pump(queue)
    store(ctx, "hengelo", content="b", changes={"service_levels": [], "outcomes": [], "cause": []})  # nothing changed
    store(
        ctx,
        "hengelo",
        content="c",
        changes={
            "service_levels": [{"metric": "response_time", "before": 100.0, "after": 95.0}],
            "outcomes": [{"ticket_id": "M2610-0042", "metric": "response_time", "before": "met", "after": "breached"}],
            "cause": ["melding M2610-0042 heropend"],
        },
    )
    for days in (1, 2):
        clock.now = datetime(2026, 12, days, 6, 0, tzinfo=UTC)
        fire("delivery_morning")
        pump(queue, times=2)
    assert [(e.kind, e.version) for e, _ in mailer.sent] == [("report", 1), ("correction", 3)]
    correction = mailer.sent[1][1]
    assert "M2610-0042" in correction.html and "overschreden" in correction.html and "heropend" in correction.text
    assert "gewijzigd" in correction.text and "voorlopige" not in correction.text


def test_a_version_without_changes_sends_no_correction(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    store(ctx, "almelo")
    service = ctx.delivery
    service.deliver("almelo", OCTOBER)
    store(ctx, "almelo", content="b", changes={"service_levels": [], "outcomes": [], "cause": []})
    assert service.deliver("almelo", OCTOBER).outcome == "not_needed"
    assert service.deliver("almelo", OCTOBER).outcome == "already_sent"
    assert len(mailer.sent) == 1


# -- the supplier's notices --------------------------------------------------------------------------------------


def test_the_at_risk_notice_and_the_overview_are_mailed_to_the_supplier_once_each(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, mailer: RecordingMailer, clock: FixedClock
) -> None:
    ctx = with_supplier(ctx)
    clock.now = datetime(2026, 11, 15, 6, 0, tzinfo=UTC)
    delivery_app()["at_risk_mid_month"].get_user_function()(None)
    pump(queue, times=2)
    for day in (15, 16):
        clock.now = datetime(2026, 11, day, 11, 5, tzinfo=UTC)
        fire("delivery_midday")
        pump(queue, times=2)
    notices = [(e.tenant, e.month, e.kind, e.recipients) for e, _ in mailer.sent if e.tenant == SUPPLIER]
    assert sorted(notices) == [
        (SUPPLIER, "2026-10", "overview", (SUPPLIER_MAILBOX,)),
        (SUPPLIER, "2026-11", "at_risk", (SUPPLIER_MAILBOX,)),
    ]
    at_risk = next(r for e, r in mailer.sent if e.kind == "at_risk")
    assert at_risk.subject == "at_risk 2026-11 2026-11-15T06:00:00+00:00", "as of the timer's instant, also on a retry"
    entries = [
        e
        for day in (15, 16)
        for e in ctx.admin.audit_entries(date(2026, 11, day))
        if e["action"] == "delivery.sent" and e["detail"]["kind"] in ("at_risk", "overview")
    ]
    assert len(entries) == 2 and all(e["tenant"] == "" for e in entries)


def test_the_overview_waits_for_the_delivery_deadline_and_no_mailbox_is_flagged(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, mailer: RecordingMailer, clock: FixedClock
) -> None:
    clock.now = datetime(2026, 11, 3, 6, 0, tzinfo=UTC)
    fire("delivery_morning")
    pump(queue)
    assert [e for e, _ in mailer.sent if e.tenant == SUPPLIER] == []
    clock.now = datetime(2026, 11, 5, 6, 0, tzinfo=UTC)
    fire("delivery_morning")
    pump(queue)
    record = DeliveryRepository(ctx.store).get(SUPPLIER, "2026-10", "overview")
    assert record is not None and record.state == "no_recipients"
    ctx = with_supplier(ctx)
    fire("delivery_morning")
    pump(queue)
    assert [(e.month, e.kind) for e, _ in mailer.sent if e.tenant == SUPPLIER] == [("2026-10", "overview")]


def test_an_unknown_outcome_of_a_notice_is_flagged_and_never_resent(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, clock: FixedClock
) -> None:
    ctx = with_supplier(ctx)
    unknown = RecordingMailer(
        MailError("sendMail: HTTP 504 (the message may have been sent)", outcome="unknown", status=504)
    )
    ctx.mailer, ctx.render, ctx.notices = unknown, render, notice
    clock.now = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
    for _ in range(2):
        fire("delivery_morning")
        pump(queue)
        clock.now += timedelta(days=1)
    record = DeliveryRepository(ctx.store).get(SUPPLIER, "2026-10", "overview")  # the first notice sent: 504
    assert record.state == "failed" and record.needs_manual_check and record.attempts == 1
    assert [e.kind for e, _ in unknown.sent] == ["at_risk"], (
        "the at-risk notice went out; the overview waits for an admin"
    )


def test_an_admin_resends_a_flagged_notice_only_with_force_and_a_bad_notice_is_a_400(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    ctx = with_supplier(ctx)
    clock.now = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
    DeliveryRepository(ctx.store).create(
        DeliveryRecord(SUPPLIER, "2026-11", "failed", attempts=1, kind="at_risk", needs_manual_check=True, error="504")
    )
    reply = call("deliver_month_reports", headers=ADMIN, params={"notice": "at_risk"}, month="2026-11")
    assert reply.status == 202 and [o["outcome"] for o in reply.body["outcomes"]] == ["needs_manual_check"]
    reply = call("deliver_month_reports", headers=ADMIN, params={"notice": "at_risk", "force": "true"}, month="2026-11")
    assert [(o["kind"], o["outcome"]) for o in reply.body["outcomes"]] == [("at_risk", "sent")]
    assert [(e.kind, e.recipients) for e, _ in mailer.sent] == [("at_risk", (SUPPLIER_MAILBOX,))]
    bad = call("deliver_month_reports", headers=ADMIN, params={"notice": "nieuwsbrief"}, month="2026-11")
    assert bad.status == 400 and bad.mimetype == "application/problem+json"


def test_the_real_notices_go_to_the_supplier_mailbox_as_eml_files(
    ctx: AppContext, municipalities: list[str], queue: QueueClient, clock: FixedClock, tmp_path: Any
) -> None:
    ctx = with_supplier(ctx)
    ctx.mailer = Outbox(tmp_path, ctx.settings.mail_sender, ctx.clock)
    ctx.render = render
    clock.now = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
    fire("delivery_morning")
    pump(queue)
    parsed = {}
    for path in sorted(tmp_path.iterdir()):
        with path.open("rb") as handle:
            parsed[path.name] = BytesParser(policy=policy.default).parse(handle)
    assert sorted(parsed) == ["_supplier-2026-10-overview-v0.eml", "_supplier-2026-11-at_risk-v0.eml"]
    overview = parsed["_supplier-2026-10-overview-v0.eml"]
    assert (
        overview["To"] == SUPPLIER_MAILBOX
        and overview["Subject"] == "SLA-overzicht Stratech Perspectief Cloud — oktober 2026"
    )
    assert overview["X-SLA-Delivery"].startswith("~supplier/2026-10/overview/v0/")
    assert parsed["_supplier-2026-11-at_risk-v0.eml"]["Subject"].startswith("SLA-signalering november 2026")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"tenant": ""}, "tenant", id="an empty tenant does not mean every tenant"),
        pytest.param({"tenant": "  "}, "tenant", id="a tenant of spaces is empty too"),
        pytest.param({"notice": ""}, "notice", id="an empty notice is not left out"),
        pytest.param({"force": ""}, "force", id="an empty force is not false"),
    ],
)
def test_an_empty_query_parameter_of_a_delivery_run_is_a_400_and_nothing_is_sent(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, params: dict[str, str], field: str
) -> None:
    reply = call("deliver_month_reports", headers=ADMIN, params=params, month="2026-10")
    assert reply.status == 400 and reply.mimetype == "application/problem+json" and reply.body["field"] == field
    assert mailer.sent == []

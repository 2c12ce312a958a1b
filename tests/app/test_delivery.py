"""Delivery exactly once per tenant-month over Azurite: claims, retries, flags, timers, admin routes.

The mailer is a recording fake, the Graph client against the local
:class:`~tests.app.test_graph_mail.FakeGraph`, or the outbox in a temporary
folder; the renderer is injected (``AppContext.render``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest

from sla_app import bootstrap
from sla_app.bootstrap import AppContext
from sla_app.documents import RenderedReport
from sla_app.functions import delivery as delivery_functions
from sla_app.http.auth import encode_principal
from sla_app.mail import Envelope, GraphMailer, MailError, Outbox, Receipt
from sla_app.records import SENDING, DeliveryRecord, TenantRecord
from sla_app.services.delivery import DeliveryService
from sla_app.storage.deliveries_repo import DeliveryRepository
from sla_core.periods import Month
from tests.app.test_graph_mail import Answer, FakeCredential, FakeGraph, fake_graph, rendered  # noqa: F401 — fixture
from tests.support.app import FixedClock, Reply, functions

ADMIN = {"X-MS-CLIENT-PRINCIPAL": encode_principal("beheerder@stratech.example", ["SLA.Admin"])}
READER = {"X-MS-CLIENT-PRINCIPAL": encode_principal("lezer@enschede.example", ["SLA.Reader"], ["enschede"])}
OCTOBER = Month(2026, 10)
RECIPIENTS = {
    "enschede": ("ict@enschede.example", "kcc@enschede.example"),
    "hengelo": ("sla@hengelo.example",),
    "almelo": ("servicedesk@almelo.example",),
}


# -- helpers -------------------------------------------------------------------------------------------------


class RecordingMailer:
    """Records what it is asked to send; raises the queued errors first."""

    mode = "graph"

    def __init__(self, *errors: Exception) -> None:
        self.sent: list[tuple[Envelope, Any]] = []
        self.errors = list(errors)
        self._lock = threading.Lock()

    def send(self, envelope: Envelope, report: Any) -> Receipt:
        with self._lock:
            if self.errors:
                raise self.errors.pop(0)
            self.sent.append((envelope, report))
            return Receipt("graph", f"request-{len(self.sent)}", {"via": "sendMail", "client_request_id": "c"})

    def tenants(self) -> list[str]:
        return [envelope.tenant for envelope, _ in self.sent]


def render(body: dict[str, Any]) -> RenderedReport:
    return replace(rendered(), subject=f"SLA-rapportage {body['month']} {body['tenant']}")


def store_report(ctx: AppContext, tenant: str, month: str = "2026-10", content: str = "a") -> int:
    stored, _ = ctx.reports.save(
        tenant,
        month,
        f"hash-{content}",
        "inputs",
        "2026-11-01T02:00:00+00:00",
        {"tenant": tenant, "month": month, "content": content},
    )
    return stored.version


@pytest.fixture
def municipalities(ctx: AppContext) -> list[str]:
    """Three measured tenants with recipients and a stored October report each."""
    for tenant, go_live in (("enschede", "2025-09-15"), ("hengelo", "2025-11-03"), ("almelo", "2026-02-16")):
        ctx.admin.put_tenant(
            TenantRecord(tenant=tenant, go_live=date.fromisoformat(go_live), recipients=RECIPIENTS[tenant])
        )
        store_report(ctx, tenant)
    return ["almelo", "enschede", "hengelo"]


@pytest.fixture
def mailer(ctx: AppContext) -> RecordingMailer:
    recording = RecordingMailer()
    ctx.mailer = recording
    ctx.render = render
    return recording


def service(ctx: AppContext, mailer: Any, **kwargs: Any) -> DeliveryService:
    return DeliveryService(ctx.admin, ctx.reports, DeliveryRepository(ctx.store), mailer, render, ctx.clock, **kwargs)


def audit(ctx: AppContext, clock: FixedClock, prefix: str = "delivery.") -> list[dict[str, Any]]:
    return [e for e in ctx.admin.audit_entries(clock().date()) if e["action"].startswith(prefix)]


def actions(ctx: AppContext, clock: FixedClock) -> list[tuple[str, str]]:
    return [(e["action"], e["tenant"]) for e in audit(ctx, clock) if e["action"] != "delivery.run"]


def record(ctx: AppContext, tenant: str, month: str = "2026-10") -> DeliveryRecord:
    found = DeliveryRepository(ctx.store).get(tenant, month)
    assert found is not None
    return found


# -- exactly once --------------------------------------------------------------------------------------------


def test_delivering_a_month_twice_sends_each_report_once(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    first = service(ctx, mailer).deliver_month(OCTOBER)
    assert [(o.tenant, o.outcome, o.version) for o in first] == [(t, "sent", 1) for t in municipalities]
    second = service(ctx, mailer).deliver_month(OCTOBER)
    assert [o.outcome for o in second] == ["already_sent"] * 3
    assert sorted(mailer.tenants()) == municipalities

    enschede = record(ctx, "enschede")
    assert (enschede.state, enschede.report_version, enschede.recipients) == ("sent", 1, RECIPIENTS["enschede"])
    assert enschede.request_id.startswith("request-") and enschede.sent_at == clock().isoformat()
    assert enschede.attempts == 1 and not enschede.needs_manual_check
    envelope, report = next((e, r) for e, r in mailer.sent if e.tenant == "enschede")
    assert (envelope.month, envelope.version, envelope.recipients) == ("2026-10", 1, RECIPIENTS["enschede"])
    assert envelope.delivery_id == enschede.claim_id and report.subject == "SLA-rapportage 2026-10 enschede"
    assert sorted(actions(ctx, clock)) == [("delivery.sent", t) for t in municipalities]
    [sent] = [e for e in audit(ctx, clock) if e["tenant"] == "enschede"]
    assert sent["detail"]["recipients"] == list(RECIPIENTS["enschede"]) and sent["detail"]["version"] == 1


def test_the_latest_stored_version_is_the_one_sent(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer
) -> None:
    assert store_report(ctx, "hengelo", content="b") == 2
    service(ctx, mailer).deliver_month(OCTOBER, tenants=["hengelo"])
    [(envelope, _)] = mailer.sent
    assert envelope.version == 2 and record(ctx, "hengelo").report_version == 2


def test_through_graph_a_second_run_makes_no_second_sendmail_request(
    ctx: AppContext,
    municipalities: list[str],
    fake_graph: FakeGraph,  # noqa: F811
) -> None:
    graph_mailer = GraphMailer(
        "rapportage@example.org", credential=FakeCredential(), base_url=fake_graph.graph_url, sleep=lambda s: None
    )
    for _ in range(2):
        service(ctx, graph_mailer).deliver_month(OCTOBER, tenants=["enschede"])
    [request] = fake_graph.of("POST", "/sendMail$")
    assert [r["emailAddress"]["address"] for r in request.json()["message"]["toRecipients"]] == list(
        RECIPIENTS["enschede"]
    )
    assert record(ctx, "enschede").request_id == fake_graph.request_ids[0]


def test_a_504_after_graph_accepted_the_message_is_flagged_and_no_run_sends_it_again(
    ctx: AppContext,
    municipalities: list[str],
    clock: FixedClock,
    fake_graph: FakeGraph,  # noqa: F811
) -> None:
    fake_graph.script("POST", "/sendMail$", Answer(504, accepted=True), Answer(202))
    graph_mailer = GraphMailer(
        "rapportage@example.org", credential=FakeCredential(), base_url=fake_graph.graph_url, sleep=lambda s: None
    )
    [outcome] = service(ctx, graph_mailer).deliver_month(OCTOBER, tenants=["enschede"])
    assert outcome.outcome == "unknown"
    flagged = record(ctx, "enschede")
    assert (flagged.state, flagged.needs_manual_check) == ("failed", True) and "504" in flagged.error
    [entry] = [e for e in audit(ctx, clock) if e["action"] == "delivery.failed"]
    assert entry["detail"]["outcome"] == "unknown" and entry["detail"]["graph"]["status"] == 504
    for days in (1, 2):
        clock.now += timedelta(days=days)
        [later] = service(ctx, graph_mailer).deliver_month(OCTOBER, tenants=["enschede"])
        assert later.outcome == "needs_manual_check"
    assert len(fake_graph.of("POST", "/sendMail$")) == 1 and len(fake_graph.delivered) == 1, "one e-mail, not two"


# -- failures and retries ---------------------------------------------------------------------------------


def test_a_failed_send_is_recorded_and_audited_and_the_next_run_sends_it(
    ctx: AppContext, municipalities: list[str], clock: FixedClock
) -> None:
    mailer = RecordingMailer(
        MailError("sendMail: HTTP 503 serviceNotAvailable (retry budget exhausted)", status=503, attempts=4)
    )
    [outcome] = service(ctx, mailer).deliver_month(OCTOBER, tenants=["enschede"])
    assert outcome.outcome == "failed" and mailer.sent == []
    failed = record(ctx, "enschede")
    assert (failed.state, failed.attempts, failed.needs_manual_check) == ("failed", 1, False)
    assert "503" in failed.error
    [entry] = [e for e in audit(ctx, clock) if e["action"] == "delivery.failed"]
    assert entry["tenant"] == "enschede" and entry["detail"]["outcome"] == "not_sent"
    assert entry["detail"]["graph"]["status"] == 503 and entry["detail"]["attempts"] == 1

    clock.now += timedelta(days=1)
    [again] = service(ctx, mailer).deliver_month(OCTOBER, tenants=["enschede"])
    assert again.outcome == "sent" and mailer.tenants() == ["enschede"]
    sent = record(ctx, "enschede")
    assert (sent.state, sent.attempts, sent.error) == ("sent", 2, "")


def test_a_render_failure_sends_nothing_and_is_retried(
    ctx: AppContext, municipalities: list[str], clock: FixedClock
) -> None:
    mailer = RecordingMailer()

    def broken(body: dict[str, Any]) -> RenderedReport:
        raise RuntimeError("font missing")

    repo = DeliveryRepository(ctx.store)
    DeliveryService(ctx.admin, ctx.reports, repo, mailer, broken, ctx.clock).deliver_month(OCTOBER, tenants=["almelo"])
    assert mailer.sent == [] and record(ctx, "almelo").state == "failed"
    assert not record(ctx, "almelo").needs_manual_check and "font missing" in record(ctx, "almelo").error
    service(ctx, mailer).deliver_month(OCTOBER, tenants=["almelo"])
    assert mailer.tenants() == ["almelo"]


def test_an_unknown_outcome_is_not_resent_automatically(
    ctx: AppContext, municipalities: list[str], clock: FixedClock
) -> None:
    mailer = RecordingMailer(MailError("sendMail: no answer (ReadTimeout)", outcome="unknown"))
    [outcome] = service(ctx, mailer).deliver_month(OCTOBER, tenants=["hengelo"])
    assert outcome.outcome == "unknown"
    flagged = record(ctx, "hengelo")
    assert (flagged.state, flagged.needs_manual_check) == ("failed", True) and "Sent Items" in flagged.error
    [entry] = [e for e in audit(ctx, clock) if e["action"] == "delivery.failed"]
    assert entry["detail"]["outcome"] == "unknown" and entry["detail"]["needs_manual_check"] is True

    [later] = service(ctx, mailer).deliver_month(OCTOBER, tenants=["hengelo"])
    assert later.outcome == "needs_manual_check" and mailer.sent == []


def test_a_crash_after_claiming_is_flagged_for_a_manual_check_and_resent_only_with_force(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    repo = DeliveryRepository(ctx.store)
    claimed = clock() - timedelta(minutes=31)  # a run claimed, (maybe) sent, then died before writing "sent"
    repo.create(
        DeliveryRecord(
            "enschede",
            "2026-10",
            SENDING,
            attempts=1,
            report_version=1,
            recipients=RECIPIENTS["enschede"],
            claim_id="dead",
            claimed_at=claimed.isoformat(),
        )
    )

    [outcome] = service(ctx, mailer).deliver_month(OCTOBER, tenants=["enschede"])
    assert outcome.outcome == "needs_manual_check" and mailer.sent == []
    flagged = record(ctx, "enschede")
    assert (flagged.state, flagged.needs_manual_check, flagged.attempts) == ("failed", True, 1)
    assert "interrupted while sending" in flagged.error
    [entry] = [e for e in audit(ctx, clock) if e["action"] == "delivery.failed"]
    assert entry["detail"]["outcome"] == "unknown" and entry["detail"]["claimed_at"] == claimed.isoformat()

    clock.now += timedelta(days=1)
    [again] = service(ctx, mailer).deliver_month(OCTOBER, tenants=["enschede"])
    assert again.outcome == "needs_manual_check" and mailer.sent == []

    [forced] = service(ctx, mailer).deliver_month(OCTOBER, actor="beheerder", force=True, tenants=["enschede"])
    assert forced.outcome == "sent" and mailer.tenants() == ["enschede"]
    resent = record(ctx, "enschede")
    assert (resent.state, resent.forced, resent.attempts, resent.actor) == ("sent", True, 2, "beheerder")
    [sent] = [e for e in audit(ctx, clock) if e["action"] == "delivery.sent"]
    assert sent["actor"] == "beheerder" and sent["detail"]["forced"] is True


def test_a_fresh_claim_of_another_run_is_left_alone(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    DeliveryRepository(ctx.store).create(
        DeliveryRecord(
            "almelo",
            "2026-10",
            SENDING,
            attempts=1,
            report_version=1,
            claimed_at=(clock() - timedelta(minutes=5)).isoformat(),
        )
    )
    [outcome] = service(ctx, mailer).deliver_month(OCTOBER, tenants=["almelo"], force=True)
    assert outcome.outcome == "in_progress" and mailer.sent == [] and record(ctx, "almelo").state == SENDING


def test_force_never_resends_a_sent_report(ctx: AppContext, municipalities: list[str], mailer: RecordingMailer) -> None:
    service(ctx, mailer).deliver_month(OCTOBER, tenants=["almelo"])
    [outcome] = service(ctx, mailer).deliver_month(OCTOBER, tenants=["almelo"], force=True)
    assert outcome.outcome == "already_sent" and len(mailer.sent) == 1


# -- flags ---------------------------------------------------------------------------------------------------


def test_a_tenant_without_recipients_is_flagged_and_delivered_once_recipients_are_added(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    ctx.admin.put_tenant(TenantRecord(tenant="hengelo", go_live=date(2025, 11, 3)))  # recipients removed
    outcomes = {o.tenant: o.outcome for o in service(ctx, mailer).deliver_month(OCTOBER)}
    assert outcomes == {"almelo": "sent", "enschede": "sent", "hengelo": "no_recipients"}
    assert record(ctx, "hengelo").state == "no_recipients" and "hengelo" not in mailer.tenants()
    assert ("delivery.skipped_no_recipients", "hengelo") in actions(ctx, clock)

    service(ctx, mailer).deliver_month(OCTOBER)
    assert actions(ctx, clock).count(("delivery.skipped_no_recipients", "hengelo")) == 1, "flagged once, not daily"

    ctx.admin.put_tenant(TenantRecord(tenant="hengelo", go_live=date(2025, 11, 3), recipients=RECIPIENTS["hengelo"]))
    outcomes = {o.tenant: o.outcome for o in service(ctx, mailer).deliver_month(OCTOBER)}
    assert outcomes == {"almelo": "already_sent", "enschede": "already_sent", "hengelo": "sent"}
    assert sorted(mailer.tenants()) == ["almelo", "enschede", "hengelo"]


def test_a_measured_tenant_without_a_stored_report_is_flagged(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    ctx.admin.put_tenant(
        TenantRecord(tenant="oldenzaal", go_live=date(2026, 1, 5), recipients=("a@oldenzaal.example",))
    )
    ctx.admin.put_tenant(TenantRecord(tenant="losser", go_live=date(2026, 10, 20), recipients=("a@losser.example",)))
    outcomes = {o.tenant: o.outcome for o in service(ctx, mailer).deliver_month(OCTOBER)}
    assert outcomes["oldenzaal"] == "no_report" and "losser" not in outcomes, "losser is measured from November"
    assert record(ctx, "oldenzaal").state == "no_report"
    assert ("delivery.skipped_no_report", "oldenzaal") in actions(ctx, clock)
    store_report(ctx, "oldenzaal")
    service(ctx, mailer).deliver_month(OCTOBER)
    assert record(ctx, "oldenzaal").state == "sent"


# -- concurrency -----------------------------------------------------------------------------------------------


class Racing:
    """A repository whose reads wait for the other instance's read, so both decide on the same state."""

    def __init__(self, inner: DeliveryRepository, barrier: threading.Barrier) -> None:
        self._inner, self._barrier = inner, barrier

    def get(self, tenant: str, month: str) -> DeliveryRecord | None:
        found = self._inner.get(tenant, month)
        self._barrier.wait(timeout=20)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def race(ctx: AppContext, clock: FixedClock, mailer: RecordingMailer, tenant: str) -> list[str]:
    """Two instances (separate clients over the same tables) deliver the same tenant-month at the same time."""
    other = bootstrap.build(ctx.settings, clock=clock, table_prefix=ctx.store._prefix)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def run(app: AppContext) -> None:
        try:
            repo = Racing(DeliveryRepository(app.store), barrier)
            delivery = DeliveryService(app.admin, app.reports, repo, mailer, render, app.clock)
            outcomes.append(delivery.deliver(tenant, OCTOBER).outcome)
        except BaseException as exc:  # noqa: BLE001 — reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(app,)) for app in (ctx, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return sorted(outcomes)


def test_two_concurrent_first_claims_send_only_once(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    assert race(ctx, clock, mailer, "enschede") == ["in_progress", "sent"]
    assert mailer.tenants() == ["enschede"] and record(ctx, "enschede").state == "sent"
    assert actions(ctx, clock) == [("delivery.sent", "enschede")]


def test_two_concurrent_retries_of_a_failed_delivery_send_only_once(
    ctx: AppContext, municipalities: list[str], clock: FixedClock
) -> None:
    mailer = RecordingMailer(MailError("HTTP 500", status=500))
    service(ctx, mailer).deliver(("almelo"), OCTOBER)
    assert record(ctx, "almelo").state == "failed"
    assert race(ctx, clock, mailer, "almelo") == ["in_progress", "sent"]
    assert mailer.tenants() == ["almelo"] and record(ctx, "almelo").attempts == 2


def test_a_run_starts_no_new_delivery_after_its_budget(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer
) -> None:
    ticks = iter([0.0, 0.0, 100.0, 400.0])
    outcomes = service(ctx, mailer, budget=timedelta(seconds=300), monotonic=lambda: next(ticks)).deliver_month(OCTOBER)
    assert [o.outcome for o in outcomes] == ["sent", "sent", "deferred"]
    assert DeliveryRepository(ctx.store).get("hengelo", "2026-10") is None


# -- the Function App: timers, mail mode, admin routes ------------------------------------------------------------

_FUNCTIONS: dict[str, Any] = {}


def delivery_app() -> dict[str, Any]:
    """The delivery functions: function_app's once the blueprint is registered there, else a private app."""
    if not _FUNCTIONS:
        registered = functions()
        if "deliver_month_reports" in registered:
            _FUNCTIONS.update(registered)
        else:
            app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
            app.register_functions(delivery_functions.bp)
            _FUNCTIONS.update({f.get_function_name(): f for f in app.get_functions()})
    return _FUNCTIONS


def call(
    name: str,
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    month: str = "2026-10",
) -> Reply:
    request = func.HttpRequest(
        method=method,
        url=f"http://localhost/api/admin/months/{month}/x",
        headers=headers or {},
        params=params or {},
        route_params={"month": month},
        body=b"",
    )
    response = delivery_app()[name].get_user_function()(request)
    text = response.get_body().decode()
    body = json.loads(text) if text and response.mimetype.endswith("json") else text
    return Reply(response.status_code, body, response.mimetype, dict(response.headers))


def timer(name: str) -> Callable[[], None]:
    return lambda: delivery_app()[name].get_user_function()(None)


def test_the_functions_are_two_enqueueing_timers_a_queue_trigger_with_its_poison_queue_and_two_admin_routes() -> None:
    names = (
        "delivery_morning",
        "delivery_midday",
        "delivery_item",
        "delivery_poisoned",
        "deliver_month_reports",
        "list_month_deliveries",
    )
    bindings = {name: delivery_app()[name].get_bindings()[0] for name in names}
    assert bindings["delivery_morning"].schedule == "0 0 6 * * *"
    assert bindings["delivery_midday"].schedule == "0 5 11 * * *"
    assert bindings["delivery_item"].queue_name == "%SLA_DELIVERY_QUEUE_NAME%"
    assert bindings["delivery_poisoned"].queue_name == "%SLA_DELIVERY_QUEUE_NAME%-poison"
    assert bindings["deliver_month_reports"].route == "admin/months/{month}/deliver"
    assert bindings["list_month_deliveries"].route == "admin/months/{month}/deliveries"
    assert "delivery_monthly" not in delivery_app() and "delivery_daily_retry" not in delivery_app()


def test_the_mail_mode_picks_the_mailer(ctx: AppContext, tmp_path: Path) -> None:
    outbox = ctx.with_settings(outbox_dir=str(tmp_path))
    made = outbox.mailer
    assert isinstance(made, Outbox) and made.directory == tmp_path and outbox.mailer is made
    via_graph = ctx.with_settings(mail_mode="graph")
    made_graph = via_graph.mailer
    assert isinstance(made_graph, GraphMailer) and made_graph.sender == "rapportage@example.org"
    assert made_graph._credential is None, "no credential before the first send"


def test_admin_delivers_a_month_into_the_outbox_and_lists_the_records(
    ctx: AppContext, municipalities: list[str], clock: FixedClock, tmp_path: Path
) -> None:
    ctx.mailer = Outbox(tmp_path, ctx.settings.mail_sender, ctx.clock)
    ctx.render = render
    reply = call("deliver_month_reports", headers=ADMIN)
    assert reply.status == 202 and reply.body["month"] == "2026-10" and reply.body["force"] is False
    assert [(o["tenant"], o["outcome"], o["kind"]) for o in reply.body["outcomes"]] == [
        (t, "sent", "report") for t in municipalities
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{t}-2026-10-v1.eml" for t in municipalities]
    with (tmp_path / "enschede-2026-10-v1.eml").open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    assert message["To"] == ", ".join(RECIPIENTS["enschede"])

    again = call("deliver_month_reports", headers=ADMIN)
    assert [o["outcome"] for o in again.body["outcomes"]] == ["already_sent"] * 3 and len(list(tmp_path.iterdir())) == 3

    listed = call("list_month_deliveries", method="GET", headers=ADMIN)
    assert listed.status == 200 and [r["tenant"] for r in listed.body] == municipalities
    enschede = listed.body[1]
    assert enschede["state"] == "sent" and enschede["mode"] == "outbox"
    assert enschede["eml_path"] == str(tmp_path / "enschede-2026-10-v1.eml")
    assert enschede["recipients"] == list(RECIPIENTS["enschede"]) and enschede["report_version"] == 1
    [sent] = [e for e in audit(ctx, clock) if e["action"] == "delivery.sent" and e["tenant"] == "enschede"]
    assert sent["actor"] == "beheerder@stratech.example"


def test_admin_can_force_one_tenant(
    ctx: AppContext, municipalities: list[str], mailer: RecordingMailer, clock: FixedClock
) -> None:
    DeliveryRepository(ctx.store).create(
        DeliveryRecord(
            "hengelo", "2026-10", "failed", attempts=1, report_version=1, needs_manual_check=True, error="unknown"
        )
    )
    reply = call("deliver_month_reports", headers=ADMIN, params={"tenant": "hengelo"})
    assert reply.status == 202 and [o["outcome"] for o in reply.body["outcomes"]] == ["needs_manual_check"]
    reply = call("deliver_month_reports", headers=ADMIN, params={"tenant": "hengelo", "force": "true"})
    assert [o["outcome"] for o in reply.body["outcomes"]] == ["sent"] and mailer.tenants() == ["hengelo"]


@pytest.mark.parametrize(
    ("name", "method", "headers", "params", "month", "status"),
    [
        pytest.param(
            "deliver_month_reports", "POST", {}, {}, "2026-10", 401, id="deliver without a principal is a 401"
        ),
        pytest.param("deliver_month_reports", "POST", READER, {}, "2026-10", 403, id="a reader may not deliver"),
        pytest.param("deliver_month_reports", "POST", ADMIN, {}, "oktober", 400, id="a malformed month is a 400"),
        pytest.param(
            "deliver_month_reports", "POST", ADMIN, {"force": "ja"}, "2026-10", 400, id="a malformed force is a 400"
        ),
        pytest.param(
            "deliver_month_reports",
            "POST",
            ADMIN,
            {"tenant": "atlantis"},
            "2026-10",
            404,
            id="an unknown tenant is a 404",
        ),
        pytest.param(
            "list_month_deliveries", "GET", {}, {}, "2026-10", 401, id="the list without a principal is a 401"
        ),
        pytest.param("list_month_deliveries", "GET", READER, {}, "2026-10", 403, id="a reader may not list deliveries"),
    ],
)
def test_the_admin_routes_refuse_bad_callers_and_input(
    ctx: AppContext,
    municipalities: list[str],
    mailer: RecordingMailer,
    name: str,
    method: str,
    headers: dict,
    params: dict,
    month: str,
    status: int,
) -> None:
    reply = call(name, method=method, headers=headers, params=params, month=month)
    assert reply.status == status and reply.mimetype == "application/problem+json"
    assert mailer.sent == []


# -- with the real renderer ----------------------------------------------------------------------------------------


def test_a_computed_report_is_rendered_and_every_cid_in_the_html_is_an_inline_image(
    ctx: AppContext,
    clock: FixedClock,
    tmp_path: Path,
    fake_graph: FakeGraph,  # noqa: F811
) -> None:
    ctx.admin.put_tenant(TenantRecord(tenant="enschede", go_live=date(2025, 9, 15), recipients=RECIPIENTS["enschede"]))
    for n in range(31):  # every day of October complete: the report is final (measurement §8.5)
        ctx.availability.save_day(
            date(2026, 10, 1) + timedelta(days=n), [], complete=True, ingested_at="2026-11-01T03:30:00+00:00"
        )
    ctx.monthly.compute("enschede", OCTOBER)
    ctx.mailer = Outbox(tmp_path, ctx.settings.mail_sender, ctx.clock)
    [outcome] = ctx.delivery.deliver_month(OCTOBER)  # the default renderer
    assert outcome.outcome == "sent", outcome.detail
    with (tmp_path / "enschede-2026-10-v1.eml").open("rb") as handle:
        message = BytesParser(policy=policy.default).parse(handle)
    html = message.get_body(preferencelist=("html",)).get_content()
    cids = set(re.findall(r'cid:([^"\'\s)>]+)', html))
    inline = {part["Content-ID"].strip("<>") for part in message.walk() if part.get_content_disposition() == "inline"}
    assert cids and cids <= inline
    kinds = sorted(part.get_content_type() for part in message.iter_attachments())
    assert kinds == ["application/pdf", "application/vnd.oasis.opendocument.spreadsheet"]

    graph_mailer = GraphMailer(
        "rapportage@example.org", credential=FakeCredential(), base_url=fake_graph.graph_url, sleep=lambda s: None
    )
    report = ctx.reports.latest("enschede", "2026-10")
    assert report is not None
    graph_mailer.send(
        Envelope("enschede", "2026-10", 1, RECIPIENTS["enschede"], "x"), bootstrap.render_report(report.body)
    )
    [request] = fake_graph.requests
    attachments = request.json()["message"]["attachments"]
    assert cids <= {a["contentId"] for a in attachments if a.get("isInline")}

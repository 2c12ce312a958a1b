"""The month-end drill: the production sequence in-process over Azurite with a simulated clock.

:func:`run` plays one :class:`~tests.drill.drill_world.Scenario`:

1. a fresh Azurite; the queues ``infra/`` declares are created first (as a
   deployment does), with the names the settings model defaults to;
2. the app's object graph as production builds it (``bootstrap.build``:
   Graph mail, Azure Monitor), with three stand-ins for other systems: Azure
   Monitor (the real ``LogsQueryClient`` over :mod:`drill_monitor`), Graph
   (:mod:`drill_graph`, faults per tenant) and the PDF renderer
   (:func:`drill_graph.drill_render`);
3. the tenants through the admin API, the month's first days backfilled,
   the ticket events posted through the signed webhook a minute after they
   happen, one poison message on the monthly queue, one tenant whose
   computation fails twice (a lost Table Storage connection);
4. from the 14th to a week into the next month: every timer at the instants
   of its registered schedule, the queues drained by :mod:`drill_host`
   after every step, and an operator who each morning settles each e-mail
   flagged "outcome unknown": confirmed sent when it is in the Sent Items,
   else confirmed not sent and delivered again;
5. the verdict (:mod:`drill_check`) against the CLI over the complete data.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import azure.functions as func
import httpx
from azure.core.exceptions import ServiceRequestError

from sla_app import bootstrap
from sla_app.bootstrap import AppContext
from sla_app.http.auth import encode_principal, sign_timestamped
from sla_app.mail.graph_mail import GraphMailer
from sla_app.settings import Settings
from tests.drill import drill_check, drill_host, drill_monitor
from tests.drill.drill_graph import TIMEOUT_SECONDS, DrillGraph, Mail, drill_render
from tests.drill.drill_world import ZONE, Scenario, World, build
from tests.support.fake_graph import FakeCredential
from tools import azurite, local_pipeline

ADMIN = {"X-MS-CLIENT-PRINCIPAL": encode_principal("drill-operator@stratech.example", ["SLA.Admin"])}
SENDER = "rapportage@stratech.example"
SUPPLIER = "servicedesk@stratech.example"
WORKSPACE = "5d1f0a3e-8c7b-4e2a-9f60-0d2b1c3a4e5f"
SECRET = "drill-webhook-secret-0123456789abcdef"  # at least 32 bytes (shorter is a configuration error)
POISON = {"tenant": "drill-001"}  # no month: can never be computed
TRANSIENT_FAILURES = 2
_log = logging.getLogger("drill")


class SimClock:
    """The simulated clock (aware UTC); only moves forward."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def to(self, instant: datetime) -> None:
        self.now = max(self.now, instant)


class FlakyEvents:
    """The events repository, failing the first calls about one tenant while ``active()`` (a monthly computation)."""

    def __init__(self, inner: Any, tenant: str, active: Callable[[], bool], failures: int = TRANSIENT_FAILURES) -> None:
        self._inner, self._tenant, self._active, self._left = inner, tenant, active, failures
        self.injected = 0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            if self._left and self._active() and self._tenant in args:
                self._left -= 1
                self.injected += 1
                raise ServiceRequestError("drill fault: connection to Table Storage reset")
            return attribute(*args, **kwargs)

        return call


def settings_for(connection_string: str) -> Settings:
    """Production settings but for the local storage connection; queue names left at their (infra) defaults."""
    return Settings.model_validate(
        {
            "AzureWebJobsStorage__accountName": azurite.ACCOUNT,
            "SLA_TABLES_ENDPOINT": f"http://127.0.0.1/{azurite.ACCOUNT}",
            "SLA_QUEUES_ENDPOINT": f"http://127.0.0.1/{azurite.ACCOUNT}",
            "SLA_LOG_ANALYTICS_WORKSPACE_ID": WORKSPACE,
            "SLA_MAIL_MODE": "graph",
            "SLA_MAIL_SENDER": SENDER,
            "SLA_WEBHOOK_SECRET_EVENTS": SECRET,
            "SLA_WEBHOOK_SECRET_JIRA": SECRET,
            "SLA_WEBHOOK_TOKEN_TOPDESK": SECRET,
            "SLA_STORAGE_CONNECTION_STRING": connection_string,
            "SLA_SUPPLIER_MAILBOX": SUPPLIER,  # the at-risk notice and the overview (ignored by a model without it)
            "WEBSITE_AUTH_ENABLED": "true",  # as on Azure: App Service Authentication in front of the signed-in API
            "SLA_SECURITY_TXT_URL": "https://sla.example.nl/.well-known/security.txt",
        }
    )


def call(
    name: str,
    *,
    method: str = "POST",
    body: Any = None,
    raw: bytes | None = None,
    route: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Call a registered HTTP function with a real ``func.HttpRequest``; (status, decoded JSON or text)."""
    payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    request = func.HttpRequest(
        method=method,
        url=f"http://localhost/api/{name}",
        headers=headers or {},
        params=params or {},
        route_params=route or {},
        body=payload,
    )
    response = local_pipeline.registered()[name].get_user_function()(request)
    text = response.get_body().decode()
    try:
        return response.status_code, json.loads(text) if text else None
    except ValueError:
        return response.status_code, text


def faults_for(tenants: list[str]) -> dict[str, list[str]]:
    """Graph faults spread over the first six tenants, one kind each (the first is throttled until the client gives up)."""
    plan = [["429x4"], ["504-after"], ["timeout-after"], ["reset-after"], ["reset-before"], ["503"]]
    return {tenant: faults for tenant, faults in zip(tenants, plan)}


@dataclass
class DrillRun:
    """Everything a drill did, for the tests and the command."""

    world: World
    verdict: drill_check.Verdict
    host: drill_host.HostLog
    graph: DrillGraph
    expected: dict[str, dict[str, Any]]
    services: AppContext
    flaky: FlakyEvents
    queues: list[str]
    operator_resends: list[str]
    operator_confirmations: list[str]  # "<instant> <tenant> <kind> v<version> sent=<found in Sent Items>"
    audit: list[dict[str, Any]]  # every audit entry written during the drill (read before Azurite stops)

    @property
    def line(self) -> str:
        return self.verdict.line()

    @property
    def supplier_mails(self) -> list[Mail]:
        """The accepted e-mails to the supplier's service desk (notices), in order."""
        return [m for m in self.graph.sent if SUPPLIER in m.recipients]


class _Drill:
    def __init__(
        self,
        world: World,
        server: azurite.Azurite,
        graph: DrillGraph,
        clock: SimClock,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.world, self.clock, self.graph, self.progress = world, clock, graph, progress
        self.month = str(world.scenario.month)
        self.queues = drill_host.create_infra_queues(server.connection_string)
        settings = settings_for(server.connection_string)
        self.ctx = bootstrap.build(settings, clock=clock)
        bootstrap.use(self.ctx)
        self.host = drill_host.Host(local_pipeline.registered(), settings, server.connection_string, clock)
        client, self.logs = drill_monitor.logs_client(world, clock)
        self.ctx.logs_client = client
        self.ctx.mailer = GraphMailer(
            SENDER,
            credential=FakeCredential(),
            base_url=graph.graph_url,
            sleep=lambda s: clock.advance(timedelta(seconds=s)),
            now=clock,
            timeout=httpx.Timeout(TIMEOUT_SECONDS),
        )
        self.ctx.render = drill_render
        monthly_queue = settings.monthly_queue_name
        computing = {q.name for q in self.host.queues if q.queue == monthly_queue}
        self.flaky = FlakyEvents(self.ctx.events, world.measured[-1], lambda: self.host.current in computing)
        self.ctx.events = self.flaky
        self.monthly_queue = monthly_queue
        self.resends: list[str] = []
        self.confirmations: list[str] = []

    def setup(self, scratch: Path) -> None:
        start = self.world.scenario.start
        for tenant in self.world.tenants:
            status, answer = call(
                "tenant_resource",
                method="PUT",
                body=tenant.to_admin_json(),
                route={"tenant": tenant.tenant},
                headers=ADMIN,
            )
            assert status in (200, 201), answer
        # The days before the drill were ingested before it: backfilled here from a CSV export (local mode), by a
        # context of its own (a context's members are built once, from its settings; the drill's reads Monitor).
        history = str(self.world.history_csv(scratch / "history.csv"))
        first = self.world.scenario.month.first_day()
        bootstrap.use(self.ctx.with_settings(results_csv=history))
        try:
            status, answer = call(
                "backfill_availability",
                headers=ADMIN,
                body={"start": first.isoformat(), "end": start.astimezone(ZONE).date().isoformat()},
            )
        finally:
            bootstrap.use(self.ctx)
        assert status == 200 and answer["incomplete"] == 0, answer
        self.post([e for e in self.world.events if self.world.posted[e["event_id"]] <= start])
        self.host.client(self.monthly_queue).send_message(json.dumps(POISON))

    def post(self, events: list[dict[str, Any]]) -> None:
        for index in range(0, len(events), 1000):
            body = json.dumps(events[index : index + 1000]).encode()
            headers = sign_timestamped(SECRET, body, int(self.clock().timestamp()))
            status, answer = call("post_ticket_events", raw=body, headers=headers)
            assert status == 200, answer

    def timeline(self) -> list[tuple[datetime, int, str, Any]]:
        scenario = self.world.scenario
        steps: list[tuple[datetime, int, str, Any]] = []
        due: dict[datetime, list[dict[str, Any]]] = {}
        for event in self.world.events:
            posted = self.world.posted[event["event_id"]]
            if posted > scenario.start:
                slot = posted + (datetime.min.replace(tzinfo=UTC) - posted) % timedelta(minutes=5)
                due.setdefault(slot, []).append(event)
        steps += [(at, 0, "post", events) for at, events in due.items()]
        steps += [(at, 1, name, None) for at, name in self.host.firings(scenario.start, scenario.end)]
        day = scenario.month.shift(1).first_day()
        while (morning := datetime.combine(day, time(9, 0), ZONE).astimezone(UTC)) < scenario.end:
            steps.append((morning, 2, "operator", None))
            day += timedelta(days=1)
        return sorted(steps, key=lambda s: (s[0], s[1], s[2]))

    def operator(self) -> None:
        """Each morning: settle every e-mail flagged "outcome unknown" after looking in Sent Items (the runbook).

        Found there → confirm it as sent (later corrections then follow by themselves); not found → confirm it
        as not sent and deliver it now.
        """
        status, records = call("list_month_deliveries", method="GET", route={"month": self.month}, headers=ADMIN)
        if status != 200:
            return
        for record in records:
            if not record.get("needs_manual_check"):
                continue
            tenant, version, kind = record["tenant"], record.get("report_version"), record["kind"]
            found = any(m.tag == self._tag(record) for m in self.graph.sent)
            body: dict[str, Any] = {"sent": found, "note": f"Sent Items searched: {'found' if found else 'absent'}"}
            if kind != "report":
                body |= {"kind": kind, **({"version": version} if kind == "correction" else {})}
            status, answer = call(
                "confirm_delivery", route={"month": self.month, "tenant": tenant}, body=body, headers=ADMIN
            )
            assert status == 200, answer
            self.confirmations.append(f"{self.clock().isoformat()} {tenant} {kind} v{version} sent={found}")
            if found:
                continue
            if kind == "report" or kind == "correction":
                call("deliver_month_reports", route={"month": self.month}, params={"tenant": tenant}, headers=ADMIN)
            else:
                call("deliver_month_reports", route={"month": self.month}, params={"notice": kind}, headers=ADMIN)
            self.resends.append(f"{self.clock().isoformat()} {tenant} v{version}")

    def _tag(self, record: dict[str, Any]) -> str:
        """The ``X-SLA-Delivery`` header of the record's last send attempt (what the operator searches for)."""
        kind = "" if record["kind"] == "report" else f"{record['kind']}/"
        return f"{record['tenant']}/{record['month']}/{kind}v{record.get('report_version') or 0}/{record['claim_id']}"

    def play(self, scratch: Path) -> None:
        self.setup(scratch)
        self.host.drain()
        day = None
        for at, _, what, payload in self.timeline():
            self.clock.to(at)
            if self.progress is not None and at.astimezone(ZONE).date() != day:
                day = at.astimezone(ZONE).date()
                self.progress(
                    f"{day.isoformat()}: {self.host.log.handled} queue messages so far, "
                    f"{len(self.graph.sent)} e-mails accepted"
                )
            if what == "post":
                self.post(payload)
            elif what == "operator":
                self.operator()
            else:
                self.host.fire(what, at)
            self.host.drain()


def run(scenario: Scenario, folder: Path | None = None, progress: Callable[[str], None] | None = None) -> DrillRun:
    """Play ``scenario`` and judge it; Azurite and the fake Graph are started and stopped here.

    ``progress`` hears about each simulated day as it begins (the command prints it).
    """
    world = build(scenario)
    clock = SimClock(scenario.start)
    graph = DrillGraph(clock, faults_for(world.measured))
    server = azurite.start()
    graph.start()
    try:
        with tempfile.TemporaryDirectory(prefix="drill-") as scratch:
            drill = _Drill(world, server, graph, clock, progress)
            drill.play(Path(scratch))
            expected = drill_check.cli_reports(world, Path(folder or scratch), scenario.end)
        verdict = drill_check.judge(world, graph.sent, expected)
        audit = [
            entry
            for day in drill_check.days_between(scenario.start, clock())
            for entry in drill.ctx.admin.audit_entries(day)
        ]
        return DrillRun(
            world,
            verdict,
            drill.host.log,
            graph,
            expected,
            drill.ctx,
            drill.flaky,
            drill.queues,
            drill.resends,
            drill.confirmations,
            audit,
        )
    finally:
        bootstrap.use(None)
        graph.stop()
        server.stop()

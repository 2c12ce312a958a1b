"""The whole service run locally over Azurite, through the real handlers (demo, end-to-end test, benchmark).

1. tenants from the contract file (admin API: ``PUT /api/tenants/{tenant}``),
2. ticket events posted to ``POST /api/tickets/events`` in signed batches,
3. availability ingested by ``POST /api/admin/availability/backfill`` from a
   CSV export (the local stand-in for Azure Monitor),
4. exclusions recorded through ``POST /api/tenants/_all/exclusions``,
5. the month run: ``POST /api/admin/months/{month}/run`` enqueues one
   message per tenant; each message is handed to the queue-triggered
   function, which computes and stores the tenant's report,
6. delivery: ``POST /api/admin/months/{month}/deliver`` mails every stored
   report once (locally: ``.eml`` files in the outbox folder).

Every step goes through ``function_app``'s registered functions with real
``azure.functions`` request and message objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import azure.functions as func
from azure.functions.queue import QueueMessage

from sla_app.bootstrap import AppContext
from sla_app.http.auth import encode_principal, sign_timestamped
from sla_core.periods import Month

ADMIN_PRINCIPAL = encode_principal("demo-beheerder@stratech.example", ["SLA.Admin"])


class PipelineError(RuntimeError):
    """A step answered with an error status."""


@dataclass
class PipelineRun:
    """What the run did, for printing and assertions."""

    events_posted: int = 0
    event_requests: int = 0
    storage_requests_for_events: int = 0
    days: int = 0
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: list[dict[str, Any]] = field(default_factory=list)


_REGISTERED: dict[str, Any] = {}


def registered() -> dict[str, Any]:
    """``function_app``'s functions by name; ``get_functions()`` may be called only once per app, so cached here."""
    if not _REGISTERED:
        import function_app

        _REGISTERED.update({f.get_function_name(): f for f in function_app.app.get_functions()})
    return _REGISTERED


def _functions() -> dict[str, Any]:
    return {name: function.get_user_function() for name, function in registered().items()}


def _http(
    name: str,
    body: Any = None,
    *,
    route: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
    method: str = "POST",
) -> Any:
    payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    request = func.HttpRequest(
        method=method,
        url=f"http://localhost/api/{name}",
        headers=headers or {},
        params={},
        route_params=route or {},
        body=payload,
    )
    response = _functions()[name](request)
    text = response.get_body().decode()
    if response.status_code >= 300:
        raise PipelineError(f"{name}: {response.status_code} {text}")
    return json.loads(text) if text else None


def put_tenants(contract_file: Path) -> list[str]:
    """Create the contract file's tenants through the admin API, each with a sample recipient."""
    contract = json.loads(contract_file.read_text(encoding="utf-8"))
    tenants = contract["tenants"]
    # The rest of the contract file (its version, any changed rule) is each tenant's override, so the
    # service measures with the same contract as ``python -m sla_cli report --contract`` on that file.
    override = {key: value for key, value in contract.items() if key != "tenants"}
    admin = {"X-MS-CLIENT-PRINCIPAL": ADMIN_PRINCIPAL}
    for tenant, window in tenants.items():
        body = {**window, "recipients": [f"contractbeheer@{tenant}.example"]}  # RFC 2606: no real address
        if override:
            body["contract_override"] = override
        _http("tenant_resource", body, route={"tenant": tenant}, headers=admin, method="PUT")
    return sorted(tenants)


def post_events(ctx: AppContext, events_file: Path, batch: int = 1000) -> tuple[int, int, int]:
    """Post a JSON Lines file in signed batches; returns (events, requests, storage requests)."""
    lines = [json.loads(line) for line in events_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    before = ctx.store.requests
    requests = 0
    for start in range(0, len(lines), batch):
        body = json.dumps(lines[start : start + batch]).encode()
        stamp = int(ctx.clock().timestamp())
        headers = sign_timestamped(ctx.settings.webhook_secret_events, body, stamp)
        _http("post_ticket_events", raw=body, headers=headers)
        requests += 1
    return len(lines), requests, ctx.store.requests - before


def ingest_availability(month: Month) -> int:
    """Backfill the month's local days from the configured CSV export; returns the days stored."""
    admin = {"X-MS-CLIENT-PRINCIPAL": ADMIN_PRINCIPAL}
    body = {"start": month.first_day().isoformat(), "end": month.shift(1).first_day().isoformat()}
    result = _http("backfill_availability", body, headers=admin)
    return len(result["days"])


def record_exclusions(exclusions_file: Path) -> None:
    """Record exclusions for every tenant through the admin API."""
    admin = {"X-MS-CLIENT-PRINCIPAL": ADMIN_PRINCIPAL}
    for exclusion in json.loads(exclusions_file.read_text(encoding="utf-8")):
        _http("tenant_exclusions", exclusion, route={"tenant": "_all"}, headers=admin)


def run_month(ctx: AppContext, month: Month) -> list[str]:
    """Enqueue the month and hand every queued message to the queue trigger (as the host would)."""
    admin = {"X-MS-CLIENT-PRINCIPAL": ADMIN_PRINCIPAL}
    enqueued = _http("run_month", route={"month": str(month)}, headers=admin)["enqueued"]
    client = ctx.monthly_queue.client
    handled = []
    while len(handled) < len(enqueued):
        messages = list(client.receive_messages(max_messages=32))
        if not messages:
            break
        for message in messages:
            body = message.content.encode()
            _functions()["monthly_tenant_report"](QueueMessage(id=message.id, body=body, dequeue_count=1))
            client.delete_message(message)
            handled.append(json.loads(body)["tenant"])
    return sorted(handled)


def deliver(month: Month) -> list[dict[str, Any]]:
    """Mail the month's stored reports (exactly once each); returns the outcomes."""
    admin = {"X-MS-CLIENT-PRINCIPAL": ADMIN_PRINCIPAL}
    return _http("deliver_month_reports", route={"month": str(month)}, headers=admin)["outcomes"]


def run(ctx: AppContext, samples: Path, month: Month, log: Callable[[str], None] = lambda _: None) -> PipelineRun:
    """The whole pipeline over the files in ``samples`` (contract.json, events.jsonl, exclusions.json)."""
    result = PipelineRun()
    tenants = put_tenants(samples / "contract.json")
    log(f"gemeenten: {', '.join(tenants)}")
    result.events_posted, result.event_requests, result.storage_requests_for_events = post_events(
        ctx, samples / "events.jsonl"
    )
    log(
        f"meldingsgebeurtenissen: {result.events_posted} verstuurd in {result.event_requests} ondertekende verzoeken "
        f"({result.storage_requests_for_events} Table Storage-verzoeken)"
    )
    result.days = ingest_availability(month)
    log(f"beschikbaarheid: {result.days} dagen ingelezen")
    if (samples / "exclusions.json").exists():
        record_exclusions(samples / "exclusions.json")
    handled = run_month(ctx, month)
    log(f"maandrun {month}: {len(handled)} rapporten berekend via de wachtrij")
    for tenant in tenants:
        stored = ctx.reports.latest(tenant, str(month))
        if stored is None:
            raise PipelineError(f"no stored report for {tenant} {month}")
        result.reports[tenant] = stored.body
    result.deliveries = deliver(month)
    sent = sum(1 for outcome in result.deliveries if outcome["outcome"] == "sent")
    log(f"verzending: {sent} van {len(result.deliveries)} rapporten gemaild ({ctx.settings.mail_mode})")
    return result

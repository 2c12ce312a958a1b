"""What one tenant's delivery message costs in storage requests, counted at the HTTP transport over Azurite.

The once-only protocol needs, for a first report e-mail: the tenant's
delivery records and report keys of the message's months (two queries), the
tenant, the report, the claim (insert), the outcome (replace under the
claim's ETag) and the audit. Months without a report are flagged together
(one transaction), and the message's audit entries are written together. The
tables exist (infra creates them; the app creates a missing one once per
process), so they are touched before counting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from azure.core.pipeline.transport import RequestsTransport
from azure.functions.queue import QueueMessage

from sla_app.bootstrap import AppContext
from sla_app.records import TenantRecord
from sla_app.services.delivery_runs import lookback
from sla_app.storage.deliveries_repo import DeliveryRepository
from tests.app.test_delivery import RecordingMailer, delivery_app, render, store_report
from tests.support.app import FixedClock

MORNING = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
FIRST_DELIVERY_REQUESTS = 8


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every HTTP request made through azure-core's requests transport, as ``METHOD path``."""
    made: list[str] = []
    send = RequestsTransport.send

    def counting(transport: Any, request: Any, **kwargs: Any) -> Any:
        made.append(f"{request.method} {unquote(urlsplit(request.url).path)}")
        return send(transport, request, **kwargs)

    monkeypatch.setattr(RequestsTransport, "send", counting)
    yield made


@pytest.fixture
def mailer(ctx: AppContext, clock: FixedClock) -> RecordingMailer:
    clock.now = MORNING
    recording = RecordingMailer()
    ctx.mailer, ctx.render = recording, render
    ctx.admin.put_tenant(
        TenantRecord(tenant="enschede", go_live=date(2025, 9, 15), recipients=("ict@enschede.example",))
    )
    for table in ("deliveries", "audit", "reports", "tenants"):
        ctx.store.table(table)
    return recording


def months(ctx: AppContext) -> list[str]:
    """The 13 months a delivery message names on 2 November 2026."""
    return [str(m) for m in lookback(MORNING, ctx.zone)]


def deliver(months: list[str]) -> None:
    body = json.dumps({"tenant": "enschede", "months": months}).encode()
    delivery_app()["delivery_item"].get_user_function()(QueueMessage(id="m", body=body, dequeue_count=1))


def test_a_first_delivery_with_twelve_months_still_without_a_report_makes_at_most_eight_requests(
    ctx: AppContext, mailer: RecordingMailer, requests: list[str], clock: FixedClock
) -> None:
    store_report(ctx, "enschede")
    requests.clear()
    deliver(months(ctx))
    assert len(requests) <= FIRST_DELIVERY_REQUESTS, "\n".join(requests)
    assert [(e.month, e.kind) for e, _ in mailer.sent] == [("2026-10", "report")]
    records = DeliveryRepository(ctx.store).of_tenant("enschede", "2025-10", "2026-10")
    assert [r.state for r in records] == ["no_report"] * 12 + ["sent"]
    actions = [e["action"] for e in ctx.admin.audit_entries(clock().date()) if e["tenant"] == "enschede"]
    assert sorted(actions) == ["delivery.sent"] + ["delivery.skipped_no_report"] * 12


def test_the_same_message_again_only_reads_the_records_and_the_report_keys(
    ctx: AppContext, mailer: RecordingMailer, requests: list[str]
) -> None:
    store_report(ctx, "enschede")
    deliver(months(ctx))
    requests.clear()
    deliver(months(ctx))
    assert len(requests) == 2, "\n".join(requests)
    assert len(mailer.sent) == 1


def test_the_next_month_after_twelve_mailed_ones_makes_seven_requests(
    ctx: AppContext, mailer: RecordingMailer, requests: list[str]
) -> None:
    for month in months(ctx):
        store_report(ctx, "enschede", month)
    deliver(months(ctx)[:-1])
    assert len(mailer.sent) == 12
    requests.clear()
    deliver(months(ctx))
    assert len(requests) <= 7, "\n".join(requests)
    assert [e.month for e, _ in mailer.sent[12:]] == ["2026-10"]

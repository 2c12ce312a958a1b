"""The tenant is bound to the webhook credential.

The defect: the tenant came from ``?tenant=``, outside the signature; one
signed Jira body posted with three tenants was stored in all three, and
replayed a day later was still accepted. Now each tenant has its own
credential, derived from the tool's master secret, and a Jira delivery's
signed ``timestamp`` must be fresh.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from sla_app.bootstrap import AppContext
from sla_app.services.tool_credentials import tenant_credential
from tests.app import test_jira as jira
from tests.app import test_topdesk as topdesk
from tests.support.app import SECRETS, FixedClock, call_http
from tools import webhook_credential


def rows(ctx: AppContext, tenant: str) -> list[str]:
    return sorted(json.dumps(dict(e), sort_keys=True, default=str) for e in ctx.store.partition("ticketevents", tenant))


def test_one_signed_jira_body_posted_for_three_tenants_is_stored_for_its_own_tenant_only(
    ctx: AppContext, tenants: list[str]
) -> None:
    body = json.dumps(jira.OPEN).encode()
    headers = jira.signed(body, jira.secret_of("enschede"))
    jira.received_at(jira.OPEN)
    statuses = {
        t: call_http("post_jira_issue", url=jira.URL, params={"tenant": t}, headers=headers, body=body).status
        for t in ("enschede", "hengelo", "almelo")
    }
    assert statuses == {"enschede": 200, "hengelo": 401, "almelo": 401}
    assert rows(ctx, "enschede") and rows(ctx, "hengelo") == [] and rows(ctx, "almelo") == []


def test_one_topdesk_delivery_sent_to_another_tenant_is_refused(ctx: AppContext, tenants: list[str]) -> None:
    token = tenant_credential(SECRETS["topdesk"], "topdesk", "enschede")
    assert topdesk.post(topdesk.incident(), token=token, tenant="enschede").status == 200
    assert topdesk.post(topdesk.incident(), token=token, tenant="hengelo").status == 401
    assert rows(ctx, "hengelo") == []


@pytest.mark.parametrize(
    ("delay", "status"),
    [
        pytest.param(timedelta(seconds=2), 200, id="received at once: accepted"),
        pytest.param(timedelta(minutes=59), 200, id="retried by Jira within the hour: accepted"),
        pytest.param(timedelta(hours=1, seconds=1), 401, id="an hour and a second later: refused as a replay"),
        pytest.param(timedelta(days=1), 401, id="replayed a day later: refused"),
        pytest.param(timedelta(minutes=-6), 401, id="dated more than five minutes ahead: refused"),
    ],
)
def test_a_jira_delivery_is_accepted_only_within_its_timestamp_window(
    ctx: AppContext, tenants: list[str], delay: timedelta, status: int
) -> None:
    reply = jira.post(jira.OPEN, delay=delay)
    assert reply.status == status, reply.body
    assert bool(rows(ctx, "enschede")) == (status == 200)


def test_a_captured_jira_delivery_replayed_later_changes_nothing(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    story = jira.english_story()
    for payload in story[:3]:
        assert jira.post(payload).status == 200
    before = rows(ctx, "enschede")
    reply = jira.post(story[1], delay=timedelta(days=1))
    assert reply.status == 401 and "window" in reply.body["detail"]
    assert rows(ctx, "enschede") == before


def test_a_jira_delivery_without_a_timestamp_is_refused(ctx: AppContext, tenants: list[str]) -> None:
    payload = {k: v for k, v in jira.OPEN.items() if k != "timestamp"}
    assert jira.post(payload).status == 401
    assert rows(ctx, "enschede") == []


def test_a_captured_topdesk_delivery_replayed_later_changes_nothing(
    ctx: AppContext, tenants: list[str], clock: FixedClock
) -> None:
    story = topdesk.story()
    for payload in story:
        assert topdesk.post(payload).status == 200
    before = rows(ctx, "enschede")
    clock.now += timedelta(days=30)
    for payload in (story[1], story[0], story[4]):
        reply = topdesk.post(payload)
        assert reply.status == 200 and reply.body["received"] == 0
    assert rows(ctx, "enschede") == before


def test_credentials_differ_per_tenant_and_tool_and_are_43_url_safe_characters() -> None:
    seen = {
        tenant_credential("m" * 32, tool, tenant)
        for tool in ("topdesk", "jira")
        for tenant in ("enschede", "hengelo", "almelo")
    }
    assert len(seen) == 6
    assert all(len(c) == 43 and c.replace("-", "").replace("_", "").isalnum() for c in seen)
    assert tenant_credential("m" * 32, "jira", "enschede") != tenant_credential("n" * 32, "jira", "enschede")


def test_the_command_prints_a_tenants_credential_from_the_master_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLA_WEBHOOK_SECRET_JIRA", SECRETS["jira"])
    assert webhook_credential.main(["--tool", "jira", "--tenant", "enschede"]) == 0
    assert capsys.readouterr().out.strip() == tenant_credential(SECRETS["jira"], "jira", "enschede")
    monkeypatch.delenv("SLA_WEBHOOK_TOKEN_TOPDESK", raising=False)
    assert webhook_credential.main(["--tool", "topdesk", "--tenant", "enschede"]) == 2
    assert webhook_credential.main(["--tool", "jira", "--tenant", "../etc"]) == 2

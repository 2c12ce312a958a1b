"""Fixtures for the Function App tests: Azurite, a services graph over it, the registered functions.

Azurite is started once per session (in memory, loopback) and stopped by its
PID. Each test gets its own table prefix and queue, so tests never see each
other's data. Handlers are called through the real azure-functions objects.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import azure.functions as func
import pytest

from sla_app import bootstrap
from sla_app.bootstrap import Services
from sla_app.settings import Settings
from sla_app.storage.admin_repo import TenantRecord
from tools import azurite, local_pipeline

# At least 32 bytes each: shorter webhook secrets are refused as a configuration error (issue 9).
SECRETS = {
    "events": "events-secret-for-tests-0123456789abcdef",
    "jira": "jira-secret-for-tests-0123456789abcdef",
    "topdesk": "topdesk-token-for-tests-0123456789abcdef",
}


@pytest.fixture(scope="session")
def storage() -> Iterator[azurite.Azurite]:
    server = azurite.start()
    yield server
    server.stop()


class FixedClock:
    """A settable clock (aware UTC)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def settings_for(connection_string: str, queue: str) -> Settings:
    return Settings.model_validate(
        {
            "AzureWebJobsStorage__accountName": "devstoreaccount1",
            "SLA_TABLES_ENDPOINT": "http://127.0.0.1/devstoreaccount1",
            "SLA_QUEUES_ENDPOINT": "http://127.0.0.1/devstoreaccount1",
            "SLA_MONTHLY_QUEUE_NAME": queue,
            "SLA_LOG_ANALYTICS_WORKSPACE_ID": "00000000-0000-0000-0000-000000000000",
            "SLA_MAIL_MODE": "outbox",
            "SLA_MAIL_SENDER": "rapportage@example.org",
            "SLA_WEBHOOK_SECRET_EVENTS": SECRETS["events"],
            "SLA_WEBHOOK_SECRET_JIRA": SECRETS["jira"],
            "SLA_WEBHOOK_TOKEN_TOPDESK": SECRETS["topdesk"],
            "SLA_STORAGE_CONNECTION_STRING": connection_string,
            "SLA_DELIVERY_QUEUE_NAME": f"{queue}-delivery",
            "WEBSITE_AUTH_ENABLED": "true",
            "SLA_SECURITY_TXT_URL": "https://sla.example.nl/.well-known/security.txt",
        }
    )


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def graph(storage: azurite.Azurite, clock: FixedClock) -> Iterator[Services]:
    suffix = uuid.uuid4().hex[:10]
    services = bootstrap.build(
        settings_for(storage.connection_string, f"monthly-{suffix}"), clock=clock, table_prefix=f"t{suffix}"
    )
    bootstrap.use(services)
    yield services
    bootstrap.use(None)


@pytest.fixture
def tenants(graph: Services) -> list[str]:
    """Three measured tenants."""
    for tenant, go_live in (("enschede", "2025-09-15"), ("hengelo", "2025-11-03"), ("almelo", "2026-02-16")):
        graph.admin.put_tenant(TenantRecord(tenant=tenant, go_live=datetime.fromisoformat(go_live).date()))
    return ["almelo", "enschede", "hengelo"]


def functions() -> dict[str, Any]:
    """The app's functions by name (``get_functions()`` may be called only once per app: one shared cache)."""
    return local_pipeline.registered()


@dataclass
class Reply:
    status: int
    body: Any
    mimetype: str
    headers: dict[str, str]


def call_http(
    name: str,
    *,
    method: str = "POST",
    url: str = "http://localhost/api/",
    body: bytes | str | Any = b"",
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    route_params: dict[str, str] | None = None,
) -> Reply:
    """Call an HTTP function through a real ``func.HttpRequest``; JSON bodies are decoded."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    raw = body.encode() if isinstance(body, str) else body
    request = func.HttpRequest(
        method=method, url=url, headers=headers or {}, params=params or {}, route_params=route_params or {}, body=raw
    )
    response = functions()[name].get_user_function()(request)
    text = response.get_body().decode()
    decoded: Any = text
    if response.mimetype in ("application/json", "application/problem+json") and text:
        decoded = json.loads(text)
    return Reply(response.status_code, decoded, response.mimetype, dict(response.headers))

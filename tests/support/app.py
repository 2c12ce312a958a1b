"""Support for the Function App tests: settings over Azurite, a settable clock, calling registered functions.

The fixtures that use these live in ``tests/app/conftest.py``; tests import these helpers from here
(a conftest is for pytest to load, not a module to import).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import azure.functions as func

from sla_app.settings import Settings
from tools import local_pipeline

# At least 32 bytes each: shorter webhook secrets are refused as a configuration error (docs/input.md).
SECRETS = {
    "events": "events-secret-for-tests-0123456789abcdef",
    "jira": "jira-secret-for-tests-0123456789abcdef",
    "topdesk": "topdesk-token-for-tests-0123456789abcdef",
}


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

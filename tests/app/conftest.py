"""Fixtures for the Function App tests: Azurite, and an application context (``ctx``) over it.

Azurite is started once per session (in memory, loopback) and stopped by its
PID. Each test gets its own table prefix and queue, so tests never see each
other's data. Handlers are called through the real azure-functions objects
(helpers in :mod:`tests.support.app`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sla_app import bootstrap
from sla_app.bootstrap import AppContext
from sla_app.records import TenantRecord
from tests.support.app import FixedClock, settings_for
from tools import azurite


@pytest.fixture(scope="session")
def storage() -> Iterator[azurite.Azurite]:
    server = azurite.start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def ctx(storage: azurite.Azurite, clock: FixedClock) -> Iterator[AppContext]:
    suffix = uuid.uuid4().hex[:10]
    services = bootstrap.build(
        settings_for(storage.connection_string, f"monthly-{suffix}"), clock=clock, table_prefix=f"t{suffix}"
    )
    bootstrap.use(services)
    yield services
    bootstrap.use(None)


@pytest.fixture
def tenants(ctx: AppContext) -> list[str]:
    """Three measured tenants."""
    for tenant, go_live in (("enschede", "2025-09-15"), ("hengelo", "2025-11-03"), ("almelo", "2026-02-16")):
        ctx.admin.put_tenant(TenantRecord(tenant=tenant, go_live=datetime.fromisoformat(go_live).date()))
    return ["almelo", "enschede", "hengelo"]

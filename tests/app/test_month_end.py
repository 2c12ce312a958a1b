"""The month end (issue 8, rules §8.5): resources that already exist, complete days, provisional reports,
the computation triggered by the day that completes a month, and the input watermark."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

from azure.data.tables import TableServiceClient
from azure.storage.queue import QueueClient

from sla_app import bootstrap
from sla_app.storage.admin_repo import TenantRecord
from sla_core.periods import Month
from tests.app.conftest import FixedClock, functions, settings_for
from tools import azurite


def test_a_queue_and_tables_created_beforehand_by_infra_are_normal(storage: azurite.Azurite) -> None:
    """As deployed: infra/ created the queue and tables; a fresh process's graph must still enqueue."""
    suffix = uuid.uuid4().hex[:10]
    queue_name, prefix = f"monthly-{suffix}", f"t{suffix}"
    QueueClient.from_connection_string(storage.connection_string, queue_name).create_queue()
    TableServiceClient.from_connection_string(storage.connection_string).create_table(f"{prefix}tenants")
    fresh = bootstrap.build(
        settings_for(storage.connection_string, queue_name),
        clock=FixedClock(datetime(2026, 11, 1, 2, 0, tzinfo=UTC)),
        table_prefix=prefix,
    )
    fresh.admin.put_tenant(TenantRecord(tenant="enschede", go_live=date(2025, 9, 15)))
    bootstrap.use(fresh)
    try:
        functions()["monthly_fan_out"].get_user_function()(None)
    finally:
        bootstrap.use(None)
    reader = QueueClient.from_connection_string(storage.connection_string, queue_name)
    bodies = [m.content for m in reader.receive_messages(max_messages=32)]
    assert len(bodies) == 1

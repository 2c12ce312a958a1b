"""The composition root: builds the real object graph, once per process, on first use.

Nothing here runs at import time. :func:`services` reads the settings from the
environment and builds clients lazily; tests call :func:`use` with a graph
built by :func:`build` over Azurite (or fakes) and a fixed clock.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from azure.core.exceptions import ResourceExistsError

from sla_app.portal.service import PortalService
from sla_app.services.monthly_reports import MonthlyReportService
from sla_app.services.ticket_ingest import TicketIngestService
from sla_app.settings import Settings
from sla_app.storage.admin_repo import AdminRepository
from sla_app.storage.availability_repo import AvailabilityRepository
from sla_app.storage.events_repo import EventRepository
from sla_app.storage.reports_repo import ReportRepository
from sla_app.storage.state_repo import StateConflict, StateRepository
from sla_app.storage.tables import TableStore
from sla_app.telemetry import with_operation

if TYPE_CHECKING:
    from sla_app.services.tool_history import ToolHistoryService

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, in UTC (the only wall clock of the app)."""
    return datetime.now(UTC)


class QueueSender:
    """Sends JSON messages to the monthly queue (base64, as the Functions queue trigger expects)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._ready = False

    def send(self, message: dict[str, Any]) -> None:
        """Enqueue one message, creating the queue on first use."""
        if not self._ready:
            try:
                self._client.create_queue()
            except ResourceExistsError:
                pass  # normal: infra/ creates the queue; the SDK raises this type (its text varies by version)
            self._ready = True
        self._client.send_message(json.dumps(with_operation(message), sort_keys=True))  # carries the operation id


@dataclass
class Services:
    """Everything the triggers need."""

    settings: Settings
    store: TableStore
    events: EventRepository
    admin: AdminRepository
    states: StateRepository
    availability: AvailabilityRepository
    reports: ReportRepository
    queue: QueueSender
    clock: Clock
    extras: dict[str, Any] = field(default_factory=dict)  # lazily built optional clients

    @property
    def ticket_ingest(self) -> TicketIngestService:
        """Ticket ingestion over the repositories."""
        return TicketIngestService(self.events, self.admin, self.states, StateConflict)

    @property
    def tool_history(self) -> ToolHistoryService:
        """Ticket-tool snapshots (TOPdesk, Jira) over the ticket events table."""
        from sla_app.services.tool_history import ToolHistoryService
        from sla_app.storage.history_repo import HistoryRepository

        return ToolHistoryService(HistoryRepository(self.store), self.admin)

    @property
    def monthly(self) -> MonthlyReportService:
        """The monthly run over the repositories."""
        return MonthlyReportService(self.admin, self.events, self.availability, self.reports, self.clock)

    @property
    def portal(self) -> PortalService:
        """What the portal pages read and change."""
        from sla_app.storage.deliveries_repo import DeliveryRepository

        zone = ZoneInfo(self.settings.timezone)
        deliveries = DeliveryRepository(self.store)
        return PortalService(self.admin, self.events, self.availability, self.reports, deliveries, self.clock, zone)


def _clients(settings: Settings, credential: Any | None) -> tuple[Any, Any]:
    from azure.data.tables import TableServiceClient
    from azure.storage.queue import QueueClient, TextBase64DecodePolicy, TextBase64EncodePolicy

    policies = {"message_encode_policy": TextBase64EncodePolicy(), "message_decode_policy": TextBase64DecodePolicy()}
    if settings.storage_connection_string:
        tables = TableServiceClient.from_connection_string(settings.storage_connection_string)
        queue = QueueClient.from_connection_string(
            settings.storage_connection_string, settings.monthly_queue_name, **policies
        )
        return tables, queue
    if credential is None:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential()
    tables = TableServiceClient(endpoint=settings.tables_endpoint.rstrip("/"), credential=credential)
    queue = QueueClient(
        settings.queues_endpoint.rstrip("/"), settings.monthly_queue_name, credential=credential, **policies
    )
    return tables, queue


def build(
    settings: Settings, clock: Clock = system_clock, credential: Any | None = None, table_prefix: str = ""
) -> Services:
    """The object graph for ``settings`` (identity-based clients unless a local connection string is set)."""
    tables, queue = _clients(settings, credential)
    store = TableStore(tables, prefix=table_prefix)
    extras: dict[str, Any] = {}
    if settings.storage_connection_string and settings.results_csv:
        extras["results_csv"] = settings.results_csv  # local mode: availability from a CSV export
    return Services(
        extras=extras,
        settings=settings,
        store=store,
        events=EventRepository(store),
        admin=AdminRepository(store),
        states=StateRepository(store),
        availability=AvailabilityRepository(store, ZoneInfo(settings.timezone)),
        reports=ReportRepository(store),
        queue=QueueSender(queue),
        clock=clock,
    )


_current: Services | None = None


def services() -> Services:
    """The process's services, built on first use from the environment."""
    global _current
    if _current is None:
        _current = build(Settings.from_environ(os.environ))
    return _current


def use(graph: Services | None) -> None:
    """Replace the process's services (tests, the local demo); None forgets them."""
    global _current
    _current = graph

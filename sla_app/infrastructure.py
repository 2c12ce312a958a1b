"""The infrastructure half of the composition root: Azure clients, repositories, queues, mailer, results source.

:class:`Infrastructure` is the base of :class:`sla_app.bootstrap.AppContext`
and is used only through it: the context *is* an ``Infrastructure`` plus the
services the handlers call, so every member below is a member of the one
context (``ctx.store``, ``ctx.events``, ``ctx.mailer``, ...). Each member is
built the first time it is read (``functools.cached_property``) from the
settings the context was made with; nothing here runs at import time, and only
:mod:`sla_app.bootstrap` imports this module.

Members read each other through ``self``, so a member replaced on the context
before it is first read (``ctx.logs_client = ...``, ``ctx.results_csv = ...``)
is the one every later member is built from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from sla_app.adapters.monitor_logs import MonitorResultsSource, create_logs_client
from sla_app.adapters.results_csv_source import CsvResultsSource
from sla_app.mail.graph_mail import GraphMailer
from sla_app.mail.message import Mailer
from sla_app.mail.outbox import Outbox
from sla_app.services.availability_days import ResultsSource
from sla_app.settings import Settings
from sla_app.storage.admin_repo import AdminRepository
from sla_app.storage.availability_repo import AvailabilityRepository
from sla_app.storage.deliveries_repo import DeliveryRepository
from sla_app.storage.events_repo import EventRepository
from sla_app.storage.history_repo import HistoryRepository
from sla_app.storage.plain_tables import PlainTables
from sla_app.storage.queues import JsonQueue, queue_client
from sla_app.storage.reports_repo import ReportRepository
from sla_app.storage.tables import TableStore
from sla_app.storage.timer_runs_repo import TimerRunRepository

Clock = Callable[[], datetime]
DEFAULT_OUTBOX_DIR = "out/outbox"


def system_clock() -> datetime:
    """Now, in UTC (the only wall clock of the app)."""
    return datetime.now(UTC)


class Infrastructure:
    """Settings, clock, and every client, repository, queue and transport, built on first use.

    ``settings`` is not changed after the context is made: its members were built from them.
    """

    def __init__(
        self, settings: Settings, clock: Clock = system_clock, credential: Any | None = None, table_prefix: str = ""
    ) -> None:
        self._settings = settings
        self.clock = clock
        self.table_prefix = table_prefix
        self._given_credential = credential
        # Local mode only (a storage connection string is set): availability from a CSV export.
        self.results_csv: str | None = settings.results_csv if settings.storage_connection_string else None

    @property
    def settings(self) -> Settings:
        """The settings this context was made with (read-only: its members were built from them)."""
        return self._settings

    @property
    def zone(self) -> ZoneInfo:
        """The app's time zone (``SLA_TIMEZONE``)."""
        return ZoneInfo(self.settings.timezone)

    # -- Azure clients ----------------------------------------------------------------------

    @cached_property
    def credential(self) -> Any:
        """The managed identity (``DefaultAzureCredential``) unless one was given; unused with a connection string."""
        if self._given_credential is not None:
            return self._given_credential
        from azure.identity import DefaultAzureCredential

        return DefaultAzureCredential()

    @cached_property
    def tables(self) -> Any:
        """The ``TableServiceClient`` (identity-based, or Azurite's connection string locally)."""
        from azure.data.tables import TableServiceClient

        if self.settings.storage_connection_string:
            return TableServiceClient.from_connection_string(self.settings.storage_connection_string)
        return TableServiceClient(endpoint=self.settings.tables_endpoint.rstrip("/"), credential=self.credential)

    @cached_property
    def plain_tables(self) -> PlainTables:
        """Plain-JSON table queries over the same account and credential as ``tables`` (our own pipeline)."""
        if self.settings.storage_connection_string:
            return PlainTables.from_connection_string(self.settings.storage_connection_string)
        return PlainTables(self.settings.tables_endpoint.rstrip("/"), self.credential)

    def queue_client(self, name: str) -> Any:
        """A ``QueueClient`` for queue ``name`` (base64 messages, as the Functions queue trigger expects)."""
        credential = None if self.settings.storage_connection_string else self.credential
        return queue_client(self.settings, name, credential)

    @cached_property
    def logs_client(self) -> Any:
        """The ``LogsQueryClient`` for Azure Monitor, created on the first query."""
        return create_logs_client(self.credential)

    # -- repositories -----------------------------------------------------------------------

    @cached_property
    def store(self) -> TableStore:
        """Table access with the context's table prefix."""
        return TableStore(self.tables, prefix=self.table_prefix, plain=self.plain_tables)

    @cached_property
    def events(self) -> EventRepository:
        """Canonical ticket events."""
        return EventRepository(self.store, self.clock)

    @cached_property
    def admin(self) -> AdminRepository:
        """Tenants, exclusions and the audit log."""
        return AdminRepository(self.store)

    @cached_property
    def availability(self) -> AvailabilityRepository:
        """Availability results and day statuses."""
        return AvailabilityRepository(self.store, self.zone)

    @cached_property
    def reports(self) -> ReportRepository:
        """Stored report versions."""
        return ReportRepository(self.store)

    @cached_property
    def deliveries(self) -> DeliveryRepository:
        """Delivery records of the report e-mails and notices."""
        return DeliveryRepository(self.store)

    @cached_property
    def histories(self) -> HistoryRepository:
        """Ticket-tool snapshot histories (TOPdesk, Jira)."""
        return HistoryRepository(self.store, self.clock)

    @cached_property
    def timer_runs(self) -> TimerRunRepository:
        """The last run of each timer."""
        return TimerRunRepository(self.store)

    # -- transport ----------------------------------------------------------------------------

    @cached_property
    def monthly_queue(self) -> JsonQueue:
        """The monthly queue (one message per tenant-month)."""
        return JsonQueue(self.queue_client(self.settings.monthly_queue_name))

    @cached_property
    def delivery_queue(self) -> JsonQueue:
        """The delivery queue (one message per tenant, or one supplier notice)."""
        return JsonQueue(self.queue_client(self.settings.delivery_queue_name))

    @cached_property
    def mailer(self) -> Mailer:
        """The mailer of ``SLA_MAIL_MODE``: Microsoft Graph, or ``.eml`` files in the outbox directory."""
        if self.settings.mail_mode == "outbox":
            return Outbox(self.settings.outbox_dir or DEFAULT_OUTBOX_DIR, self.settings.mail_sender, self.clock)
        return GraphMailer(self.settings.mail_sender)

    @cached_property
    def results_source(self) -> ResultsSource:
        """The CSV export when one is configured (local mode only, see ``results_csv``), else Azure Monitor."""
        if self.results_csv:
            return CsvResultsSource(self.results_csv)
        return MonitorResultsSource(lambda: self.logs_client, self.settings.log_analytics_workspace_id)

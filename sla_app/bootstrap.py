"""The composition root: the application context, built once per process on first use.

:class:`AppContext` holds every part of the app as a typed member that is
built the first time it is read (``functools.cached_property``): the Azure
clients, the repositories, the queues, the mailer and the results source (its
base :class:`sla_app.infrastructure.Infrastructure`, kept in a module of its
own), and the renderer, the notices and the services the handlers call (here).
Nothing here runs at import time, and nothing below this module imports it:
handlers (``sla_app.functions``) and the command-line entry points ask
:func:`context` for the process's context, every other module gets what it
needs passed in.

Tests and the local tools build a context over Azurite with :func:`build` and
a fixed clock, make it the process's with :func:`use`, and may replace a
member before it is first read (``ctx.mailer = RecordingMailer()``). A member
that cannot be built raises; there is no fallback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from functools import cached_property, partial
from typing import Any

from sla_app.health import HealthService
from sla_app.http import auth
from sla_app.infrastructure import Clock, Infrastructure, system_clock
from sla_app.overview import Notices, OverviewService, supplier_notice
from sla_app.portal.service import PortalService
from sla_app.services.admin import AdminService
from sla_app.services.availability_ingest import AvailabilityIngestService
from sla_app.services.delivery import RUN_BUDGET, DeliveryService
from sla_app.services.delivery_rules import DeliveryPolicy
from sla_app.services.monthly_reports import MonthlyReportService
from sla_app.services.retention import RetentionService
from sla_app.services.ticket_ingest import TicketIngestService
from sla_app.services.tool_history import ToolHistoryService
from sla_app.settings import Settings


def render_report(report_json: dict[str, Any], contact: str | None = None, reply_to: str | None = None) -> Any:
    """A stored report as its e-mail (HTML, text, PDF, ODS); the renderer is imported on first use."""
    from sla_app.documents.render import render  # heavy (fonts, PDF): imported when a report is rendered

    return render(report_json, contact=contact, reply_to=reply_to)


class AppContext(Infrastructure):
    """The application context: settings, clock, and every client, repository and service, built on first use.

    Every member is built once per context, from the settings it was made with. ``settings`` is not changed
    afterwards: a caller that needs other settings makes another context (:meth:`with_settings`). The clients,
    repositories, queues, mailer and results source are inherited from :class:`Infrastructure`.
    """

    def with_settings(self, **changes: Any) -> AppContext:
        """A fresh context over the same storage and clock with some settings changed (tests, tools)."""
        return AppContext(
            self.settings.model_copy(update=changes), self.clock, self._given_credential, self.table_prefix
        )

    def principal(self, headers: Any) -> auth.Principal:
        """The signed-in caller of a request (503 when App Service Authentication is off, 401 when missing)."""
        return auth.principal(headers, platform_auth=self.settings.website_auth_enabled)

    @cached_property
    def render(self) -> Callable[[dict[str, Any]], Any]:
        """A stored report as its e-mail, with the settings' contact and reply-to."""
        return partial(render_report, contact=self.settings.report_contact, reply_to=self.settings.reply_to)

    @cached_property
    def notices(self) -> Notices:
        """The supplier's notices (at risk, overview) as e-mails."""
        return partial(supplier_notice, self.overview)

    # -- services -----------------------------------------------------------------------------

    @cached_property
    def ticket_ingest(self) -> TicketIngestService:
        """Canonical ticket events in."""
        return TicketIngestService(self.events, self.admin)

    @cached_property
    def tool_history(self) -> ToolHistoryService:
        """Ticket-tool snapshots (TOPdesk, Jira) over the ticket events table."""
        return ToolHistoryService(self.histories, self.admin)

    @cached_property
    def monthly(self) -> MonthlyReportService:
        """The monthly run over the repositories."""
        return MonthlyReportService(self.admin, self.events, self.availability, self.reports, self.clock)

    @cached_property
    def portal(self) -> PortalService:
        """What the portal pages read and change."""
        return PortalService(
            self.admin, self.events, self.availability, self.reports, self.deliveries, self.clock, self.zone
        )

    @cached_property
    def overview(self) -> OverviewService:
        """The supplier's overview across tenants and the at-risk assessment."""
        return OverviewService(self.admin, self.events, self.availability, self.reports, self.clock, self.zone)

    @cached_property
    def delivery(self) -> DeliveryService:
        """Delivery of the report e-mails and notices (the timers' and queue's run budget)."""
        return self.delivery_within(RUN_BUDGET)

    def delivery_within(self, budget: timedelta) -> DeliveryService:
        """Delivery that starts no new e-mail after ``budget`` (the HTTP route answers within its timeout)."""
        return DeliveryService(
            self.admin,
            self.reports,
            self.deliveries,
            self.mailer,
            self.render,
            self.clock,
            budget=budget,
            policy=DeliveryPolicy.of(self.settings),
        )

    @cached_property
    def availability_ingest(self) -> AvailabilityIngestService:
        """Availability ingestion from the results source; a month made ready is fanned out (§8.5)."""
        return AvailabilityIngestService(
            self.results_source,
            self.availability,
            self.admin,
            self.clock,
            self.zone,
            retention_days=self.settings.availability_retention_days,
            ingestion_delay=timedelta(minutes=self.settings.ingestion_delay_minutes),
            on_month_ready=lambda month: self.monthly.fan_out(month, self.monthly_queue.send),
        )

    @cached_property
    def retention(self) -> RetentionService:
        """Deletion of audit entries, raw results and ticket data past their retention (SLA §10.1)."""
        return RetentionService(
            self.admin,
            self.availability,
            self.clock,
            self.zone,
            audit_retention_days=self.settings.audit_retention_days,
            availability_retention_days=self.settings.availability_retention_days,
            tickets=self.histories,
            tenants=self.admin,
        )

    @cached_property
    def health(self) -> HealthService:
        """Where the service stands, for an operator."""
        queues = (self.settings.monthly_queue_name, self.settings.delivery_queue_name)
        return HealthService(
            self.settings,
            self.availability,
            self.admin,
            self.reports,
            self.deliveries,
            self.timer_runs,
            self.queue_client,
            queues,
            self.clock,
        )

    @cached_property
    def admin_service(self) -> AdminService:
        """What the admin API reads and changes: tenants, exclusions, report versions, the audit log."""
        return AdminService(self.admin, self.reports, self.clock)


def build(
    settings: Settings, clock: Clock = system_clock, credential: Any | None = None, table_prefix: str = ""
) -> AppContext:
    """The context for ``settings`` (identity-based clients unless a local connection string is set)."""
    return AppContext(settings, clock, credential, table_prefix)


_current: AppContext | None = None


def context() -> AppContext:
    """The process's context, built on first use from the environment."""
    global _current
    if _current is None:
        _current = build(Settings.from_environ(os.environ))
    return _current


def use(ctx: AppContext | None) -> None:
    """Replace the process's context (tests, the local tools); None forgets it."""
    global _current
    _current = ctx

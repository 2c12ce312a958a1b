"""Application settings: every environment variable the Function App reads.

The settings are read once, lazily, by the composition root (never at import
time) with :meth:`Settings.from_environ`. Each field's alias is the exact name
of the app setting; ``infra/`` must set every one of them that is not marked
``local_only`` (a test derives that list from this model).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(ValueError):
    """A required setting is missing or has an invalid value."""


def _local_only() -> dict[str, bool]:
    return {"local_only": True}


class Settings(BaseModel):
    """The app settings, by their environment-variable names (aliases)."""

    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="ignore")

    host_storage_account: str = Field(
        alias="AzureWebJobsStorage__accountName",
        description="Storage account of the Functions host (identity-based connection).",
    )
    tables_endpoint: str = Field(
        alias="SLA_TABLES_ENDPOINT",
        description="Table service endpoint of the app's tables, e.g. https://acct.table.core.windows.net.",
    )
    queues_endpoint: str = Field(
        alias="SLA_QUEUES_ENDPOINT",
        description="Queue service endpoint of the monthly fan-out queue.",
    )
    monthly_queue_name: str = Field(
        default="monthly-reports",
        alias="SLA_MONTHLY_QUEUE_NAME",
        description="Queue that carries one message per tenant-month.",
    )
    log_analytics_workspace_id: str = Field(
        alias="SLA_LOG_ANALYTICS_WORKSPACE_ID",
        description="Workspace (customer) id of the Log Analytics workspace holding AppAvailabilityResults.",
    )
    timezone: str = Field(
        default="Europe/Amsterdam",
        alias="SLA_TIMEZONE",
        description="IANA timezone used for schedules that must follow local time.",
    )
    mail_mode: Literal["graph", "outbox"] = Field(
        default="graph",
        alias="SLA_MAIL_MODE",
        description="'graph' sends through Microsoft Graph; 'outbox' writes .eml files (local).",
    )
    mail_sender: str = Field(
        alias="SLA_MAIL_SENDER",
        description="Mailbox (UPN or id) the monthly reports are sent from via Graph sendMail.",
    )
    webhook_secret_events: str = Field(
        alias="SLA_WEBHOOK_SECRET_EVENTS",
        description="HMAC-SHA256 secret for POST /api/tickets/events (Key Vault reference).",
    )
    webhook_secret_jira: str = Field(
        alias="SLA_WEBHOOK_SECRET_JIRA",
        description="Master secret of the Jira webhooks; each tenant's secret is derived from it (Key Vault reference).",
    )
    webhook_token_topdesk: str = Field(
        alias="SLA_WEBHOOK_TOKEN_TOPDESK",
        description="Master secret of the TOPdesk tokens; each tenant's token is derived from it (Key Vault reference).",
    )
    audit_retention_days: int = Field(
        default=400,
        ge=1,
        alias="SLA_AUDIT_RETENTION_DAYS",
        description="Days the audit log is kept (SLA §10.1).",
    )
    availability_retention_days: int = Field(
        default=800,
        ge=1,
        alias="SLA_AVAILABILITY_RETENTION_DAYS",
        description="Days raw availability rows are kept (trailing 12 months need >= 400).",
    )
    security_contact: str | None = Field(
        default=None,
        alias="SLA_SECURITY_CONTACT",
        description="RFC 9116 Contact: URI for security.txt, e.g. mailto:security@stratech.nl",
    )
    storage_connection_string: str | None = Field(
        default=None,
        alias="SLA_STORAGE_CONNECTION_STRING",
        description="Local development only (Azurite): connection string instead of identity.",
        json_schema_extra=_local_only(),
    )
    outbox_dir: str | None = Field(
        default=None,
        alias="SLA_OUTBOX_DIR",
        description="Local development only: folder for .eml files when SLA_MAIL_MODE=outbox.",
        json_schema_extra=_local_only(),
    )

    results_csv: str | None = Field(
        default=None,
        alias="SLA_RESULTS_CSV",
        description="Local development only: a CSV export of AppAvailabilityResults read instead of Azure Monitor.",
        json_schema_extra=_local_only(),
    )
    delivery_queue_name: str = Field(
        default="report-delivery",
        alias="SLA_DELIVERY_QUEUE_NAME",
        description="Queue that carries one delivery message per tenant (and the supplier notices).",
    )
    supplier_mailbox: str | None = Field(
        default=None,
        alias="SLA_SUPPLIER_MAILBOX",
        description="The supplier's service-desk address that gets the at-risk notice and the monthly overview.",
    )
    delivery_deadline_workday: int = Field(
        default=3,
        ge=1,
        le=20,
        alias="SLA_DELIVERY_DEADLINE_WORKDAY",
        description="Working day of the next month from which a provisional report is delivered (measurement §8.5).",
    )
    delivery_deadline_time: str = Field(
        default="12:00",
        pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
        alias="SLA_DELIVERY_DEADLINE_TIME",
        description="Local time (HH:MM, contract timezone) of the delivery deadline on that working day.",
    )
    ingestion_delay_minutes: int = Field(
        default=60,
        ge=0,
        le=1440,
        alias="SLA_INGESTION_DELAY_MINUTES",
        description="Azure Monitor ingestion delay: a local day is complete only when ingested this long after it ended.",
    )
    report_contact: str | None = Field(
        default=None,
        max_length=200,
        alias="SLA_REPORT_CONTACT",
        description="Contact line printed in every report document: whom to ask about it (service desk, address, phone).",
    )
    reply_to: str | None = Field(
        default=None,
        pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$",
        alias="SLA_REPLY_TO",
        description="Reply-To address of the report e-mails (the service desk), so replies reach people.",
    )

    portal_local_login: bool = Field(
        default=False,
        alias="SLA_PORTAL_LOCAL_LOGIN",
        description="Local development only: choose a portal role without Entra ID (ignored on Azure).",
        json_schema_extra=_local_only(),
    )

    # -- platform authentication and security.txt (docs/input.md) -------------------------
    website_auth_enabled: bool = Field(
        default=False,
        alias="WEBSITE_AUTH_ENABLED",
        description="Set by the platform when App Service Authentication is on; signed-in routes refuse to run without it.",
        json_schema_extra={"platform": True},
    )
    security_txt_url: str | None = Field(
        default=None,
        pattern=r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?/[!-~]*$",
        alias="SLA_SECURITY_TXT_URL",
        description="Public https URL of security.txt, served as its RFC 9116 Canonical (never taken from the request).",
    )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Validate settings from an environment mapping; raise SettingsError naming the variable."""
        try:
            return cls.model_validate(dict(environ))
        except ValidationError as exc:
            first = exc.errors()[0]
            name = ".".join(str(p) for p in first["loc"])
            raise SettingsError(f"app setting {name}: {first['msg']}") from exc

    @classmethod
    def deployed_setting_names(cls) -> list[str]:
        """Names of the app settings a deployment must provide (all but local-only and platform-set ones)."""
        names = []
        for field in cls.model_fields.values():
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            if not extra.get("local_only") and not extra.get("platform") and field.alias:
                names.append(field.alias)
        return names

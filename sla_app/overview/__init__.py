"""The supplier overview across tenants and the mid-month at-risk notice.

* :mod:`sla_app.overview.aggregate` — sums of minutes and counts over stored reports;
* :mod:`sla_app.overview.service` — the month's overview and the at-risk assessment;
* :mod:`sla_app.overview.render` — Dutch HTML (Jinja2, autoescaped) and text.

:func:`at_risk_notice` is the entry point for delivery: the notice as an
e-mail subject, HTML body and text body.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sla_app.overview.render import at_risk_html, at_risk_subject, at_risk_text
from sla_app.overview.service import OverviewService
from sla_core.periods import Month

if TYPE_CHECKING:
    from sla_app.bootstrap import Services

__all__ = ["OverviewService", "at_risk_notice", "overview_service"]


def overview_service(app: Services | None = None) -> OverviewService:
    """The overview over the process's repositories (or ``app``'s)."""
    if app is None:
        from sla_app.bootstrap import services

        app = services()
    return OverviewService(
        app.admin, app.events, app.availability, app.reports, app.clock, ZoneInfo(app.settings.timezone)
    )


def at_risk_notice(month: Month, as_of: datetime, app: Services | None = None) -> tuple[str, str, str]:
    """The at-risk notice of ``month`` as of ``as_of``: (subject, html, text)."""
    data = overview_service(app).at_risk(as_of, month)
    return at_risk_subject(data), at_risk_html(data), at_risk_text(data)

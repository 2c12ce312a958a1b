"""The supplier overview across tenants and the mid-month at-risk notice.

* :mod:`sla_app.overview.aggregate` — sums of minutes and counts over stored reports;
* :mod:`sla_app.overview.service` — the month's overview and the at-risk assessment;
* :mod:`sla_app.overview.render` — Dutch HTML (Jinja2, autoescaped) and text.

:func:`supplier_notice` is the entry point for delivery: a notice (at risk,
overview) as an e-mail. The :class:`OverviewService` is passed in (the
composition root builds it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sla_app.overview.render import at_risk_html, at_risk_subject, at_risk_text, overview_html, overview_text
from sla_app.overview.service import OverviewService
from sla_app.records import AT_RISK
from sla_core.periods import Month

__all__ = ["Notices", "OverviewService", "at_risk_notice", "supplier_notice"]

Notices = Callable[[str, Month, datetime], Any]  # (kind, month, as_of) -> the notice as an e-mail


def at_risk_notice(overview: OverviewService, month: Month, as_of: datetime) -> tuple[str, str, str]:
    """The at-risk notice of ``month`` as of ``as_of``: (subject, html, text)."""
    data = overview.at_risk(as_of, month)
    return at_risk_subject(data), at_risk_html(data), at_risk_text(data)


def supplier_notice(overview: OverviewService, kind: str, month: Month, as_of: datetime) -> Any:
    """The supplier's notice ``kind`` (at risk, or the month's overview) as a rendered e-mail."""
    from sla_app.documents import RenderedReport  # imported when a notice is built, not when the app starts

    if kind == AT_RISK:
        subject, html, text = at_risk_notice(overview, month, as_of)
        return RenderedReport(subject=subject, html=html, text=text)
    data = overview.overview(month)
    text = overview_text(data)
    return RenderedReport(
        subject=text.splitlines()[0].strip() or f"SLA-overzicht {month}", html=overview_html(data), text=text
    )

"""Small readers shared by the handlers: the ``{month}`` route parameter and the local clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import azure.functions as func

from sla_app.errors import BadRequest
from sla_core.errors import InputError
from sla_core.periods import Month


def route_month(req: func.HttpRequest) -> Month:
    """The ``{month}`` route parameter (``YYYY-MM``); 400 naming ``month`` otherwise."""
    try:
        return Month.parse(req.route_params.get("month", ""))
    except InputError as exc:
        raise BadRequest(str(exc), field="month") from exc


def local_now(app: Any) -> datetime:
    """The services clock in the app's timezone (timers are scheduled in UTC and check local dates)."""
    return app.clock().astimezone(ZoneInfo(app.settings.timezone))


def previous_month_if_first(local: datetime) -> Month | None:
    """The month to report when the local date is the 1st, else None."""
    return Month(local.year, local.month).shift(-1) if local.day == 1 else None

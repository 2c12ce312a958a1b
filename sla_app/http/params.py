"""Small readers shared by the handlers: the ``{month}`` route parameter, query parameters and the local clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import azure.functions as func

from sla_app.errors import BadRequest
from sla_core.errors import InputError
from sla_core.instants import FIRST_YEAR, LAST_YEAR
from sla_core.periods import Month


def route_month(req: func.HttpRequest) -> Month:
    """The ``{month}`` route parameter (``YYYY-MM``, 2000–2099: measurement §8.2); 400 naming ``month`` otherwise."""
    text = req.route_params.get("month", "")
    try:
        month = Month.parse(text)
    except InputError as exc:
        raise BadRequest(str(exc), field="month") from exc
    if not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise BadRequest(f"month {text!r}: the year must lie in {FIRST_YEAR}–{LAST_YEAR}", field="month")
    return month


def query_param(req: func.HttpRequest, name: str) -> str | None:
    """A query parameter's value, spaces at the ends removed; None when it is absent.

    Given but empty (``?tenant=``, ``?format=``) is a 400 naming it: an empty value never stands for
    the default (``?tenant=`` must not mean every tenant).
    """
    value = req.params.get(name)
    if value is None:
        return None
    if not value.strip():
        raise BadRequest(f"{name} must not be empty (leave it out instead)", field=name)
    return value.strip()


def local_now(ctx: Any) -> datetime:
    """The context's clock in the app's timezone (timers are scheduled in UTC and check local dates)."""
    return ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone))


def previous_month_if_first(local: datetime) -> Month | None:
    """The month to report when the local date is the 1st, else None."""
    return Month(local.year, local.month).shift(-1) if local.day == 1 else None

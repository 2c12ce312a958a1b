"""The one way the app builds its Jinja environments (report e-mail, correction mail, supplier overview, portal).

Every environment renders Dutch HTML from a package's ``templates/`` folder
with the same settings: autoescaping on (every string from a report, a tenant
or a ticket tool is escaped), :class:`~jinja2.StrictUndefined` (a misspelt
name fails the render instead of printing nothing), blocks trimmed, and the
Dutch formatting filters of :mod:`sla_app.documents.format_nl` — so a
percentage, a month or an instant reads the same in the e-mail, the overview
and the portal. A caller adds only its own filters and globals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from sla_app.documents.format_nl import (
    date_nl,
    date_short_nl,
    duration_nl,
    instant_nl,
    minutes_nl,
    month_short_nl,
    months_nl,
    period_nl,
    time_nl,
)
from sla_core.report_text import month_name, number, percent

DUTCH_FILTERS: dict[str, Callable[..., str]] = {
    "number": number,
    "percent": percent,
    "month_name": month_name,
    "month_short": month_short_nl,
    "months": months_nl,
    "date": date_nl,
    "date_short": date_short_nl,
    "time": time_nl,
    "instant": instant_nl,
    "period": period_nl,
    "duration": duration_nl,
    "minutes": minutes_nl,
}


def environment(
    package: str,
    *,
    keep_trailing_newline: bool = False,
    filters: Mapping[str, Callable[..., Any]] | None = None,
    globals: Mapping[str, Any] | None = None,
) -> Environment:
    """A configured environment for the templates in ``<package>/templates``, with the Dutch filters."""
    built = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=keep_trailing_newline,
    )
    built.filters.update(DUTCH_FILTERS)
    built.filters.update(filters or {})
    built.globals.update(globals or {})
    return built

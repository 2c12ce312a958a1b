"""Azure Monitor for the drill: the real ``LogsQueryClient`` over a transport that serves only arrived rows.

The Log Analytics query API answers ``POST /v1/workspaces/{id}/query`` with
``{"query", "timespan": "<start>/<end>"}``. :class:`ArrivingLogs` answers from
the world's rows whose ``TimeGenerated`` is in the timespan *and* whose
arrival instant has passed on the simulated clock — so a query made too early
is a complete-looking answer that lacks rows, exactly as Monitor's ingestion
delay behaves. The scenario's partial day is answered once with a
``PartialError`` (half its arrived rows), as the service does when a query
hits a limit.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from azure.core.rest import HttpRequest

from sla_app.adapters.monitor_logs import create_logs_client
from tests.drill.drill_world import ZONE, Row, World
from tests.support.azure_transport import CannedTransport, StaticCredential, table

PARTIAL_ERROR = {
    "code": "PartialError",
    "message": "There were some errors when processing your query.",
    "details": [
        {
            "code": "EngineError",
            "message": "Something went wrong processing your query on the server.",
            "innererror": {"code": "-2133196797", "message": "Query execution has exceeded the allowed limits"},
        }
    ],
}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class ArrivingLogs:
    """Answers Log Analytics queries over the world's rows as of the simulated clock."""

    def __init__(self, world: World, clock: Callable[[], datetime]) -> None:
        self._rows: list[Row] = sorted(world.rows, key=lambda r: r.at)
        self._times = [r.at for r in self._rows]
        self._clock = clock
        self._partial_day: date | None = world.scenario.partial_day
        self.queries: list[
            tuple[datetime, datetime, datetime, int, bool]
        ] = []  # (start, end, asked at, rows, complete)

    def __call__(self, request: HttpRequest) -> tuple[int, Any]:
        body = json.loads(request.content)
        start_text, _, end_text = body["timespan"].partition("/")
        start, end = _instant(start_text), _instant(end_text)
        now = self._clock()
        low, high = bisect.bisect_left(self._times, start), bisect.bisect_left(self._times, end)
        arrived = [r for r in self._rows[low:high] if r.arrives <= now]
        answer: dict[str, Any] = {"tables": [table(*(r.to_table_row() for r in arrived))]}
        partial = (
            self._partial_day is not None
            and start.astimezone(ZONE).date() <= self._partial_day < end.astimezone(ZONE).date()
        )
        if partial and arrived:
            self._partial_day = None  # once
            answer = {
                "tables": [table(*(r.to_table_row() for r in arrived[: len(arrived) // 2]))],
                "error": PARTIAL_ERROR,
            }
        self.queries.append((start, end, now, len(arrived), not partial))
        return 200, answer


def logs_client(world: World, clock: Callable[[], datetime]) -> tuple[Any, ArrivingLogs]:
    """A real ``LogsQueryClient`` whose pipeline ends in :class:`ArrivingLogs`."""
    logs = ArrivingLogs(world, clock)
    return create_logs_client(StaticCredential(), transport=CannedTransport(respond=logs)), logs

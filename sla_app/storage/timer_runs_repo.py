"""The last run of each timer function, in Table Storage (for the health view).

Table ``timerruns``: PartitionKey ``timer``, RowKey = function name; one entity per timer,
replaced on every run: ``started_at`` and ``finished_at`` (RFC 3339 UTC), ``outcome``
(``ok`` | ``failed``) and the run's ``operation`` id. Written by the recorder that
:mod:`sla_app.functions.health` registers with :func:`sla_app.telemetry.on_timer_run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sla_app.storage.tables import TableStore, escape_key

TABLE = "timerruns"
_PARTITION = "timer"


@dataclass(frozen=True)
class TimerRun:
    """The last recorded run of one timer."""

    function: str
    started_at: str
    finished_at: str
    outcome: str
    operation: str = ""


class TimerRunRepository:
    """Records and reads the last run per timer function."""

    def __init__(self, store: TableStore) -> None:
        self._store = store

    def record(self, function: str, started: datetime, finished: datetime, outcome: str, operation: str | None) -> None:
        """Replace the timer's last run."""
        entity = {
            "PartitionKey": _PARTITION,
            "RowKey": escape_key(function),
            "function": function,
            "started_at": started.isoformat(),
            "finished_at": finished.isoformat(),
            "outcome": outcome,
            "operation": operation or "",
        }
        self._store.upsert_many(TABLE, [entity])

    def last_runs(self) -> dict[str, TimerRun]:
        """The last run of every timer that ever ran, by function name."""
        return {
            e["function"]: TimerRun(
                e["function"], e["started_at"], e["finished_at"], e["outcome"], e.get("operation", "")
            )
            for e in self._store.partition(TABLE, _PARTITION)
        }

"""Azure Monitor adapter: the availability test results of one interval, from Log Analytics (measurement §3).

One query per interval against the workspace that holds Application
Insights' ``AppAvailabilityResults`` (azure-monitor-query's
``LogsQueryClient.query_workspace``)::

    AppAvailabilityResults
    | where TimeGenerated >= datetime(<start>) and TimeGenerated < datetime(<end>)
    | project TimeGenerated, Name, Location, Success, DurationMs

The interval is half-open ``[start, end)``; it is also passed as the API's
``timespan`` (which the service applies on top of the query). The ``where``
clause is the exact filter, and rows outside the interval are dropped here as
well. The instants in the query text come from our own integers, never from
a caller's text.

The service answers ``LogsQueryResult`` (complete) or
``LogsQueryPartialResult`` (``PartialError``: e.g. a result-size limit or a
timeout; ``partial_data`` holds what was returned): partial rows are kept
and the interval is reported incomplete with the service's error message. A
failed request raises ``azure.core.exceptions.HttpResponseError``.

The client (with ``DefaultAzureCredential``: the app's managed identity
needs *Log Analytics Reader* on the workspace) is created on first use,
never at import time, and kept by the application context
(``AppContext.logs_client``, one client per process).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sla_core.availability_input import CSV_HEADER, TestResult, parse_instant
from sla_core.business_calendar import from_us, to_us
from sla_core.errors import InputError

COLUMNS = CSV_HEADER  # TimeGenerated, Name, Location, Success, DurationMs
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def kql_datetime(micros: int) -> str:
    """A KQL ``datetime(...)`` literal (UTC, microseconds) of µs since the epoch."""
    return f"datetime({from_us(micros, UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')}Z)"


def results_query(start_us: int, end_us: int) -> str:
    """The KQL text for the results in ``[start_us, end_us)``."""
    return (
        "AppAvailabilityResults\n"
        f"| where TimeGenerated >= {kql_datetime(start_us)} and TimeGenerated < {kql_datetime(end_us)}\n"
        f"| project {', '.join(COLUMNS)}"
    )


def create_logs_client(credential: Any | None = None, **kwargs: Any) -> Any:
    """A ``LogsQueryClient`` (``DefaultAzureCredential`` unless a credential is given)."""
    from azure.monitor.query import LogsQueryClient

    if credential is None:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential()
    return LogsQueryClient(credential, **kwargs)


def _success(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise InputError(f"{where}: field Success: must be a boolean, 0/1 or True/False, got {value!r}", field="Success")


def _instant(value: Any, where: str) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InputError(f"{where}: field TimeGenerated: timestamp without timezone", field="TimeGenerated")
        return to_us(value)
    if isinstance(value, str):
        return to_us(parse_instant(value, where, "TimeGenerated"))
    raise InputError(f"{where}: field TimeGenerated: not a timestamp: {value!r}", field="TimeGenerated")


def _text(value: Any, where: str, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: field {field}: missing or empty", field=field)
    return value.strip()


def _duration(value: Any, where: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{where}: field DurationMs: not a number: {value!r}", field="DurationMs") from exc
    if isinstance(value, bool) or not math.isfinite(number) or number < 0:
        raise InputError(f"{where}: field DurationMs: must be a finite number >= 0, got {value!r}", field="DurationMs")
    return number


def result_of(values: Mapping[str, Any], where: str) -> TestResult:
    """One ``AppAvailabilityResults`` row (by column name) as a :class:`TestResult`; InputError names the field."""
    return TestResult(
        at=_instant(values.get("TimeGenerated"), where),
        name=_text(values.get("Name"), where, "Name"),
        location=_text(values.get("Location"), where, "Location"),
        success=_success(values.get("Success"), where),
        duration_ms=_duration(values.get("DurationMs"), where),
    )


def rows_of(tables: Iterable[Any] | None, start_us: int, end_us: int) -> list[TestResult]:
    """The results in ``[start_us, end_us)`` of ``LogsTable`` objects (``columns`` names, ``rows`` values)."""
    found: list[TestResult] = []
    for table in tables or []:
        columns = list(table.columns)
        missing = [c for c in COLUMNS if c not in columns]
        if missing:
            raise InputError(f"table {table.name}: columns {', '.join(missing)} missing (got {', '.join(columns)})")
        index = {name: columns.index(name) for name in COLUMNS}
        for number, row in enumerate(table.rows):
            values = list(row)
            result = result_of({name: values[i] for name, i in index.items()}, f"{table.name} row {number}")
            if start_us <= result.at < end_us:
                found.append(result)
    return found


def _innermost_message(detail: Any) -> str:
    while isinstance(detail, Mapping) and isinstance(detail.get("innererror"), Mapping):
        detail = detail["innererror"]
    return str(detail.get("message") or "") if isinstance(detail, Mapping) else ""


def describe_error(error: Any) -> str:
    """``code: message`` of a ``LogsQueryError``, followed by the innermost message of each detail."""
    if error is None:
        return "PartialError (no error detail)"
    parts = [getattr(error, "message", "") or ""]
    parts += [_innermost_message(d) for d in getattr(error, "details", None) or []]
    text = "; ".join(dict.fromkeys(p for p in parts if p))  # in order, without repeats
    code = getattr(error, "code", "") or "PartialError"
    return f"{code}: {text}" if text else code


class MonitorResultsSource:
    """``AppAvailabilityResults`` of an interval from a Log Analytics workspace (a ``ResultsSource``)."""

    name = "azure-monitor"

    def __init__(self, client: Callable[[], Any], workspace_id: str, server_timeout: int | None = None) -> None:
        """``client`` returns the ``LogsQueryClient``; it is called on the first fetch only."""
        if not workspace_id:
            raise ValueError("a Log Analytics workspace id is required")
        self._client_factory = client
        self._client: Any | None = None
        self._workspace_id = workspace_id
        self._server_timeout = server_timeout

    def fetch(self, start_us: int, end_us: int) -> tuple[list[TestResult], bool, str]:
        """The results in ``[start_us, end_us)``, whether the answer was complete, and the service's note."""
        from azure.monitor.query import LogsQueryStatus

        if self._client is None:
            self._client = self._client_factory()
        response = self._client.query_workspace(
            self._workspace_id,
            results_query(start_us, end_us),
            timespan=(from_us(start_us, UTC), from_us(end_us, UTC)),
            server_timeout=self._server_timeout,
        )
        if response.status == LogsQueryStatus.PARTIAL:
            return rows_of(response.partial_data, start_us, end_us), False, describe_error(response.partial_error)
        if response.status == LogsQueryStatus.SUCCESS:
            return rows_of(response.tables, start_us, end_us), True, ""
        raise RuntimeError(f"unexpected Log Analytics query status {response.status!r}")

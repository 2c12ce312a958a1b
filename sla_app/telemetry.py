"""Structured telemetry: one log line per event, with an operation id carried across triggers.

Every event is one ``logging`` record on the logger ``sla_app.telemetry`` whose message is

    sla.event <name> {"month": "2026-10", "operation": "<32 hex>", "tenant": "enschede", ...}

On Azure the Functions host forwards worker log records to Application Insights (table
``AppTraces``, column ``Message``); the alert rules in ``infra/core/monitor/alerts.bicep``
parse exactly this line (``parse Message with "sla.event " Event " " Payload``). The
same dimensions also go into the record's ``extra`` so that an OpenTelemetry log handler,
if one is ever configured, puts them in ``customDimensions`` too. docs/operations.md
explains why the host integration, not the Azure Monitor OpenTelemetry distro, is used.

Dimensions are a closed list (:data:`DIMENSIONS`) of ids, dates, counts and flags: an
unknown key is a programming error (ValueError), and a string value that is not a plain
token (letters, digits, ``._:/|+-``) is replaced by ``(redacted)``, so an e-mail address,
a name or free text can never reach the logs (SLA §5.2.1, AVG).

The operation id lives in a context variable: :func:`traced` starts one per function
invocation (from an incoming queue message's ``operation_id`` or an HTTP ``traceparent``,
else new), :func:`with_operation` stamps it on outgoing queue messages, so one id follows
a timer or webhook through the queues to the delivery.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

LOGGER_NAME = "sla_app.telemetry"
MARKER = "sla.event"  # first token of every event message
OPERATION_KEY = "operation_id"  # key of the operation id in queue messages
REDACTED = "(redacted)"

# -- dimensions (custom dimensions of every event; never personal data) --------------------
TENANT, MONTH, OPERATION = "tenant", "month", "operation"
# The detail keys an audit action that becomes an event keeps (part of DIMENSIONS below).
_AUDIT_KEYS = (
    MONTH,
    "day",
    "version",
    "new",
    "status",
    "outcome",
    "complete",
    "rows",
    "needs_manual_check",
    "dequeue_count",
    "source",
)
DIMENSIONS = frozenset(
    {
        TENANT,
        OPERATION,
        *_AUDIT_KEYS,
        "count",
        "function",
        "kind",
        "duration_ms",
        "route",
        "status_code",
        "queue",
        "incomplete_days",
        "poison_messages",
        "provisional_past_deadline",
        "undelivered_past_deadline",
        "manual_check",
        "stale_timers",
    }
)

# -- event names the code writes and the alert rules query --------------------------------
# Events named after an audit action are emitted by AdminRepository.audit (see audited()).
AVAILABILITY_INGESTED = "availability.ingested"
AVAILABILITY_INGEST_FAILED = "availability.ingest_failed"
REPORT_COMPUTED = "report.computed"
REPORT_FAILED = "report.failed"
MONTH_READY_FAILED = "availability.month_ready_failed"  # a completed month could not be enqueued
POISONED_SUFFIX = ".poisoned"  # report.poisoned, delivery.poisoned, ...
DELIVERY_SENT = "delivery.sent"
DELIVERY_FAILED = "delivery.failed"
# Events of this module.
FUNCTION_FINISHED = "function.finished"
FUNCTION_FAILED = "function.failed"
HTTP_UNAUTHORIZED = "http.unauthorized"
HEALTH_SNAPSHOT = "health.snapshot"
# Counters: an event whose "count" dimension is summed.
EVENTS_INGESTED = "counter.events_ingested"
ROWS_INGESTED = "counter.rows_ingested"
REPORTS_COMPUTED = "counter.reports_computed"
EMAILS_SENT = "counter.emails_sent"
COUNTERS = (EVENTS_INGESTED, ROWS_INGESTED, REPORTS_COMPUTED, EMAILS_SENT)


def _audit_counter(action: str, detail: Mapping[str, Any]) -> tuple[str, Any] | None:
    """The counter an audit action implies, with its amount: rows of a stored day, one report
    computed, one e-mail for any ``*.sent`` / ``*_sent`` action (reports, corrections, notices)."""
    if action == AVAILABILITY_INGESTED:
        return (ROWS_INGESTED, detail.get("rows")) if detail.get("outcome", "stored") == "stored" else None
    if action == REPORT_COMPUTED:
        return REPORTS_COMPUTED, 1
    if action.endswith((".sent", "_sent")):
        return EMAILS_SENT, 1
    return None


_TOKEN = re.compile(r"^[A-Za-z0-9._:/|+\-]{0,120}$")
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")

_operation: contextvars.ContextVar[str | None] = contextvars.ContextVar("sla_operation", default=None)
_log = logging.getLogger(LOGGER_NAME)

TIMERS: dict[str, str] = {}  # timer function name -> its schedule, filled by @traced(..., schedule=...)

Handler = TypeVar("Handler", bound=Callable[..., Any])


def new_operation_id() -> str:
    """A fresh operation id: 32 lowercase hex digits (the shape of a W3C trace id)."""
    return uuid.uuid4().hex


def valid_operation_id(value: Any) -> str | None:
    """``value`` when it is an operation id (32 hex, not all zeros), else None."""
    if isinstance(value, str) and _HEX32.fullmatch(value) and value != "0" * 32:
        return value
    return None


def current_operation() -> str | None:
    """The operation id of the running invocation, if any."""
    return _operation.get()


@contextlib.contextmanager
def operation(operation_id: str | None = None) -> Iterator[str]:
    """Run a block under ``operation_id`` (a new id when None or invalid); yields the id."""
    chosen = valid_operation_id(operation_id) or new_operation_id()
    token = _operation.set(chosen)
    try:
        yield chosen
    finally:
        _operation.reset(token)


def _clean(key: str, value: Any) -> Any:
    if key not in DIMENSIONS:
        raise ValueError(f"telemetry dimension {key!r} is not in DIMENSIONS")
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return round(value, 3)
    text = str(value)
    return text if _TOKEN.fullmatch(text) else REDACTED


def dimensions(**values: Any) -> dict[str, Any]:
    """The cleaned dimensions of an event plus the current operation (keys sorted, None dropped)."""
    cleaned = {key: _clean(key, value) for key, value in values.items() if value is not None}
    if OPERATION not in cleaned and current_operation() is not None:
        cleaned[OPERATION] = current_operation()
    return dict(sorted(cleaned.items()))


def format_event(name: str, dims: Mapping[str, Any]) -> str:
    """The message line of an event: ``sla.event <name> <compact JSON>``."""
    if not _TOKEN.fullmatch(name) or not name:
        raise ValueError(f"telemetry event name {name!r} is not a plain token")
    return f"{MARKER} {name} {json.dumps(dict(dims), separators=(',', ':'), sort_keys=True)}"


def parse_event(message: str) -> tuple[str, dict[str, Any]] | None:
    """The (name, dimensions) of an event line, or None (what the alert queries do, in Python)."""
    if not message.startswith(MARKER + " "):
        return None
    name, _, payload = message[len(MARKER) + 1 :].partition(" ")
    return name, json.loads(payload)


def event(name: str, level: int = logging.INFO, **values: Any) -> None:
    """Log one structured event (never raises for a logging failure)."""
    dims = dimensions(**values)
    _log.log(level, format_event(name, dims), extra={"sla_event": name, **dims})


def count(name: str, amount: int, **values: Any) -> None:
    """A counter increment: an event whose ``count`` dimension is summed by the queries."""
    if amount:
        event(name, count=int(amount), **values)


def audited(action: str, tenant: str | None, detail: Mapping[str, Any]) -> None:
    """The telemetry of an audit entry: an event named after the action with its safe detail keys,
    plus the counter it implies. Never raises: the audit write must not fail because of telemetry."""
    try:
        kept = {key: detail[key] for key in _AUDIT_KEYS if isinstance(detail.get(key), str | int | bool)}
        failed = action.endswith((".failed", "_failed", POISONED_SUFFIX))
        event(action, logging.WARNING if failed else logging.INFO, tenant=tenant or None, **kept)
        counter = _audit_counter(action, detail)
        if counter is not None and isinstance(counter[1], int) and not isinstance(counter[1], bool):
            count(counter[0], counter[1], tenant=tenant or None, month=kept.get("month"), day=kept.get("day"))
    except Exception:  # noqa: BLE001 — telemetry is best effort
        _log.debug("telemetry for audit action %s failed", action, exc_info=True)


def with_operation(message: dict[str, Any]) -> dict[str, Any]:
    """A queue message stamped with the current operation id (unchanged outside an operation)."""
    current = current_operation()
    if current is None or OPERATION_KEY in message:
        return message
    return {**message, OPERATION_KEY: current}


def operation_of_message(body: bytes | str | None) -> str | None:
    """The operation id carried by a JSON queue message body, if any."""
    try:
        data = json.loads(body or b"")
    except (ValueError, TypeError):
        return None
    return valid_operation_id(data.get(OPERATION_KEY)) if isinstance(data, dict) else None


def _incoming_operation(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[str, str | None]:
    """(trigger kind, operation id) of a handler's arguments: a queue message, an HTTP request or a timer."""
    for value in (*args, *kwargs.values()):
        if hasattr(value, "dequeue_count") and hasattr(value, "get_body"):
            return "queue", operation_of_message(value.get_body())
        if hasattr(value, "route_params") and hasattr(value, "headers"):
            match = _TRACEPARENT.fullmatch((value.headers.get("traceparent") or "").strip().lower())
            return "http", valid_operation_id(match.group(1)) if match else None
        if hasattr(value, "past_due"):
            return "timer", None
    return "other", None


def traced(function: str, *, schedule: str | None = None) -> Callable[[Handler], Handler]:
    """Decorate a Functions handler: run it under an operation, log ``function.finished`` or
    ``function.failed`` (kind, duration, outcome); a timer (``schedule`` given) is registered in
    :data:`TIMERS` and its run recorded by :func:`record_timer_run`. Keeps the signature (functools.wraps)."""
    if schedule is not None:
        TIMERS[function] = schedule

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            kind, incoming = _incoming_operation(args, kwargs)
            with operation(incoming):
                started, began = datetime.now(UTC), time.monotonic()
                try:
                    result = handler(*args, **kwargs)
                except Exception:
                    _finished(function, kind, started, began, "failed")
                    raise
                status = getattr(result, "status_code", None)
                failed = isinstance(status, int) and status >= 500
                _finished(function, kind, started, began, "failed" if failed else "ok", status)
                return result

        return wrapped  # type: ignore[return-value]

    return decorate


def _finished(
    function: str, kind: str, started: datetime, began: float, outcome: str, status: int | None = None
) -> None:
    duration = int((time.monotonic() - began) * 1000)
    name, level = (FUNCTION_FAILED, logging.ERROR) if outcome == "failed" else (FUNCTION_FINISHED, logging.INFO)
    event(name, level, function=function, kind=kind, duration_ms=duration, outcome=outcome, status_code=status)
    if kind == "timer":
        _record(function, started, outcome)


TimerRecorder = Callable[[str, datetime, datetime, str, str | None], None]
_recorders: list[TimerRecorder] = []


def on_timer_run(recorder: TimerRecorder) -> TimerRecorder:
    """Register ``recorder(function, started, finished, outcome, operation)`` for every timer run."""
    if recorder not in _recorders:
        _recorders.append(recorder)
    return recorder


def _record(function: str, started: datetime, outcome: str) -> None:
    for recorder in _recorders:
        try:
            recorder(function, started, datetime.now(UTC), outcome, current_operation())
        except Exception:  # noqa: BLE001 — a failing recorder must not fail the timer
            _log.warning("recording the run of timer %s failed", function, exc_info=True)


def unauthorized(route: str) -> None:
    """A request refused with 401 (webhook bursts are an alert: a misconfigured or hostile sender)."""
    event(HTTP_UNAUTHORIZED, logging.WARNING, route=route, status_code=401)

"""HTTP plumbing shared by every handler: JSON bodies, RFC 9457 problem details, error mapping.

:func:`endpoint` wraps a handler; it is the one place where errors become
status codes: an :class:`~sla_app.errors.AppError` becomes its status with an
``application/problem+json`` body naming the field; a storage outage (the
Azure SDK could not reach the service, or it answered 5xx or 429) becomes 503
with ``Retry-After``; anything else becomes a 500 without internals (logged).

:func:`loads` is the one JSON reader for input (bodies, the client principal
header): at most :data:`MAX_DEPTH` levels of nesting (deeper: 400), integers
within the I-JSON range (RFC 7493 §2.2: ±(2^53−1)) and finite numbers (else 422
naming the key of the number), no NaN/Infinity (400). Never a 500.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from collections.abc import Callable
from typing import Any

import azure.functions as func
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from sla_app import telemetry
from sla_app.errors import AppError, BadRequest, PayloadTooLarge, Unprocessable

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1
STORAGE_RETRY_AFTER_SECONDS = 30
PROBLEM_TYPE = "about:blank"
_log = logging.getLogger("sla_app.http")

Handler = Callable[[func.HttpRequest], func.HttpResponse]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> func.HttpResponse:
    """A JSON response (UTF-8)."""
    return func.HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=None),
        status_code=status,
        mimetype="application/json",
        charset="utf-8",
        headers=headers,
    )


def problem(status: int, title: str, detail: str, instance: str, field: str | None = None) -> func.HttpResponse:
    """An RFC 9457 problem details response."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if field is not None:
        body["field"] = field
    headers = {"WWW-Authenticate": 'Bearer realm="sla-monitor"'} if status == 401 else None
    return func.HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status_code=status,
        mimetype="application/problem+json",
        charset="utf-8",
        headers=headers,
    )


def _no_constant(name: str) -> Any:
    raise BadRequest(f"{name} is not a JSON number")


def _out_of_range(value: Any) -> bool:
    if type(value) is int:
        return not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    return type(value) is float and not math.isfinite(value)


def _check(value: Any, what: str) -> None:
    """Nesting depth and number ranges of a decoded value, in one pass over its containers (no recursion)."""
    stack: list[tuple[Any, int, str | None]] = [(value, 1, None)]
    if _out_of_range(value):
        raise Unprocessable(f"{what}: number out of range (RFC 7493: at most ±{MAX_SAFE_INTEGER}, finite)")
    while stack:
        node, level, key = stack.pop()
        if level > MAX_DEPTH:
            raise BadRequest(f"{what}: JSON nested deeper than {MAX_DEPTH} levels")
        items = node.items() if type(node) is dict else ((key, v) for v in node)
        for name, item in items:
            if type(item) is dict or type(item) is list:
                stack.append((item, level + 1, name))
            elif _out_of_range(item):
                where = f"field {name}" if name is not None else what
                raise Unprocessable(
                    f"{where}: number out of range (RFC 7493: at most ±{MAX_SAFE_INTEGER}, finite)", field=name
                )


def loads(text: str, what: str = "request body") -> Any:
    """Strict JSON (see the module docstring); :class:`BadRequest` or :class:`Unprocessable` naming ``what``."""
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{what}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:
        raise BadRequest(f"{what}: JSON nested deeper than {MAX_DEPTH} levels") from exc
    except ValueError as exc:  # e.g. an integer literal of more than 4,300 digits
        raise BadRequest(f"{what}: unreadable JSON value ({str(exc)[:80]})") from exc
    if type(value) is dict or type(value) is list:
        _check(value, what)
    elif _out_of_range(value):
        raise Unprocessable(f"{what}: number out of range (RFC 7493: at most ±{MAX_SAFE_INTEGER}, finite)")
    return value


def read_json(request: func.HttpRequest) -> Any:
    """The request body as JSON; 413 when too large, 400 when not strict JSON (:func:`loads`)."""
    raw = request.get_body() or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body larger than {MAX_BODY_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("request body is not UTF-8") from exc
    return loads(text)


def _storage_outage(exc: Exception) -> bool:
    """Whether an Azure SDK error means the service is unreachable or busy (not a bad request of ours)."""
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(exc, HttpResponseError) and (status is None or status >= 500 or status == 429)


def _path(request: func.HttpRequest) -> str:
    url = request.url or ""
    start = url.find("/", url.find("//") + 2) if "//" in url else 0
    return url[start:].split("?")[0] or "/"


def endpoint(handler: Handler) -> Handler:
    """Map errors raised by ``handler`` to problem responses (the one place that does so)."""

    @functools.wraps(handler)
    def wrapped(request: func.HttpRequest) -> func.HttpResponse:
        try:
            return handler(request)
        except AppError as exc:
            if exc.status == 401:
                telemetry.unauthorized(_path(request))
            response = problem(exc.status, exc.title, exc.detail, _path(request), exc.field)
            retry_after = getattr(exc, "retry_after", None)
            if retry_after is not None:
                response.headers["Retry-After"] = str(retry_after)
            return response
        except Exception as exc:  # noqa: BLE001 — the last line of defence: no internals leak out
            if _storage_outage(exc):
                _log.exception("storage unavailable in %s", handler.__name__)
                response = problem(503, "Service unavailable", "storage is unavailable; retry later", _path(request))
                response.headers["Retry-After"] = str(STORAGE_RETRY_AFTER_SECONDS)
                return response
            _log.exception("unhandled error in %s", handler.__name__)
            return problem(500, "Internal error", "the request could not be processed", _path(request))

    return wrapped

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
import itertools
import json
import logging
import math
import re
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
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
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
    body: dict[str, Any] = {"type": PROBLEM_TYPE, "title": title, "status": status, "detail": detail, "instance": instance}
    if field is not None:
        body["field"] = field
    headers = {"WWW-Authenticate": 'Bearer realm="sla-monitor"'} if status == 401 else None
    return func.HttpResponse(
        json.dumps(body, ensure_ascii=False), status_code=status, mimetype="application/problem+json",
        charset="utf-8", headers=headers,
    )  # fmt: skip


class _TooLarge:
    """An integer outside the I-JSON range (not an int: nothing can use it), until the object holding it names its key."""


_TOO_LARGE = _TooLarge()


def _parse_int(text: str) -> int | _TooLarge:
    if len(text.lstrip("-")) > 16 or abs(int(text)) > MAX_SAFE_INTEGER:
        return _TOO_LARGE
    return int(text)


def _holds_too_large(value: Any) -> bool:
    if value is _TOO_LARGE:
        return True
    if type(value) is list:
        return any(_holds_too_large(v) for v in value)
    return False


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise Unprocessable(f"number {text[:20]} is out of range")
    return value


def _no_constant(name: str) -> Any:
    raise BadRequest(f"{name} is not a JSON number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    for key, value in pairs:
        if _holds_too_large(value):
            raise Unprocessable(f"field {key}: number outside ±{MAX_SAFE_INTEGER} (RFC 7493)", field=key)
    return dict(pairs)


def depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped)."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    return max(itertools.accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def loads(text: str, what: str = "request body") -> Any:
    """Strict JSON (see the module docstring); :class:`BadRequest` naming ``what`` otherwise."""
    if depth(text) > MAX_DEPTH:
        raise BadRequest(f"{what}: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_no_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise BadRequest(f"{what}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except RecursionError as exc:  # unreachable after the depth check; kept as a guard
        raise BadRequest(f"{what}: JSON nested too deeply") from exc
    if _holds_too_large(value):
        raise Unprocessable(f"{what}: number outside ±{MAX_SAFE_INTEGER} (RFC 7493)")
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

"""HTTP plumbing shared by every handler: JSON bodies, RFC 9457 problem details, error mapping.

:func:`endpoint` wraps a handler; it is the one place where errors become
status codes: an :class:`~sla_app.errors.AppError` becomes its status with an
``application/problem+json`` body naming the field; anything else becomes a
500 without internals (logged).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from typing import Any

import azure.functions as func

from sla_app import telemetry
from sla_app.errors import AppError, BadRequest, PayloadTooLarge

MAX_BODY_BYTES = 2 * 1024 * 1024
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
    body: dict[str, Any] = {"type": PROBLEM_TYPE, "title": title, "status": status, "detail": detail, "instance": instance}
    if field is not None:
        body["field"] = field
    headers = {"WWW-Authenticate": 'Bearer realm="sla-monitor"'} if status == 401 else None
    return func.HttpResponse(
        json.dumps(body, ensure_ascii=False), status_code=status, mimetype="application/problem+json",
        charset="utf-8", headers=headers,
    )  # fmt: skip


def read_json(request: func.HttpRequest) -> Any:
    """The request body as JSON; 413 when too large, 400 when not JSON."""
    raw = request.get_body() or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body larger than {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadRequest("request body is not UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise BadRequest(f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc


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
        except Exception:  # noqa: BLE001 — the last line of defence: no internals leak out
            _log.exception("unhandled error in %s", handler.__name__)
            return problem(500, "Internal error", "the request could not be processed", _path(request))

    return wrapped

"""A small local HTTP server over the registered HTTP functions (loopback only).

The Functions host is not available here (its installer downloads a binary),
so the portal, the browser tests and API fuzzing reach the app through this
stand-in: each request is matched against the registered routes (``{name}``
segments become route parameters), turned into a real ``func.HttpRequest``
and handed to the function; its ``func.HttpResponse`` is written back. Routes
live under ``/api/`` as on the host. ``/portal/…`` redirects to
``/api/portal/…`` for convenience.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import azure.functions as func

from tools.local_pipeline import registered

PREFIX = "/api/"
MAX_BODY = 4 * 1024 * 1024


@dataclass(frozen=True)
class Route:
    """One registered HTTP function and its route as a pattern."""

    name: str
    methods: frozenset[str]
    pattern: re.Pattern[str]
    literal_segments: int


def _routes() -> list[Route]:
    routes = []
    for name, function in registered().items():
        trigger = next((b for b in function.get_bindings() if b.type == "httpTrigger"), None)
        if trigger is None:
            continue
        template = trigger.route or name
        parts = template.strip("/").split("/")
        regex = "/".join(
            f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts
        )
        methods = frozenset(str(getattr(m, "value", m)).upper() for m in (trigger.methods or ("GET", "POST")))
        literal = sum(1 for p in parts if not p.startswith("{"))
        routes.append(Route(name, methods, re.compile(f"^{regex}$"), literal))
    # the most specific route first: more literal segments win over parameters
    return sorted(routes, key=lambda r: -r.literal_segments)


def dispatch(method: str, url: str, headers: dict[str, str], body: bytes) -> func.HttpResponse:
    """Run the registered function that matches ``method`` and ``url``; 404/405 otherwise."""
    parts = urlsplit(url)
    if not parts.path.startswith(PREFIX):
        return func.HttpResponse("not found", status_code=404)
    path = parts.path[len(PREFIX) :]
    matched_path = False
    for route in _routes():
        match = route.pattern.match(path)
        if match is None:
            continue
        matched_path = True
        if method not in route.methods:
            continue
        request = func.HttpRequest(
            method=method, url=url, headers=headers, params=dict(parse_qsl(parts.query)),
            route_params=match.groupdict(), body=body,
        )  # fmt: skip
        return registered()[route.name].get_user_function()(request)
    return func.HttpResponse("method not allowed" if matched_path else "not found", status_code=405 if matched_path else 404)


class _Handler(BaseHTTPRequestHandler):
    server_version = "sla-monitor-local"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 — signature of the base class
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return
        body = self.rfile.read(length) if length else b""
        if self.path == "/portal" or self.path.startswith("/portal/"):
            self.send_response(303)
            self.send_header("Location", "/api" + self.path.rstrip("/"))
            self.end_headers()
            return
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        response = dispatch(self.command, f"http://{host}{self.path}", dict(self.headers.items()), body)
        payload = response.get_body() or b""
        self.send_response(response.status_code)
        for key, value in response.headers.items():
            if key.lower() not in ("content-length", "content-type"):
                self.send_header(key, value)
        mimetype = response.mimetype or "text/plain"
        charset = f"; charset={response.charset}" if response.charset and mimetype.startswith(("text/", "application/json", "application/problem")) else ""
        self.send_header("Content-Type", mimetype + charset)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve


@contextmanager
def serving(port: int = 0) -> Iterator[str]:
    """Serve on 127.0.0.1 (``port`` 0: a free one) in a background thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

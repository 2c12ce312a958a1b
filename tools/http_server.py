"""A small local HTTP server over the app's registered HTTP functions (tests, API fuzzing, ``make portal``).

It plays the part of the Functions host for the routes ``function_app``
registers: it matches ``/api/<route>`` (``{name}`` matches one path segment,
URL-decoded), builds a real ``func.HttpRequest`` and writes the function's
``func.HttpResponse`` back. It listens on 127.0.0.1 on a free port and serves
each request on its own thread (so concurrent requests really are
concurrent). The Functions key is not checked (the host does that, not the
app).

With a :class:`Signer` (API fuzzing) the server signs what a real sender
would, for requests whose credential carries the placeholder :data:`PLACEHOLDER`:
``X-SLA-Signature: fuzz`` (with an ``X-SLA-Timestamp``) becomes the
canonical-events signature over the raw body, ``X-Hub-Signature: fuzz`` the
Jira one, ``Authorization: Bearer fuzz`` the TOPdesk token and
``X-MS-CLIENT-PRINCIPAL: fuzz`` an ``SLA.Admin`` principal (as App Service
Authentication would set it). So generated requests reach the code behind
authentication, while a request with a missing or other credential is passed
on unchanged and must be refused by the app.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import azure.functions as func

from tools.local_pipeline import registered

ROUTE_PREFIX = "/api/"
PLACEHOLDER = "fuzz"


@dataclass(frozen=True)
class Route:
    """One registered HTTP function: its route template split into segments, and its methods."""

    segments: tuple[str, ...]
    methods: frozenset[str]
    function: Any

    def match(self, parts: list[str]) -> dict[str, str] | None:
        """Route parameters when ``parts`` (URL-decoded path segments) fit the template."""
        if len(parts) != len(self.segments):
            return None
        params = {}
        for template, part in zip(self.segments, parts):
            if template.startswith("{") and template.endswith("}"):
                if not part:
                    return None
                params[template[1:-1]] = part
            elif template != part:
                return None
        return params


def routes() -> list[Route]:
    """Every registered HTTP route (fixed segments before parameters when both fit)."""
    found = []
    for function in registered().values():
        for binding in function.get_bindings():
            if binding.type == "httpTrigger":
                methods = frozenset(str(getattr(m, "value", m)).upper() for m in binding.methods)
                found.append(Route(tuple(binding.route.split("/")), methods, function.get_user_function()))
    return sorted(found, key=lambda r: [s.startswith("{") for s in r.segments])


@dataclass(frozen=True)
class Signer:
    """Credentials the server adds to requests that come without them (fuzzing only)."""

    events_secret: str
    jira_secret: str
    topdesk_token: str
    clock: Any  # () -> aware datetime

    def headers(self, body: bytes, given: dict[str, str]) -> dict[str, str]:
        """``given`` with each placeholder credential replaced by a valid one."""
        from sla_app.http.auth import encode_principal, sign_timestamped

        lower = {k.lower(): v for k, v in given.items()}
        extra: dict[str, str] = {}
        stamp = lower.get("x-sla-timestamp", "")
        if lower.get("x-sla-signature") == PLACEHOLDER and stamp.isascii() and stamp.isdigit():
            now: datetime = self.clock()
            extra.update(sign_timestamped(self.events_secret, body, int(now.timestamp())))
        if lower.get("x-hub-signature") == PLACEHOLDER:
            digest = hmac.new(self.jira_secret.encode(), body, hashlib.sha256).hexdigest()
            extra["X-Hub-Signature"] = f"sha256={digest}"
        if lower.get("authorization") == f"Bearer {PLACEHOLDER}":
            extra["Authorization"] = f"Bearer {self.topdesk_token}"
        if lower.get("x-ms-client-principal") == PLACEHOLDER:
            extra["X-MS-CLIENT-PRINCIPAL"] = encode_principal("fuzz@example.org", ["SLA.Admin"])
        replaced = {e.lower() for e in extra}
        return {k: v for k, v in given.items() if k.lower() not in replaced} | extra


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: tests read the responses, not the access log

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        if url.path == "/portal" or url.path.startswith("/portal/"):  # the address `make portal` prints
            return self._reply(303, b"", "text/plain", {"Location": "/api" + url.path.rstrip("/")})
        if not url.path.startswith(ROUTE_PREFIX):
            return self._reply(404, b"", "text/plain", {})
        try:
            parts = [unquote(p, errors="strict") for p in url.path[len(ROUTE_PREFIX) :].split("/")]
        except UnicodeDecodeError:
            return self._reply(400, b"path is not UTF-8", "text/plain", {})
        method = self.command.upper()
        allowed: set[str] = set()
        for route in self.server.routes:
            params = route.match(parts)
            if params is not None and method in route.methods:
                break
            if params is not None:
                allowed |= route.methods
        else:
            if allowed:
                return self._reply(405, b"", "text/plain", {"Allow": ", ".join(sorted(allowed))})
            return self._reply(404, b"", "text/plain", {})
        headers = {k: v for k, v in self.headers.items()}
        if self.server.signer is not None:
            headers = self.server.signer.headers(body, headers)
        query: dict[str, str] = {}
        for key, value in parse_qsl(url.query, keep_blank_values=True):
            query.setdefault(key, value)
        request = func.HttpRequest(
            method=method,
            url=f"http://{self.headers.get('Host', 'localhost')}{self.path}",
            headers=headers,
            params=query,
            route_params=params,
            body=body,
        )
        response: func.HttpResponse = route.function(request)
        media = response.mimetype or "text/plain"
        if response.charset:
            media += f"; charset={response.charset}"
        self._reply(response.status_code, response.get_body() or b"", media, dict(response.headers))

    def _reply(self, status: int, body: bytes, media: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            if key.lower() not in ("content-type", "content-length"):
                self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every method reaches the router (405 for one a route does not take)
            return self._serve
        raise AttributeError(name)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, signer: Signer | None, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.routes = routes()
        self.signer = signer


@contextmanager
def serve(signer: Signer | None = None, port: int = 0) -> Iterator[str]:
    """Serve the registered functions on 127.0.0.1 (``port`` 0: a free one) while the block runs; yields the base URL."""
    server = _Server(signer, port)
    thread = threading.Thread(target=server.serve_forever, name="sla-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

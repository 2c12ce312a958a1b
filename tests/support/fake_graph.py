"""A local stand-in for graph.microsoft.com: a real HTTP server on 127.0.0.1.

:class:`FakeGraph` is a ``ThreadingHTTPServer``: the real ``httpx`` client
sends real requests to it, and it records each one (method, path, headers,
body). It answers like Graph (sendMail 202, draft 201 with an id, attachments
201, upload sessions with an ``uploadUrl`` on itself whose PUTs it
reassembles, send 202) unless a test scripts other answers first.

An :class:`Answer` can also be a fault: ``delay`` (the client times out),
``reset`` (the connection is closed with a TCP reset instead of an answer),
``accepted`` (Graph took the message although the answer says otherwise).
``delivered`` holds the send requests Graph accepted: the e-mails that went
out. Subclasses decide per request by overriding :meth:`FakeGraph.answer`. No
request leaves this machine; the credential is a fake.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from azure.core.credentials import AccessToken

TOKEN = "fake-token-for-tests"
DRAFT_ID = "AAMkADraft1="


class FakeCredential:
    """Stands in for an azure-identity credential; records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(TOKEN, int(time.time()) + 3600)


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # seconds to wait before answering (a hanging server)
    accepted: bool = False  # a send request Graph accepted although this answer says otherwise (a 5xx after acceptance)
    reset: bool = False  # read the request, then reset the connection instead of answering


class FakeGraph:
    """A local Graph: records requests, answers scripted replies first, else like Graph."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.scripted: list[tuple[str, str, Answer]] = []  # (method, path regex, answer), first match is used once
        self.uploads: dict[str, bytearray] = {}
        self.upload_sizes: dict[str, int] = {}
        self.request_ids: list[str] = []
        self.delivered: list[Seen] = []  # send requests the fake Graph accepted: the e-mails that went out
        self._lock = threading.Lock()
        graph = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                answer = graph.answer(seen)
                if answer.delay:
                    time.sleep(answer.delay)
                if answer.reset:  # RST instead of an answer: linger 0, then close the socket itself
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.rfile.close()
                    self.wfile.close()
                    self.connection.close()
                    self.close_connection = True
                    return
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def handle(self) -> None:  # after a reset fault the server flushes closed streams
                try:
                    super().handle()
                except (OSError, ValueError):
                    pass

            def finish(self) -> None:  # after a reset the streams are closed already: nothing to flush
                try:
                    super().finish()
                except (OSError, ValueError):
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def graph_url(self) -> str:
        return f"{self.base}/v1.0"

    def script(self, method: str, path: str, *answers: Answer) -> None:
        """Answer the next requests matching ``method`` and ``path`` (a regex searched in the path) with these."""
        for answer in answers:
            self.scripted.append((method, path, answer))

    def of(self, method: str, path: str) -> list[Seen]:
        return [r for r in self.requests if r.method == method and re.search(path, r.path)]

    def answer(self, seen: Seen) -> Answer:
        with self._lock:
            self.requests.append(seen)
            chosen: Answer | None = None
            for index, (method, path, answer) in enumerate(self.scripted):
                if method == seen.method and re.search(path, seen.path):
                    del self.scripted[index]
                    chosen = answer
                    break
            if chosen is None:
                chosen = self._default(seen)
            sends = seen.method == "POST" and seen.path.split("?")[0].endswith(("/sendMail", "/send"))
            if sends and (chosen.status == 202 or chosen.accepted):
                self.delivered.append(seen)
            return self._with_ids(chosen)

    def _with_ids(self, answer: Answer) -> Answer:
        request_id = str(uuid.uuid4())
        self.request_ids.append(request_id)
        return replace(answer, headers={"request-id": request_id, **answer.headers})

    def _default(self, seen: Seen) -> Answer:
        path = seen.path.split("?")[0]
        if seen.method == "POST" and path.endswith("/sendMail"):
            return Answer(202)
        if seen.method == "POST" and path.endswith("/attachments/createUploadSession"):
            session = f"s{len(self.uploads) + 1}"
            self.uploads[session] = bytearray()
            self.upload_sizes[session] = int(seen.json()["AttachmentItem"]["size"])
            body = {
                "uploadUrl": f"{self.base}/upload/{session}?authtoken=opaque",
                "nextExpectedRanges": ["0-"],
                "expirationDateTime": "2026-11-01T07:00:00Z",
            }
            return Answer(201, {"Content-Type": "application/json"}, json.dumps(body).encode())
        if seen.method == "POST" and path.endswith("/attachments"):
            return Answer(201, {"Content-Type": "application/json"}, b'{"id":"att"}')
        if seen.method == "POST" and path.endswith("/send"):
            return Answer(202)
        if seen.method == "POST" and path.endswith("/messages"):
            return Answer(201, {"Content-Type": "application/json"}, json.dumps({"id": DRAFT_ID}).encode())
        if seen.method == "PUT" and path.startswith("/upload/"):
            return self._put(path.rsplit("/", 1)[1], seen)
        if seen.method == "DELETE":
            return Answer(204)
        return Answer(404, {"Content-Type": "application/json"}, b'{"error":{"code":"notFound","message":"no route"}}')

    def _put(self, session: str, seen: Seen) -> Answer:
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", seen.headers.get("content-range", ""))
        received = self.uploads[session]
        if (
            not match
            or int(match.group(1)) != len(received)
            or int(match.group(2)) - int(match.group(1)) + 1 != len(seen.body)
        ):
            return Answer(
                416, {"Content-Type": "application/json"}, b'{"error":{"code":"invalidRange","message":"bad range"}}'
            )
        received.extend(seen.body)
        if len(received) == self.upload_sizes[session]:
            return Answer(201, {"Location": f"{self.base}/attachments/{session}"})
        body = {"expirationDateTime": "2026-11-01T07:00:00Z", "nextExpectedRanges": [f"{len(received)}"]}
        return Answer(200, {"Content-Type": "application/json"}, json.dumps(body).encode())

    def start(self) -> FakeGraph:
        """Serve in a daemon thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.server.shutdown()
        self.server.server_close()


def running(graph: FakeGraph) -> Iterator[FakeGraph]:
    """Serve ``graph`` for the duration of a fixture."""
    graph.start()
    try:
        yield graph
    finally:
        graph.stop()

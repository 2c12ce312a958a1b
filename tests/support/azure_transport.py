"""A fake end of an azure-core pipeline: Azure SDK clients run for real and answer from here.

The client's pipeline (retry, bearer token, content decoding) runs unchanged
and ends in :class:`CannedTransport`, which records each request and answers
with a JSON body as the service sends it — from a queue of canned answers, or
from a ``respond`` function (the month-end drill's Azure Monitor, which
serves rows only once they have "arrived"). The credential is static.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline.transport import HttpTransport
from azure.core.rest import HttpRequest, HttpResponse
from azure.core.utils import case_insensitive_dict

TOKEN = "static-token-for-tests"
# The columns of AppAvailabilityResults that the adapter projects, as Log Analytics types them.
COLUMNS = [
    {"name": "TimeGenerated", "type": "datetime"},
    {"name": "Name", "type": "string"},
    {"name": "Location", "type": "string"},
    {"name": "Success", "type": "bool"},
    {"name": "DurationMs", "type": "real"},
]

Responder = Callable[[HttpRequest], tuple[int, Any]]


class StaticCredential:
    """A TokenCredential and SupportsTokenInfo that always gives the same token; records the scopes asked for."""

    def __init__(self) -> None:
        self.scopes: list[tuple[str, ...]] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self.scopes.append(scopes)
        return AccessToken(TOKEN, 4_102_444_800)  # 2100-01-01

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        self.scopes.append(scopes)
        return AccessTokenInfo(TOKEN, 4_102_444_800)


class CannedResponse(HttpResponse):
    """A complete, already read ``azure.core.rest.HttpResponse`` (what a transport returns for a rest request)."""

    def __init__(self, request: HttpRequest, status: int, body: Any) -> None:
        self._request = request
        self._status = status
        self._content = json.dumps(body).encode()
        self._headers: MutableMapping[str, str] = case_insensitive_dict(
            {"Content-Type": "application/json; charset=utf-8", "Content-Length": str(len(self._content))}
        )
        self._closed = False
        self._encoding: str | None = "utf-8"

    request = property(lambda self: self._request)
    status_code = property(lambda self: self._status)
    headers = property(lambda self: self._headers)
    reason = property(lambda self: "OK" if self._status == 200 else "Bad Request")
    content_type = property(lambda self: self._headers["Content-Type"])
    is_closed = property(lambda self: self._closed)
    is_stream_consumed = property(lambda self: True)
    url = property(lambda self: self._request.url)
    content = property(lambda self: self._content)

    @property
    def encoding(self) -> str | None:
        return self._encoding

    @encoding.setter
    def encoding(self, value: str | None) -> None:
        self._encoding = value

    def text(self, encoding: str | None = None) -> str:
        return self._content.decode(encoding or self._encoding or "utf-8")

    def json(self) -> Any:
        return json.loads(self.text())

    def raise_for_status(self) -> None:
        if self._status >= 400:
            raise HttpResponseError(response=self)

    def read(self) -> bytes:
        return self._content

    def iter_raw(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._content

    def iter_bytes(self, **kwargs: Any) -> Iterator[bytes]:
        yield self._content

    def close(self) -> None:
        self._closed = True

    def __enter__(self) -> CannedResponse:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()


class CannedTransport(HttpTransport):
    """The last node of the pipeline: records requests; answers canned (status, JSON body) first, then ``respond``."""

    def __init__(self, *answers: tuple[int, Any], respond: Responder | None = None) -> None:
        self.answers = list(answers)
        self.respond = respond
        self.requests: list[HttpRequest] = []

    def send(self, request: HttpRequest, **kwargs: Any) -> CannedResponse:  # type: ignore[override]
        self.requests.append(request)
        if self.answers or self.respond is None:
            status, body = self.answers.pop(0)
        else:
            status, body = self.respond(request)
        return CannedResponse(request, status, body)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> CannedTransport:
        return self

    def __exit__(self, *args: Any) -> None:
        pass

    def sleep(self, duration: float) -> None:  # no real waiting on retries
        pass


def table(*rows: list[Any], columns: list[dict[str, str]] = COLUMNS) -> dict[str, Any]:
    """A Log Analytics query-response table named ``PrimaryResult``."""
    return {"name": "PrimaryResult", "columns": columns, "rows": [list(r) for r in rows]}

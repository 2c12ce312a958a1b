"""A mailbox's requests to Microsoft Graph: the token, retries, errors and the receipt.

The token comes from an ``azure-identity`` credential (scope
``https://graph.microsoft.com/.default``), asked for only when a request is
made; without an injected credential a ``DefaultAzureCredential`` (the
Function App's managed identity) is created on first use, never at import.
The ``httpx.Client`` is likewise injected or created on first use.

Retries: 429 and 5xx answers and connection failures are retried up to
``max_attempts`` times, waiting ``Retry-After`` seconds (capped at
``max_retry_after``) or, without that header, an exponential back-off, within
a total waiting budget. Any other answer fails at once.

A request that *sends mail* (``sendMail``, ``…/send``) is retried only when
the answer proves the message was not accepted: ``429`` (throttled before
processing, with or without ``Retry-After``) and a refused connection (no
byte left this machine). Every other 4xx fails as *not sent*. A ``5xx`` answer
(a gateway such as 502/504 may answer after Graph accepted the message), a
timeout, or a connection lost after the request was written is an **unknown
outcome**: never retried here, the error says so, and the delivery service
flags it for a manual check (at-most-once, see :mod:`sla_app.services.delivery_once`).
Each request (with its retries) carries a fresh ``client-request-id``;
Graph's ``request-id`` answer header is the receipt.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import httpx

from sla_app.mail.message import NOT_SENT, UNKNOWN, MailError, Receipt

GRAPH_BASE_URL = "https://graph.microsoft.com/v1.0"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
UPLOAD_UNIT = 320 * 1024  # chunk sizes are multiples of 320 KiB
DEFAULT_CHUNK = 10 * UPLOAD_UNIT  # 3,276,800 bytes per PUT (Graph: keep each range under 4 MB)
TOKEN_MARGIN_SECONDS = 300  # renew a token this long before it expires
_NO_BYTES_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)  # the request never left

_log = logging.getLogger("sla_app.mail.graph")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry throttled or failing requests."""

    max_attempts: int = 4
    max_retry_after: float = 120.0  # cap on one wait, whatever Retry-After says
    max_total_wait: float = 180.0  # cap on all waits of one request
    backoff: float = 1.0  # first wait without Retry-After; doubled per attempt


class GraphClient:
    """Requests on behalf of one mailbox (``sender``), each with its retries.

    :class:`~sla_app.mail.graph_mail.GraphMailer` sends with them; its upload sessions PUT
    ``chunk_size`` bytes at a time (a positive multiple of :data:`UPLOAD_UNIT`).
    """

    def __init__(
        self,
        sender: str,
        *,
        credential: Any | None = None,
        client: httpx.Client | None = None,
        base_url: str = GRAPH_BASE_URL,
        sleep: Callable[[float], None] = time.sleep,
        retry: RetryPolicy = RetryPolicy(),
        chunk_size: int = DEFAULT_CHUNK,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        timeout: httpx.Timeout | None = None,
    ) -> None:
        if not sender:
            raise ValueError("a sender mailbox is required")
        if chunk_size <= 0 or chunk_size % UPLOAD_UNIT:
            raise ValueError(f"chunk_size must be a positive multiple of 320 KiB ({UPLOAD_UNIT} bytes)")
        if retry.max_attempts < 1:
            raise ValueError("retry.max_attempts must be at least 1")
        self.sender = sender
        self._credential = credential
        self._client = client
        self._owns_client = client is None
        self._base_url = base_url.rstrip("/")
        self._sleep = sleep
        self._retry = retry
        self._chunk = chunk_size
        self._now = now
        self._timeout = timeout or httpx.Timeout(60.0, connect=10.0)
        self._access: Any = None

    # -- plumbing -----------------------------------------------------------------

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout)
        return self._client

    def close(self) -> None:
        """Close the HTTP client if this mailer created it."""
        if self._client is not None and self._owns_client:
            self._client.close()
            self._client = None

    def _token(self) -> str:
        access = self._access
        if access is None or float(getattr(access, "expires_on", 0)) - TOKEN_MARGIN_SECONDS <= time.time():
            try:
                if self._credential is None:
                    from azure.identity import DefaultAzureCredential

                    self._credential = DefaultAzureCredential()
                access = self._access = self._credential.get_token(GRAPH_SCOPE)
            except Exception as exc:  # any credential failure means nothing was sent
                raise MailError(f"no access token for Microsoft Graph: {exc}", outcome=NOT_SENT) from exc
        return str(access.token)

    def _url(self, path: str) -> str:
        return f"{self._base_url}/users/{quote(self.sender, safe='@')}/{path}"

    def _message_url(self, message_id: str, tail: str = "") -> str:
        return self._url(f"messages/{quote(message_id, safe='=')}{tail}")

    def _wait(self, response: httpx.Response | None, attempt: int) -> float:
        seconds: float | None = None
        value = response.headers.get("Retry-After") if response is not None else None
        if value:
            try:
                seconds = float(value.strip())
            except ValueError:
                try:
                    seconds = (parsedate_to_datetime(value) - self._now()).total_seconds()
                except (TypeError, ValueError):
                    seconds = None
        if seconds is None:
            seconds = self._retry.backoff * 2 ** (attempt - 1)
        return min(max(seconds, 0.0), self._retry.max_retry_after)

    @staticmethod
    def _error(what: str, response: httpx.Response, attempts: int, note: str = "", unknown: bool = False) -> MailError:
        code = message = None
        try:
            error = response.json().get("error") or {}
            code, message = error.get("code"), error.get("message")
        except (ValueError, AttributeError):
            pass
        text = f"{what}: HTTP {response.status_code} {code or response.reason_phrase}"
        if message:
            text += f": {message}"
        if note:
            text += f" ({note})"
        return MailError(
            text[:1000],
            outcome=UNKNOWN if unknown else NOT_SENT,
            status=response.status_code,
            code=code,
            request_id=response.headers.get("request-id"),
            attempts=attempts,
        )

    def _call(
        self,
        what: str,
        method: str,
        url: str,
        *,
        content: bytes = b"",
        headers: dict[str, str] | None = None,
        expected: tuple[int, ...],
        auth: bool = True,
        sends_mail: bool = False,
    ) -> httpx.Response:
        """One logical request with retries; raises MailError unless the status is ``expected``."""
        client_request_id = str(uuid.uuid4())
        waited = 0.0
        policy = self._retry
        for attempt in range(1, policy.max_attempts + 1):
            request_headers = {"client-request-id": client_request_id, **(headers or {})}
            if auth:
                request_headers["Authorization"] = f"Bearer {self._token()}"
            request = self._http().build_request(method, url, content=content, headers=request_headers)
            if not auth:
                request.headers.pop("Authorization", None)  # pre-authenticated URL: never send the token there
            response: httpx.Response | None = None
            try:
                response = self._http().send(request)
            except httpx.TransportError as exc:
                if sends_mail and not isinstance(exc, _NO_BYTES_SENT):
                    raise MailError(
                        f"{what}: no answer from Microsoft Graph ({type(exc).__name__}); "
                        "the message may have been sent",
                        outcome=UNKNOWN,
                        attempts=attempt,
                    ) from exc
                failure = f"{what}: {type(exc).__name__}: {exc}"
                wait = self._wait(None, attempt)
                if attempt == policy.max_attempts or waited + wait > policy.max_total_wait:
                    raise MailError(failure[:1000], outcome=NOT_SENT, attempts=attempt) from exc
                _log.warning("%s; retrying in %.1f s", failure, wait)
            else:
                if response.status_code in expected:
                    return response
                status = response.status_code
                if sends_mail and status >= 500:  # may have been accepted before the error: never repeat it
                    raise self._error(what, response, attempt, note="the message may have been sent", unknown=True)
                if not (status == 429 or status >= 500) or attempt == policy.max_attempts:
                    raise self._error(what, response, attempt)
                wait = self._wait(response, attempt)
                if waited + wait > policy.max_total_wait:
                    raise self._error(what, response, attempt, note="retry budget exhausted")
                _log.warning("%s: HTTP %s; retrying in %.1f s", what, status, wait)
            self._sleep(wait)
            waited += wait
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _receipt(response: httpx.Response, via: str, **detail: Any) -> Receipt:
        request_id = response.headers.get("request-id") or ""
        client_request_id = response.request.headers.get("client-request-id", "")
        return Receipt(
            mode="graph",
            reference=request_id or client_request_id,
            detail={"via": via, "request_id": request_id, "client_request_id": client_request_id, **detail},
        )

"""Table queries as plain JSON through our own ``azure.core`` pipeline (no private SDK attribute).

:meth:`sla_app.storage.tables.TableStore.query_plain` asks the Table service for
``odata=nometadata`` pages and parses them itself, which takes ~8x less CPU than
the SDK's typed entities. azure-data-tables offers no public raw-request path,
so this module builds a small :class:`azure.core.PipelineClient` from the same
settings as the app's ``TableServiceClient`` (:mod:`sla_app.infrastructure`):

* a storage connection string (Azurite locally): the account key signs each
  request with the Table service's *Shared Key* scheme (below);
* otherwise the managed identity: a bearer token for
  ``https://storage.azure.com/.default`` (:class:`BearerTokenCredentialPolicy`,
  HTTPS only);
* a connection string with a shared access signature: the SAS (``AzureSasCredentialPolicy``).

The pipeline has the SDK's retry defaults (``RetryPolicy``: 10 tries in all,
3 per kind of error, exponential back-off from 0.8 s up to 120 s), a request id,
a user agent naming the app, redirects, and the usual logging and tracing
policies. Each try is dated (``x-ms-date``) and signed anew: those policies run
after the retry policy, as authentication does in azure.core's own default pipeline.

Shared Key for the Table service (REST reference "Authorize with Shared Key"):
``StringToSign = VERB \\n Content-MD5 \\n Content-Type \\n x-ms-date \\n CanonicalizedResource``
with ``CanonicalizedResource = "/" + account + <the request's encoded path>``
(plus ``?comp=<value>`` when the query has ``comp``), and the header
``Authorization: SharedKey <account>:<base64(HMAC-SHA256(base64decode(key), StringToSign))>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from azure.core import PipelineClient
from azure.core.credentials import AzureNamedKeyCredential, AzureSasCredential
from azure.core.pipeline import PipelineRequest
from azure.core.pipeline.policies import (
    AzureSasCredentialPolicy,
    BearerTokenCredentialPolicy,
    DistributedTracingPolicy,
    HeadersPolicy,
    HttpLoggingPolicy,
    NetworkTraceLoggingPolicy,
    ProxyPolicy,
    RedirectPolicy,
    RequestIdPolicy,
    RetryPolicy,
    SansIOHTTPPolicy,
    UserAgentPolicy,
)
from azure.core.rest import HttpRequest
from azure.core.utils import parse_connection_string

API_VERSION = "2019-02-02"
STORAGE_SCOPE = "https://storage.azure.com/.default"
USER_AGENT = "sla-monitor-tables/1"
# Azurite's well-known development account (public, the emulator's documented default): UseDevelopmentStorage=true.
_DEVELOPMENT = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
    "TableEndpoint=http://127.0.0.1:10002/devstoreaccount1"
)
_HEADERS = {"Accept": "application/json;odata=nometadata", "DataServiceVersion": "3.0", "x-ms-version": API_VERSION}


class DatePolicy(SansIOHTTPPolicy):
    """Dates each try (``x-ms-date``, RFC 1123 GMT): every authorized storage request carries its instant."""

    def on_request(self, request: PipelineRequest) -> None:
        request.http_request.headers["x-ms-date"] = formatdate(usegmt=True)


class SharedKeyPolicy(SansIOHTTPPolicy):
    """Signs each try with the account key (the Table service's Shared Key scheme; after :class:`DatePolicy`)."""

    def __init__(self, credential: AzureNamedKeyCredential) -> None:
        self._credential = credential

    def on_request(self, request: PipelineRequest) -> None:
        http = request.http_request
        name, key = self._credential.named_key
        http.headers["Authorization"] = f"SharedKey {name}:{sign(key, string_to_sign(http, name))}"


def string_to_sign(request: Any, account: str) -> str:
    """The Shared Key string to sign of a Table service request (see the module docstring)."""
    url = urlparse(request.url)
    resource = f"/{account}{url.path}"
    comp = parse_qs(url.query).get("comp")
    if comp:
        resource += f"?comp={comp[0]}"
    headers = request.headers
    return "\n".join(
        [
            request.method.upper(),
            headers.get("Content-MD5", ""),
            headers.get("Content-Type", ""),
            headers.get("x-ms-date", ""),
            resource,
        ]
    )


def sign(key: str, text: str) -> str:
    """Base64 of the HMAC-SHA256 of ``text`` under the base64-encoded account ``key``."""
    digest = hmac.new(base64.b64decode(key), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def endpoint_and_credential(connection_string: str) -> tuple[str, AzureNamedKeyCredential | AzureSasCredential]:
    """The table endpoint and credential of a storage connection string (as the SDK reads one)."""
    if connection_string.strip().lower().rstrip(";") == "usedevelopmentstorage=true":
        connection_string = _DEVELOPMENT
    parts = parse_connection_string(connection_string)  # keys in lower case
    credential: AzureNamedKeyCredential | AzureSasCredential
    if parts.get("accountname") and parts.get("accountkey"):
        credential = AzureNamedKeyCredential(parts["accountname"], parts["accountkey"])
    elif parts.get("sharedaccesssignature"):
        credential = AzureSasCredential(parts["sharedaccesssignature"])
    else:
        raise ValueError("storage connection string: neither AccountName/AccountKey nor SharedAccessSignature")
    endpoint = parts.get("tableendpoint")
    if not endpoint:
        if not parts.get("accountname"):
            raise ValueError("storage connection string: no TableEndpoint and no AccountName")
        scheme = parts.get("defaultendpointsprotocol", "https")
        endpoint = f"{scheme}://{parts['accountname']}.table.{parts.get('endpointsuffix', 'core.windows.net')}"
    return endpoint.rstrip("/"), credential


class PlainTables:
    """``GET /<table>()`` queries answered as plain JSON pages, through our own pipeline."""

    def __init__(self, endpoint: str, credential: Any, *, transport: Any | None = None, **options: Any) -> None:
        """``credential``: an ``AzureNamedKeyCredential``, an ``AzureSasCredential`` or a token credential.

        ``transport`` and ``options`` (``retry_total``, ``retry_backoff_factor``, ...) go to azure.core.
        """
        if isinstance(credential, AzureNamedKeyCredential):
            auth: Any = SharedKeyPolicy(credential)
        elif isinstance(credential, AzureSasCredential):
            auth = AzureSasCredentialPolicy(credential)
        elif hasattr(credential, "get_token"):
            if not endpoint.lower().startswith("https://"):
                raise ValueError("a token credential is sent over HTTPS only")
            auth = BearerTokenCredentialPolicy(credential, STORAGE_SCOPE)
        else:
            raise TypeError(f"unsupported table credential {type(credential).__name__}")
        self.endpoint = endpoint.rstrip("/")
        policies = [
            RequestIdPolicy(**options),
            HeadersPolicy(dict(_HEADERS), **options),
            UserAgentPolicy(sdk_moniker=USER_AGENT, **options),
            ProxyPolicy(**options),  # no ContentDecodePolicy: the page is parsed once, by pages()
            RedirectPolicy(**options),
            RetryPolicy(**options),
            DatePolicy(),
            auth,
            NetworkTraceLoggingPolicy(**options),
            DistributedTracingPolicy(**options),
            HttpLoggingPolicy(**options),
        ]
        self._client: PipelineClient[Any, Any] = PipelineClient(
            self.endpoint, policies=policies, transport=transport, **options
        )

    @classmethod
    def from_connection_string(cls, connection_string: str, **kwargs: Any) -> PlainTables:
        """The queries over a storage connection string's account (Azurite locally)."""
        endpoint, credential = endpoint_and_credential(connection_string)
        return cls(endpoint, credential, **kwargs)

    def pages(self, table: str, params: Mapping[str, str]) -> Iterator[list[dict[str, Any]]]:
        """Each page of entities of a query (``$filter``, ``$select``) of ``table``, following continuations."""
        url = f"{self.endpoint}/{quote(table)}()"
        query = dict(params)
        while True:
            response = self._client.send_request(HttpRequest("GET", url, params=query))
            response.raise_for_status()
            yield json.loads(response.content)["value"]
            next_pk = response.headers.get("x-ms-continuation-NextPartitionKey")
            next_rk = response.headers.get("x-ms-continuation-NextRowKey")
            if not next_pk and not next_rk:
                return
            query = {**query, "NextPartitionKey": next_pk or "", "NextRowKey": next_rk or ""}

    def close(self) -> None:
        """Close the pipeline's transport."""
        self._client.close()

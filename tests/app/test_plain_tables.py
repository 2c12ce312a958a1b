"""Plain-JSON table queries through our own azure.core pipeline (sla_app.storage.plain_tables).

Over Azurite with the account key (Shared Key, checked by the emulator), and with a
fake transport for the managed identity's bearer token: no request leaves loopback.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from azure.core.credentials import AzureNamedKeyCredential, AzureSasCredential
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from sla_app.bootstrap import AppContext
from sla_app.storage import plain_tables
from sla_app.storage.plain_tables import PlainTables, endpoint_and_credential
from tests.support.azure_transport import TOKEN, CannedResponse, CannedTransport, StaticCredential
from tools import azurite

ENDPOINT = "https://account.table.core.windows.net"


def rows(count: int) -> list[dict[str, Any]]:
    return [
        {"PartitionKey": "p", "RowKey": f"r{i:05d}", "text": f"it's {i}", "number": i, "flag": i % 2 == 0}
        for i in range(count)
    ]


def test_query_plain_reads_every_page_over_azurite_as_the_sdk_does(ctx: AppContext) -> None:
    """1,001 entities: Azurite answers 1,000 a page, so the second page comes through the continuation headers."""
    ctx.store.upsert_many("plain", rows(1001))
    before = ctx.store.requests
    plain = list(ctx.store.query_plain("plain", "PartitionKey eq @pk", {"pk": "p"}))
    assert ctx.store.requests - before == 2, "one request per page, counted"
    typed = list(ctx.store.query("plain", "PartitionKey eq @pk", {"pk": "p"}))
    assert [{k: e[k] for k in ("RowKey", "text", "number", "flag")} for e in plain] == [
        {k: e[k] for k in ("RowKey", "text", "number", "flag")} for e in typed
    ]
    assert all(isinstance(e["Timestamp"], str) for e in plain)


def test_a_filter_value_with_a_quote_and_a_select_go_to_the_service_as_odata(ctx: AppContext) -> None:
    ctx.store.upsert_many("plain", rows(3))
    found = list(
        ctx.store.query_plain("plain", "PartitionKey eq @pk and text eq @t", {"pk": "p", "t": "it's 1"}, ["text"])
    )
    assert found == [{"text": "it's 1"}]


def test_a_missing_table_is_created_and_reads_empty(ctx: AppContext) -> None:
    assert list(ctx.store.query_plain("never", "PartitionKey eq @pk", {"pk": "p"})) == []


def test_azurite_refuses_a_request_signed_with_another_key(ctx: AppContext, storage: azurite.Azurite) -> None:
    """The emulator checks the Shared Key signature: a wrong key is a 403, so the right one is really signed."""
    ctx.store.upsert_many("plain", rows(1))
    endpoint, good = endpoint_and_credential(storage.connection_string)
    assert isinstance(good, AzureNamedKeyCredential)
    wrong = AzureNamedKeyCredential(good.named_key.name, "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXk=")
    with pytest.raises(HttpResponseError) as caught:
        list(PlainTables(endpoint, wrong, retry_total=0).pages(ctx.table_prefix + "plain", {}))
    assert caught.value.status_code == 403
    [page] = list(PlainTables(endpoint, good).pages(ctx.table_prefix + "plain", {}))
    assert [e["RowKey"] for e in page] == ["r00000"]


class Continuing(CannedTransport):
    """Canned answers, each with the continuation headers given for it."""

    def __init__(self, *answers: tuple[int, Any, dict[str, str]]) -> None:
        super().__init__(*((status, body) for status, body, _ in answers))
        self.headers = [headers for _, _, headers in answers]

    def send(self, request: HttpRequest, **kwargs: Any) -> CannedResponse:  # type: ignore[override]
        response = super().send(request, **kwargs)
        response.headers.update(self.headers.pop(0))
        return response


def query(request: HttpRequest) -> dict[str, list[str]]:
    return parse_qs(urlsplit(request.url).query)


def test_the_managed_identity_reads_with_a_bearer_token_retries_and_follows_continuations() -> None:
    next_page = {"x-ms-continuation-NextPartitionKey": "1!8!cA--", "x-ms-continuation-NextRowKey": "1!8!cjI-"}
    transport = Continuing(
        (503, {"odata.error": {"code": "ServerBusy"}}, {}),
        (200, {"value": [{"RowKey": "r1"}]}, next_page),
        (200, {"value": [{"RowKey": "r2"}]}, {}),
    )
    credential = StaticCredential()
    tables = PlainTables(ENDPOINT, credential, transport=transport, retry_backoff_factor=0)
    pages = list(tables.pages("tevents", {"$filter": "PartitionKey eq 'p'"}))

    assert pages == [[{"RowKey": "r1"}], [{"RowKey": "r2"}]]
    assert credential.scopes and set(credential.scopes) == {(plain_tables.STORAGE_SCOPE,)}
    busy, first, second = transport.requests
    for request in transport.requests:
        assert request.method == "GET" and request.url.startswith(f"{ENDPOINT}/tevents()?")
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert parsedate_to_datetime(request.headers["x-ms-date"]).tzinfo is not None
        assert request.headers["Accept"] == "application/json;odata=nometadata"
        assert request.headers["x-ms-version"] == plain_tables.API_VERSION
        assert plain_tables.USER_AGENT in request.headers["User-Agent"]
    assert busy.url == first.url, "the 503 was retried as it was"
    assert query(first) == {"$filter": ["PartitionKey eq 'p'"]}
    assert query(second) == {
        "$filter": ["PartitionKey eq 'p'"],
        "NextPartitionKey": ["1!8!cA--"],
        "NextRowKey": ["1!8!cjI-"],
    }


def test_a_token_is_never_sent_over_plain_http() -> None:
    with pytest.raises(ValueError, match="HTTPS"):
        PlainTables("http://127.0.0.1:10002/devstoreaccount1", StaticCredential())


@pytest.mark.parametrize(
    ("connection_string", "endpoint", "kind"),
    [
        pytest.param(
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net",
            "https://acct.table.core.windows.net",
            AzureNamedKeyCredential,
            id="an account key and the endpoint suffix",
        ),
        pytest.param(
            "AccountName=acct;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/acct/",
            "http://127.0.0.1:10002/acct",
            AzureNamedKeyCredential,
            id="an explicit table endpoint (Azurite)",
        ),
        pytest.param(
            "UseDevelopmentStorage=true",
            "http://127.0.0.1:10002/devstoreaccount1",
            AzureNamedKeyCredential,
            id="the development storage shorthand",
        ),
        pytest.param(
            "TableEndpoint=https://acct.table.core.windows.net;SharedAccessSignature=sv=2019-02-02&sig=x",
            "https://acct.table.core.windows.net",
            AzureSasCredential,
            id="a shared access signature",
        ),
    ],
)
def test_a_connection_string_gives_the_table_endpoint_and_its_credential(
    connection_string: str, endpoint: str, kind: type
) -> None:
    found, credential = endpoint_and_credential(connection_string)
    assert (found, type(credential)) == (endpoint, kind)


def test_a_connection_string_without_a_credential_is_refused() -> None:
    with pytest.raises(ValueError, match="AccountKey"):
        endpoint_and_credential("AccountName=acct;TableEndpoint=https://acct.table.core.windows.net")

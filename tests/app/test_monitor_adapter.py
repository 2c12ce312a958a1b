"""The Azure Monitor adapter through the real LogsQueryClient, over a canned transport.

Nothing leaves the process: the client's pipeline (retry, bearer token,
content decoding) runs for real and ends in :class:`CannedTransport`
(``tests/support/azure_transport.py``), which records each request and answers
with a Log Analytics query response as the service sends it. The credential is
static.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from azure.core.exceptions import HttpResponseError

from sla_app.adapters.monitor_logs import (
    MonitorResultsSource,
    create_logs_client,
    results_query,
)
from sla_app.storage.availability_repo import day_bounds
from sla_core.availability_input import TestResult as Result
from sla_core.business_calendar import to_us
from sla_core.errors import InputError
from tests.support.azure_transport import (
    COLUMNS,
    TOKEN,
    CannedTransport,
    StaticCredential,
    table,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WORKSPACE = "8b2f6c1e-0d3a-4c55-9e7a-2f1d0c9b8a77"


def us(text: str) -> int:
    return to_us(datetime.fromisoformat(text))


def source_over(*answers: tuple[int, Any]) -> tuple[MonitorResultsSource, CannedTransport, StaticCredential]:
    transport, credential = CannedTransport(*answers), StaticCredential()
    client = create_logs_client(credential, transport=transport)
    return MonitorResultsSource(lambda: client, WORKSPACE), transport, credential


# 25 October 2026, the end of summer time: the local day has 25 hours.
DST_DAY = date(2026, 10, 25)
DST_START, DST_END = day_bounds(DST_DAY, AMSTERDAM)
DST_ROWS = [
    ["2026-10-24T22:00:07.1234567Z", "Home page", "West Europe", True, 412.5],
    ["2026-10-25T00:30:00Z", "Home page", "France Central", 1, 380],
    ["2026-10-25T01:30:00.5Z", "Home page", "North Europe", "False", 15000.0],
    ["2026-10-25T22:59:59.9999999Z", "Login", "West Europe", False, 30000],
    ["2026-10-25T23:00:00Z", "Login", "West Europe", True, 200],  # next local day: dropped
]


def test_the_dst_day_spans_25_hours() -> None:
    assert (us("2026-10-24T22:00:00+00:00"), us("2026-10-25T23:00:00+00:00")) == (DST_START, DST_END)
    assert DST_END - DST_START == 25 * 3600 * 1_000_000


def test_a_complete_answer_gives_every_row_of_the_local_day_and_the_request_is_the_documented_one() -> None:
    source, transport, credential = source_over((200, {"tables": [table(*DST_ROWS)]}))

    rows, complete, note = source.fetch(DST_START, DST_END)

    assert (complete, note) == (True, "")
    assert rows == [
        Result(us("2026-10-24T22:00:07.123456+00:00"), "Home page", "West Europe", True, 412.5),
        Result(us("2026-10-25T00:30:00+00:00"), "Home page", "France Central", True, 380.0),
        Result(us("2026-10-25T01:30:00.5+00:00"), "Home page", "North Europe", False, 15000.0),
        Result(us("2026-10-25T22:59:59.999999+00:00"), "Login", "West Europe", False, 30000.0),
    ]
    [request] = transport.requests
    assert request.method == "POST"
    assert request.url == f"https://api.loganalytics.io/v1/workspaces/{WORKSPACE}/query"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"
    body = json.loads(request.content)
    assert body["timespan"] == "2026-10-24T22:00:00.000Z/2026-10-25T23:00:00.000Z"
    assert body["query"] == (
        "AppAvailabilityResults\n"
        "| where TimeGenerated >= datetime(2026-10-24T22:00:00.000000Z)"
        " and TimeGenerated < datetime(2026-10-25T23:00:00.000000Z)\n"
        "| project TimeGenerated, Name, Location, Success, DurationMs"
    )
    assert body["query"] == results_query(DST_START, DST_END)
    assert credential.scopes == [("https://api.loganalytics.io/.default",)]


def test_a_partial_answer_keeps_its_rows_and_is_incomplete_with_the_services_message() -> None:
    error = {
        "code": "PartialError",
        "message": "There were some errors when processing your query.",
        "details": [
            {
                "code": "EngineError",
                "message": "Something went wrong processing your query on the server.",
                "innererror": {
                    "code": "-2133196797",
                    "severity": 2,
                    "severityName": "Error",
                    "message": "Query result set has exceeded the internal record count limit 500000",
                },
            }
        ],
    }
    source, transport, _ = source_over((200, {"tables": [table(*DST_ROWS[:2])], "error": error}))

    rows, complete, note = source.fetch(DST_START, DST_END)

    assert complete is False
    assert [r.location for r in rows] == ["West Europe", "France Central"]
    assert note.startswith("PartialError: There were some errors when processing your query.")
    assert "exceeded the internal record count limit 500000" in note
    assert len(transport.requests) == 1


def test_a_partial_answer_without_tables_is_incomplete_and_empty() -> None:
    error = {"code": "PartialError", "message": "Query timed out"}
    source, _, _ = source_over((200, {"tables": [], "error": error}))
    assert source.fetch(DST_START, DST_END) == ([], False, "PartialError: Query timed out")


def test_a_refused_query_raises_the_services_error() -> None:
    error = {
        "error": {
            "code": "BadArgumentError",
            "message": "The request had some invalid properties",
            "innererror": {"code": "SyntaxError", "message": "Query could not be parsed"},
        }
    }
    source, transport, _ = source_over((400, error))
    with pytest.raises(HttpResponseError) as caught:
        source.fetch(DST_START, DST_END)
    assert caught.value.status_code == 400
    assert len(transport.requests) == 1  # a 400 is not retried


def test_a_server_error_is_retried_by_the_client_pipeline() -> None:
    source, transport, _ = source_over((503, {"error": {"code": "ServiceUnavailable"}}), (200, {"tables": [table()]}))
    assert source.fetch(DST_START, DST_END) == ([], True, "")
    assert len(transport.requests) == 2


@pytest.mark.parametrize(
    ("row", "field"),
    [
        pytest.param(
            ["2026-10-25T09:00:00Z", "Home page", "West Europe", "maybe", 10],
            "Success",
            id="a Success that is not a boolean names Success",
        ),
        pytest.param(
            ["2026-10-25T09:00:00Z", "Home page", "West Europe", 2, 10], "Success", id="a Success of 2 names Success"
        ),
        pytest.param(
            ["2026-10-25T09:00:00Z", "Home page", "West Europe", True, None],
            "DurationMs",
            id="a missing DurationMs names DurationMs",
        ),
        pytest.param(
            ["2026-10-25T09:00:00Z", "Home page", "West Europe", True, -1],
            "DurationMs",
            id="a negative DurationMs names DurationMs",
        ),
        pytest.param(["2026-10-25T09:00:00Z", "", "West Europe", True, 10], "Name", id="an empty Name names Name"),
        pytest.param(
            ["not a time", "Home page", "West Europe", True, 10],
            "TimeGenerated",
            id="a TimeGenerated that is no timestamp names TimeGenerated",
        ),
    ],
)
def test_a_malformed_row_raises_an_input_error_naming_the_column(row: list[Any], field: str) -> None:
    source, _, _ = source_over((200, {"tables": [table(row)]}))
    with pytest.raises(InputError) as caught:
        source.fetch(DST_START, DST_END)
    assert caught.value.field == field


def test_a_table_without_the_projected_columns_is_refused() -> None:
    source, _, _ = source_over((200, {"tables": [table(["x"], columns=[{"name": "Name", "type": "string"}])]}))
    with pytest.raises(InputError, match="TimeGenerated"):
        source.fetch(DST_START, DST_END)


def test_the_columns_may_come_in_any_order() -> None:
    columns = [COLUMNS[i] for i in (4, 3, 2, 1, 0)]
    source, _, _ = source_over(
        (200, {"tables": [table([7.5, "true", "West Europe", "Login", "2026-10-25T09:00:00Z"], columns=columns)]})
    )
    [row] = source.fetch(DST_START, DST_END)[0]
    assert row == Result(us("2026-10-25T09:00:00+00:00"), "Login", "West Europe", True, 7.5)


def test_the_client_is_created_on_the_first_fetch_only() -> None:
    transport, credential = (
        CannedTransport((200, {"tables": [table()]}), (200, {"tables": [table()]})),
        StaticCredential(),
    )
    made: list[object] = []

    def factory() -> object:
        made.append(create_logs_client(credential, transport=transport))
        return made[-1]

    source = MonitorResultsSource(factory, WORKSPACE)
    assert made == []
    source.fetch(DST_START, DST_END)
    source.fetch(DST_START, DST_END)
    assert len(made) == 1
    assert len(transport.requests) == 2


def test_the_default_client_uses_default_azure_credential_without_a_network_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import azure.identity

    created: list[object] = []

    class RecordingCredential(StaticCredential):
        def __init__(self) -> None:
            super().__init__()
            created.append(self)

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", RecordingCredential)
    client = create_logs_client()
    assert len(created) == 1
    assert client._config.credential is created[0]
    assert created[0].scopes == []  # no token asked for before a query


def test_an_empty_workspace_id_is_refused() -> None:
    with pytest.raises(ValueError, match="workspace"):
        MonitorResultsSource(lambda: None, "")


def test_timestamps_are_utc_in_the_query_whatever_the_local_offset() -> None:
    start, end = day_bounds(date(2026, 3, 29), AMSTERDAM)  # summer time starts: 23 hours
    assert end - start == 23 * 3600 * 1_000_000
    assert "datetime(2026-03-28T23:00:00.000000Z)" in results_query(start, end)
    assert "datetime(2026-03-29T22:00:00.000000Z)" in results_query(start, end)
    assert datetime(2026, 3, 29, tzinfo=AMSTERDAM).astimezone(UTC).hour == 23

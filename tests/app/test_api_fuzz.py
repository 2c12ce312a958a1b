"""API fuzzing with Schemathesis against GET /api/openapi.json.

A small local HTTP server (:mod:`tools.http_server`, 127.0.0.1, a free port)
serves the registered functions over Azurite; Schemathesis loads the served
OpenAPI document and sends generated requests to every operation, with every
default check: no server error, and status code, content type, headers and
body as the document says; schema-violating requests refused, missing or wrong
credentials refused, undeclared methods answered 405.

The requests carry placeholder credentials (``fuzz``) that the server
replaces by valid ones (:class:`tools.http_server.Signer`), so they reach the
code behind authentication; Schemathesis's own variations without or with
other credentials reach the app unchanged and must be refused.

A schema-valid request may still be refused for what a schema cannot say
(``end`` after ``start``, a stale ``If-Match``): 412 and 422 count as accepted
answers to valid data; 400 does not (the document must describe the syntax).

In the normal suite each operation gets a few examples (``SLA_FUZZ_EXAMPLES``,
default 3, well under a minute); ``make fuzz`` runs the long version.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from sla_app.bootstrap import AppContext
from sla_app.http import openapi_operation
from tests.support.app import SECRETS, FixedClock
from tools.http_server import PLACEHOLDER, Signer, serve

EXAMPLES = int(os.environ.get("SLA_FUZZ_EXAMPLES", "3"))
# 2xx, and the refusals a schema cannot foresee: missing credentials or rights, no such resource, a concurrent
# change, a failed precondition, a semantic error.
ACCEPTED = ["2XX", "401", "403", "404", "409", "412", "422"]
# Schema-violating requests: any refusal; 413 for more than 1,000 events, 503 only for a configuration error.
REFUSED = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422"]


def config() -> SchemathesisConfig:
    credentials = {
        openapi_operation.FUNCTION_KEY: {"api_key": PLACEHOLDER},
        openapi_operation.PRINCIPAL: {"api_key": PLACEHOLDER},
        openapi_operation.EVENTS_SIGNATURE: {"api_key": PLACEHOLDER},
        openapi_operation.JIRA_SIGNATURE: {"api_key": PLACEHOLDER},
        openapi_operation.TOPDESK_BEARER: {"bearer": PLACEHOLDER},
    }
    return SchemathesisConfig.from_dict(
        {
            "auth": {"openapi": credentials},
            "checks": {
                "positive_data_acceptance": {"expected-statuses": ACCEPTED},
                "negative_data_rejection": {"expected-statuses": REFUSED},
            },
        }
    )


@pytest.fixture
def api_url(ctx: AppContext, tenants: list[str], clock: FixedClock) -> Iterator[str]:
    signer = Signer(SECRETS["events"], SECRETS["jira"], SECRETS["topdesk"], clock)
    with serve(signer) as url:
        yield url


@pytest.fixture
def api_schema(api_url: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{api_url}/api/openapi.json", config=config())


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck), database=None
)
def test_no_server_errors_and_every_response_conforms_to_the_document(case: schemathesis.Case) -> None:
    case.call_and_validate()

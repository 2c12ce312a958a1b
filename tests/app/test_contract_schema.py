"""The schema of a tenant's ``contract_override`` in the OpenAPI document (sla_app/http/contract_schema.py).

It must accept what the merge accepts (every part optional, each list item whole) and refuse what the
strict contract validation refuses by type, so that Schemathesis's schema-valid overrides reach the
merge and its schema-violating ones are refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sla_app.http.contract_schema import contract_override_schema
from sla_app.http.openapi import document
from sla_core.contract import contract_from_mapping, default_contract

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "contract.json"


def valid(override: Any) -> bool:
    return jsonschema.Draft202012Validator(contract_override_schema()).is_valid(override)


@pytest.mark.parametrize(
    "override",
    [
        pytest.param({}, id="no override"),
        pytest.param({"availability": {"norm": 99.5}}, id="one nested value"),
        pytest.param({"metrics": {"response_time": {"targets": {"urgent": {"value": 2}}}}}, id="half a target"),
        pytest.param(
            {"availability": {"tests": [{"name": "Inloggen", "from": "2026-01-05T00:00:00+01:00"}]}},
            id="a list of tests, each whole",
        ),
        pytest.param({"holidays": {"extra_closed": ["2026-12-24"]}}, id="extra closed dates"),
        pytest.param(default_contract().model_dump(mode="json", exclude={"tenants"}), id="the whole default contract"),
        pytest.param(
            {k: v for k, v in json.loads(SAMPLE.read_text(encoding="utf-8")).items() if k != "tenants"},
            id="the sample contract",
        ),
    ],
)
def test_what_the_merge_accepts_the_schema_accepts(override: dict[str, Any]) -> None:
    contract_from_mapping(override)  # the merge takes it
    assert valid(override)


@pytest.mark.parametrize(
    "override",
    [
        pytest.param({"availability": {"norm": "99.4"}}, id="a number written as a string"),
        pytest.param({"holidays": {"algemene_termijnenwet": "yes"}}, id="a flag written as yes"),
        pytest.param({"availability": {"slot_minutes": 5.5}}, id="a fraction where an integer is due"),
        pytest.param({"availability": {"tests": [{"name": "Inloggen"}]}}, id="a list item that is not whole"),
        pytest.param({"colour": "blue"}, id="an unknown key"),
        pytest.param({"tenants": {"x": {"go_live": "2026-01-05"}}}, id="the measurement window"),
        pytest.param({"metrics": {"response_time": {"targets": {"kritiek": {"value": 1}}}}}, id="an unknown priority"),
    ],
)
def test_what_the_schema_refuses_the_api_refuses(override: dict[str, Any]) -> None:
    assert not valid(override)


def test_the_document_describes_the_override_in_the_tenant_body_and_answer() -> None:
    schemas = document()["components"]["schemas"]
    for model in ("TenantWrite", "Tenant"):
        described = schemas[model]["properties"]["contract_override"]
        assert described["properties"].keys() >= {"availability", "metrics", "service_hours", "holidays"}
        assert "tenants" not in described["properties"] and "$ref" not in json.dumps(described)

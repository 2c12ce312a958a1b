"""The OpenAPI document covers every registered route; security.txt (RFC 9116)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import azure.functions as func
import openapi_spec_validator

from sla_app.bootstrap import AppContext
from sla_app.http.openapi import OPERATIONS, PROBLEM_MEDIA, document
from sla_app.http.openapi_operation import FUNCTION_KEY
from tests.support.app import FixedClock, call_http, functions

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def http_routes() -> dict[tuple[str, str], Any]:
    """(method, /route) -> (function, HTTP trigger binding) of every registered API function.

    The portal's browser pages (``portal/…``: HTML, forms, their own error pages) are not
    part of the API and so not of its document.
    """
    routes = {}
    for function in functions().values():
        for binding in function.get_bindings():
            if binding.type == "httpTrigger" and not binding.route.startswith("portal"):
                for method in binding.methods:
                    routes[(str(getattr(method, "value", method)).upper(), "/" + binding.route)] = (function, binding)
    return routes


def documented(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


# -- route coverage --------------------------------------------------------------------------


def test_every_registered_route_is_documented_and_nothing_else() -> None:
    registered, docs = set(http_routes()), set(documented(document()))
    assert registered - docs == set(), "routes without documentation"
    assert docs - registered == set(), "documented routes that are not registered"


def test_the_documented_security_matches_each_functions_auth_level() -> None:
    docs = documented(document())
    for key, (function, binding) in http_routes().items():
        security = docs[key]["security"]
        if binding.auth_level == func.AuthLevel.ANONYMOUS:
            assert security == [], key
        else:
            assert security and all(FUNCTION_KEY in requirement for requirement in security), key


def test_each_documented_route_names_the_module_that_registers_it() -> None:
    by_key = {(o.method, o.path): o for o in OPERATIONS}
    for key, (function, _) in http_routes().items():
        assert function.get_user_function().__module__ == by_key[key].owner, key


# -- structure ---------------------------------------------------------------------------------


def test_the_document_is_a_structurally_valid_openapi_3_1_document() -> None:
    doc = document()
    json.dumps(doc)  # serialisable
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["servers"] == [{"url": "/api", "description": doc["servers"][0]["description"]}]
    operation_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/") and not path.endswith("/"), path
        templated = set(re.findall(r"\{(\w+)\}", path))
        for method, op in item.items():
            assert method in METHODS, (path, method)
            operation_ids.append(op["operationId"])
            params = op.get("parameters", [])
            assert len({(p["name"], p["in"]) for p in params}) == len(params), (path, method)
            path_params = {p["name"] for p in params if p["in"] == "path"}
            assert path_params == templated, (path, method)
            assert all(p["required"] for p in params if p["in"] == "path")
            assert all(p["in"] in {"path", "query", "header", "cookie"} and "schema" in p for p in params)
            assert any(code.startswith("2") for code in op["responses"]), (path, method)
            assert "500" in op["responses"]
            for requirement in op["security"]:
                assert set(requirement) <= set(doc["components"]["securitySchemes"]), (path, method)
                assert all(scopes == [] for scopes in requirement.values())
            if "requestBody" in op:
                assert op["requestBody"]["content"]
    assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"


def test_every_reference_resolves_and_no_local_defs_are_left() -> None:
    doc = document()
    found = list(refs(doc))
    assert found
    for ref in found:
        assert ref.startswith(("#/components/schemas/", "#/components/responses/")), ref
        assert isinstance(resolve(doc, ref), dict), ref
    assert "$defs" not in json.dumps(doc)


def test_errors_are_problem_details() -> None:
    doc = document()
    schemas = doc["components"]["schemas"]
    assert {"type", "title", "status", "detail", "instance", "field"} <= set(schemas["ProblemDetails"]["properties"])
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for code, response in op["responses"].items():
                if int(code) >= 400:
                    response = resolve(doc, response["$ref"]) if "$ref" in response else response
                    assert list(response["content"]) == [PROBLEM_MEDIA], (path, method, code)
                    schema = response["content"][PROBLEM_MEDIA]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ProblemDetails"}


def test_the_security_schemes_are_the_four_kinds_of_caller() -> None:
    schemes = document()["components"]["securitySchemes"]
    headers = {s["name"].lower() for s in schemes.values() if s["type"] == "apiKey"}
    assert {"x-functions-key", "x-ms-client-principal", "x-sla-signature", "x-hub-signature"} <= headers
    assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
    ops = documented(document())
    assert {n for r in ops[("POST", "/tickets/topdesk")]["security"] for n in r} == {"functionKey", "topdeskBearer"}
    assert {n for r in ops[("GET", "/tenants")]["security"] for n in r} == {"functionKey", "appServicePrincipal"}


def test_the_schemas_come_from_the_models_including_the_canonical_event() -> None:
    doc = document()
    schemas = doc["components"]["schemas"]
    event = schemas["CanonicalTicketEvent"]
    assert set(event["required"]) == {"event_id", "tenant", "ticket_id", "occurred_at", "kind"}
    assert event["properties"]["kind"]["enum"][0] == "opened"
    body = doc["paths"]["/tickets/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["oneOf"][0] == {"$ref": "#/components/schemas/CanonicalTicketEvent"}
    assert body["oneOf"][1]["maxItems"] == 1000
    tenant = schemas["TenantWrite"]
    assert tenant["properties"]["recipients"]["items"]["format"] == "email"
    assert tenant["additionalProperties"] is False


def test_the_document_passes_openapi_spec_validator() -> None:
    openapi_spec_validator.validate(document())


# -- served --------------------------------------------------------------------------------------


def test_the_document_is_served_anonymously(ctx: AppContext) -> None:
    reply = call_http("get_openapi", method="GET", url="http://localhost/api/openapi.json")
    assert reply.status == 200 and reply.mimetype == "application/json"
    assert reply.body == document()


# -- security.txt ----------------------------------------------------------------------------------


def fields(text: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition(":")
            result.setdefault(name.strip(), []).append(value.strip())
    return result


def get_security_txt() -> Any:
    return call_http("get_security_txt", method="GET", url="https://sla.example.nl/api/.well-known/security.txt")


def test_security_txt_has_the_rfc_9116_fields(ctx: AppContext, clock: FixedClock) -> None:
    reply = get_security_txt()
    assert reply.status == 200 and reply.mimetype == "text/plain"
    found = fields(reply.body)
    assert found["Contact"] and all(c.startswith(("mailto:", "https://", "tel:")) for c in found["Contact"])
    [expires] = found["Expires"]
    assert expires.endswith("Z")
    moment = datetime.fromisoformat(expires)
    assert clock() < moment <= clock() + timedelta(days=365)
    assert found["Preferred-Languages"] == ["nl, en"]
    assert found["Canonical"] == ["https://sla.example.nl/.well-known/security.txt"]
    assert set(found) <= {
        "Contact",
        "Expires",
        "Preferred-Languages",
        "Canonical",
        "Encryption",
        "Policy",
        "Acknowledgments",
        "Hiring",
        "CSAF",
    }
    assert len(found["Expires"]) == 1 and len(found["Preferred-Languages"]) == 1


def test_security_txt_expires_follows_the_services_clock(ctx: AppContext, clock: FixedClock) -> None:
    clock.now = datetime(2027, 6, 30, 23, 59, tzinfo=UTC)
    moment = datetime.fromisoformat(fields(get_security_txt().body)["Expires"][0])
    assert clock() < moment <= clock() + timedelta(days=365)


def test_security_txt_is_registered_anonymously_at_well_known() -> None:
    function, binding = http_routes()[("GET", "/.well-known/security.txt")]
    assert binding.auth_level == func.AuthLevel.ANONYMOUS
    assert function.get_function_name() == "get_security_txt"

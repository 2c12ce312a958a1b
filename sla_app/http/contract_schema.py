"""The JSON schema of a tenant's ``contract_override`` (the admin API's tenant body and the OpenAPI document).

An override is merged over the default contract (``sla_core.contract.contract_from_mapping``): objects
merge key by key, lists and values replace. So its schema is the contract's own, self-contained
(references resolved), with every object key optional — except inside list items, because a list
replaces the default's whole and each item must be complete. ``tenants`` is left out: a tenant's
measurement window comes from its ``go_live`` and ``contract_end`` (SLA §7), and an override naming
``tenants`` is refused.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sla_core.contract import Contract

_DROPPED = frozenset({"default", "title"})  # the default contract's values and Python class names: noise here


@cache
def contract_override_schema() -> dict[str, Any]:
    """The schema (JSON Schema 2020-12, as OpenAPI 3.1 uses) of an override; the same object on every call."""
    schema = Contract.model_json_schema()
    definitions = schema.pop("$defs", {})
    schema["properties"].pop("tenants", None)
    partial = _partial(schema, definitions, optional=True)
    partial["description"] = (
        "Parts of the contract that differ from the default, merged over it (objects key by key; lists replace). "
        "The merged contract must be valid; the measurement window is set by go_live and contract_end."
    )
    return partial


def _partial(node: Any, definitions: dict[str, Any], *, optional: bool) -> Any:
    if isinstance(node, list):
        return [_partial(item, definitions, optional=optional) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = definitions[node["$ref"].rsplit("/", 1)[-1]]
        merged = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
        return _partial(merged, definitions, optional=optional)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED or (key == "required" and optional):
            continue
        if key == "properties":
            out[key] = {name: _partial(sub, definitions, optional=optional) for name, sub in value.items()}
        elif key in ("items", "prefixItems"):
            out[key] = _partial(value, definitions, optional=False)  # a list item replaces nothing: it is whole
        else:
            out[key] = _partial(value, definitions, optional=optional)
    return out

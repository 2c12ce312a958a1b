"""Small helpers to read pycep-parser's tree of the Bicep files in infra/.

pycep turns a Bicep file into a dict with the keys ``parameters``,
``variables``, ``resources``, ``modules`` and ``outputs``. Literal strings and
identifiers both come out as plain ``str`` (``location: location`` and
``name: 'location'`` look the same), interpolated strings keep their
``${...}`` text, and expressions become nested ``{"function": ...}`` or
``{"operator": ...}`` dicts. A resource's ``config`` is wrapped once more for
every loop (``loop_type``) or deploy condition (``condition``); child
resources declared inside a parent appear as ``parent__child``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycep import BicepParser

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA_DIR = REPO_ROOT / "infra"
MAIN_BICEP = INFRA_DIR / "main.bicep"
PARAMETERS_FILE = INFRA_DIR / "main.parameters.json"

MISSING = object()


def bicep_files() -> list[Path]:
    """Every .bicep file under infra/, sorted."""
    return sorted(INFRA_DIR.rglob("*.bicep"))


@functools.cache
def parse_file(path: Path) -> dict[str, Any]:
    """pycep's tree of one Bicep file (cached: the files do not change during a run)."""
    return BicepParser().parse(file_path=path)


def parse_text(text: str) -> dict[str, Any]:
    """pycep's tree of a Bicep snippet (used to prove the checks catch bad templates)."""
    return BicepParser().parse(text=text)


def relative(path: Path) -> str:
    return path.relative_to(REPO_ROOT).as_posix()


@dataclass(frozen=True)
class Resource:
    """One resource declaration, with its loop/condition wrappers removed."""

    file: Path
    symbol: str
    type: str
    existing: bool
    body: dict[str, Any]
    looped: bool
    conditional: bool

    def get(self, dotted: str, default: Any = MISSING) -> Any:
        return get_path(self.body, dotted, default)

    def __str__(self) -> str:
        return f"{relative(self.file)}:{self.symbol} ({self.type})"


def unwrap(config: Any) -> tuple[Any, bool, bool]:
    """Strip loop and deploy-condition wrappers: (body, looped, conditional)."""
    looped = conditional = False
    while isinstance(config, dict):
        if "loop_type" in config:
            looped = True
            config = config["config"]
        elif set(config) == {"condition", "config"}:
            conditional = True
            config = config["config"]
        else:
            break
    return config, looped, conditional


def resources_in(tree: dict[str, Any], file: Path) -> list[Resource]:
    found = []
    for symbol, declaration in (tree.get("resources") or {}).items():
        body, looped, conditional = unwrap(declaration["config"])
        found.append(
            Resource(
                file=file,
                symbol=symbol,
                type=declaration["type"],
                existing=bool(declaration.get("existing")),
                body=body,
                looped=looped,
                conditional=conditional,
            )
        )
    return found


def all_resources(*types: str, include_existing: bool = False) -> list[Resource]:
    """Resources of the given types (all types if none) declared anywhere in infra/."""
    found = []
    for path in bicep_files():
        for resource in resources_in(parse_file(path), path):
            if resource.existing and not include_existing:
                continue
            if types and resource.type.lower() not in {t.lower() for t in types}:
                continue
            found.append(resource)
    return found


def get_path(node: Any, dotted: str, default: Any = MISSING) -> Any:
    """Follow a dotted path of object keys, e.g. ``properties.siteConfig.minTlsVersion``."""
    for key in dotted.split("."):
        if isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return default
    return node


def unwrap_loop(node: Any) -> Any:
    """The per-item body of a property loop (``[for x in y: {...}]``), else the node itself."""
    return unwrap(node)[0]


def decorator(declaration: dict[str, Any], kind: str, default: Any = MISSING) -> Any:
    """Argument of a decorator (``description``, ``allowed``, ``secure`` -> True), or default."""
    for item in declaration.get("decorators") or []:
        if item.get("type") == kind:
            return item.get("argument", True)
    return default


def walk(node: Any) -> Iterator[Any]:
    """Every node of a parsed value, depth first. Dict keys are yielded as nodes too, without the
    quotes pycep keeps on quoted keys (``'hidden-link:...': 'Resource'``)."""
    yield node
    if isinstance(node, dict):
        for key, value in node.items():
            yield key[1:-1] if len(key) > 1 and key[0] == key[-1] == "'" else key
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def strings(node: Any) -> Iterator[str]:
    return (item for item in walk(node) if isinstance(item, str))


_INTERPOLATED_CALL = re.compile(r"(?:^|[^A-Za-z0-9_])((?:list[A-Za-z]*|getSecret))\(")


def called_functions(node: Any) -> set[str]:
    """Names of the functions an expression calls, including list*() and getSecret() accessors
    and calls hidden inside ``${...}`` of interpolated strings."""
    names: set[str] = set()
    for item in walk(node):
        if isinstance(item, dict):
            function = item.get("function")
            if isinstance(function, dict):
                parameters = function.get("parameters") or {}
                names.add(parameters.get("func_name") or function.get("type"))
            operator = item.get("operator")
            if isinstance(operator, dict) and operator.get("type") == "function_accessor":
                names.add(operator["operands"]["func_name"])
        elif isinstance(item, str):
            for inside in re.findall(r"\$\{([^}]*)\}", item):
                names.update(match for match in _INTERPOLATED_CALL.findall(inside))
    return {name for name in names if name}


def words(text: str) -> list[str]:
    """Lower-case words of an identifier or expression text (snake_case, camelCase, dotted)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [word.lower() for word in re.split(r"[^A-Za-z0-9]+", spaced) if word]


_SECRET_WORDS = {
    "secret",
    "secrets",
    "password",
    "passwd",
    "pwd",
    "token",
    "tokens",
    "credential",
    "credentials",
    "sas",
    "sig",
    "apikey",
    "accountkey",
}


def looks_secret(text: str) -> bool:
    """Whether a name or expression text mentions a key, secret, token, SAS or connection string.

    "key" followed by "vault" (Key Vault) is a resource name, not a key.
    """
    found = words(text)
    for index, word in enumerate(found):
        following = found[index + 1] if index + 1 < len(found) else ""
        if word in _SECRET_WORDS:
            return True
        if word in {"key", "keys"} and following != "vault":
            return True
        if word == "connection" and following in {"string", "strings"}:
            return True
        if word.startswith("list") and word != "list":
            return True
    return False


def secret_findings(tree: dict[str, Any]) -> list[str]:
    """Everything in one parsed template that could leak a key or secret (empty when clean)."""
    findings = []
    secure_params = set()
    for name, param in (tree.get("parameters") or {}).items():
        if decorator(param, "secure", False):
            secure_params.add(name)
            if param.get("default") is not None:
                findings.append(f"@secure() parameter {name} has a default value")
    for name in sorted(called_functions(tree)):
        if name.startswith("list") or name == "getSecret":
            findings.append(f"calls {name}()")
    for text in strings(tree):
        if re.search(r"AccountKey=|SharedAccessSignature=|SharedAccessKey=", text):
            findings.append(f"string holds a key: {text[:60]!r}")
    for name, output in (tree.get("outputs") or {}).items():
        if looks_secret(name):
            findings.append(f"output {name} is named like a secret")
        if decorator(output, "secure", False):
            continue  # a @secure() output is never shown in deployment history
        value_text = " ".join(strings(output.get("value")))
        if looks_secret(value_text):
            findings.append(f"output {name} exposes {value_text[:60]!r}")
        if set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", value_text)) & secure_params:
            findings.append(f"output {name} exposes a @secure() parameter")
    return findings


def app_settings(site: Resource) -> dict[str, Any]:
    """App settings a ``Microsoft.Web/sites`` resource sets: siteConfig.appSettings plus any
    ``config`` child named ``appsettings`` declared in the same file."""
    settings: dict[str, Any] = {}
    for entry in site.get("properties.siteConfig.appSettings", []) or []:
        entry = unwrap_loop(entry)
        settings[entry["name"]] = entry.get("value")
    for resource in resources_in(parse_file(site.file), site.file):
        is_child = resource.symbol.startswith(f"{site.symbol}__") or resource.get("parent") == site.symbol
        if resource.type.lower() == "microsoft.web/sites/config" and is_child and resource.get("name") == "appsettings":
            settings.update(resource.get("properties", {}))
    return settings


def flatten_text(values: Iterable[Any]) -> str:
    return " ".join(text for value in values for text in strings(value))

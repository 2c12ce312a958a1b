"""The layers of the house: a pure core, a command line without Azure, no import cycle.

Read from the source text (``ast``), so nothing is imported to check it, except
for the command line, whose loaded modules are listed by a fresh interpreter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sla_core", "sla_cli", "sla_app")
# Modules through which a core function would reach files, processes, the network or the clock's owner.
NOT_IN_THE_CORE = (
    "os",
    "io",
    "pathlib",
    "shutil",
    "tempfile",
    "subprocess",
    "multiprocessing",
    "socket",
    "urllib",
    "requests",
    "azure",
    "sla_app",
    "sla_cli",
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    found = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    found["function_app"] = ROOT / "function_app.py"
    return found


def imports(path: Path, *, top_level_only: bool) -> set[str]:
    """The absolute module names a file imports (``from a import b`` gives ``a`` and ``a.b``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", [pytest.param(p, id=p.name) for p in sorted((ROOT / "sla_core").glob("*.py"))])
def test_the_core_imports_nothing_that_reads_writes_or_forks(path: Path) -> None:
    bad = {n for n in imports(path, top_level_only=False) if n.split(".")[0] in NOT_IN_THE_CORE}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_core_opens_no_file() -> None:
    for path in (ROOT / "sla_core").glob("*.py"):
        calls = {
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call)
        }
        assert not calls & {"open", "read_text", "read_bytes", "write_text", "write_bytes", "fork"}, path.name


def test_the_command_line_loads_no_azure_sdk_and_no_app_module() -> None:
    code = "import sys, sla_cli.main; print(sorted(m for m in sys.modules if m.split('.')[0] in ('azure', 'sla_app')))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_no_two_modules_import_each_other_at_import_time() -> None:
    """No cycle among the modules' top-level imports (a package's ``__init__`` counts as the package, and runs first)."""
    known = sources()

    def with_packages(importer: str, names: set[str]) -> set[str]:
        # Importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__`` first, unless the importer is inside them
        # (then they are running already): an ``__init__`` that imports the importer closes a cycle.
        packages = {".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 1)}
        return names | {p for p in packages if not importer.startswith(p + ".")}

    graph = {
        name: sorted(n for n in with_packages(name, imports(path, top_level_only=True)) if n in known and n != name)
        for name, path in known.items()
    }
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in graph[name]:
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state:
            cycle = visit(name)
            assert cycle is None, " -> ".join(cycle)


def test_only_the_entry_points_import_the_composition_root_and_only_it_imports_its_infrastructure() -> None:
    """Handlers and command lines ask ``bootstrap.context()``; every other module gets what it needs passed in."""
    entry_points = ("sla_app.functions", "sla_app.health_cli", "function_app")
    for name, path in sorted(sources().items()):
        found = imports(path, top_level_only=False)
        if "sla_app.bootstrap" in found:
            assert name.startswith(entry_points), f"{name} imports the composition root"
        if "sla_app.infrastructure" in found:
            assert name == "sla_app.bootstrap", f"{name} imports sla_app.infrastructure, the root's base"

"""The package's layers: imports point one way, and every command answers --help."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

from statusgen.cli import main

PACKAGE = Path(__file__).resolve().parents[1] / "statusgen"
# What each layer may import of statusgen (besides itself): data flows load -> model -> validate -> render.
ALLOWED = {
    "model": set(),
    "loading": {"model", "catalog", "errors"},
    "rules": {"model", "catalog", "errors"},
    "render": {"model", "catalog", "errors", "loading"},
    # notify turns rendered facts into messages; it writes only its state file, through editing's atomic write.
    "notify": {"model", "catalog", "errors", "loading", "render", "clock", "editing"},
    # Importers read other tools' files and make entry texts; commands/importing.py writes them.
    "importers": {"model", "errors", "editing", "loading"},
}


def imports_of(path: Path) -> set[str]:
    """The statusgen modules a file imports, as their first part below the package (model, render...)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found |= {name.split(".")[1] for name in names if name.startswith("statusgen.") and name.count(".") >= 1}
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_point_one_way(layer):
    wrong = {}
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        outside = imports_of(path) - ALLOWED[layer] - {layer}
        if outside:
            wrong[path.relative_to(PACKAGE).as_posix()] = sorted(outside)
    assert wrong == {}


def test_the_checker_sees_imports():
    assert "model" in imports_of(PACKAGE / "render" / "views.py")
    assert "render" in imports_of(PACKAGE / "commands" / "build.py")


def module_graph(package: Path) -> dict[str, set[str]]:
    """Each module of the package (dotted name) and the package's modules it imports, by AST: imports
    under `if TYPE_CHECKING:` and inside functions count, since they tie the files together just the same."""
    modules = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(up + ([node.module] if node.module else []))
                # `from pkg import mod` imports the module mod; `from mod import name` imports mod.
                targets |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else known(base)
                            for alias in node.names}
        graph[name] = targets - {None, name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, directly or through others (strongly connected)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    graph = module_graph(PACKAGE)
    cycles = {" <-> ".join(group): {m: sorted(graph[m] & set(group)) for m in group} for group in import_cycles(graph)}
    assert cycles == {}


def test_the_cycle_finder_sees_type_checking_and_relative_imports(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "a.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n")
    (package / "b.py").write_text("from .sub import a\n")
    (package / "c.py").write_text("import pkg.b\n")
    graph = module_graph(package)
    assert graph["pkg.sub.a"] == {"pkg.b"} and graph["pkg.b"] == {"pkg.sub.a"} and graph["pkg.c"] == {"pkg.b"}
    assert import_cycles(graph) == [["pkg.b", "pkg.sub.a"]]


def every_command():
    """Every command, a group's as 'group sub' (`import statuspage`)."""
    names = []
    for name, command in sorted(main.commands.items()):
        subs = getattr(command, "commands", None)
        names += [f"{name} {sub}" for sub in sorted(subs)] if subs else [name]
    return names


@pytest.mark.parametrize("name", every_command())
def test_every_command_answers_help_and_takes_now(name):
    result = CliRunner().invoke(main, [*name.split(), "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: main {name}") or f"Usage: statusgen {name}" in result.output
    assert "--now" in result.output
    assert "--root" in result.output or name == "init"  # init takes the new site's folder as DIR


def test_the_group_answers_help_and_lists_every_command():
    result = CliRunner().invoke(main, ["--help"], catch_exceptions=False)
    assert result.exit_code == 0
    for name in every_command():
        assert name.split()[0] in result.output

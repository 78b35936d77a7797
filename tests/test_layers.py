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


def every_command():
    return sorted(main.commands)


@pytest.mark.parametrize("name", every_command())
def test_every_command_answers_help_and_takes_now(name):
    result = CliRunner().invoke(main, [name, "--help"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: main {name}") or f"Usage: statusgen {name}" in result.output
    assert "--now" in result.output
    assert "--root" in result.output or name == "init"  # init takes the new site's folder as DIR


def test_the_group_answers_help_and_lists_every_command():
    result = CliRunner().invoke(main, ["--help"], catch_exceptions=False)
    assert result.exit_code == 0
    for name in every_command():
        assert name in result.output

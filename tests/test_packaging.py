"""The wheel carries the default theme, so `pip install statusgen` users can build without the repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of the working tree, built once for this module's tests."""
    folder = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(folder), str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return next(folder.glob("statusgen-*.whl"))


def test_wheel_ships_the_theme_and_the_console_script(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {p.relative_to(REPO / "templates").as_posix() for p in (REPO / "templates").rglob("*") if p.is_file()}
    assert {f"statusgen/theme/{name}" for name in theme} <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "statusgen = statusgen.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_wheel_ships_the_starter_site(wheel):
    """`statusgen init` copies these files; an installed statusgen has no repository to find them in."""
    names = set(zipfile.ZipFile(wheel).namelist())
    starter = REPO / "statusgen" / "starter"
    files = {p.relative_to(starter).as_posix() for p in starter.rglob("*") if p.is_file()}
    assert {"content/site.yaml", "content/lifecycles.yaml", "gitignore", "incidents/gitkeep"} <= files
    assert {f"statusgen/starter/{name}" for name in files} <= names

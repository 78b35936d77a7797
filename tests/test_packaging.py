"""The wheel carries the default theme, so `pip install statusgen` users can build without the repository."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_ships_the_theme_and_the_console_script(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("statusgen-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    theme = {p.relative_to(REPO / "templates").as_posix() for p in (REPO / "templates").rglob("*") if p.is_file()}
    assert {f"statusgen/theme/{name}" for name in theme} <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "statusgen = statusgen.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()

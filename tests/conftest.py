"""Shared fixtures: the read-only demo site, its fixed demo date, and scratch copies to break."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from statusgen.commands.build import build
from statusgen.commands.validate import check

REPO = Path(__file__).resolve().parents[1]
DEMO_NOW = datetime.fromisoformat("2026-11-20T15:00:00+01:00")
SITE_PARTS = ("content", "incidents")


@pytest.fixture(scope="session")
def demo_root() -> Path:
    """The demo site shipped in the repository (never modified by tests)."""
    return REPO


@pytest.fixture(scope="session")
def demo_now() -> datetime:
    return DEMO_NOW


def copy_site(dest: Path, with_templates: bool = False) -> Path:
    """A copy of the demo site's sources (content/, incidents/) in dest."""
    dest.mkdir(parents=True, exist_ok=True)
    parts = SITE_PARTS + (("templates",) if with_templates else ())
    for part in parts:
        shutil.copytree(REPO / part, dest / part)
    return dest


@pytest.fixture
def scratch_site(tmp_path: Path) -> Path:
    """A fresh copy of the demo site that a test may edit or break."""
    return copy_site(tmp_path / "site")


def build_site(root: Path, out: Path, now: datetime) -> Path:
    """Build a site into out, failing the test with the diagnostics when the build fails."""
    result = build(root, out, now)
    assert result.ok, [d.format() for d in result.report.diagnostics]
    return out


@pytest.fixture(scope="session")
def site_out(demo_root, demo_now, tmp_path_factory) -> Path:
    """The demo site built once at its demo date, shared read-only by every test."""
    return build_site(demo_root, tmp_path_factory.mktemp("demo") / "out", demo_now)


@pytest.fixture(scope="session")
def demo_site(demo_root, demo_now):
    """The demo site's model."""
    site = check(demo_root, demo_now).site
    assert site is not None
    return site

"""Large sites are read, checked and rendered by worker processes: the result is the same, byte
for byte and diagnostic for diagnostic, as the work done in one process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from statusgen.commands import shared_check
from statusgen.commands.build import build
from statusgen.commands.validate import check
from statusgen.render import engine

from conftest import copy_site


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def broken_site(tmp_path):
    """The demo, plus entries with errors and warnings, so that diagnostics travel back from workers."""
    root = copy_site(tmp_path / "site")
    first = sorted((root / "incidents").glob("*.md"))[0]
    text = first.read_text(encoding="utf-8")
    (root / "incidents" / "2026-01-01-bad-status.md").write_text(
        text.replace("status: ", "status: nonsense-", 1), encoding="utf-8")
    (root / "incidents" / "2026-01-02-no-yaml.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    return root


def test_a_shared_check_finds_what_one_process_finds(broken_site, demo_now, monkeypatch):
    alone = check(broken_site, demo_now)
    monkeypatch.setattr(shared_check, "THRESHOLD", 1)
    shared = check(broken_site, demo_now)
    assert alone.errors >= 2
    assert [d.format() for d in shared.diagnostics] == [d.format() for d in alone.diagnostics]
    assert [e.id for e in shared.site.entries] == [e.id for e in alone.site.entries]
    assert shared.site.entries == alone.site.entries


def test_entries_read_by_workers_point_to_this_process_definitions(scratch_site, demo_now, monkeypatch):
    monkeypatch.setattr(shared_check, "THRESHOLD", 1)
    site = check(scratch_site, demo_now).site
    for entry in site.entries:
        assert entry.lifecycle is site.lifecycles[entry.lifecycle.id]
        assert entry.opening.priority is site.priorities[entry.opening.priority.id]


def test_a_shared_build_writes_the_same_files(tmp_path, demo_root, demo_now, monkeypatch):
    alone = build(demo_root, tmp_path / "alone", demo_now, workers=1)
    monkeypatch.setattr(shared_check, "THRESHOLD", 1)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 1)
    shared = build(demo_root, tmp_path / "shared", demo_now, workers=2)
    assert alone.ok and shared.ok
    assert (shared.pages, shared.files) == (alone.pages, alone.files)
    assert tree(tmp_path / "shared") == tree(tmp_path / "alone")

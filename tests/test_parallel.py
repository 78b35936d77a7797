"""Large sites are rendered by worker processes: the result is the same, byte for byte, as the
work done in one process."""

from __future__ import annotations

from pathlib import Path


from statusgen.commands.build import build
from statusgen.render import engine


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_shared_build_writes_the_same_files(tmp_path, demo_root, demo_now, monkeypatch):
    alone = build(demo_root, tmp_path / "alone", demo_now, workers=1)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 1)
    shared = build(demo_root, tmp_path / "shared", demo_now, workers=2)
    assert alone.ok and shared.ok
    assert (shared.pages, shared.files) == (alone.pages, alone.files)
    assert tree(tmp_path / "shared") == tree(tmp_path / "alone")

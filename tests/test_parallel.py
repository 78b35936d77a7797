"""Large sites are rendered by worker processes: the result is the same, byte for byte, as the
work done in one process."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest


from statusgen.commands.build import build
from statusgen.errors import StatusgenError
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


_REAL_SHARE = engine._render_share


def _dying_share(share):
    """A worker killed (by the out-of-memory killer, say) in the middle of its share of the pages."""
    if share[:2] == ("pages", 1):
        os.kill(os.getpid(), signal.SIGKILL)
    return _REAL_SHARE(share)


def test_a_worker_that_dies_fails_the_build_and_leaves_the_output_as_it_was(tmp_path, demo_root, demo_now,
                                                                          monkeypatch):
    out = tmp_path / "out"
    assert build(demo_root, out, demo_now, workers=1).ok
    before = tree(out)
    monkeypatch.setattr(engine, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(engine, "_render_share", _dying_share)
    with pytest.raises(StatusgenError, match="stopped before it finished"):
        build(demo_root, out, demo_now, workers=2)
    assert tree(out) == before

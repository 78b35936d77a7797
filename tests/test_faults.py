"""Faults lose nothing: the output always holds a complete site, and killed builds leave no litter."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from statusgen import output
from statusgen.commands.build import build
from statusgen.output import MARKER, WORK_PREFIX

from conftest import DEMO_NOW

NOW = DEMO_NOW.isoformat()
BUILD = [sys.executable, "-m", "statusgen", "build", "--now", NOW]


def _git(site: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=site, env=env, check=True, capture_output=True, text=True).stdout


def _complete(out: Path) -> bool:
    return (out / "index.html").is_file() and (out / MARKER).is_file() and (out / "feed.atom").is_file()


def test_sigkilled_builds_leave_nothing_that_grows_or_that_git_sees(scratch_site):
    (scratch_site / ".gitignore").write_text("/output/\n", encoding="utf-8")
    _git(scratch_site, "init", "-q", ".")
    _git(scratch_site, "add", ".")
    _git(scratch_site, "commit", "-q", "-m", "site")
    out = scratch_site / "output"
    subprocess.run(BUILD, cwd=scratch_site, check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
    assert _complete(out)
    rng = random.Random(8)
    killed_mid_build = 0
    for _ in range(20):
        proc = subprocess.Popen(BUILD, cwd=scratch_site, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.5))
        if proc.poll() is None:
            killed_mid_build += 1
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert _complete(out)
        assert _git(scratch_site, "status", "--porcelain", "--untracked-files=all", "--ignored=no") == ""
        work = scratch_site / f"{WORK_PREFIX}output"
        stages = [p.name for p in work.iterdir() if p.name != ".gitignore"] if work.exists() else []
        assert len(stages) <= 1, stages  # at most the stage of the build just killed
    assert killed_mid_build >= 5  # the kills did land inside builds
    subprocess.run(BUILD, cwd=scratch_site, check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
    assert not (scratch_site / f"{WORK_PREFIX}output").exists()
    assert sorted(p.name for p in scratch_site.iterdir()) == [".git", ".gitignore", "content", "incidents", "output"]


def test_the_live_output_is_exchanged_never_moved_away(scratch_site, monkeypatch):
    """Moving the old site aside before moving the new one in would leave a moment with no site."""
    out = (scratch_site / "output").resolve()
    build(scratch_site, out, DEMO_NOW)
    moved_away, real_replace = [], os.replace

    def replace(src, dst):
        if Path(src) == out:
            moved_away.append(dst)
        return real_replace(src, dst)

    monkeypatch.setattr(output.os, "replace", replace)
    for _ in range(3):
        before = (out / "index.html").stat().st_ino
        assert build(scratch_site, out, DEMO_NOW).ok
        assert (out / "index.html").stat().st_ino != before  # a new site is in place
    assert moved_away == []


def test_without_an_atomic_exchange_the_swap_still_lands(scratch_site, monkeypatch):
    out = scratch_site / "output"
    build(scratch_site, out, DEMO_NOW)
    (scratch_site / "incidents" / "2026-11-20-intermittent-terminal-payment-declines.md").unlink()
    monkeypatch.setattr(output, "exchange", lambda a, b: False)
    assert build(scratch_site, out, DEMO_NOW).ok
    assert _complete(out)
    assert not (out / "incidents" / "2026-11-20-intermittent-terminal-payment-declines").exists()
    assert not (scratch_site / f"{WORK_PREFIX}output").exists()


def test_a_dead_builds_stage_is_removed_and_a_live_ones_is_kept(scratch_site):
    out = scratch_site / "output"
    work = output.work_folder(out.resolve())
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (work / f"building-{dead.pid}" / "incidents").mkdir(parents=True)
    live = work / f"building-{os.getppid()}"
    live.mkdir()
    assert build(scratch_site, out, DEMO_NOW).ok
    assert sorted(p.name for p in work.iterdir()) == [".gitignore", live.name]

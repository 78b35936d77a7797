"""Shares of a build run in fresh forked processes: one per share, a bounded number at once,
errors and deaths reported to the parent, nothing left running."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from statusgen.errors import StatusgenError
from statusgen.render.processes import in_fresh_processes

# Set before the forks: every share sees it. What a share adds is its own.
INHERITED: list[str] = []


def _what_a_share_sees(share: int) -> tuple[int, int, list[str]]:
    INHERITED.append(f"share {share}")
    return share, os.getpid(), list(INHERITED)


def test_each_share_runs_in_its_own_fresh_process():
    INHERITED[:] = ["parent"]
    results = list(in_fresh_processes(_what_a_share_sees, range(6), at_once=2))
    assert sorted(share for share, _, _ in results) == list(range(6))
    pids = {pid for _, pid, _ in results}
    assert len(pids) == 6 and os.getpid() not in pids
    for share, _, seen in results:
        assert seen == ["parent", f"share {share}"]  # nothing of another share's process
    assert INHERITED == ["parent"]
    assert multiprocessing.active_children() == []


def _log_span(args: tuple[str, int]) -> int:
    log, share = args
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"start {time.monotonic()}\n")
    time.sleep(0.05)
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"end {time.monotonic()}\n")
    return share


def test_no_more_processes_run_at_once_than_asked(tmp_path):
    log = tmp_path / "spans.log"
    done = list(in_fresh_processes(_log_span, [(str(log), n) for n in range(8)], at_once=3))
    assert sorted(done) == list(range(8))
    events = sorted((float(at), kind) for kind, at in (line.split() for line in log.read_text().splitlines()))
    running = peak = 0
    for _, kind in events:
        running += 1 if kind == "start" else -1
        peak = max(peak, running)
    assert peak <= 3 and len(events) == 16


def _fails_on_three(share: int) -> int:
    if share == 3:
        raise ValueError("share three went wrong")
    time.sleep(0.01)
    return share


def test_an_exception_in_a_share_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="share three went wrong"):
        list(in_fresh_processes(_fails_on_three, range(8), at_once=2))
    assert multiprocessing.active_children() == []


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle this")


def _raises_unpicklable(share: int) -> int:
    raise _Unpicklable("locked")


def test_an_exception_that_cannot_travel_still_fails_the_parent_with_its_words():
    with pytest.raises(RuntimeError, match="locked"):
        list(in_fresh_processes(_raises_unpicklable, [1], at_once=1))


def _dies_on_two(share: int) -> int:
    if share == 2:
        os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(0.2 if share > 2 else 0)
    return share


def test_a_process_that_dies_fails_the_run_and_the_others_are_stopped():
    started = time.monotonic()
    with pytest.raises(StatusgenError, match="stopped before it finished"):
        list(in_fresh_processes(_dies_on_two, range(20), at_once=2))
    assert time.monotonic() - started < 10
    assert multiprocessing.active_children() == []


def _interrupted(share: int) -> int:
    os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C at the terminal reaches the whole process group
    time.sleep(0.05)
    return share


def test_a_share_leaves_ctrl_c_to_the_parent(capfd):
    assert sorted(in_fresh_processes(_interrupted, range(3), at_once=2)) == [0, 1, 2]
    assert "Traceback" not in capfd.readouterr().err

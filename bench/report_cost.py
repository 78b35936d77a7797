"""What the promises report costs a full build:
`python bench/report_cost.py [--size 10000] [--profile real] [--runs 3] [--out-base /dev/shm]`.

Generates one synthetic site (bench/generate.py), then builds it --runs times with the report and
--runs times without it, taking turns, each build in a fresh process. "Without" is the same code
with the report's pages, files and figures left out (patched in the child process only), so the
difference is the report's own cost. Both wall time and CPU time (user and system, worker
processes included) are given: on a shared machine the CPU time is the steadier of the two.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import NOW, generate  # noqa: E402

WITHOUT_REPORT = """
import sys
import statusgen.render.engine as engine
import statusgen.render.pages as pages
plan = pages._plan
pages._plan = lambda site, facts: [job for job in plan(site, facts) if job.kind != "report"]
engine.promises_report = lambda *args: None
engine.report_files = lambda report: []
from statusgen.cli import main
sys.argv = ["statusgen", *sys.argv[1:]]
main()
"""


def build_once(site: Path, out: Path, with_report: bool) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user and system, the build's worker processes included)."""
    args = ["build", "--root", str(site), "--out", str(out), "--now", NOW.isoformat()]
    command = [sys.executable, "-m", "statusgen", *args] if with_report else \
        [sys.executable, "-c", WITHOUT_REPORT, *args]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={"CI": "true", "PATH": "/usr/bin:/bin"})
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the build of {site} failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--profile", choices=["simple", "real"], default="real")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out-base", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="statusgen-bench-") as tmp:
        site = generate(args.size, Path(tmp) / "site", profile=args.profile, components=max(10, args.size * 6 // 25))
        out = (args.out_base or Path(tmp)) / "statusgen-bench-report-out"
        wall: dict[bool, list[float]] = {True: [], False: []}
        cpu: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.runs):
            for with_report in (False, True):  # taking turns: both see the same load
                seconds, used = build_once(site, out, with_report)
                wall[with_report].append(seconds)
                cpu[with_report].append(used)
        for name, times in (("wall", wall), ("CPU", cpu)):
            without, with_ = statistics.median(times[False]), statistics.median(times[True])
            print(f"{args.profile} {args.size} entries, {args.runs} runs each, {name} time: without the report "
                  f"median {without:.2f} s (min {min(times[False]):.2f}), with it {with_:.2f} s "
                  f"(min {min(times[True]):.2f}): {100 * (with_ - without) / without:+.1f} %")


if __name__ == "__main__":
    main()

"""What the promises report costs a full build:
`python bench/report_cost.py [--size 10000] [--profile real] [--runs 3] [--out-base /dev/shm]`.

Generates one synthetic site (bench/generate.py), then builds it --runs times with the report and
--runs times without it, taking turns, each build in a fresh process. "Without" is the same code
with the report's pages, files and figures left out (patched in the child process only), so the
difference is the report's own cost.
"""

from __future__ import annotations

import argparse
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


def build_once(site: Path, out: Path, with_report: bool) -> float:
    args = ["build", "--root", str(site), "--out", str(out), "--now", NOW.isoformat()]
    command = [sys.executable, "-m", "statusgen", *args] if with_report else \
        [sys.executable, "-c", WITHOUT_REPORT, *args]
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env={"CI": "true", "PATH": "/usr/bin:/bin"})
    return time.perf_counter() - started


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
        times: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.runs):
            for with_report in (False, True):  # taking turns: both see the same load
                times[with_report].append(build_once(site, out, with_report))
        without, with_ = statistics.median(times[False]), statistics.median(times[True])
        print(f"{args.profile} {args.size} entries, {args.runs} runs each: without the report median {without:.2f} s "
              f"(min {min(times[False]):.2f}), with it {with_:.2f} s (min {min(times[True]):.2f}): "
              f"{100 * (with_ - without) / without:+.1f} %")


if __name__ == "__main__":
    main()

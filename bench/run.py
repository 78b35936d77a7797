"""Time full builds of synthetic sites:
`python bench/run.py [--sizes 1000 10000] [--profiles simple real] [--runs 5] [--out-base /dev/shm]
[--baseline DIR]`.

Each (profile, size) is generated once (bench/generate.py; the real profile has 2,400 components
at 10,000 entries and 240 at 1,000, one per ~4 entries), then built --runs times in a fresh
process, the profiles taking turns so that both see the same load of this shared machine; the
report gives the median and spread of the wall time and the peak resident memory of the build
(the largest of its processes: workers share the parent's memory through fork).

With --baseline DIR (a checkout of another version of statusgen, `git worktree add DIR COMMIT`),
each build of this code is followed by the same build with that code, so that a change is
measured against the code before it under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import NOW, generate  # noqa: E402


REPO = Path(__file__).resolve().parents[1]


def build_once(site: Path, out: Path, code: Path = REPO) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `statusgen build` in a new process (the largest of the
    build's processes: wait4 reports the child's peak including the workers it waited for), with
    the statusgen package found in code."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "-m", "statusgen", "build", "--root", str(site), "--out", str(out),
                             "--now", NOW.isoformat()], stdout=subprocess.DEVNULL, stderr=errors,
                            # In code's folder: `python -m` looks in the current folder first.
                            cwd=code, env={"CI": "true", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(code),
                                                  "STATUSGEN_DEBUG": "1"})
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        errors.seek(0)
        said = [line for line in errors.read().decode("utf-8", "replace").splitlines() if "warning [" not in line]
        raise SystemExit(f"the build of {site} with the code in {code} failed (exit {proc.returncode}):\n"
                         + "\n".join(said[-20:]))
    errors.close()
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profiles", nargs="+", choices=["simple", "real"], default=["simple", "real"])
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a checkout of another version of statusgen, built in turns with this one")
    parser.add_argument("--out-base", type=Path, default=None,
                        help="folder for the built sites (default: a temporary folder; /dev/shm measures "
                             "the generator without the disk)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="statusgen-bench-") as tmp:
        if args.out_base:
            args.out_base.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            sites = {profile: generate(size, Path(tmp) / f"site-{profile}-{size}", profile=profile,
                                       components=max(10, size * 6 // 25))
                     for profile in args.profiles}
            codes = {"this": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
            runs = [(code, profile) for profile in args.profiles for code in codes]
            outs = {(code, profile): (args.out_base or Path(tmp)) / f"statusgen-bench-out-{code}-{profile}-{size}"
                    for code, profile in runs}
            times: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
            peaks: dict[tuple[str, str], list[float]] = {run: [] for run in runs}
            for _ in range(args.runs):
                for code, profile in runs:  # taking turns: every variant sees the same load
                    seconds, peak = build_once(sites[profile], outs[code, profile], codes[code])
                    times[code, profile].append(seconds)
                    peaks[code, profile].append(peak)
            for code, profile in runs:
                out = outs[code, profile]
                files = sum(1 for p in out.rglob("*") if p.is_file())
                row = {"code": code, "profile": profile, "entries": size, "runs": args.runs,
                       "median_s": round(statistics.median(times[code, profile]), 2),
                       "min_s": round(min(times[code, profile]), 2), "max_s": round(max(times[code, profile]), 2),
                       "peak_rss_mb": round(max(peaks[code, profile])), "files": files}
                results.append(row)
                label = f"{code:>8} " if args.baseline else ""
                print(f"{label}{profile:>6} {size:>6} entries: median {row['median_s']:.2f} s (min {row['min_s']:.2f}, "
                      f"max {row['max_s']:.2f}, {args.runs} runs), peak RSS {row['peak_rss_mb']} MB, {files} files",
                      flush=True)
                shutil.rmtree(out, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

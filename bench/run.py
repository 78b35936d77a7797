"""Time full builds of synthetic sites: `python bench/run.py [--sizes 1000 10000] [--runs 5]`.

Each size is generated once (bench/generate.py), then built --runs times in a fresh process;
the report gives the median and spread of the wall time and the peak resident memory of the
build (the largest of its processes: workers share the parent's memory through fork).
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import NOW, generate  # noqa: E402


def build_once(site: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `statusgen build` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "statusgen", "build", "--root", str(site), "--out", str(out),
                    "--now", NOW.isoformat()], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env={"CI": "true", "PATH": "/usr/bin:/bin"})
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--out-base", type=Path, default=None,
                        help="folder for the built sites (default: a temporary folder; /dev/shm measures "
                             "the generator without the disk)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="statusgen-bench-") as tmp:
        if args.out_base:
            args.out_base.mkdir(parents=True, exist_ok=True)
        for size in args.sizes:
            site = generate(size, Path(tmp) / f"site-{size}")
            out = (args.out_base or Path(tmp)) / f"statusgen-bench-out-{size}"
            times, peaks = [], []
            for _ in range(args.runs):
                seconds, peak = build_once(site, out)
                times.append(seconds)
                peaks.append(peak)
            files = sum(1 for p in out.rglob("*") if p.is_file())
            row = {"entries": size, "runs": args.runs, "median_s": round(statistics.median(times), 2),
                   "min_s": round(min(times), 2), "max_s": round(max(times), 2),
                   "peak_rss_mb": round(max(peaks)), "files": files}
            results.append(row)
            print(f"{size:>6} entries: median {row['median_s']:.2f} s (min {row['min_s']:.2f}, "
                  f"max {row['max_s']:.2f}, {args.runs} runs), peak RSS {row['peak_rss_mb']} MB, {files} files")
            shutil.rmtree(out, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

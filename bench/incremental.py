"""Time incremental rebuilds: `python bench/incremental.py [--entries 10000] [--runs 7]`.

Builds a synthetic site once (the warm build a running `statusgen serve` has), then edits one
entry at a time and times each rebuild; finally checks the result is byte-identical to a full
build of the same input.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import NOW, generate  # noqa: E402

from statusgen.commands.build import Builder, build  # noqa: E402


def differences(a: Path, b: Path) -> list[str]:
    files_a = {str(p.relative_to(a)) for p in a.rglob("*") if p.is_file()}
    files_b = {str(p.relative_to(b)) for p in b.rglob("*") if p.is_file()}
    differ = [f for f in files_a & files_b if (a / f).read_bytes() != (b / f).read_bytes()]
    return sorted(files_a ^ files_b) + sorted(differ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(3)
    with tempfile.TemporaryDirectory(prefix="statusgen-incr-") as tmp:
        site = generate(args.entries, Path(tmp) / "site")
        builder = Builder(site, Path(tmp) / "out", fixed_now=NOW.isoformat())
        started = time.perf_counter()
        errors, line = builder.rebuild()
        print(f"warm build: {time.perf_counter() - started:.1f} s ({line})")
        files = sorted((site / "incidents").glob("*.md"))
        timings = []
        for run in range(args.runs):
            path = rng.choice(files)
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("title:\n  fr: ", f"title:\n  fr: Édité {run} ", 1), encoding="utf-8")
            started = time.perf_counter()
            errors, line = builder.rebuild()
            timings.append(time.perf_counter() - started)
            assert not errors, errors
            print(f"  edit {path.name}: {timings[-1]:.3f} s ({line})")
        print(f"incremental rebuild after one edit, {args.entries} entries: median {statistics.median(timings):.3f} s "
              f"(min {min(timings):.3f}, max {max(timings):.3f}, {args.runs} runs)")
        full = Path(tmp) / "full"
        build(site, full, NOW)
        diff = differences(builder.out, full)
        print("byte-identical to a full build" if not diff else f"DIFFERS from a full build: {diff[:10]}")


if __name__ == "__main__":
    main()

"""The golden output of the demo site: the repository's own site built at its demo date, kept in
tests/golden/demo/ and compared file by file with a fresh build by tests/test_golden.py.

    python tests/golden.py             compare a fresh build with the golden copy (exit 1 on a difference)
    python tests/golden.py --refresh   rewrite the golden copy from a fresh build, after an intended change

Run it from the project's environment (where `pip install -e '.[test]'` was done), then review the change
with `git diff --stat tests/golden/demo` and commit it with the change that caused it.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "demo"
DEMO_NOW = datetime.fromisoformat("2026-11-20T15:00:00+01:00")
REFRESH = "python tests/golden.py --refresh"

MAX_NAMES = 12  # file names listed per kind of difference
MAX_DIFF_LINES = 40  # lines of the unified diff shown, for the first differing file only
MAX_LINE = 160  # characters of each diff line shown (pages hold lines of several thousand)


def build_demo(out: Path) -> Path:
    """The demo site built into out at its demo date, exactly as `statusgen build --now ...` builds it."""
    from statusgen.commands.build import build

    result = build(REPO, out, DEMO_NOW)
    if not result.ok:
        problems = "\n".join(d.format() for d in result.report.diagnostics)
        raise RuntimeError(f"the demo site does not build:\n{problems}")
    return out


def read_tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder, by its path relative to folder (with '/')."""
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def machine_paths(files: dict[str, bytes], *extra: Path) -> list[str]:
    """The files that mention a path of this machine: the repository, the home folder, a build folder."""
    markers = {str(REPO), *(str(p) for p in extra)}
    home = Path.home()
    if len(home.parts) > 1:
        markers.add(str(home) + os.sep)
    needles = [m.encode() for m in markers]
    return [name for name, data in files.items() if any(n in data for n in needles)]


def _names(kind: str, names: list[str]) -> str:
    shown = ", ".join(names[:MAX_NAMES])
    more = f" and {len(names) - MAX_NAMES} more" if len(names) > MAX_NAMES else ""
    return f"  {kind} ({len(names)}): {shown}{more}"


def _short_diff(name: str, old: bytes, new: bytes) -> list[str]:
    try:
        before, after = old.decode("utf-8").splitlines(), new.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return [f"  (binary file {name} differs)"]
    lines = list(difflib.unified_diff(before, after, f"golden/{name}", f"build/{name}", n=2, lineterm=""))
    if not lines:  # only line ends differ
        return [f"  ({name}: same lines, different line ends or final newline)"]
    shown = [("  " + line)[:MAX_LINE] + (" [...]" if len(line) + 2 > MAX_LINE else "")
             for line in lines[:MAX_DIFF_LINES]]
    if len(lines) > MAX_DIFF_LINES:
        shown.append(f"  [... {len(lines) - MAX_DIFF_LINES} more diff lines]")
    return shown


def differences(built: dict[str, bytes], golden: dict[str, bytes]) -> str | None:
    """None when both trees hold the same files with the same bytes; else a short report of what differs."""
    changed = [name for name in sorted(built.keys() & golden.keys()) if built[name] != golden[name]]
    added = sorted(built.keys() - golden.keys())
    removed = sorted(golden.keys() - built.keys())
    if not (changed or added or removed):
        return None
    lines = [f"the demo built at {DEMO_NOW.isoformat()} differs from its golden copy "
             f"({GOLDEN.relative_to(REPO).as_posix()}/):"]
    if changed:
        lines.append(_names("changed", changed))
    if added:
        lines.append(_names("only in the build", added))
    if removed:
        lines.append(_names("only in the golden copy", removed))
    if changed:
        lines.append(f"first difference, {changed[0]}:")
        lines += _short_diff(changed[0], golden[changed[0]], built[changed[0]])
    lines.append(f"If the change is intended, refresh the golden copy with `{REFRESH}`, "
                 "check it with `git diff --stat tests/golden/demo` and commit it with your change.")
    return "\n".join(lines)


def refresh() -> str:
    """Rewrite the golden copy from a fresh build: changed and new files written, files gone removed."""
    with tempfile.TemporaryDirectory(prefix="statusgen-golden-") as work:
        out = Path(work) / "out"
        built = read_tree(build_demo(out))
        leaked = machine_paths(built, Path(work))
        if leaked:
            raise RuntimeError(f"not refreshed: these files hold a path of this machine: {', '.join(leaked)}")
    golden = read_tree(GOLDEN) if GOLDEN.is_dir() else {}
    changed = [name for name in built if name in golden and golden[name] != built[name]]
    added = [name for name in built if name not in golden]
    removed = [name for name in golden if name not in built]
    for name in changed + added:
        path = GOLDEN / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(built[name])
    for name in removed:
        (GOLDEN / name).unlink()
    for folder in sorted((p for p in GOLDEN.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    return (f"golden copy refreshed: {len(changed)} changed, {len(added)} added, {len(removed)} removed "
            f"({len(built)} files in {GOLDEN.relative_to(REPO).as_posix()}/)")


def check() -> tuple[bool, str]:
    with tempfile.TemporaryDirectory(prefix="statusgen-golden-") as work:
        built = read_tree(build_demo(Path(work) / "out"))
    problem = differences(built, read_tree(GOLDEN) if GOLDEN.is_dir() else {})
    return problem is None, problem or f"the golden copy matches the build: {len(built)} files"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--refresh", action="store_true",
                        help="rewrite tests/golden/demo from a fresh build of the demo")
    args = parser.parse_args(argv)
    try:
        if args.refresh:
            print(refresh())
            return 0
        same, report = check()
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(report)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

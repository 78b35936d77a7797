"""The demo site's golden output: a fresh build at the demo date equals tests/golden/demo/ file by file.

When the output changes on purpose, refresh the copy with `python tests/golden.py --refresh` and commit it.
"""

from __future__ import annotations

import pytest

from golden import DEMO_NOW, GOLDEN, REFRESH, build_demo, differences, machine_paths, read_tree


def test_the_demo_builds_exactly_to_its_golden_copy(tmp_path):
    assert GOLDEN.is_dir(), f"no golden copy in {GOLDEN}: create it with `{REFRESH}`"
    out = build_demo(tmp_path / "out")
    problem = differences(read_tree(out), read_tree(GOLDEN))
    if problem:
        pytest.fail(problem, pytrace=False)


def test_the_golden_copy_holds_no_path_of_this_machine():
    assert machine_paths(read_tree(GOLDEN)) == []


def test_the_golden_copy_is_the_demo_date_build():
    assert DEMO_NOW.isoformat() == "2026-11-20T15:00:00+01:00"  # the date README.md gives for the demo
    assert (GOLDEN / "index.html").is_file() and (GOLDEN / "api/v2/summary.json").is_file()


# --- the comparison itself ------------------------------------------------------------------------

def test_differences_names_every_file_and_diffs_only_the_first():
    golden = {"a.html": b"<p>one</p>\n<p>two</p>\n", "b.json": b"{}\n", "gone.xml": b"<x/>\n", "same.txt": b"s\n"}
    built = {"a.html": b"<p>one</p>\n<p>2</p>\n", "b.json": b"[]\n", "new.rss": b"<rss/>\n", "same.txt": b"s\n"}
    report = differences(built, golden)
    assert report.splitlines() == [
        "the demo built at 2026-11-20T15:00:00+01:00 differs from its golden copy (tests/golden/demo/):",
        "  changed (2): a.html, b.json",
        "  only in the build (1): new.rss",
        "  only in the golden copy (1): gone.xml",
        "first difference, a.html:",
        "  --- golden/a.html",
        "  +++ build/a.html",
        "  @@ -1,2 +1,2 @@",
        "   <p>one</p>",
        "  -<p>two</p>",
        "  +<p>2</p>",
        f"If the change is intended, refresh the golden copy with `{REFRESH}`, "
        "check it with `git diff --stat tests/golden/demo` and commit it with your change.",
    ]
    assert differences(golden, dict(golden)) is None


def test_differences_stay_short_for_huge_files():
    golden = {f"p{n:03}.html": ("x" * 2000 + "\n").encode() * 100 for n in range(40)}
    built = {name: data.replace(b"x", b"y") for name, data in golden.items()}
    report = differences(built, golden)
    assert len(report) < 10_000
    assert "and 28 more" in report and "more diff lines]" in report

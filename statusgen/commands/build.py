"""`statusgen build`: validate, render every file, swap the new site in atomically."""

from __future__ import annotations

import os
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click

from statusgen.commands.validate import Report, check
from statusgen.errors import StatusgenError
from statusgen.output import check_output_folder, staged_output
from statusgen.render.engine import plan_pages, prepare, render_extras, render_pages


@dataclass(frozen=True)
class BuildResult:
    report: Report
    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    out: Path | None = None

    @property
    def ok(self) -> bool:
        return self.out is not None


def build(root: Path, out: Path, now: datetime, progress: bool = False, workers: int | None = None,
          strict: bool = False) -> BuildResult:
    """Check the site; when it passes, render it into `out`. Nothing is written on failure."""
    started = time.perf_counter()
    report = check(root, now)
    if report.failed(strict) or report.site is None:
        return BuildResult(report)
    check_output_folder(out, root)
    state, files = prepare(report.site, now)
    files += render_extras(state)
    total_pages = len(plan_pages(state.site, state.facts))
    bar = _progress_bar(total_pages) if progress else nullcontext(None)
    with staged_output(out) as writer, bar as shown:
        for path, data in files:
            writer.write(path, data)
        pages = render_pages(state, writer.write, workers=workers,
                             progress=shown.update if shown is not None else None)
    return BuildResult(report, pages=pages, files=len(files), seconds=time.perf_counter() - started, out=out)


def wants_progress() -> bool:
    """A progress bar only for a person at a terminal, never in CI logs."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _progress_bar(total: int):
    if total < 2000:
        return nullcontext(None)
    return click.progressbar(length=total, label="Rendering pages", file=sys.stderr)


def summary(result: BuildResult) -> str:
    if not result.ok:
        return (f"build failed: {result.report.errors} error(s), {result.report.warnings} warning(s); "
                "the previous output is unchanged")
    warnings = f", {result.report.warnings} warning(s)" if result.report.warnings else ""
    return (f"built {result.pages} pages and {result.files} other files into {result.out} "
            f"in {result.seconds:.1f} s{warnings}")


def refuse_if_failed(result: BuildResult) -> None:
    if not result.ok:
        raise StatusgenError(summary(result))


class Builder:
    """Rebuilds one site again and again (for serve): the time is --now or the clock at each build."""

    def __init__(self, root: Path, out: Path, fixed_now: str | None = None):
        self.root = root
        self.out = out
        self.fixed_now = fixed_now

    def rebuild(self) -> tuple[list, str]:
        """(errors to show, summary line); a failed build leaves the last good output in place."""
        from statusgen.clock import resolve_now

        try:
            result = build(self.root, self.out, resolve_now(self.fixed_now))
        except StatusgenError as exc:
            return [], f"build refused: {exc.message}"
        errors = [d for d in result.report.diagnostics if d.level == "error"]
        return errors, summary(result)

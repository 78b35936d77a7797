"""`statusgen build`: validate, render every file, swap the new site in atomically."""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import click

from statusgen import __version__
from statusgen.clock import resolve_now
from statusgen.commands.validate import CheckCache, Report, check
from statusgen.errors import StatusgenError
from statusgen.output import MARKER, Writer, check_output_folder, staged_output
from statusgen.render.engine import (
    RenderCache,
    feed_wanted,
    plan_pages,
    prepare,
    render_extras,
    render_job,
    render_site,
)
from statusgen.render.pages import page_path
from statusgen.render.signatures import ALWAYS, Signatures
from statusgen.render.theme import builtin_theme_dir
from statusgen.render.trial import template_diagnostic


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
          strict: bool = False, ignore: tuple[str, ...] = (), base_url: str | None = None) -> BuildResult:
    """Check the site; when it passes, render it into `out`. Nothing is written on failure.

    base_url, when given, replaces the one of site.yaml (a preview published elsewhere).
    """
    started = time.perf_counter()
    with cycle_collection_paused():
        return _build(root, out, now, progress, workers, strict, ignore, base_url, started)


@contextmanager
def cycle_collection_paused():
    """A one-shot build makes millions of objects and almost no reference cycles: looking for
    cycles while they pile up costs about a tenth of the build. Long-running serve keeps it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _build(root: Path, out: Path, now: datetime, progress: bool, workers: int | None, strict: bool,
           ignore: tuple[str, ...], base_url: str | None, started: float) -> BuildResult:
    report = check(root, now, ignore=ignore)
    if report.failed(strict) or report.site is None:
        return BuildResult(report)
    check_output_folder(out, root)
    site = report.site
    if base_url:
        site = replace(site, settings=replace(site.settings, base_url=base_url))
    state, files = prepare(site, now)
    total_pages = len(plan_pages(state.site, state.facts))
    bar = _progress_bar(total_pages) if progress else nullcontext(None)
    try:
        with staged_output(out) as writer, bar as shown:
            for path, data in files:
                writer.write(path, data)
            pages, extras = render_site(state, writer.write, workers=workers,
                                        progress=shown.update if shown is not None else None)
    except Exception as exc:  # noqa: BLE001 - a site template failing is a diagnostic, anything else is not
        problem = template_diagnostic(exc, root)
        if problem is None:
            raise
        return BuildResult(Report(report.site, report.diagnostics + [problem], report.files))
    return BuildResult(report, pages=pages, files=len(files) + len(extras),
                       seconds=time.perf_counter() - started, out=out)


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


REPIN_AFTER = timedelta(minutes=10)


class Builder:
    """Rebuilds one site again and again (for serve), re-rendering only what a change touched.

    The first build, and any build after a change of definitions, help pages, templates or
    time, is a full atomic build. After that, an edited, added or removed entry re-renders the
    pages whose signature changed (its own pages, the status page, the history page and the
    component pages it sits on) and the feeds and API files whose bytes changed; the result is
    byte-identical to a full build of the same input.
    """

    def __init__(self, root: Path, out: Path, fixed_now: str | None = None):
        self.root = root
        self.out = out
        self.fixed_now = fixed_now
        self.checks = CheckCache()
        self.renders = RenderCache()
        self.inputs = ""
        self.page_signatures: dict[str, str] = {}
        self.extra_hashes: dict[str, str] = {}
        self.pinned: datetime | None = None

    def moment(self) -> datetime:
        """--now, else the clock, kept for a few minutes: a new time means a full build."""
        if self.fixed_now:
            return resolve_now(self.fixed_now)
        current = resolve_now(None)
        if self.pinned is None or current - self.pinned > REPIN_AFTER:
            self.pinned = current
        return self.pinned

    def rebuild(self) -> tuple[list, str]:
        """(errors to show, summary line); a failed build leaves the last good output in place."""
        started = time.perf_counter()
        try:
            now = self.moment()
            report = check(self.root, now, self.checks)
            if report.errors or report.site is None:
                errors = [d for d in report.diagnostics if d.level == "error"]
                return errors, summary(BuildResult(report))
            inputs = global_inputs(self.root, now)
            if inputs != self.inputs or not (self.out / MARKER).is_file():
                self.renders = RenderCache()
                result = self._full(report, now, started)
                self.inputs = inputs
                return [], summary(result)
            pages, files = self._incremental(report, now)
        except StatusgenError as exc:
            return [], f"build refused: {exc.message}"
        seconds = time.perf_counter() - started
        return [], f"rebuilt {pages} pages and {files} other files in {seconds:.2f} s (incremental)"

    def _full(self, report: Report, now: datetime, started: float) -> "BuildResult":
        check_output_folder(self.out, self.root)
        state, files = prepare(report.site, now, self.renders)
        jobs = plan_pages(state.site, state.facts)
        with staged_output(self.out) as writer:
            for path, data in files:
                writer.write(path, data)
            pages, extras = render_site(state, writer.write)
        files += extras
        self._remember(state, jobs, files)
        _warm(state)
        return BuildResult(report, pages=pages, files=len(files), seconds=time.perf_counter() - started,
                           out=self.out)

    def _remember(self, state, jobs, files) -> None:
        signatures = Signatures(state.site, state.facts, feed_wanted)
        self.page_signatures = {page_path(job, state.contexts[job.lang].v.urls): signatures.of(job) for job in jobs}
        self.extra_hashes = {path: _hash(data) for path, data in files}

    def _incremental(self, report: Report, now: datetime) -> tuple[int, int]:
        state, files = prepare(report.site, now, self.renders)
        files += render_extras(state)
        jobs = plan_pages(state.site, state.facts)
        signatures = Signatures(state.site, state.facts, feed_wanted)
        writer = Writer(self.out.resolve(), atomic=True)
        new_pages: dict[str, str] = {}
        rendered = 0
        for job in jobs:
            path = page_path(job, state.contexts[job.lang].v.urls)
            signature = signatures.of(job)
            new_pages[path] = signature
            if signature == ALWAYS or self.page_signatures.get(path) != signature:
                writer.write(*render_job(state, job))
                rendered += 1
        new_extras = {path: _hash(data) for path, data in files}
        changed = [(path, data) for path, data in files if self.extra_hashes.get(path) != new_extras[path]]
        for path, data in changed:
            writer.write(path, data)
        gone = (set(self.page_signatures) - set(new_pages)) | (set(self.extra_hashes) - set(new_extras))
        writer.remove(sorted(gone))
        self.page_signatures, self.extra_hashes = new_pages, new_extras
        return rendered, len(changed)


def _warm(state) -> None:
    """Render every entry's list line in this process: the pages were rendered by worker processes,
    and the next rebuild should find the lines of whichever history page it has to redo."""
    for views in state.views.values():
        for entry in state.facts.entries:
            views.line(entry)


def _hash(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def global_inputs(root: Path, now: datetime) -> str:
    """A hash of everything every page depends on: definitions, help pages, templates, the time."""
    digest = hashlib.sha256(f"{__version__}|{now.isoformat()}".encode())
    folders = [root / "content", root / "templates", builtin_theme_dir()]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not (folder == root / "content" and path.suffix not in (".yaml", ".md")):
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()

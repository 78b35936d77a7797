"""`statusgen build`: validate, render every file, swap the new site in atomically."""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable

import click

from statusgen import __version__
from statusgen.clock import resolve_now
from statusgen.commands.validate import CheckCache, Report, check
from statusgen.output import MARKER, Writer, check_output_folder, staged_output
from statusgen.render.deps import PageRecords, Record
from statusgen.render.engine import (
    digest,
    plan_pages,
    prepare,
    render_extras,
    render_recorded,
    render_site,
)
from statusgen.render.pages import page_path
from statusgen.render.state import RenderCache
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


Clock = Callable[[], datetime]


def live_clock() -> datetime:
    return resolve_now(None)


class Builder:
    """Rebuilds one site again and again (for serve), re-rendering only what a change touched.

    Each rebuild is made at one moment: --now, else the current minute of the clock (pages show
    minutes, and `new` and `update` record them). The first build, any build after a change of
    definitions, help pages or templates, and the build after a failed one are full builds from
    empty caches. Otherwise a page is rendered again only when something it read of the facts
    when it was last rendered (an entry, a state, a list, the time...) has another value now:
    each page records its reads as it makes them (render/deps.py), so no list of what a page
    depends on is kept by hand. A new minute re-renders the pages that read the time (the status
    page, open entries); an edit re-renders the pages that read that entry. The feeds, API files,
    calendar and badges are rendered again and written when their bytes changed. Everything is
    rendered before the first file is written, and the result is byte-identical to a full build
    of the same input at the same moment.
    """

    def __init__(self, root: Path, out: Path, fixed_now: str | None = None, clock: Clock = live_clock):
        self.root = root
        self.out = out
        self.fixed = resolve_now(fixed_now) if fixed_now else None
        self.clock = clock
        self.checks = CheckCache()
        self.renders = RenderCache()
        self.inputs = ""  # the global inputs of the output on disk; "" forces a full build
        self.cached_at: datetime | None = None  # the moment the time-keyed caches hold results of
        self.tried_at: datetime | None = None  # the moment of the last rebuild, good or not
        self.pages = PageRecords()  # what each page of the output read of the facts
        self.extra_hashes: dict[str, str] = {}
        self.rebuilds = 0  # incremental ones

    def moment(self) -> tuple[datetime, datetime]:
        """(the moment to build at, the exact time): --now, else the clock's current minute."""
        if self.fixed:
            return self.fixed, self.fixed
        exact = self.clock().replace(microsecond=0)
        return exact.replace(second=0), exact

    def outdated(self) -> bool:
        """True when the clock has reached another minute since the last rebuild."""
        return self.fixed is None and self.tried_at is not None and self.moment()[0] != self.tried_at

    def rebuild(self) -> tuple[list, str]:
        """(errors to show, summary line); a failed build leaves the last good output in place.

        An exception a site template raised is reported as its diagnostic; any other propagates.
        After either, the next rebuild is a full one.
        """
        started = time.perf_counter()
        try:
            now, report = self._check()
            if report.errors or report.site is None:
                errors = [d for d in report.diagnostics if d.level == "error"]
                return errors, summary(BuildResult(report))
            inputs = global_inputs(self.root)
            if inputs != self.inputs or not (self.out / MARKER).is_file():
                self.inputs = ""
                self.renders = RenderCache()
                result = self._full(report, now, started)
                _settle_heap()
                self.inputs = inputs
                return [], summary(result)
            self.rebuilds += 1
            if self.rebuilds % RESETTLE_EVERY == 0:
                _settle_heap()
            pages, files = self._incremental(report, now)
        except BaseException as exc:
            self.inputs = ""  # the output or the caches may be half updated: trust neither
            problem = template_diagnostic(exc, self.root) if isinstance(exc, Exception) else None
            if problem is None:
                raise
            return [problem], summary(BuildResult(Report(None, [problem])))
        seconds = time.perf_counter() - started
        return [], f"rebuilt {pages} pages and {files} other files in {seconds:.2f} s (incremental)"

    def _check(self) -> tuple[datetime, Report]:
        now, exact = self.moment()
        self.tried_at = now
        self._forget_other_moments(now)
        report = check(self.root, now, self.checks, try_templates=False)
        if exact != now and any(d.rule == "timestamp-future" for d in report.diagnostics):
            # A time written by hand with seconds, earlier in this minute: accept it, as validate does.
            self._forget_other_moments(exact)
            now, report = exact, check(self.root, exact, self.checks, try_templates=False)
        return now, report

    def _forget_other_moments(self, now: datetime) -> None:
        """Rule results, entry facts and the feed and API memos are kept for one moment. Parsed
        sources, compiled templates and Markdown hold no time, and the views of entries check what
        they read (the time included) each time they are used: those are kept."""
        if now == self.cached_at:
            return
        self.checks.rules.clear()
        kept = self.renders
        self.renders = RenderCache(env=kept.env, markup=kept.markup, entries=kept.entries,
                                   summaries=kept.summaries, lines=kept.lines)
        self.cached_at = now

    def _full(self, report: Report, now: datetime, started: float) -> "BuildResult":
        check_output_folder(self.out, self.root)
        state, files = prepare(report.site, now, self.renders)
        records: dict[str, Record] = {}
        with staged_output(self.out) as writer:
            for path, data in files:
                writer.write(path, data)
            pages, extras = render_site(state, writer.write, records=records)
        self.pages = PageRecords()
        for path, record in records.items():
            self.pages.set(path, record)
        self.pages.note_objects(state.recorder)
        self.extra_hashes = {path: digest(data) for path, data in files} | dict(extras)
        _warm(state)
        return BuildResult(report, pages=pages, files=len(files) + len(extras), seconds=time.perf_counter() - started,
                           out=self.out)

    def _incremental(self, report: Report, now: datetime) -> tuple[int, int]:
        state, files = prepare(report.site, now, self.renders)
        jobs = {page_path(job, state.contexts[job.lang].v.urls): job for job in plan_pages(state.site, state.facts)}
        stale = self.pages.stale(state.recorder, jobs)
        outputs: list[tuple[str, bytes]] = []  # everything is rendered before anything is written
        records = []
        for path in sorted(stale & jobs.keys()):
            path, data, record = render_recorded(state, jobs[path])
            outputs.append((path, data))
            records.append((path, record))
        pages = len(outputs)
        new_extras = {}
        for path, data in [*files, *render_extras(state)]:
            if data is None:  # the same bytes as the last build
                new_extras[path] = self.extra_hashes[path]
                continue
            new_extras[path] = digest(data)
            if self.extra_hashes.get(path) != new_extras[path]:
                outputs.append((path, data))
        writer = Writer(self.out.resolve(), atomic=True)
        for path, data in outputs:
            writer.write(path, data)
        gone_pages = self.pages.paths() - jobs.keys()
        writer.remove(sorted(gone_pages | (set(self.extra_hashes) - set(new_extras))))
        for path in gone_pages:
            self.pages.remove(path)
        for path, record in records:
            self.pages.set(path, record)
        self.extra_hashes = new_extras
        _forget_gone_entries(self.renders, state.facts)
        return pages, len(outputs) - pages


# Incremental rebuilds between two full collections of the heap (see _settle_heap).
RESETTLE_EVERY = 50


def _settle_heap() -> None:
    """Collect the whole heap, then freeze what survives.

    After a build of ten thousand entries, serve holds millions of objects (sources, views, page
    records) that live until the next full build. The collector's full passes would walk them all,
    a second or more in the middle of a rebuild; frozen, they are left out of its passes. Their
    reference cycles that become garbage are found at the next full build, or after RESETTLE_EVERY
    rebuilds, when the heap is collected whole again: what serve holds stays bounded.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _forget_gone_entries(cache: RenderCache, facts) -> None:
    """Views of entries edited or removed since they were made: keep the caches to the site's size."""
    current = {(e.id, e.source_hash) for e in facts.entries}
    for by_lang in (cache.entries, cache.summaries, cache.lines):
        for views in by_lang.values():
            for key in [k for k in views if k not in current]:
                del views[key]


def _warm(state) -> None:
    """Render every entry's list line in this process: the pages were rendered by worker processes,
    and the next rebuild should find the lines of whichever history page it has to redo."""
    for views in state.views.values():
        for entry in state.facts.entries:
            views.line(entry)


def global_inputs(root: Path) -> str:
    """A hash of everything every page depends on but the moment: definitions, help pages, templates."""
    digest = hashlib.sha256(__version__.encode())
    folders = [root / "content", root / "templates", builtin_theme_dir()]
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not (folder == root / "content" and path.suffix not in (".yaml", ".md")):
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()

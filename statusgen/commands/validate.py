"""`statusgen validate`: load the site, run every rule, report."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from statusgen.model.schedule import site_at
from statusgen.errors import Diagnostic, count_by_level, sort_key
from statusgen.catalog import RULES
from statusgen.loading import SourceCache, load_site, missing_site_problem
from statusgen.loading.entries import entry_file_names
from statusgen.loading.templates import check_templates
from statusgen.model.site import Site
from statusgen.render.trial import has_own_templates, trial_render
from statusgen.rules import check_site

@dataclass(frozen=True)
class Report:
    """A loaded site (None when unreadable) and every diagnostic, in file and line order."""

    site: Site | None
    diagnostics: list[Diagnostic]
    files: int = 0  # entry files read, with or without errors

    @property
    def errors(self) -> int:
        return count_by_level(self.diagnostics)[0]

    @property
    def warnings(self) -> int:
        return count_by_level(self.diagnostics)[1]

    def failed(self, strict: bool) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


@dataclass
class CheckCache:
    """What a long-running process (serve) keeps between checks of the same site."""

    sources: SourceCache = field(default_factory=SourceCache)
    rules: dict = field(default_factory=dict)


def check(root: Path, now: datetime, cache: CheckCache | None = None, ignore: tuple[str, ...] = (),
          try_templates: bool = True) -> Report:
    """Load and check the whole site; nothing is written. Rules named in ignore are not reported.

    With try_templates, a site with templates of its own has a sample of its pages rendered, so
    that their runtime errors are reported here rather than met by the build.
    """
    missing = missing_site_problem(root)
    if missing:
        return Report(None, [missing])
    report = _check(root, now, cache)
    if try_templates and report.site is not None and not report.errors and has_own_templates(root):
        report = Report(report.site, sorted(report.diagnostics + trial_render(report.site, now), key=sort_key),
                        report.files)
    if ignore:
        report = Report(report.site, [d for d in report.diagnostics if d.rule not in ignore], report.files)
    return report


def _check(root: Path, now: datetime, cache: CheckCache | None) -> Report:
    definitions = cache.sources.definitions if cache else ""
    site, diagnostics = load_site(root, cache.sources if cache else None)
    if cache and cache.sources.definitions != definitions:
        cache.rules.clear()  # entries were checked against other definitions
    if site is not None:
        site = site_at(site, now)
        diagnostics = diagnostics + check_site(site, now, cache.rules if cache else None)
    diagnostics += check_templates(root)
    return Report(site, sorted(diagnostics, key=sort_key), len(entry_file_names(root)))


def render_report(report: Report, fmt: str, strict: bool, path_prefix: str = "") -> str:
    """The report as text, JSON or GitHub annotations (paths prefixed to be relative to the repository)."""
    if fmt == "json":
        return json.dumps({
            "ok": not report.failed(strict),
            "errors": report.errors,
            "warnings": report.warnings,
            "diagnostics": [d.as_dict() for d in report.diagnostics],
        }, ensure_ascii=False, indent=2)
    if fmt == "github":
        return "\n".join(d.github(path_prefix) for d in report.diagnostics)
    lines = [d.format() for d in report.diagnostics]
    lines.append(summary_line(report, strict))
    return "\n".join(lines)


def summary_line(report: Report, strict: bool = False) -> str:
    e, w = report.errors, report.warnings
    verdict = "failed" if report.failed(strict) else "ok"
    return (f"{verdict}: {report.files} entries checked, {e} error{'s' * (e != 1)}, "
            f"{w} warning{'s' * (w != 1)}{' (--strict)' if strict and w and not e else ''}")


def unknown_rules(names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name not in RULES]
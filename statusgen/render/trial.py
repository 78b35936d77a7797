"""Trying a site's own templates before a build: one page of every kind, rendered against the real site.

A template that parses can still fail when rendered (an undefined name, a bad filter, a division
by zero). Validation renders a sample of pages covering every template and every kind of entry,
so that `build` never meets a template error `validate` did not report; when a build meets one
anyway, template_diagnostic turns it into the same diagnostic.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from types import TracebackType

import jinja2
import jinja2.runtime

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.model.site import Site
from statusgen.render.engine import prepare, render_extras, render_job
from statusgen.render.facts import Facts
from statusgen.render.pages import PageJob, plan_pages
from statusgen.render.theme import builtin_theme_dir

TEMPLATE_HINT = "fix the name or guard it with {% if ... is defined %}"


def has_own_templates(root: Path) -> bool:
    folder = Path(root) / "templates"
    return folder.is_dir() and not folder.is_symlink() and any(folder.iterdir())


def trial_render(site: Site, now: datetime) -> list[Diagnostic]:
    """template-runtime diagnostics for the site's templates, found by rendering a sample of pages.

    Errors that do not come from the site's own templates are not the site's: they propagate.
    """
    found: dict[tuple, Diagnostic] = {}
    try:
        state, _ = prepare(site, now)
    except Exception as exc:  # noqa: BLE001 - sorted below: the site's template or a bug
        _keep(found, _required(exc, site.root, "macros.html"))
        return list(found.values())
    for job in sample_jobs(site, state.facts):
        try:
            render_job(state, job)
        except Exception as exc:  # noqa: BLE001
            _keep(found, _required(exc, site.root, _describe(job)))
    try:
        for _ in render_extras(state):  # made one at a time: run through them all
            pass
    except Exception as exc:  # noqa: BLE001
        _keep(found, _required(exc, site.root, "the feeds and API"))
    return list(found.values())


def _keep(found: dict[tuple, Diagnostic], d: Diagnostic) -> None:
    found.setdefault((d.path, d.line, d.message.split(" (rendering")[0]), d)


def _required(exc: Exception, root: str, what: str) -> Diagnostic:
    d = template_diagnostic(exc, root, what)
    if d is None:
        raise exc
    return d


def _describe(job: PageJob) -> str:
    return f"the {job.kind.replace('_', ' ')} page{' ' + job.key if job.key else ''} in '{job.lang}'"


def sample_jobs(site: Site, facts: Facts) -> list[PageJob]:
    """The first page of each kind in each language, and one entry page per kind of entry."""
    seen: set[tuple] = set()
    sample = []
    for job in plan_pages(site, facts):
        key: tuple = (job.kind, job.lang)
        if job.kind == "entry":
            key += _entry_variety(facts, job.key)
        if key not in seen:
            seen.add(key)
            sample.append(job)
    return sample


def _entry_variety(facts: Facts, entry_id: str) -> tuple:
    """What makes an entry page take other branches of its template."""
    entry = facts.by_id[entry_id]
    state = facts.states[entry_id]
    return (entry.lifecycle.id, state.is_open, bool(entry.report), bool(entry.root_cause),
            bool(entry.workaround), bool(entry.impact), entry.scheduled_start is not None, len(entry.updates) > 1)


def template_diagnostic(exc: BaseException, root: str | Path, what: str = "") -> Diagnostic | None:
    """The exception as a template diagnostic at the innermost line of the site's own templates it
    passed through; None when it does not come from them (a bug of statusgen's)."""
    folder = os.path.realpath(Path(root) / "templates") + os.sep
    where = _innermost_frame(exc.__traceback__, folder)
    rel = ""
    if where is not None:
        rel = "templates/" + where[0][len(folder):].replace(os.sep, "/")
    elif has_own_templates(Path(root)):
        # A built-in template failing on what a site template provides (an overridden macros.html
        # that lacks a macro or takes other arguments): point at the built-in template's line, by
        # the name a site extends it with.
        theme = os.path.realpath(builtin_theme_dir()) + os.sep
        where = _innermost_frame(exc.__traceback__, theme)
        if where is not None:
            rel = "default/" + where[0][len(theme):].replace(os.sep, "/")
    if where is None:
        return None
    line = where[1]
    context = f"rendering {what}; " if what else ""
    if isinstance(exc, jinja2.TemplateNotFound):
        return diag("template-runtime", rel, line, "", f"no template named '{exc.name}' in templates/ or the "
                    "built-in theme", f"{context}check the name, or add the file")
    if isinstance(exc, jinja2.TemplateSyntaxError):  # compiled on first use: an unknown filter or test
        return diag("template-syntax", rel, line, "", exc.message or str(exc), f"{context}fix the tag on that line")
    message = getattr(exc, "message", None) or str(exc)
    if not isinstance(exc, jinja2.TemplateError):
        message = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return diag("template-runtime", rel, line, "", message, f"{context}{TEMPLATE_HINT}")


def _innermost_frame(tb: TracebackType | None, folder: str) -> tuple[str, int] | None:
    """The innermost (file, line) of a template under folder that the traceback passed through."""
    # Jinja2 rewrites the tracebacks of render() so that template code shows as frames of the
    # template file. A macro called from Python (list lines are) fails outside render(): the
    # macro object in the failing frame still names its template, though not the line.
    found = None
    while tb is not None:
        frame = tb.tb_frame
        filename = os.path.realpath(frame.f_code.co_filename)
        if filename.startswith(folder):
            found = (filename, tb.tb_lineno)
        else:
            macro = frame.f_locals.get("self")
            if isinstance(macro, jinja2.runtime.Macro):
                origin = os.path.realpath(macro._func.__code__.co_filename)
                if origin.startswith(folder):
                    found = (origin, 1)
        tb = tb.tb_next
    return found

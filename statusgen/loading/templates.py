"""Checking a site's own templates/ folder before a build uses it: real files only, valid syntax."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.loading.source import read_source, relative

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".j2")


def check_templates(root: Path) -> list[Diagnostic]:
    """not-a-file for every link or special file under templates/ (assets included), and a
    template-syntax diagnostic for each template that Jinja2 cannot parse."""
    folder = root / "templates"
    if folder.is_symlink():
        return [diag("not-a-file", "templates", 1, "", "is a symbolic link; statusgen reads real folders only",
                     "move the templates into the site, or copy them")]
    if not folder.is_dir():
        return []
    parser = jinja2.Environment()
    found: list[Diagnostic] = []
    for path in template_files(folder):
        source, problems = read_source(path, root)
        if path.suffix not in TEMPLATE_SUFFIXES and not problems:
            continue  # assets are read when used; only their kind of file matters here
        found += [p for p in problems if p.rule != "empty-file"]
        if source is None:
            continue
        try:
            parser.parse(source.text)
        except jinja2.TemplateSyntaxError as exc:
            found.append(diag("template-syntax", relative(path, root), exc.lineno or 1, "", exc.message or str(exc),
                              "fix the {% %} or {{ }} tag on that line"))
    return found


def template_files(folder: Path) -> list[Path]:
    """Every file under folder, links to folders included (as files: they are reported, not followed)."""
    found: list[Path] = []
    for current, dirs, files in os.walk(folder, followlinks=False):
        linked = [d for d in dirs if os.path.islink(os.path.join(current, d))]
        dirs[:] = sorted(d for d in dirs if d not in linked and not d.startswith("."))
        found += [Path(current, name) for name in files + linked if not name.startswith(".")]
    return sorted(found)

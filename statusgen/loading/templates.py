"""Checking a site's own templates for syntax errors before a build uses them."""

from __future__ import annotations

from pathlib import Path

import jinja2

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.loading.source import read_source, relative

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".j2")


def check_templates(root: Path) -> list[Diagnostic]:
    """A template-syntax diagnostic for each template of <site>/templates/ that Jinja2 cannot parse."""
    folder = root / "templates"
    if not folder.is_dir():
        return []
    parser = jinja2.Environment()
    found: list[Diagnostic] = []
    for path in sorted(folder.rglob("*")):
        if path.suffix not in TEMPLATE_SUFFIXES or path.name.startswith("."):
            continue
        source, problems = read_source(path, root)
        found += problems
        if source is None:
            continue
        try:
            parser.parse(source.text)
        except jinja2.TemplateSyntaxError as exc:
            found.append(diag("template-syntax", relative(path, root), exc.lineno or 1, "", exc.message or str(exc),
                              "fix the {% %} or {{ }} tag on that line"))
    return found

"""Loading a site folder into the model: files -> YAML nodes -> frozen dataclasses."""

from __future__ import annotations

from pathlib import Path

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.loading.config import load_components, load_settings
from statusgen.loading.entries import EntryContext, entry_files, load_entry
from statusgen.loading.lifecycles import load_lifecycles
from statusgen.loading.pages import load_pages
from statusgen.model.site import Site


def load_site(root: Path) -> tuple[Site | None, list[Diagnostic]]:
    """The whole site and every problem found while reading it.

    The site is None only when the settings themselves cannot be read; entries with
    errors are left out of the site, their problems listed in the diagnostics.
    """
    root = Path(root)
    settings, diagnostics = load_settings(root)
    if settings is None:
        return None, diagnostics
    languages = settings.languages
    components, found = load_components(root, languages)
    diagnostics += found
    lifecycles, priorities, found = load_lifecycles(root, languages)
    diagnostics += found
    pages, found = load_pages(root, languages)
    diagnostics += found
    ctx = EntryContext(languages, components, lifecycles, priorities)
    entries = []
    for path in entry_files(root):
        entry, found = load_entry(path, root, ctx)
        diagnostics += found
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: (e.started_at, e.id))
    site = Site(root=str(root), settings=settings, components=components, lifecycles=lifecycles,
                priorities=priorities, entries=tuple(entries), pages=tuple(pages))
    return site, diagnostics


def missing_site_problem(root: Path) -> Diagnostic | None:
    """A clear message when the folder is not a statusgen site at all."""
    if (Path(root) / "content" / "site.yaml").exists() or (Path(root) / "content" / "site.yaml").is_symlink():
        return None
    return diag("missing-field", "content/site.yaml", 1, "", "no content/site.yaml here: this is not a statusgen site",
                "run statusgen in the site folder or pass --root DIR")

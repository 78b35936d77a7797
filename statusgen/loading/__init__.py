"""Loading a site folder into the model: files -> YAML nodes -> frozen dataclasses."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from statusgen.catalog import diag
from statusgen.errors import Diagnostic, StatusgenError
from statusgen.loading.config import load_components, load_settings
from statusgen.loading.entries import EntryContext, entry_file_names, load_entry
from statusgen.loading.lifecycles import load_lifecycles
from statusgen.loading.pages import load_pages
from statusgen.model.site import Site

DEFINITION_FILES = ("content/site.yaml", "content/components.yaml", "content/lifecycles.yaml")


@dataclass
class SourceCache:
    """Entries already read, by file; valid while the definitions they were checked against stay the same."""

    definitions: str = ""
    entries: dict[str, tuple[tuple, object, list[Diagnostic]]] = field(default_factory=dict)

    def lookup(self, path: str):
        cached = self.entries.get(path)
        if cached is None:
            return None
        return cached[1:] if cached[0] == _stat_key(path) else None

    def store(self, path: str, entry, diagnostics: list[Diagnostic]) -> None:
        key = _stat_key(path)
        if key:
            self.entries[path] = (key, entry, diagnostics)


def _stat_key(path: str) -> tuple | None:
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino, info.st_mode)


def definitions_signature(root: Path) -> str:
    """A hash of the files every entry is checked against."""
    digest = hashlib.sha256()
    for rel in DEFINITION_FILES:
        try:
            digest.update((root / rel).read_bytes())
        except OSError:
            digest.update(b"-")
        digest.update(b"\0")
    return digest.hexdigest()


def load_definitions(root: Path) -> tuple[Site | None, list[Diagnostic]]:
    """The site's definitions (settings, components, lifecycles, priorities) without its entries or help
    pages, and every problem found while reading them: what an entry is read and checked against.

    The site is None only when the settings themselves cannot be read.
    """
    root = Path(root)
    settings, diagnostics = load_settings(root)
    if settings is None:
        return None, diagnostics
    components, found = load_components(root, settings.languages)
    diagnostics += found
    lifecycles, priorities, found = load_lifecycles(root, settings.languages, settings.default_update_cadence,
                                                 settings.calendar)
    diagnostics += found
    site = Site(root=str(root), settings=settings, components=components, lifecycles=lifecycles,
                priorities=priorities, entries=())
    return site, diagnostics


def load_site(root: Path, cache: SourceCache | None = None) -> tuple[Site | None, list[Diagnostic]]:
    """The whole site and every problem found while reading it.

    The site is None only when the settings themselves cannot be read; entries with
    errors are left out of the site, their problems listed in the diagnostics. With a
    cache, entry files unchanged since the last call are not read again.
    """
    root = Path(root)
    site, diagnostics = load_definitions(root)
    if site is None:
        return None, diagnostics
    languages = site.settings.languages
    pages, found = load_pages(root, languages)
    diagnostics += found
    diagnostics += linked_folders(root)
    ctx = EntryContext(languages, dict(site.components), dict(site.lifecycles), dict(site.priorities))
    if cache is not None:
        signature = definitions_signature(root)
        if cache.definitions != signature:
            cache.definitions, cache.entries = signature, {}
    entries = []
    for name in entry_file_names(root):
        cached = cache.lookup(name) if cache is not None else None
        if cached is None:
            entry, found = load_entry(Path(name), root, ctx)
            if cache is not None:
                cache.store(name, entry, found)
        else:
            entry, found = cached
        diagnostics += found
        if entry is not None:
            entries.append(entry)
    entries.sort(key=lambda e: e.order)
    return replace(site, entries=tuple(entries), pages=tuple(pages)), diagnostics


def linked_folders(root: Path) -> list[Diagnostic]:
    """The site's own folders must be folders: a symbolic link would be silently skipped."""
    found = []
    for rel in ("content", "incidents", "content/pages"):
        if (root / rel).is_symlink():
            found.append(diag("not-a-file", rel, 1, "", "is a symbolic link; statusgen reads real folders only",
                              "move the files into the site, or copy them"))
    return found


def missing_site_problem(root: Path) -> Diagnostic | None:
    """A clear message when the folder is not a statusgen site at all."""
    if (Path(root) / "content" / "site.yaml").exists() or (Path(root) / "content" / "site.yaml").is_symlink():
        return None
    return diag("missing-field", "content/site.yaml", 1, "", "no content/site.yaml here: this is not a statusgen site",
                "run statusgen in the site folder or pass --root DIR")


def require_site(root: Path) -> None:
    """The same refusal as `validate` when root is not a statusgen site at all (exit 1)."""
    missing = missing_site_problem(root)
    if missing:
        raise StatusgenError(missing.format())

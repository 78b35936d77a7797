"""`statusgen import statuspage|cstate`: bring another tool's history into a site.

Everything is read, mapped and checked first; only then are the files written, each atomically.
A second run changes no byte: an entry imported before (found by its source_id) is left as it
is, except for the updates published upstream since, which are appended to its file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Mapping

from statusgen.commands.author import EditRefused, _checked, entry_ids, reported_os_errors
from statusgen.editing import TextFile, append_item, append_update, atomic_write
from statusgen.errors import ERROR, StatusgenError
from statusgen.importers.fetching import ImportProblem
from statusgen.importers.records import Imported
from statusgen.importers.writer import (PlannedEntry, component_ids, component_lines, entry_text, plan_entry,
                                        site_mapping, stamp, update_changes)
from statusgen.loading import load_site, require_site
from statusgen.model.entry import Entry
from statusgen.model.site import Component, Site
from statusgen.model.text import LocalText

COMPONENTS = "content/components.yaml"


@dataclass
class ImportReport:
    """What an import wrote, or would write, and what it could not bring."""

    source: str
    dry_run: bool
    new_components: list[str] = field(default_factory=list)
    new_entries: list[tuple[str, int]] = field(default_factory=list)  # path, updates
    appended: list[tuple[str, int]] = field(default_factory=list)  # path, updates added
    unchanged: int = 0
    dropped: list[str] = field(default_factory=list)
    files: dict[Path, bytes] = field(default_factory=dict)

    def render(self) -> str:
        verb = "would " if self.dry_run else ""
        lines = [f"imported from {self.source}:"]
        if self.new_components:
            lines.append(f"  {verb}add {len(self.new_components)} component(s) to {COMPONENTS}: "
                         + ", ".join(self.new_components))
        lines += [f"  {verb}create {path} ({n} update{'s' * (n != 1)})" for path, n in self.new_entries]
        lines += [f"  {verb}append {n} update{'s' * (n != 1)} to {path}" for path, n in self.appended]
        lines.append(f"  {self.unchanged} entr{'ies' if self.unchanged != 1 else 'y'} already imported and unchanged")
        if self.dropped:
            lines.append(f"not brought ({len(self.dropped)}):")
            lines += [f"  - {line}" for line in self.dropped]
        if self.dry_run:
            lines.append("dry run: nothing was written")
        elif self.files:
            lines.append(f"wrote {len(self.files)} file(s); check the site with: statusgen validate")
        else:
            lines.append("nothing to write: the site already holds everything imported")
        return "\n".join(lines)


def import_into(root: Path, imported: Imported, source: str, now: datetime, dry_run: bool,
                priorities: Mapping[str, str] | None = None) -> ImportReport:
    """Map, check and (unless dry_run) write what an importer read."""
    site = _loaded(root)
    mapping = site_mapping(site, priorities)
    report = ImportReport(source, dry_run)
    ids, new_components = component_ids(site, imported.components, imported.origin)
    if new_components:
        report.new_components = [cid for cid, _ in new_components]
        report.files[root / COMPONENTS] = _components_file(root, new_components, imported.origin)
        added = {cid: Component(cid, LocalText.plain(c.name)) for cid, c in new_components}
        site = replace(site, components={**site.components, **added})
    dropped = imported.dropped
    existing = {e.source_id: e for e in site.entries if e.source_id}
    taken = set(entry_ids(root).values())
    for record in imported.entries:
        planned = plan_entry(record, mapping, ids, imported.origin, dropped)
        try:
            found = existing.get(planned.source_id)
            if found is None:
                _create(root, site, planned, taken, now, report)
            else:
                _extend(root, site, found, planned, now, report)
        except EditRefused as exc:
            dropped.add(f"{record.kind} {record.source_id} ('{planned.title}'): not imported, it breaks the "
                        "site's rules: " + "; ".join(d.format() for d in exc.diagnostics))
    report.dropped = list(dropped.lines)
    if not dry_run:
        _write(root, report.files)
    return report


def _loaded(root: Path) -> Site:
    require_site(root)
    site, diagnostics = load_site(root)
    errors = [d for d in diagnostics if d.level == ERROR]
    if site is None or errors:
        raise StatusgenError("the site has errors to fix before an import (nothing was written):\n"
                             + "\n".join(d.format() for d in errors[:20]))
    return site


def _components_file(root: Path, new: list, origin: str) -> bytes:
    path = root / COMPONENTS
    lines = lambda dash: "".join(component_lines(cid, c, origin, dash) for cid, c in new)  # noqa: E731
    if not path.exists():
        return ("components:\n" + lines(2)).encode("utf-8")
    original = TextFile.decode(path.read_bytes())
    try:
        return original.encode(append_item(original.text, 0, original.text, "components", lines))
    except StatusgenError as exc:
        raise ImportProblem(f"{COMPONENTS}: {exc.message}") from None


def _create(root: Path, site: Site, planned: PlannedEntry, taken: set[str], now: datetime,
            report: ImportReport) -> None:
    base = planned.file_stem(site.settings.timezone)
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    text = entry_text(planned)
    data = text.encode("utf-8")
    rel = f"incidents/{name}.md"
    _checked(site, text, data, rel, name, now, "it is not imported")
    taken.add(name)
    report.files[root / rel] = data
    report.new_entries.append((rel, len(planned.updates)))


def _extend(root: Path, site: Site, found: Entry, planned: PlannedEntry, now: datetime,
            report: ImportReport) -> None:
    """Append the updates published since the last import; anything else is left as it is."""
    known = len(found.updates)
    same_start = all(a.at == b.at for a, b in zip(found.updates, planned.updates))
    if len(planned.updates) <= known or not same_start:
        report.unchanged += 1
        return
    path = root / found.path
    original = TextFile.decode(path.read_bytes())
    text = original.text
    for update in planned.updates[known:]:
        text = append_update(text, stamp(update.at), update.status, update.message, update_changes(update))
    data = original.encode(text)
    _checked(site, text, data, found.path, found.id, now, "its new updates are not imported")
    report.files[path] = data
    report.appended.append((found.path, len(planned.updates) - known))


def _write(root: Path, files: dict[Path, bytes]) -> None:
    with reported_os_errors(root, "the files before it were written; run the import again to finish"):
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, data)


def import_statuspage(root: Path, source: str, now: datetime, dry_run: bool, priorities: Mapping[str, str],
                      api_key: str | None = None, api_url: str = "", page_id: str | None = None) -> ImportReport:
    from statusgen.importers.statuspage import MANAGEMENT_API, read_statuspage

    require_site(root)
    imported = read_statuspage(source, api_key, api_url or MANAGEMENT_API, page_id)
    return import_into(root, imported, source, now, dry_run, priorities)


def import_cstate(root: Path, hugo_site: Path, now: datetime, dry_run: bool,
                  priorities: Mapping[str, str]) -> ImportReport:
    from statusgen.importers.cstate import read_cstate

    require_site(root)
    imported = read_cstate(hugo_site)
    return import_into(root, imported, str(hugo_site), now, dry_run, priorities)

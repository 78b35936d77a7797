"""`statusgen new`, `update` and `resolve`: record incidents without hand-writing YAML.

An edit is checked with the same rules as `validate` before it is written; a refused edit
leaves the file byte-for-byte as it was.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from statusgen.editing import TextFile, append_update, atomic_write, folder_lock, text_field
from statusgen.errors import ERROR, Diagnostic, StatusgenError
from statusgen.loading import load_site
from statusgen.loading.entries import EntryContext, entry_files, entry_from_source
from statusgen.loading.source import Source, relative
from statusgen.model.entry import Entry
from statusgen.model.site import Site
from statusgen.rules.lifecycle import check_initial_status, check_timestamps, check_transitions
from statusgen.rules.promises import check_resolution_message

Text = dict[str, str] | str


class EditRefused(StatusgenError):
    """An edit that breaks the rules: the diagnostics say why, the file is untouched."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        super().__init__("refused, the file is unchanged:\n" + "\n".join(d.format() for d in diagnostics))


@dataclass(frozen=True)
class Written:
    path: Path
    entry: Entry
    url: str


def load_for_edit(root: Path) -> Site:
    site, diagnostics = load_site(root)
    if site is None:
        raise StatusgenError("\n".join(d.format() for d in diagnostics) or "cannot read content/site.yaml")
    return site


def context_of(site: Site) -> EntryContext:
    return EntryContext(site.settings.languages, dict(site.components), dict(site.lifecycles),
                        dict(site.priorities))


def local_minute(moment: datetime, site: Site) -> str:
    """A timestamp as people write it: the site's time zone, to the minute, with its offset."""
    return moment.astimezone(ZoneInfo(site.settings.timezone)).replace(second=0, microsecond=0).isoformat()


def find_entry_file(root: Path, entry_id: str) -> Path:
    """The file of an entry, by id (file name without .md) or by path."""
    candidate = Path(entry_id)
    if candidate.suffix == ".md" and (root / candidate).is_file():
        return root / candidate
    matches = [p for p in entry_files(root) if p.stem == entry_id.removesuffix(".md")]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise StatusgenError(f"no entry '{entry_id}' in incidents/ (give the file name without .md)")
    raise StatusgenError(f"several files are named {entry_id}.md: " + ", ".join(str(m) for m in matches))


def _checked(site: Site, text: str, raw: bytes, rel: str, entry_id: str, now: datetime) -> Entry:
    """The entry the new text describes, or EditRefused with every error it would have."""
    source = Source(rel, text, raw)
    entry, found = entry_from_source(source, entry_id, context_of(site))
    if entry is not None:
        for rule in (check_initial_status, check_transitions, check_timestamps, check_resolution_message):
            found += rule(entry, now, site)
    errors = [d for d in found if d.level == ERROR]
    if errors or entry is None:
        raise EditRefused(errors)
    return entry


def entry_url(site: Site, entry_id: str) -> str:
    return f"{site.settings.base_url}/incidents/{entry_id}/"


def append(root: Path, entry_id: str, status: str | None, message: Text, at: datetime | None, now: datetime,
           resolve: bool = False) -> Written:
    """Add an update to an entry; with resolve, in the lifecycle's resolving status."""
    site = load_for_edit(root)
    path = find_entry_file(root, entry_id)
    with folder_lock(path.parent):
        raw = path.read_bytes()
        try:
            original = TextFile.decode(raw)
        except UnicodeDecodeError:
            raise StatusgenError(f"{relative(path, root)}: not valid UTF-8; run statusgen validate")
        if resolve:
            status = _resolve_status(site, original.text, path, root)
        moment = at or now
        text = append_update(original.text, local_minute(moment, site), status or "", message)
        data = original.encode(text)
        entry = _checked(site, text, data, relative(path, root), path.stem, now)
        atomic_write(path, data)
    return Written(path, entry, entry_url(site, path.stem))


def _resolve_status(site: Site, text: str, path: Path, root: Path) -> str:
    current, _ = entry_from_source(Source(relative(path, root), text, b""), path.stem, context_of(site))
    if current is None:
        raise StatusgenError(f"{relative(path, root)} has errors; run statusgen validate")
    if not current.lifecycle.resolve_status:
        raise StatusgenError(f"lifecycle '{current.lifecycle.id}' sets no resolve_status")
    return current.lifecycle.resolve_status


# Letters that Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O",
                            "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH"})


def slugify(title: str) -> str:
    """A URL-safe slug: accents folded, lowercase, words joined by hyphens, at most 60 characters."""
    folded = unicodedata.normalize("NFKD", title.translate(_LIGATURES))
    folded = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    return slug[:60].rstrip("-") or "entry"


def new_entry_text(*, title: Text, lifecycle: str, priority: str | None, components: list[str], impact: Text,
                   at: str, status: str, message: Text, window: tuple[str, str] | None) -> str:
    lines = ["---", text_field("title", title, 0), f"lifecycle: {lifecycle}"]
    if priority:
        lines.append(f"priority: {priority}")
    if components:
        lines.append(f"components: [{', '.join(components)}]")
    if impact:
        lines.append(text_field("impact", impact, 0))
    if window:
        lines.append(f"scheduled: {{start: {window[0]}, end: {window[1]}}}")
    lines += ["updates:", f"  - at: {at}", f"    status: {status}", text_field("message", message, 4), "---", ""]
    return "\n".join(lines)


def create(root: Path, *, kind: str, title: Text, priority: str | None, components: list[str], impact: Text,
           status: str | None, message: Text, at: datetime | None, window: tuple[datetime, datetime] | None,
           now: datetime) -> Written:
    """Write a new entry file under incidents/, named after its date and title."""
    site = load_for_edit(root)
    lifecycle = site.lifecycles.get(kind)
    if lifecycle is None:
        raise StatusgenError(f"no lifecycle '{kind}' in content/lifecycles.yaml")
    moment = at or now
    stamp = local_minute(moment, site)
    status = status or lifecycle.initial[0]
    text = new_entry_text(title=title, lifecycle=kind, priority=priority, components=components, impact=impact,
                          at=stamp, status=status, message=message,
                          window=(local_minute(window[0], site), local_minute(window[1], site)) if window else None)
    folder = root / "incidents"
    folder.mkdir(exist_ok=True)
    plain_title = title if isinstance(title, str) else next(iter(title.values()))
    base = f"{stamp[:10]}-{slugify(plain_title)}"
    with folder_lock(folder):
        taken = {p.stem for p in entry_files(root)}
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        path = folder / f"{name}.md"
        data = text.encode("utf-8")
        entry = _checked(site, text, data, relative(path, root), name, now)
        atomic_write(path, data, exclusive=True)
    return Written(path, entry, entry_url(site, name))

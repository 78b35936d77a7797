"""Rules on the identity of entries: unique ids, and a file name that matches the start date."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.model.entry import Entry
from statusgen.model.site import Site


def check_duplicate_ids(site: Site) -> list[Diagnostic]:
    """Ids are file stems; the same stem in two sub-folders would give two entries one URL."""
    first_seen: dict[str, str] = {}
    found = []
    for entry in sorted(site.entries, key=lambda e: e.path):
        key = entry.id.lower()
        if key in first_seen:
            found.append(diag("duplicate-id", entry.path, 1, "", f"id '{entry.id}' is also used by {first_seen[key]}",
                              "rename one of the files"))
        else:
            first_seen[key] = entry.path
    return found


def check_file_date(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    """The date in the file name is the local date the entry started (or, for maintenance, its window)."""
    zone = ZoneInfo(site.settings.timezone)
    named = entry.id[:10]
    started = entry.started_at.astimezone(zone).date().isoformat()
    if named == started:
        return []
    if entry.scheduled_start and entry.scheduled_start.astimezone(zone).date().isoformat() == named:
        return []
    first = entry.updates[0]
    return [diag("file-date", entry.path, first.lines.get("at", first.line), "updates[0].at",
                 f"the entry starts on {started} but its file name says {named}",
                 f"rename the file to {started}{entry.id[10:]}.md")]

"""Rules on the identity of entries: unique ids, and a file name that matches the start date."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.model.site import Site


def check_identity(site: Site) -> list[Diagnostic]:
    found = check_duplicate_ids(site)
    found += check_file_dates(site)
    return found


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


def check_file_dates(site: Site) -> list[Diagnostic]:
    zone = ZoneInfo(site.settings.timezone)
    found = []
    for entry in site.entries:
        named = entry.id[:10]
        started = entry.started_at.astimezone(zone).date().isoformat()
        allowed = {started}
        if entry.scheduled_start:
            allowed.add(entry.scheduled_start.astimezone(zone).date().isoformat())
        if named not in allowed:
            found.append(diag("file-date", entry.path, entry.updates[0].lines.get("at", entry.updates[0].line),
                              "updates[0].at", f"the entry starts on {started} but its file name says {named}",
                              f"rename the file to {started}{entry.id[10:]}.md"))
    return found

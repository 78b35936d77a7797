"""Rules: functions (site, now) -> list of diagnostics, grouped by theme."""

from __future__ import annotations

from datetime import datetime

from statusgen.errors import Diagnostic
from statusgen.model.site import Site
from statusgen.rules import identity, lifecycle, promises, targets

_ENTRY_RULES = (
    identity.check_file_date,
    lifecycle.check_initial_status,
    lifecycle.check_transitions,
    lifecycle.check_timestamps,
    lifecycle.check_reminders,
    lifecycle.check_no_change,
    promises.check_update_cadence,
    promises.check_resolution_message,
    promises.check_report,
    promises.check_window,
    targets.check_target,
    targets.check_waiting,
)


def check_site(site: Site, now: datetime, cache: dict | None = None) -> list[Diagnostic]:
    """Every rule over the whole site; with a cache, unchanged entries are not checked again."""
    found = identity.check_duplicate_ids(site)
    for entry in site.entries:
        key = (entry.path, entry.source_hash, now)
        results = cache.get(key) if cache is not None else None
        if results is None:
            results = [d for rule in _ENTRY_RULES for d in rule(entry, now, site)]
            if cache is not None:
                cache[key] = results
        found.extend(results)
    return found

"""Rules: functions (site, now) -> list of diagnostics, grouped by theme."""

from __future__ import annotations

from datetime import datetime

from statusgen.errors import Diagnostic
from statusgen.model.site import Site
from statusgen.rules import identity, lifecycle, promises, targets

_ENTRY_RULES = (
    lifecycle.check_initial_status,
    lifecycle.check_transitions,
    lifecycle.check_timestamps,
    promises.check_update_cadence,
    promises.check_resolution_message,
    promises.check_report,
    targets.check_target,
    targets.check_waiting,
)


def check_site(site: Site, now: datetime) -> list[Diagnostic]:
    """Every rule over the whole site."""
    found = identity.check_identity(site)
    for entry in site.entries:
        for rule in _ENTRY_RULES:
            found.extend(rule(entry, now, site))
    return found

"""What each page is made from, as a short hash: a page whose signature did not change since the
last build renders to the same bytes, so an incremental build may skip it.

Everything a page shows that does not come from the global inputs (definitions, help pages,
templates, the moment of the build) must be part of its signature; the tests compare
incremental builds with full builds byte for byte to keep this honest.
"""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from statusgen.render.facts import Facts
from statusgen.render.pages import PageJob, history_chunks

ALWAYS = ""  # pages that show the whole site (the status page): always rendered


def _digest(*parts) -> str:
    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()


def _entries_key(entries) -> tuple:
    return tuple((e.id, e.source_hash) for e in entries)


class Signatures:
    """Signatures of every page of one build."""

    def __init__(self, site, facts: Facts, feed_wanted):
        self.facts = facts
        self.feed_wanted = feed_wanted
        zone = ZoneInfo(site.settings.timezone)
        chunks = history_chunks(site, facts, zone)
        self._history = {n: _digest(len(chunks), [(m, _entries_key(e)) for m, e in chunk])
                         for n, chunk in enumerate(chunks, 1)}

    def of(self, job: PageJob) -> str:
        f = self.facts
        if job.kind == "entry":
            entry = f.by_id[job.key]
            return f"{entry.source_hash}:{self.feed_wanted(f, job.key)}"
        if job.kind == "history":
            return self._history.get(int(job.key or 1), ALWAYS)
        if job.kind == "component":
            cid = job.key
            return _digest(_entries_key(f.component_entries[cid]), f.component_state[cid], f.day_states[cid],
                           round(f.uptime[cid], 6))
        if job.kind == "index":
            return ALWAYS
        return "static"  # help pages and the 404 page depend on the global inputs only

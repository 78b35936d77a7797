"""Maintenance that follows its window: `auto_start` and `auto_complete` (Statuspage's automatic
"in progress" and "completed").

The steps the clock takes are updates of their own, made at the window's start and end, so every
page, feed, API file and rule reads them as it reads written ones. A step applies only while no
update was written after its moment: once someone writes, their words hold.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from statusgen.model.entry import Entry, Update
from statusgen.model.text import LocalText

STARTED = "started"  # Update.automatic: work began when the window opened
COMPLETED = "completed"  # ... and ended when it closed


def with_window_steps(entry: Entry, now: datetime) -> Entry:
    """The entry with the automatic steps its window has reached by now (itself when there are none)."""
    if not (entry.auto_start or entry.auto_complete) or entry.scheduled_start is None:
        return entry
    steps: list[Update] = []
    last = entry.last_update
    lifecycle = entry.lifecycle
    work = next((s.id for s in lifecycle.statuses.values() if s.is_work_under_way), None)
    start, end = entry.scheduled_start, entry.scheduled_end or entry.scheduled_start
    if entry.auto_start and work and start <= now and last.at < start and _may_move(entry, last.status, work):
        last = _step(entry, start, work, STARTED, len(entry.updates))
        steps.append(last)
    done = lifecycle.resolve_status
    if entry.auto_complete and done and end <= now and last.at < end and _may_move(entry, last.status, done):
        steps.append(_step(entry, end, done, COMPLETED, len(entry.updates) + len(steps)))
    if not steps:
        return entry
    # A new identity for the caches keyed by the file's content: the entry now says more than its file.
    marks = "+".join(step.automatic for step in steps)
    return replace(entry, updates=entry.updates + tuple(steps), source_hash=f"{entry.source_hash}+{marks}")


def _may_move(entry: Entry, before: str, after: str) -> bool:
    status = entry.lifecycle.statuses[before]
    return before != after and not status.is_resolved and entry.lifecycle.allows(before, after)


def _step(entry: Entry, at: datetime, status: str, automatic: str, index: int) -> Update:
    last = entry.updates[-1]
    return Update(at=at, status=status, message=LocalText(), index=index, line=last.line, automatic=automatic)


def site_at(site, now: datetime):
    """The site with each maintenance's automatic steps reached by now: what rules and pages read."""
    entries = tuple(with_window_steps(entry, now) for entry in site.entries)
    if all(new is old for new, old in zip(entries, site.entries)):
        return site
    return replace(site, entries=entries)

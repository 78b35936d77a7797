"""Resolution targets, and the reminders and auto-resolution of statuses that wait on the customer."""

from __future__ import annotations

from datetime import datetime

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.model.entry import Entry
from statusgen.model.site import Site
from statusgen.model.state import entry_state, last_status_since
from statusgen.rules.wording import span


def check_target(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    state = entry_state(entry, now)
    if not state.is_open or state.target_outcome != "breached":
        return []
    return [diag("target-breached", entry.path, entry.line_of("priority"), "priority",
                 f"open for {span(state.elapsed)}; priority '{entry.priority.id}' targets resolution within "
                 f"{span(entry.priority.resolution_target)}",
                 "resolve it, or raise the priority if the impact grew")]


def due_reminders(entry: Entry, now: datetime):
    """(time waited, reminder durations reached and not yet recorded) for an entry waiting on a status with
    reminders. The reminder of day d counts as sent once an update marked reminder is dated at or after
    day d of the wait: `statusgen remind` records it."""
    state = entry_state(entry, now)
    status = entry.status_of(entry.last_update)
    if state.waiting_since is None or not status.reminders:
        return None, []
    waited = now - state.waiting_since
    sent = [u.at - state.waiting_since for u in entry.updates if u.reminder and u.at >= state.waiting_since]
    last_sent = max(sent, default=None)
    reached = [r for r in status.reminders if r <= waited]
    if reached and last_sent is not None and last_sent >= reached[-1]:
        return waited, []
    return waited, reached


def next_reminder(entry: Entry, now: datetime) -> datetime | None:
    """When the next reminder of a waiting entry falls due (None: no more reminders)."""
    state = entry_state(entry, now)
    status = entry.status_of(entry.last_update)
    if state.waiting_since is None:
        return None
    waited = now - state.waiting_since
    later = [r for r in status.reminders if r > waited]
    return state.waiting_since + later[0] if later else None


def check_waiting(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    state = entry_state(entry, now)
    last = entry.last_update
    field = f"updates[{last.index}]"
    if state.auto_resolved_at is not None:
        return [diag("auto-resolved", entry.path, last.line, field,
                     f"no answer after {span(state.auto_resolved_at - last_status_since(entry))}: the entry counts "
                     f"as '{state.status.id}'",
                     "record the resolution in its timeline: statusgen close-stale")]
    waited, reached = due_reminders(entry, now)
    if not reached:
        return []
    latest = reached[-1]
    return [diag("reminder-due", entry.path, last.line, field,
                 f"waiting on the customer for {span(waited)}: the day-{latest.days} reminder is due",
                 "send the reminder; without an answer the entry resolves automatically")]


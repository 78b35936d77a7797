"""The promises made to customers during an incident: regular updates, a resolution message, a report."""

from __future__ import annotations

from datetime import datetime

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.model.entry import Entry
from statusgen.model.site import Site
from statusgen.model.state import entry_state
from statusgen.rules.wording import span


def check_update_cadence(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    state = entry_state(entry, now)
    if state.next_update_due is None or state.next_update_due >= now:
        return []
    last = entry.last_update
    return [diag("update-overdue", entry.path, last.line, f"updates[{last.index}]",
                 f"the last update is {span(now - last.at)} old; priority '{entry.priority.id}' promises an update "
                 f"every {span(entry.priority.update_cadence)}",
                 "post an update, even to say the investigation continues")]


def check_resolution_message(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    last = entry.last_update
    if not entry.status_of(last).is_resolved or last.message or last.automatic:
        return []  # an automatic completion says so in words of its own
    return [diag("resolution-message", entry.path, last.lines.get("message", last.line),
                 f"updates[{last.index}].message",
                 "the resolving update needs a message telling customers what was fixed")]


def check_report(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    due_after = entry.priority.report_due_after
    if due_after is None or entry.root_cause or entry.report.strip():
        return []
    state = entry_state(entry, now)
    if state.resolved_at is None or now - state.resolved_at < due_after:
        return []
    return [diag("report-missing", entry.path, entry.line_of("priority"), "root_cause",
                 f"resolved {span(now - state.resolved_at)} ago without a root cause or report; "
                 f"priority '{entry.priority.id}' expects one within {span(due_after)}",
                 "add root_cause: or write the post-incident report below the front matter")]


def check_window(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    """Customers read an ended window that still says 'scheduled' or 'in progress' as a problem."""
    if entry.scheduled_end is None or entry.scheduled_end >= now:
        return []
    state = entry_state(entry, now)
    if not state.is_open:
        return []
    return [diag("window-passed", entry.path, entry.line_of("scheduled"), "scheduled.end",
                 f"the window ended {span(now - entry.scheduled_end)} ago but the entry is still "
                 f"'{state.status.id}'",
                 _window_hint(entry))]


def _window_hint(entry: Entry) -> str:
    """Commands that close the window, with the statuses this lifecycle allows from where it stands."""
    lifecycle = entry.lifecycle
    allowed = lifecycle.transitions.get(entry.last_update.status, ())
    closing = [s for s in allowed if lifecycle.statuses[s].is_resolved and s != lifecycle.resolve_status]
    hints = []
    if lifecycle.resolve_status in allowed:
        hints.append(f"statusgen resolve {entry.id} -m '...'")
    hints += [f"statusgen update {entry.id} --status {s} -m '...'" for s in closing]
    return "record how it went: " + (" or ".join(hints) or f"statusgen update {entry.id} --status ... -m '...'")

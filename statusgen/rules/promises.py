"""The promises made to customers during an incident: regular updates, a resolution message, a report."""

from __future__ import annotations

from datetime import datetime

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.model.entry import Entry
from statusgen.model.site import Site
from statusgen.model.debts import debt_of
from statusgen.model.state import entry_state
from statusgen.rules.wording import span


def check_update_cadence(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    debt = debt_of(entry, now, "update_overdue")
    if debt is None:
        return []
    last = entry.last_update
    return [diag("update-overdue", entry.path, last.line, f"updates[{last.index}]",
                 f"the last update is {span(debt.waited)} old; priority '{entry.priority.id}' promises an update "
                 f"every {span(debt.promise)}",
                 "post an update, even to say the investigation continues")]


def check_resolution_message(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    last = entry.last_update
    if not entry.status_of(last).is_resolved or last.message or last.automatic or last.reminder:
        return []  # an automatic completion says so in words of its own; a reminder has its own rule
    return [diag("resolution-message", entry.path, last.lines.get("message", last.line),
                 f"updates[{last.index}].message",
                 "the resolving update needs a message telling customers what was fixed")]


def check_report(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    debt = debt_of(entry, now, "report_missing")
    if debt is None:
        return []
    return [diag("report-missing", entry.path, entry.line_of("priority"), "root_cause",
                 f"resolved {span(debt.waited)} ago without a root cause or report; "
                 f"priority '{entry.priority.id}' expects one within {span(debt.promise)}",
                 "add root_cause: or write the post-incident report below the front matter")]


def check_window(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    """Customers read an ended window that still says 'scheduled' or 'in progress' as a problem."""
    if debt_of(entry, now, "window_passed") is None:
        return []
    state = entry_state(entry, now)
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

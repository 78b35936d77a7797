"""Rules of the lifecycle: how an entry may start, which moves are allowed, time only goes forward."""

from __future__ import annotations

from datetime import datetime, timedelta

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.model.entry import Entry
from statusgen.model.site import Site
from statusgen.model.state import states_by_update


def _status_line(update) -> int:
    return update.lines.get("status", update.line)


def check_initial_status(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    lc = entry.lifecycle
    first = entry.updates[0]
    if first.status in lc.initial:
        return []
    if entry.retroactive and first.status in lc.terminal:
        return []
    hint = f"may start as: {', '.join(lc.initial)}"
    if first.status in lc.terminal:
        hint += "; an entry written after the fact can set retroactive: true"
    return [diag("initial-status", entry.path, _status_line(first), "updates[0].status",
                 f"a{'n' if lc.id[:1] in 'aeiou' else ''} {lc.id} cannot start as '{first.status}'", hint)]


def check_transitions(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    lc = entry.lifecycle
    found = []
    for before, after in zip(entry.updates, entry.updates[1:]):
        if lc.allows(before.status, after.status):
            continue
        field = f"updates[{after.index}].status"
        if before.status in lc.terminal and not lc.reopen:
            found.append(diag("after-terminal", entry.path, after.line, f"updates[{after.index}]",
                              f"no update may follow the terminal status '{before.status}'",
                              "the lifecycle does not allow reopening; open a new entry instead"))
            continue
        allowed = ", ".join(lc.transitions.get(before.status, ())) or "none"
        found.append(diag("transition", entry.path, _status_line(after), field,
                          f"'{after.status}' cannot follow '{before.status}'",
                          f"allowed after '{before.status}': {allowed}"))
    return found


def _order_hint(before: datetime, after: datetime) -> str:
    if after == before:
        # Most often two people (or two commands) posting within the same second.
        later = (before + timedelta(seconds=1)).isoformat()
        return f"two updates cannot share one time; give this one a later time (with statusgen update: --at {later})"
    return "updates are listed oldest first, each strictly later than the one before"


def check_timestamps(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    found = []
    for before, after in zip(entry.updates, entry.updates[1:]):
        if after.at <= before.at:
            found.append(diag("timestamp-order", entry.path, after.lines.get("at", after.line),
                              f"updates[{after.index}].at",
                              f"{after.at.isoformat()} is not after the previous update ({before.at.isoformat()})",
                              _order_hint(before.at, after.at)))
    for update in entry.updates:
        if update.at > now:
            found.append(diag("timestamp-future", entry.path, update.lines.get("at", update.line),
                              f"updates[{update.index}].at",
                              f"{update.at.isoformat()} is after now ({now.isoformat()})",
                              "check the date and the time zone offset, or pass --now"))
    return found


def check_reminders(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    """A reminder is sent while the entry waits on the customer, and changes nothing of its status."""
    found = []
    for before, update in zip((None, *entry.updates), entry.updates):
        if not update.reminder:
            continue
        field = f"updates[{update.index}].reminder"
        line = update.lines.get("reminder", update.line)
        status = entry.status_of(update)
        if status.phase != "waiting":
            found.append(diag("reminder", entry.path, line, field,
                              f"a reminder is recorded while the entry waits on the customer; '{status.id}' does not wait",
                              "record it as an ordinary update, without reminder: true"))
        elif before is None or before.status != update.status:
            found.append(diag("reminder", entry.path, line, field,
                              f"a reminder keeps the status; the entry was not '{update.status}' before it",
                              "move to the waiting status in an update of its own, then record the reminder"))
    return found


def check_no_change(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    """A change an update writes must change something: the same value again is a slip, or the wrong entry."""
    found = []
    before, states_before = entry.opening, {}
    for update, after, states in zip(entry.updates, entry.facets, states_by_update(entry)):
        field = f"updates[{update.index}]"

        def same(name: str, what: str) -> None:
            found.append(diag("no-change", entry.path, update.lines.get(name, update.line), f"{field}.{name}",
                              what, "remove the line, or give the new value"))

        if update.priority is not None and update.priority.id == before.priority.id:
            same("priority", f"the priority is already '{before.priority.id}'")
        # A mapping may restate some states as a snapshot; it must change one of them.
        # The first update may state where the entry starts; later ones must change something.
        if update.index and update.components \
                and all(states_before.get(c, "operational") == s for c, s in update.components.items()):
            same("components", ", ".join(f"{c} is already {s}" for c, s in update.components.items()))
        for name in ("title", "impact", "workaround"):
            if getattr(update, name) is not None and getattr(after, name) == getattr(before, name):
                same(name, f"the {name} is already this" if getattr(after, name) else f"there is no {name} to remove")
        before, states_before = after, states
    return found

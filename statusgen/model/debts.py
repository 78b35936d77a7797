"""What an entry owes its customers at a given moment: the one computation `validate` and `due` share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from statusgen.model.entry import Entry, kept_on
from statusgen.model.state import entry_state, last_status_since, target_ran_out
from statusgen.model.worktime import Duration

# Kinds of debt, most pressing first. Only "at risk" is a warning of what is coming, not a debt.
KINDS = ("update_overdue", "target_breached", "window_passed", "auto_resolved", "reminder_due", "report_missing",
         "target_at_risk")


@dataclass(frozen=True)
class Debt:
    """One promise broken (or about to be) on one entry."""

    kind: str
    since: datetime  # when the promise fell due (for at risk: now)
    waited: timedelta  # how long the relevant clock ran: since the last update, open, waiting, resolved...
    promise: Duration | None = None  # the duration promised (the reminder reached, for reminder_due)
    deadline: datetime | None = None  # for at risk: when the target runs out


def debts_of(entry: Entry, now: datetime) -> list[Debt]:
    """Every debt of the entry at now, in the order of KINDS."""
    return list(kept_on(entry, "debts", now, lambda: tuple(_debts(entry, now))))


def _debts(entry: Entry, now: datetime) -> list[Debt]:
    state = entry_state(entry, now)
    priority = entry.priority
    found: list[Debt] = []
    if state.next_update_due and state.next_update_due < now:
        found.append(Debt("update_overdue", state.next_update_due, now - entry.last_update.at,
                          priority.update_cadence))
    if state.is_open and state.target_outcome == "breached":
        found.append(Debt("target_breached", target_ran_out(entry, now) or now, state.elapsed, priority.resolution_target))
    if entry.scheduled_end and state.is_open and entry.scheduled_end < now:
        found.append(Debt("window_passed", entry.scheduled_end, now - entry.scheduled_end))
    if state.auto_resolved_at:
        found.append(Debt("auto_resolved", state.auto_resolved_at, state.auto_resolved_at - last_status_since(entry),
                          entry.status_of(entry.last_update).auto_resolve_after))
    reached = reminders_reached(entry, now)
    # The reminder last reached is owed until an update recorded as a reminder (statusgen remind) comes after it.
    if reached and not any(u.reminder and u.at >= reached[-1][1] for u in entry.updates):
        found.append(Debt("reminder_due", reached[-1][1], now - state.waiting_since, reached[-1][0]))
    due_after = priority.report_due_after
    if due_after is not None and state.resolved_at is not None and not (entry.root_cause or entry.report.strip()):
        report_due = due_after.after(state.resolved_at)
        if report_due <= now:
            found.append(Debt("report_missing", report_due, now - state.resolved_at, due_after))
    if state.is_open and state.target_outcome == "at_risk":
        found.append(Debt("target_at_risk", now, state.elapsed, priority.resolution_target, state.target_deadline))
    return found


def reminders_reached(entry: Entry, now: datetime) -> list[tuple[Duration, datetime]]:
    """(reminder, when it fell due) for each reminder of the waiting status the entry sits in, reached by now."""
    state = entry_state(entry, now)
    status = entry.status_of(entry.last_update)
    if state.waiting_since is None or state.auto_resolved_at is not None:
        return []
    return [(r, at) for r in status.reminders if (at := r.after(state.waiting_since)) <= now]


def next_reminder(entry: Entry, now: datetime) -> datetime | None:
    """When the next reminder of a waiting entry falls due (None: no more reminders)."""
    state = entry_state(entry, now)
    if state.waiting_since is None:
        return None
    status = entry.status_of(entry.last_update)
    return min((at for r in status.reminders if (at := r.after(state.waiting_since)) > now), default=None)


def debt_of(entry: Entry, now: datetime, kind: str) -> Debt | None:
    """The entry's debt of one kind at now, if any."""
    return next((d for d in debts_of(entry, now) if d.kind == kind), None)

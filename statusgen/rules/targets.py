"""Resolution targets, and the reminders and auto-resolution of statuses that wait on the customer."""

from __future__ import annotations

from datetime import datetime

from statusgen.catalog import diag
from statusgen.errors import Diagnostic
from statusgen.model.debts import debt_of
from statusgen.model.entry import Entry
from statusgen.model.site import Site
from statusgen.model.state import entry_state
from statusgen.rules.wording import reminder_name, span


def check_target(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    debt = debt_of(entry, now, "target_breached")
    if debt is None:
        return []
    return [diag("target-breached", entry.path, entry.line_of("priority"), "priority",
                 f"open for {span(debt.waited)}; priority '{entry.priority.id}' targets resolution within "
                 f"{span(debt.promise)}",
                 "resolve it, or raise the priority if the impact grew")]


def check_waiting(entry: Entry, now: datetime, site: Site) -> list[Diagnostic]:
    last = entry.last_update
    field = f"updates[{last.index}]"
    auto = debt_of(entry, now, "auto_resolved")
    if auto is not None:
        return [diag("auto-resolved", entry.path, last.line, field,
                     f"no answer after {span(auto.waited)}: the entry counts as '{entry_state(entry, now).status.id}'",
                     "record the resolution in its timeline: statusgen close-stale")]
    reminder = debt_of(entry, now, "reminder_due")
    if reminder is None:
        return []
    return [diag("reminder-due", entry.path, last.line, field,
                 f"waiting on the customer for {span(reminder.waited)}: the {reminder_name(reminder.promise)} "
                 "reminder is due",
                 "send the reminder; without an answer the entry resolves automatically")]

"""`statusgen due`: what the team owes customers right now."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from statusgen.errors import ERROR, StatusgenError
from statusgen.loading import load_site, require_site
from statusgen.model.entry import Entry
from statusgen.model.schedule import site_at
from statusgen.model.state import entry_state
from statusgen.rules.promises import check_report
from statusgen.rules.targets import due_reminders
from statusgen.rules.wording import span

# Kinds of debt, most pressing first. Only "at risk" is a warning of what is coming, not a debt.
KINDS = ("update_overdue", "target_breached", "window_passed", "auto_resolved", "reminder_due", "report_missing",
         "target_at_risk")
LABELS = {
    "update_overdue": "update overdue",
    "target_breached": "target breached",
    "window_passed": "window passed",
    "auto_resolved": "auto-resolved",
    "reminder_due": "reminder due",
    "report_missing": "report missing",
    "target_at_risk": "target at risk",
}


@dataclass(frozen=True)
class Due:
    """One thing owed on one entry."""

    kind: str
    entry: str
    path: str
    priority: str
    detail: str
    since: str  # ISO time the debt started

    @property
    def overdue(self) -> bool:
        return self.kind != "target_at_risk"


def debts_of(entry: Entry, now: datetime) -> list[Due]:
    state = entry_state(entry, now)
    found: list[Due] = []

    def add(kind: str, detail: str, since: datetime) -> None:
        found.append(Due(kind, entry.id, entry.path, entry.priority.id, detail, since.isoformat()))

    if state.next_update_due and state.next_update_due < now:
        add("update_overdue", f"last update {span(now - entry.last_update.at)} ago; one is due every "
            f"{span(entry.priority.update_cadence)}", state.next_update_due)
    target = entry.priority.resolution_target
    if state.is_open and state.target_outcome == "breached":
        add("target_breached", f"open for {span(state.elapsed)}; target {span(target)}",
            entry.started_at + target)
    if state.is_open and state.target_outcome == "at_risk":
        add("target_at_risk", f"{span(state.elapsed)} of {span(target)} used; due by "
            f"{state.target_deadline.isoformat()}", now)
    if state.auto_resolved_at:
        add("auto_resolved", f"no answer: counts as '{state.status.id}'; record it with statusgen close-stale",
            state.auto_resolved_at)
    waited, reached = due_reminders(entry, now)
    if reached:
        add("reminder_due", f"waiting on the customer for {span(waited)}: day-{reached[-1].days} reminder",
            state.waiting_since + reached[-1])
    if entry.scheduled_end and state.is_open and entry.scheduled_end < now:
        add("window_passed", f"the window ended {span(now - entry.scheduled_end)} ago; still "
            f"'{state.status.id}'", entry.scheduled_end)
    if check_report(entry, now, None):  # type: ignore[arg-type]
        add("report_missing", f"resolved without root cause or report; expected within "
            f"{span(entry.priority.report_due_after)}", state.resolved_at + entry.priority.report_due_after)
    return found


MAX_SHOWN = 10  # errors listed when the site does not validate


def list_due(root: Path, now: datetime) -> list[Due]:
    require_site(root)
    site, diagnostics = load_site(root)
    errors = [d for d in diagnostics if d.level == ERROR]
    if site is None or errors:
        # A file with errors is left out of the site: what it owes would go unseen. Say so (exit 1),
        # so that a scheduled check alerts on a broken site too.
        shown = "\n".join(d.format() for d in errors[:MAX_SHOWN])
        more = f"\n... and {len(errors) - MAX_SHOWN} more" if len(errors) > MAX_SHOWN else ""
        raise StatusgenError(f"{shown}{more}\nthe site does not validate, so what is due cannot be told; "
                             "fix it (statusgen validate) and run due again".lstrip("\n"))
    debts = [d for entry in site_at(site, now).entries if not entry.draft for d in debts_of(entry, now)]
    return sorted(debts, key=lambda d: (KINDS.index(d.kind), d.since, d.entry))


def render_due(debts: list[Due], fmt: str) -> str:
    if fmt == "json":
        return json.dumps({"overdue": sum(d.overdue for d in debts),
                           "items": [dict(asdict(d), label=LABELS[d.kind]) for d in debts]},
                          ensure_ascii=False, indent=2)
    if not debts:
        return "nothing due: every promise is kept"
    rows = [("what", "entry", "priority", "detail")] + [(LABELS[d.kind], d.entry, d.priority, d.detail) for d in debts]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 6)
    return "\n".join(lines)


"""`statusgen due`: what the team owes customers right now."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from statusgen.errors import ERROR, StatusgenError
from statusgen.loading import load_site, require_site
from statusgen.model.debts import KINDS, Debt, debts_of
from statusgen.model.entry import Entry
from statusgen.model.schedule import site_at
from statusgen.model.state import entry_state
from statusgen.rules.wording import reminder_name, span

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


def _detail(debt: Debt, state) -> str:
    """What the team reads about one debt: the facts of the shared computation, in the words of due."""
    if debt.kind == "update_overdue":
        return f"last update {span(debt.waited)} ago; one is due every {span(debt.promise)}"
    if debt.kind == "target_breached":
        return f"open for {span(debt.waited)}; target {span(debt.promise)}"
    if debt.kind == "target_at_risk":
        return f"{span(debt.waited)} of {span(debt.promise)} used; due by {debt.deadline.isoformat()}"
    if debt.kind == "auto_resolved":
        return f"no answer: counts as '{state.status.id}'; record it with statusgen close-stale"
    if debt.kind == "reminder_due":
        return f"waiting on the customer for {span(debt.waited)}: {reminder_name(debt.promise)} reminder"
    if debt.kind == "window_passed":
        return f"the window ended {span(debt.waited)} ago; still '{state.status.id}'"
    return f"resolved without root cause or report; expected within {span(debt.promise)}"


def dues_of(entry: Entry, now: datetime) -> list[Due]:
    state = entry_state(entry, now)
    return [Due(debt.kind, entry.id, entry.path, entry.priority.id, _detail(debt, state),
                debt.since.isoformat()) for debt in debts_of(entry, now)]


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
    debts = [d for entry in site_at(site, now).entries if not entry.draft for d in dues_of(entry, now)]
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


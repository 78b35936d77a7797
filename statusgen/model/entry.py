"""Incidents, maintenance windows and known issues, and their timelines."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Mapping

from statusgen.model.site import Lifecycle, Priority, Status
from statusgen.model.text import LocalText


@dataclass(frozen=True)
class Update:
    """One message of an entry's timeline."""

    at: datetime
    status: str
    message: LocalText
    components: Mapping[str, str] = field(default_factory=dict)
    index: int = 0
    line: int = 0
    lines: Mapping[str, int] = field(default_factory=dict)  # field name -> line


@dataclass(frozen=True)
class Entry:
    """One file of incidents/: an incident, a maintenance window or a known issue."""

    id: str
    path: str
    title: LocalText
    lifecycle: Lifecycle
    priority: Priority
    updates: tuple[Update, ...]
    components: Mapping[str, str | None]  # component id -> explicit state, or None (implied)
    impact: LocalText = field(default_factory=LocalText)
    workaround: LocalText = field(default_factory=LocalText)
    root_cause: LocalText = field(default_factory=LocalText)
    report: str = ""  # Markdown body: the post-incident report
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    retroactive: bool = False
    draft: bool = False
    source_id: str = ""  # its id in the tool it was imported from (statusgen import)
    shortlink: str = ""  # its short address there
    lines: Mapping[str, int] = field(default_factory=dict)  # field name -> line
    source_hash: str = ""

    def status_of(self, update: Update) -> Status:
        return self.lifecycle.statuses[update.status]

    @property
    def started_at(self) -> datetime:
        return self.updates[0].at

    @property
    def work_started_at(self) -> datetime | None:
        """When maintenance work started: the first update in a status of work under way (None: it never did)."""
        return next((u.at for u in self.updates if self.status_of(u).is_work_under_way), None)

    @cached_property
    def order(self) -> tuple[float, str]:
        """Sort key by start: comparing floats is much cheaper than comparing aware datetimes."""
        return (self.updates[0].at.timestamp(), self.id)

    @property
    def last_update(self) -> Update:
        return self.updates[-1]

    def line_of(self, name: str) -> int:
        return self.lines.get(name, 1)

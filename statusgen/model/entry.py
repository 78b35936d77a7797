"""Incidents, maintenance windows and known issues, and their timelines.

What an entry says of itself (title, priority, impact, workaround) may change during its life:
the front matter holds the values at the start, and each update may change any of them. The
value at a moment is the one set by the latest update at or before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Mapping

from statusgen.model.site import Lifecycle, Priority, Status
from statusgen.model.text import LocalText


@dataclass(frozen=True)
class Facets:
    """What an entry says of itself that an update may change, as it stands from one update on."""

    title: LocalText
    priority: Priority
    impact: LocalText = field(default_factory=LocalText)
    workaround: LocalText = field(default_factory=LocalText)


@dataclass(frozen=True)
class Update:
    """One step of an entry's timeline: a status, a message, and what it changed."""

    at: datetime
    status: str
    message: LocalText  # may be empty when the update only changes something, or records a reminder
    components: Mapping[str, str] = field(default_factory=dict)  # component id -> state from now on
    index: int = 0
    notify: bool = True  # false: `statusgen notify` never sends it (a typo fix, an internal note)
    line: int = 0
    lines: Mapping[str, int] = field(default_factory=dict)  # field name -> line
    priority: Priority | None = None
    title: LocalText | None = None  # the languages it names; the others keep their text
    impact: LocalText | None = None  # an empty text removes it
    workaround: LocalText | None = None
    reminder: bool = False  # records the reminder sent to a customer the ticket waits on
    automatic: str = ""  # a step the window took by itself (model/schedule.py), written in no file


def merge_text(before: LocalText, change: LocalText | None) -> LocalText:
    """A text after an update changed it: a plain text replaces every language, a mapping the ones it names."""
    if change is None:
        return before
    if "*" in change.values:
        return LocalText() if not change else change
    values = {**before.values, **change.values}
    return LocalText({lang: text for lang, text in values.items() if text.strip()})


def apply_update(facets: Facets, update: Update) -> Facets:
    """The facets in force after an update."""
    return Facets(
        title=merge_text(facets.title, update.title),
        priority=update.priority or facets.priority,
        impact=merge_text(facets.impact, update.impact),
        workaround=merge_text(facets.workaround, update.workaround),
    )


@dataclass(frozen=True)
class Entry:
    """One file of incidents/: an incident, a maintenance window or a known issue."""

    id: str
    path: str
    opening: Facets  # as the front matter writes them: the values at the start
    lifecycle: Lifecycle
    updates: tuple[Update, ...]
    components: Mapping[str, str | None]  # component id -> explicit state, or None (implied)
    root_cause: LocalText = field(default_factory=LocalText)
    root_cause_kind: str = ""  # systemic (it can recur until fixed at the source) | isolated | "" (not said)
    report: str = ""  # Markdown body: the post-incident report
    scheduled_start: datetime | None = None
    scheduled_end: datetime | None = None
    retroactive: bool = False
    draft: bool = False
    auto_start: bool = False  # maintenance: in progress from the window's start without an update
    auto_complete: bool = False  # ... and completed at its end
    source_id: str = ""  # its id in the tool it was imported from (statusgen import)
    shortlink: str = ""  # its short address there
    lines: Mapping[str, int] = field(default_factory=dict)  # field name -> line
    source_hash: str = ""

    @cached_property
    def facets(self) -> tuple[Facets, ...]:
        """The facets in force from each update on (one per update, oldest first)."""
        found, current = [], self.opening
        for update in self.updates:
            current = apply_update(current, update)
            found.append(current)
        return tuple(found)

    def facets_at(self, moment: datetime) -> Facets:
        """The facets in force at a moment: set by the latest update at or before it."""
        current = self.opening
        for update, facets in zip(self.updates, self.facets):
            if update.at > moment:
                break
            current = facets
        return current

    @property
    def title(self) -> LocalText:
        return self.facets[-1].title

    @property
    def priority(self) -> Priority:
        """The priority in force now: it sets the update cadence and the resolution target."""
        return self.facets[-1].priority

    @property
    def impact(self) -> LocalText:
        return self.facets[-1].impact

    @property
    def workaround(self) -> LocalText:
        return self.facets[-1].workaround

    @cached_property
    def priorities_held(self) -> tuple[Priority, ...]:
        """Every priority the entry had, in order, each once."""
        held = {f.priority.id: f.priority for f in (self.opening, *self.facets)}
        return tuple(held.values())

    @cached_property
    def all_components(self) -> tuple[str, ...]:
        """The components of the front matter, then those the updates added, in order."""
        names = dict.fromkeys(self.components)
        for update in self.updates:
            names.update(dict.fromkeys(update.components))
        return tuple(names)

    def status_of(self, update: Update) -> Status:
        return self.lifecycle.statuses[update.status]

    @property
    def started_at(self) -> datetime:
        return self.updates[0].at

    @property
    def work_started_at(self) -> datetime | None:
        """When maintenance work started: the first update in a status of work under way (None: it never did)."""
        return next((u.at for u in self.updates if self.status_of(u).is_work_under_way), None)

    @property
    def duration_start(self) -> datetime:
        """Where an entry's duration counts from: a maintenance's from when work started (or its window
        opened), not from its announcement; anything else from its first update."""
        if self.lifecycle.kind == "maintenance":
            return self.work_started_at or self.scheduled_start or self.started_at
        return self.started_at

    @cached_property
    def order(self) -> tuple[float, str]:
        """Sort key by start: comparing floats is much cheaper than comparing aware datetimes."""
        return (self.updates[0].at.timestamp(), self.id)

    @property
    def last_update(self) -> Update:
        return self.updates[-1]

    def line_of(self, name: str) -> int:
        return self.lines.get(name, 1)


def kept_on(entry: Entry, name: str, moment, compute):
    """A value derived from an entry, kept on the (immutable) entry for the last moment asked.

    Several rules, pages and feeds of one check or build ask the same of one entry; an incident may
    touch hundreds of components over many updates, so each is worked out once per moment.
    """
    key = f"_statusgen_{name}"
    kept = entry.__dict__.get(key)
    if kept is None or kept[0] != moment:
        kept = entry.__dict__[key] = (moment, compute())
    return kept[1]

"""What each update of an entry changed: its priority, the state of its components, its texts.

The timeline of an entry's page, its feed items, the JSON API and the notifications all tell
these changes; they read them from here, so they tell the same story.
"""

from __future__ import annotations

from dataclasses import dataclass

from statusgen.model.entry import Entry, Facets, kept_on
from statusgen.model.site import Priority
from statusgen.model.state import states_by_update
from statusgen.model.text import LocalText

TEXT_FACETS = ("title", "impact", "workaround")


@dataclass(frozen=True)
class PriorityChange:
    before: Priority
    after: Priority

    @property
    def raised(self) -> bool:
        return self.after.rank < self.before.rank  # rank 0 is the most urgent


@dataclass(frozen=True)
class ComponentChange:
    component: str
    before: str  # a component state
    after: str


@dataclass(frozen=True)
class TextChange:
    facet: str  # title | impact | workaround
    before: LocalText
    after: LocalText

    @property
    def kind(self) -> str:
        """added | removed | changed"""
        if not self.before:
            return "added"
        return "removed" if not self.after else "changed"


@dataclass(frozen=True)
class UpdateChanges:
    """Everything one update changed (components in the entry's order)."""

    priority: PriorityChange | None
    components: tuple[ComponentChange, ...]
    texts: tuple[TextChange, ...]
    reminder: bool
    automatic: str = ""  # a step of the maintenance window (model/schedule.py)

    def __bool__(self) -> bool:
        return bool(self.priority or self.components or self.texts or self.reminder or self.automatic)


def update_changes(entry: Entry) -> tuple[UpdateChanges, ...]:
    """What each update changed, oldest first (kept on the immutable entry: every page kind asks)."""
    return kept_on(entry, "changes", None, lambda: tuple(_changes(entry)))


def _changes(entry: Entry):
    facets_before: Facets = entry.opening
    states_before: dict[str, str] = {}
    for update, facets, states in zip(entry.updates, entry.facets, states_by_update(entry)):
        priority = None
        if facets.priority.id != facets_before.priority.id:
            priority = PriorityChange(facets_before.priority, facets.priority)
        components = tuple(ComponentChange(cid, states_before.get(cid, "operational"), state)
                           for cid, state in states.items() if states_before.get(cid, "operational") != state)
        texts = tuple(TextChange(name, getattr(facets_before, name), getattr(facets, name))
                      for name in TEXT_FACETS
                      if getattr(update, name) is not None and getattr(facets, name) != getattr(facets_before, name))
        yield UpdateChanges(priority, components, texts, update.reminder, update.automatic)
        facets_before, states_before = facets, states

"""What a notification says about one update, in one language, taken from the site's own views.

Every channel's payload is made from a Notice: the same title, status label, message, components
and link as the update's anchor on the entry page, so a notification never says more or less
than the site.
"""

from __future__ import annotations

import html

from dataclasses import dataclass
from datetime import datetime

from statusgen.model.entry import Entry, Update
from statusgen.model.site import worst_state
from statusgen.model.state import component_timeline
from statusgen.render.markup import plain_text
from statusgen.render.urls import update_anchor
from statusgen.render.views import KIND_OF_LIFECYCLE, LanguageViews


def component_states(entry: Entry, now: datetime) -> list[dict[str, str]]:
    """For each update of the entry (oldest first), the state of each of its components from then on.

    The one place notify learns component states from: when updates carry changes of their own,
    this is what follows them.
    """
    return component_timeline(entry, now)


def component_changes(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The components whose state an update changed: id -> (old state, new state)."""
    return {cid: (before.get(cid, "operational"), state) for cid, state in after.items()
            if before.get(cid, "operational") != state}


def update_key(update: Update) -> str:
    """The update's identity within its entry: its anchor on the entry page, which feeds use too.

    Editing the text of an update keeps it; the state file records deliveries by it.
    """
    return update_anchor(update.index, update.automatic)


@dataclass(frozen=True)
class Affected:
    """A component the update concerns, with its state from this update on."""

    id: str
    name: str
    state: str
    state_label: str
    changed_from: str | None  # the state before this update, when the update changed it


@dataclass(frozen=True)
class Notice:
    """One update of one entry, as every channel of one language shows it."""

    entry: Entry
    update: Update
    lang: str
    site_title: str
    kind_label: str
    title: str
    status_id: str
    status_label: str
    status_icon: str
    resolved: bool
    message_text: str
    message_html: str
    when: str
    link: str  # the update's anchor on the entry page, absolute
    affected: tuple[Affected, ...]
    words: dict  # the interface words of the language (labels of headings and links)

    @property
    def key(self) -> str:
        return update_key(self.update)

    @property
    def worst_state(self) -> str:
        """What colours the notification: the worst state it reports, 'operational' once resolved."""
        if self.resolved:
            return "operational"
        return worst_state(a.state for a in self.affected)

    @property
    def headline(self) -> str:
        return f"{self.title} — {self.status_label}"


def make_notice(v: LanguageViews, entry: Entry, update: Update, states: list[dict[str, str]]) -> Notice:
    """The Notice of an update in the language of v; states: component_states() of the entry."""
    uview = v.update_view(entry, update, keep=False)
    current = states[update.index]
    before = states[update.index - 1] if update.index else {}
    changes = component_changes(before, current)
    affected = tuple(
        Affected(cid, v.text(v.site.components[cid].name), state, v.t[f"state.{state}"],
                 changes[cid][0] if cid in changes else None)
        for cid, state in current.items() if cid in v.site.components)
    return Notice(
        entry=entry, update=update, lang=v.lang,
        site_title=v.text(v.site.settings.title),
        kind_label=v.t[f"kind.{KIND_OF_LIFECYCLE.get(entry.lifecycle.kind, 'incident')}"],
        title=v.text(entry.title),
        status_id=uview.status.id,
        status_label=uview.status.label,
        status_icon=uview.status.icon,
        resolved=uview.status.phase == "resolved",
        message_text="\n\n".join(part for part in ("\n".join(f"• {c}" for c in uview.changes),
                                                     plain_text(uview.message_html)) if part),
        message_html=(_changes_html(uview.changes) + uview.message_html),
        when=uview.when.text,
        link=uview.absolute_url,
        affected=affected,
        words=v.t,
    )


def _changes_html(changes: list[str]) -> str:
    """What the update changed (priority, components, texts), as the entry page's timeline lists it."""
    if not changes:
        return ""
    return "<ul>" + "".join(f"<li>{html.escape(change)}</li>" for change in changes) + "</ul>"

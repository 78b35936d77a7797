"""Atom and RSS feeds: one item per update, for the whole site, each component and each followed entry."""

from __future__ import annotations

import bisect
import html
import zlib
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from statusgen.model.entry import Entry, Update
from statusgen.model.text import LocalText
from statusgen.render import feedxml
from statusgen.render.deps import cached_view
from statusgen.render.feedxml import Item as FeedItem
from statusgen.render.markup import plain_text
from statusgen.model.state import component_timeline
from statusgen.render.urls import component_page, entry_page, feed
from statusgen.render.state import RenderState
from statusgen.render.views import LanguageViews

TITLE_SEPARATOR = " — "
# An item lists at most this many components (the entry page lists them all). An update touching
# 180 components sits in 181 feeds: listing all of them in each would make the feeds grow with
# the square of the components an incident touches.
FEED_COMPONENTS = 10


class FeedItems:
    """The feed items of one language, built once and shared by the feeds they appear in."""

    def __init__(self, views: LanguageViews, updates: list[tuple[Entry, Update]],
                 by_component: dict[str, list[tuple[Entry, Update]]]):
        self.v = views
        self.updates = updates  # every update of the site, newest first
        self.by_component = by_component  # the same, per component
        self._serialised: dict[tuple[str, int], tuple[str, str]] = {}
        self._uses: Counter = Counter()
        self._timelines: dict[str, list[dict[str, str]]] = {}
        settings = views.site.settings
        self.author = views.text(settings.company) or views.text(settings.title)

    # Serialised once, in both formats, and shared by every feed that holds the item (only the text
    # is kept: a large site's feeds hold tens of thousands of items). What an item read of the facts
    # (the time...) is replayed into each feed that uses it, so that feed's record holds it too.
    def fragments(self, entry: Entry, update: Update) -> tuple[str, str]:
        """The item as an Atom entry and as an RSS item."""
        def serialise() -> tuple[str, str]:
            item = self._item(entry, update)
            return feedxml.atom_entry(item), feedxml.rss_item(item)
        found = cached_view(self.v.recorder, self._serialised, (entry.id, update.index), serialise)
        return _unpacked(found) if isinstance(found, bytes) else found

    def expect(self, pairs) -> None:
        """Count the feeds each item will be written to, so that its text is let go after the last."""
        self._uses = Counter((entry.id, update.index) for entry, update in pairs)

    def release(self, pairs) -> None:
        """A feed holding these items is written: an item no other feed holds is let go, and one that
        waits for a later feed is kept compressed (thousands of items of a site whose incidents touch
        many components wait, each in two formats)."""
        for entry, update in pairs:
            key = (entry.id, update.index)
            self._uses[key] -= 1
            if self._uses[key] <= 0:
                self._serialised.pop(key, None)
                continue
            found = self._serialised.get(key)
            if found is not None and not isinstance(found[0], bytes):
                self._serialised[key] = (_packed(found[0]), found[1])

    def newest_pairs_of_component(self, component_id: str, count: int) -> list[tuple[Entry, Update]]:
        return self.by_component.get(component_id, [])[:count]

    def _item(self, entry: Entry, update: Update) -> FeedItem:
        v = self.v
        # The update's own view, not the whole entry's: an item needs neither the other updates nor
        # the post-incident report, and the feeds of a large site hold tens of thousands of items.
        uview = v.update_view(entry, update, keep=False)  # its text is kept, as the item's
        title = v.text(entry.facets[update.index].title)  # as it stood then: the past stays as it was
        timeline = cached_view(v.recorder, self._timelines, entry.id, lambda: component_timeline(entry, v.facts.now))
        states = timeline[update.index]
        before = timeline[update.index - 1] if update.index else {}
        listed = [cid for cid in states if cid in v.site.components][:FEED_COMPONENTS]
        categories = tuple(v.text(v.site.components[cid].name) for cid in listed)
        return FeedItem(
            id=uview.absolute_url,
            title=f"{title}{TITLE_SEPARATOR}{uview.status.label}",
            link=uview.absolute_url,
            at=v.dates.local(update.at),
            content_html=self._content(entry, _in_lang(uview.message_html, uview.message_lang), uview.changes,
                                       entry.facets[update.index].impact, states, before),
            categories=categories,
            author=self.author,
        )

    def _content(self, entry: Entry, message_html: str, changes: list[str], impact: LocalText,
                 states: dict[str, str], before: dict[str, str]) -> str:
        """The message, then the window, the impact and the components, with their state when it matters.

        A state is shown when it is not operational or when this update changed it (a recovery), like the
        entry page, which shows no state for a component a known issue leaves working.
        """
        v, t = self.v, self.v.t
        parts = [_changes_list(changes, t)] if changes else []
        parts.append(message_html)
        if entry.scheduled_start and entry.scheduled_end:
            start, end = v.dates.when(entry.scheduled_start), v.dates.when(entry.scheduled_end)
            window = t["window"].format(start=start.text, end=end.text)
            parts.append(f"{_heading(t['scheduled_window'])}<p>{html.escape(window)}</p>")
        impact_html, impact_lang = v.html_lang(impact)
        if impact_html:
            parts.append(f"{_heading(t['impact'])}{_in_lang(impact_html, impact_lang)}")
        known = [(cid, state) for cid, state in states.items() if cid in v.site.components]
        affected = []
        for cid, state in known[:FEED_COMPONENTS]:
            name = html.escape(v.text(v.site.components[cid].name))
            link = f'<a href="{html.escape(v.urls.absolute(component_page(cid)))}">{name}</a>'
            if state != "operational" or before.get(cid, "operational") != state:
                link += html.escape(t["colon"] + t[f"state.{state}"])
            affected.append(f"<li>{link}</li>")
        if len(known) > FEED_COMPONENTS:
            more = html.escape(t["more_components"].format(n=len(known) - FEED_COMPONENTS))
            page = html.escape(v.urls.absolute(entry_page(entry.id)))
            affected.append(f'<li><a href="{page}">{more}</a></li>')
        if affected:
            parts.append(f"{_heading(t['affected'])}<ul>{''.join(affected)}</ul>")
        return "\n".join(parts)


def _changes_list(changes: list[str], t: dict[str, str]) -> str:
    """What the update changed, as a list; a large incident's list stops after FEED_COMPONENTS lines."""
    shown = [f"<li>{html.escape(c)}</li>" for c in changes[:FEED_COMPONENTS]]
    if len(changes) > FEED_COMPONENTS:
        shown.append(f"<li>{html.escape(t['more_changes'].format(n=len(changes) - FEED_COMPONENTS))}</li>")
    return f"<ul>{''.join(shown)}</ul>"


def _heading(label: str) -> str:
    return f"<h3>{html.escape(label)}</h3>"


# An item's two formats share its content: compressed together, they take about a sixth of the room.
def _packed(fragments: tuple[str, str]) -> bytes:
    atom, rss = fragments
    return len(atom).to_bytes(4, "big") + zlib.compress((atom + rss).encode("utf-8"), 1)


def _unpacked(packed: bytes) -> tuple[str, str]:
    split = int.from_bytes(packed[:4], "big")
    both = zlib.decompress(packed[4:]).decode("utf-8")
    return both[:split], both[split:]


def _in_lang(fragment: str, lang: str) -> str:
    """A text that fell back to another language than the feed's, marked with its own (as on the pages)."""
    return f'<div lang="{lang}">{fragment}</div>' if lang else fragment


@dataclass(frozen=True)
class FeedPlan:
    """A feed before its items are built: enough to tell whether it changed since the last build."""

    page: str  # the page the feed follows, which also names it
    title: str
    pairs: list[tuple[Entry, Update]]
    with_rss: bool

    def signature(self, newest: tuple) -> tuple:
        return (self.page, self.title, newest, tuple((e.id, e.source_hash, u.index) for e, u in self.pairs))


def _plans(v: LanguageViews, items: FeedItems) -> list[FeedPlan]:
    """Every feed of a language: the whole site, each component, each followed entry."""
    settings, facts, count = v.site.settings, v.facts, v.site.settings.feed_items
    site_title = v.text(settings.title)
    plans = [FeedPlan("", site_title, items.updates[:count], True)]
    for cid, component in v.site.components.items():
        plans.append(FeedPlan(component_page(cid),
                              f"{v.text(component.name)}{TITLE_SEPARATOR}{site_title}",
                              items.newest_pairs_of_component(cid, count), True))
    for entry in facts.entries:
        if entry.id in facts.followed:
            plans.append(FeedPlan(entry_page(entry.id),
                                  f"{v.text(entry.title)}{TITLE_SEPARATOR}{site_title}",
                                  [(entry, u) for u in entry.updates[::-1][:count]], False))
    return plans


def _head(v: LanguageViews, items: FeedItems, plan: FeedPlan, kind: str) -> feedxml.Head:
    settings = v.site.settings
    # An empty feed has no item time of its own: it takes the site's newest update (the build's --now only
    # when the site has no update at all), so that it changes with the content, never with the build.
    if plan.pairs:
        updated = v.dates.local(plan.pairs[0][1].at)
    elif items.updates:
        updated = v.dates.local(items.updates[0][1].at)
    else:
        updated = v.dates.local(v.facts.now)
    return feedxml.Head(
        self_url=v.urls.absolute(feed(plan.page, kind)), page_url=v.urls.absolute(plan.page), title=plan.title,
        # Readers take an RSS channel's description as HTML or as text, so it holds neither markup nor
        # entities: the words of the description, as Markdown and the sanitiser leave them.
        subtitle=plain_text(v.html(settings.description)) or v.text(settings.title), lang=v.lang,
        author=v.text(settings.company) or v.text(settings.title), updated=updated)


def _documents(v: LanguageViews, items: FeedItems, plan: FeedPlan) -> list[tuple[str, bytes]]:
    """The Atom feed of a plan, and its RSS twin when it has one, as (output path, bytes)."""
    fragments = [items.fragments(e, u) for e, u in plan.pairs]
    atom = feedxml.atom_feed(_head(v, items, plan, "atom"), [atom for atom, _ in fragments])
    documents = [(v.urls.file(feed(plan.page, "atom")), atom)]
    if plan.with_rss:
        rss = feedxml.rss_feed(_head(v, items, plan, "rss"), [rss for _, rss in fragments])
        documents.append((v.urls.file(feed(plan.page, "rss")), rss))
    return documents


def _order(entry: Entry, update: Update) -> tuple:
    # Ties fall back to the entry id and the update's position, for a stable order.
    return (update.at.timestamp(), entry.id, update.index)


def newest_updates(state: RenderState) -> list[tuple[Entry, Update]]:
    """Every update of the site, newest first.

    Kept in the memo between builds: when only a few entries changed, their updates are taken
    out and put back in place instead of sorting every update of the site again.
    """
    entries = state.facts.entries
    hashes = {e.id: e.source_hash for e in entries}
    previous = state.memo.get("updates")
    if previous is not None:
        old_hashes, ordered = previous
        changed = {i for i, h in hashes.items() if old_hashes.get(i) != h} | (old_hashes.keys() - hashes.keys())
        if len(changed) <= 100:
            ordered = [item for item in ordered if item[1][0].id not in changed]
            for entry in entries:
                if entry.id in changed:
                    for update in entry.updates:
                        bisect.insort(ordered, (_order(entry, update), (entry, update)), key=lambda item: item[0])
            state.memo["updates"] = (hashes, ordered)
            return [pair for _, pair in reversed(ordered)]
    ordered = sorted(((_order(e, u), (e, u)) for e in entries for u in e.updates), key=lambda item: item[0])
    state.memo["updates"] = (hashes, ordered)
    return [pair for _, pair in reversed(ordered)]


def feed_files(state: RenderState, languages: list[str] | None = None, remember: bool = True
               ) -> Iterator[tuple[str, bytes | None]]:
    """Every feed of every language, as (output path, bytes), one at a time.

    A long-running build keeps, for each feed, the updates it holds and what its items read of
    the facts; while both are unchanged, the feed yields (path, None): the same bytes as last time.
    With languages, only the feeds of those (a language's items are made once, for all its feeds:
    sharing the feeds out by language makes no item twice). Without remember (a process that ends
    with the build), nothing is kept for the next build.
    """
    updates = newest_updates(state)
    newest = (updates[0][0].id, updates[0][0].source_hash, updates[0][1].index) if updates else ()
    count = state.site.settings.feed_items
    by_component: dict[str, list[tuple[Entry, Update]]] = {cid: [] for cid in state.site.components}
    unfilled = len(by_component)
    for pair in updates:
        for cid in pair[0].all_components:  # a component an update added too
            chosen = by_component.get(cid)
            if chosen is not None and len(chosen) < count:
                chosen.append(pair)  # the pair itself: tens of thousands of them on a large site
                unfilled -= len(chosen) == count
        if not unfilled:
            break  # every component feed has its newest items
    memo: dict = state.memo.setdefault("feeds", {})
    for lang, v in state.views.items():
        if languages is not None and lang not in languages:
            continue
        items = FeedItems(v, updates, by_component)
        plans = _plans(v, items)
        items.expect(pair for plan in plans for pair in plan.pairs)
        for plan in plans:
            key = (v.lang, plan.page)
            if remember:
                signature = plan.signature(newest)
                cached = memo.get(key)
                if cached is not None and cached[0] == signature and state.recorder.current(cached[1]):
                    items.release(plan.pairs)
                    yield from ((path, None) for path in cached[2])
                    continue
            with state.recorder.recording() as reads:
                documents = _documents(v, items, plan)
            items.release(plan.pairs)
            if remember:
                memo[key] = (signature, state.recorder.record(reads), [path for path, _ in documents])
            yield from documents

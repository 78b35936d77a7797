"""Which messages each channel is owed: every update of a published entry, once, in time order.

A channel is owed an update when the update may be sent (no `notify: false`), the entry touches
one of the channel's components (or the channel takes all), and the state file does not record
its delivery. A channel the state file has never seen starts from a baseline instead: what exists
is recorded as delivered, and only what came after `--since` is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from statusgen.model.entry import Entry, Update
from statusgen.notify.channels import Channel
from statusgen.notify.notices import Notice, component_changes, component_states, make_notice, update_key
from statusgen.notify.payloads import CHAT_PAYLOADS, Message, email, json_body
from statusgen.notify.state import Record
from statusgen.notify.webhook import StatuspageWebhooks, webhook_id
from statusgen.render.api import page_id
from statusgen.render.state import RenderState

COMPONENT_KEY = "~"  # update-4~payments-api: a webhook's component_update for that update


@dataclass(frozen=True)
class Owed:
    """An update a channel is owed, and the keys of the messages that deliver it."""

    entry: Entry
    update: Update
    keys: tuple[str, ...]


@dataclass
class Timeline:
    """The site's updates, oldest first, with each entry's component states (computed once)."""

    updates: list[tuple[Entry, Update]]
    states: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    _touched: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: list[Entry], now: datetime) -> "Timeline":
        pairs = [(entry, update) for entry in entries for update in entry.updates]
        # Comparing floats: sorting tens of thousands of aware datetimes costs seconds.
        pairs.sort(key=lambda pair: (pair[1].at.timestamp(), pair[0].id, pair[1].index))
        return cls(pairs, {entry.id: component_states(entry, now) for entry in entries})

    def touched(self, entry: Entry) -> set[str]:
        """Every component the entry concerns, at any of its updates."""
        found = self._touched.get(entry.id)
        if found is None:
            found = self._touched[entry.id] = (
                {cid for states in self.states[entry.id] for cid in states} | set(entry.components))
        return found

    def changes(self, entry: Entry, update: Update) -> dict[str, tuple[str, str]]:
        states = self.states[entry.id]
        return component_changes(states[update.index - 1] if update.index else {}, states[update.index])


def message_keys(channel: Channel, timeline: Timeline, entry: Entry, update: Update) -> tuple[str, ...]:
    """The keys of the messages that deliver update to channel: one, plus a webhook's component changes."""
    key = update_key(update)
    if channel.type != "webhook":
        return (key,)
    changed = [cid for cid in timeline.changes(entry, update)
               if not channel.components or cid in channel.components]
    return (key,) + tuple(f"{key}{COMPONENT_KEY}{cid}" for cid in changed)


def baseline(timeline: Timeline, since: datetime | None, now: datetime) -> Record:
    """The record of a channel seen for the first time: every update up to since (all: no since) delivered."""
    record = Record(baseline=now.isoformat())
    for entry, update in timeline.updates:
        if since is None or update.at <= since:
            record.add(entry.id, update_key(update))
    return record


def owed(channel: Channel, record: Record, timeline: Timeline) -> list[Owed]:
    """What channel is owed, oldest first: the messages of each update not announced yet, and those
    left over from an update announced in an earlier run."""
    found = []
    for entry, update in timeline.updates:
        if not update.notify or not channel.wants(timeline.touched(entry)):
            continue
        key = update_key(update)
        if record.has(entry.id, key):  # announced: only what was left of it then
            keys = tuple(sorted(k for k in record.pending_of(entry.id) if k.startswith(key + COMPONENT_KEY)))
        else:
            keys = message_keys(channel, timeline, entry, update)
        if keys:
            found.append(Owed(entry, update, keys))
    return found


class Composer:
    """Makes the messages of owed updates, each notice and webhook body once per language."""

    def __init__(self, state: RenderState, timeline: Timeline):
        self.state = state
        self.timeline = timeline
        self.host = page_id(state.site.settings.base_url)
        self._notices: dict[tuple[str, str, int], Notice] = {}
        self._webhooks: dict[str, StatuspageWebhooks] = {}

    def notice(self, lang: str, entry: Entry, update: Update) -> Notice:
        key = (lang, entry.id, update.index)
        if key not in self._notices:
            self._notices[key] = make_notice(self.state.views[lang], entry, update,
                                             self.timeline.states[entry.id])
        return self._notices[key]

    def messages(self, channel: Channel, item: Owed) -> list[Message]:
        entry, update = item.entry, item.update
        if channel.type == "webhook":
            return self._webhook_messages(channel, item)
        notice = self.notice(channel.language, entry, update)
        key = item.keys[0]
        if channel.type == "email":
            return [Message(channel, entry.id, key, email=email(notice, channel, self.host))]
        return [Message(channel, entry.id, key, body=json_body(CHAT_PAYLOADS[channel.type](notice)))]

    def _webhook_messages(self, channel: Channel, item: Owed) -> list[Message]:
        hooks = self._webhooks.get(channel.language)
        if hooks is None:
            hooks = self._webhooks[channel.language] = StatuspageWebhooks(self.state, channel.language)
        base = update_key(item.update)
        result = []
        for cid, body in hooks.bodies(item.entry, item.update, self.timeline.changes(item.entry, item.update)):
            key = base if cid is None else f"{base}{COMPONENT_KEY}{cid}"
            if key in item.keys:
                result.append(Message(channel, item.entry.id, key, body=json_body(body),
                                      webhook_id=webhook_id(channel, item.entry.id, key)))
        return result

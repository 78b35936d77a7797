"""Finished, localised values for templates: labels, formatted dates, HTML of messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import get_timezone_location
from babel.lists import format_list
from babel.numbers import format_percent

from statusgen.model.entry import Entry, Update
from statusgen.model.site import (
    STATE_SEVERITY,
    WEEKDAYS,
    Component,
    Lifecycle,
    Priority,
    Site,
    Status,
    worst_state,
)
from statusgen.model.changes import update_changes
from statusgen.model.state import current_component_states, impacts
from statusgen.model.text import LANGUAGE_MARK, LocalText, language_parts
from statusgen.render.changewords import describe
from statusgen.render.dates import Dates, When, promise_span
from statusgen.render.deps import Recorder, cached_view
from statusgen.render.facts import NARROW_DAYS, NO_DATA, Facts, listing_time
from statusgen.render.markup import Markup
from statusgen.render.urls import Urls, component_page, entry_page, update_anchor

DAY_INDEX = {day: n for n, day in enumerate(WEEKDAYS)}
STATE_ICONS = {
    "operational": "✓",
    "degraded_performance": "!",
    "partial_outage": "▲",
    "major_outage": "✕",
    "under_maintenance": "⚙",
}
GROUP_BARS = 12  # a group with more members shows one bar on the status page
KIND_OF_LIFECYCLE = {"incident": "incident", "maintenance": "maintenance", "known_issue": "ticket"}


@dataclass(frozen=True)
class StateView:
    id: str
    label: str
    icon: str


@dataclass(frozen=True)
class StatusView:
    id: str
    label: str
    icon: str
    description: str
    phase: str


@dataclass(frozen=True)
class AffectedView:
    id: str
    name: str
    url: str
    state: StateView | None  # None: listed but not degraded


@dataclass(frozen=True)
class UpdateView:
    anchor: str
    status: StatusView
    when: When
    message_html: str
    message_lang: str  # the language of the message when it is not the page's (a fallback), else ""
    changes: list[str]  # what the update changed, in words
    url: str
    absolute_url: str
    index: int


@dataclass(frozen=True)
class EntryView:
    id: str
    url: str
    absolute_url: str
    kind: str
    kind_label: str
    title: str
    title_lang: str  # each *_lang: the language of the text when it is not the page's (a fallback), else ""
    status: StatusView
    is_open: bool
    priority_id: str
    priority_label: str
    affected: list[AffectedView]
    started: When
    resolved: When | None
    duration: str
    target: str
    target_outcome: str
    target_span: str
    impact_html: str
    impact_lang: str
    workaround_html: str
    workaround_lang: str
    root_cause_html: str
    root_cause_lang: str
    root_cause_kind: str  # the kind of root cause in words, or ""
    report_html: str
    report_lang: str
    report_note: str  # "This report is available in French only." when report_lang is set
    updates: list[UpdateView]  # newest first
    latest: UpdateView
    next_update: When | None
    next_update_late: bool  # the promised update is overdue at the time of the build
    window: tuple[When, When] | None
    work_started: When | None  # maintenance: the first update in progress
    work_ended: When | None  # maintenance: the resolution of work that started
    retroactive: bool
    auto_resolved: str
    listed: When
    outside_hours: bool = False  # entirely outside business hours: a problem, not an incident, for the targets
    feedback: tuple[str, str] | None = None  # where to rate a resolved entry: (good, bad)


@dataclass(frozen=True)
class EntrySummary:
    """What a list of entries shows: cheap to build for thousands of entries (no Markdown)."""

    id: str
    url: str
    kind: str
    title: str
    title_lang: str
    status: StatusView
    is_open: bool
    listed: When
    resolved: When | None
    duration: str


@dataclass(frozen=True)
class DayCell:
    state: str
    label: str


@dataclass(frozen=True)
class ComponentView:
    id: str
    name: str
    description: str
    url: str
    state: StateView
    uptime: str  # over the days the bar shows (from the first day with data)
    uptime_label: str  # "uptime", or "uptime since 3 Nov" when the page started recording within the bar
    uptime_recent: str  # the same over the last 30 days, which is what a phone shows of the bar
    uptime_recent_label: str
    cells: list[DayCell]
    bar_summary: str


@dataclass(frozen=True)
class GroupView:
    name: str
    components: list[ComponentView]
    state: StateView
    # A large group (a data centre per component...) shows one bar for all its members, and lists
    # them with their state only: the status page stays readable, and its size grows with the
    # groups rather than with components times days. Each member keeps its bar on its own page.
    bar: ComponentView | None = None
    affected_count: int = 0


@dataclass
class LanguageViews:
    """Every view of the site in one language, built lazily and cached."""

    site: Site
    facts: Facts
    lang: str
    t: dict[str, str]
    dates: Dates
    urls: Urls
    markup: Markup
    # Keyed by (entry id, source hash): a long-running build may keep them while the entry is unchanged.
    _entries: dict[tuple[str, str], EntryView] = field(default_factory=dict)
    _summaries: dict[tuple[str, str], EntrySummary] = field(default_factory=dict)
    _lines: dict[tuple[str, str], Any] = field(default_factory=dict)
    _statuses: dict[int, StatusView] = field(default_factory=dict)  # by the id() of a Status of this site
    # The theme's entry_line macro: lists of thousands of entries reuse each entry's rendered line.
    line_macro: Any = None
    recorder: Recorder | None = None
    _components: dict[str, ComponentView] = field(default_factory=dict)
    _update_views: dict[tuple[str, str, int], UpdateView] = field(default_factory=dict)
    # A bar has a cell per day; thousands of components share the few (day, state) pairs of 90 days.
    _cells: dict[tuple[date, str], DayCell] = field(default_factory=dict)
    _percents: dict[float, str] = field(default_factory=dict)  # most components share 100 %

    def __post_init__(self):
        # Markup cannot know the page language; a table with no heading before it is named with this word.
        self.markup.table_label = self.t["table"]
        if self.recorder is None:
            self.recorder = Recorder(self.facts)

    @property
    def default_lang(self) -> str:
        return self.site.settings.default_language

    def text(self, value: LocalText | None) -> str:
        return value.get(self.lang, self.default_lang) if value else ""

    def text_lang(self, value: LocalText | None) -> tuple[str, str]:
        """The text, and its language when it is not the page's (a fallback to another language), else ""."""
        if not value:
            return "", ""
        text, lang = value.get_with_lang(self.lang, self.default_lang)
        return text, ("" if lang == self.lang else lang)

    def html(self, value: LocalText | None) -> str:
        return self.markup.field(self.text(value))

    def html_lang(self, value: LocalText | None) -> tuple[str, str]:
        text, lang = self.text_lang(value)
        return self.markup.field(text), lang

    def state(self, state_id: str) -> StateView:
        return StateView(state_id, self.t[f"state.{state_id}"], STATE_ICONS[state_id])

    def status(self, status: Status) -> StatusView:
        view = self._statuses.get(id(status))
        if view is None:
            view = self._statuses[id(status)] = StatusView(
                status.id, self.text(status.label), status.icon, self.text(status.description), status.phase)
        return view

    def span(self, delta) -> str:
        """An elapsed time, or a promised duration: '2 working days' as written, a calendar one as a span."""
        return promise_span(delta, self.dates, self.t)

    def language_name(self, lang: str) -> str:
        return language_name(lang, self.lang)

    # -- entries -----------------------------------------------------------
    # Views of an entry are kept while the entry's file is unchanged and what they read of the facts
    # (its state, the time...) still has the same value; a page using one depends on those reads too.
    def entry(self, entry: Entry) -> EntryView:
        return cached_view(self.recorder, self._entries, (entry.id, entry.source_hash), lambda: self._entry(entry))

    def line(self, entry: Entry):
        """The entry's line in a list (history, component pages), rendered once by the theme's macro."""
        return cached_view(self.recorder, self._lines, (entry.id, entry.source_hash),
                           lambda: self.line_macro(self.summary(entry), self.t))

    def summary(self, entry: Entry) -> EntrySummary:
        return cached_view(self.recorder, self._summaries, (entry.id, entry.source_hash),
                           lambda: self._summary(entry))

    def _summary(self, entry: Entry) -> EntrySummary:
        state = self.facts.states[entry.id]
        title, title_lang = self.text_lang(entry.title)
        return EntrySummary(
            id=entry.id,
            url=self.urls.link(entry_page(entry.id)),
            kind=KIND_OF_LIFECYCLE.get(entry.lifecycle.kind, "incident"),
            title=title,
            title_lang=title_lang,
            status=self.status(state.status),
            is_open=state.is_open,
            listed=self.dates.when(listing_time(entry)),
            resolved=self.dates.when(state.resolved_at) if state.resolved_at else None,
            duration=self._duration(entry, state),
        )

    def _entry(self, entry: Entry) -> EntryView:
        state = self.facts.states[entry.id]
        page = entry_page(entry.id)
        updates = [self.update_view(entry, u) for u in reversed(entry.updates)]
        resolved = self.dates.when(state.resolved_at) if state.resolved_at else None
        duration = self._duration(entry, state)
        window = None
        work_started = work_ended = None
        if entry.scheduled_start and entry.scheduled_end:
            window = (self.dates.when(entry.scheduled_start), self.dates.when(entry.scheduled_end))
            started_at = entry.work_started_at
            if started_at:
                work_started = self.dates.when(started_at)
                work_ended = resolved
        deadline = self.dates.when(state.target_deadline).text if state.target_deadline else ""
        kind = KIND_OF_LIFECYCLE.get(entry.lifecycle.kind, "incident")
        auto = ""
        if state.auto_resolved_at and state.waiting_since is None:
            status = entry.status_of(entry.last_update)
            auto = self.t["auto_resolved"].format(span=self.span(status.auto_resolve_after))
        title, title_lang = self.text_lang(entry.title)
        impact_html, impact_lang = self.html_lang(entry.impact)
        workaround_html, workaround_lang = self.html_lang(entry.workaround)
        root_cause_html, root_cause_lang = self.html_lang(entry.root_cause)
        report, report_lang = report_part(entry.report, self.lang, self.default_lang)
        report_lang = "" if report_lang == self.lang or not report else report_lang
        return EntryView(
            id=entry.id,
            url=self.urls.link(page),
            absolute_url=self.urls.absolute(page),
            kind=kind,
            kind_label=self.t[f"kind.{kind}"],
            title=title,
            title_lang=title_lang,
            status=self.status(state.status),
            is_open=state.is_open,
            priority_id=entry.priority.id,
            priority_label=self.text(entry.priority.label),
            affected=self._affected(entry),
            started=self.dates.when(entry.started_at),
            resolved=resolved,
            duration=duration,
            target=self.t[f"target.{state.target_outcome}"].format(deadline=deadline),
            target_outcome=state.target_outcome,
            target_span=self._target_span(entry),
            impact_html=impact_html,
            impact_lang=impact_lang,
            workaround_html=workaround_html,
            workaround_lang=workaround_lang,
            root_cause_html=root_cause_html,
            root_cause_lang=root_cause_lang,
            root_cause_kind=self.t[f"root_cause_kind.{entry.root_cause_kind}"] if entry.root_cause_kind else "",
            report_html=self.markup.report(report),
            report_lang=report_lang,
            report_note=self._only_in(report_lang),
            updates=updates,
            latest=updates[0],
            next_update=self.dates.when(state.next_update_due) if state.next_update_due else None,
            next_update_late=bool(state.next_update_due and state.next_update_due < self.facts.now),
            window=window,
            work_started=work_started,
            work_ended=work_ended,
            retroactive=entry.retroactive,
            auto_resolved=auto,
            listed=self.dates.when(listing_time(entry)),
            outside_hours=state.outside_hours,
            feedback=self._feedback(entry, state.is_open),
        )

    def _duration(self, entry: Entry, state) -> str:
        """How long it lasted ("" for a maintenance closed before any work: it had no duration)."""
        if entry.lifecycle.kind == "maintenance" and entry.work_started_at is None and state.resolved_at:
            return ""
        end = state.resolved_at or self.facts.now
        return self.span(max(end - entry.duration_start, timedelta()))

    def _target_span(self, entry: Entry) -> str:
        """The target and, once the priority changed, the priority it comes from (see docs/format.md)."""
        span = self.span(entry.priority.resolution_target)
        if len(entry.priorities_held) > 1:
            return self.t["target_after_change"].format(span=span, priority=self.text(entry.priority.label))
        return self.t["target_within"].format(span=span)

    def _feedback(self, entry: Entry, is_open: bool) -> tuple[str, str] | None:
        """The two rating links of a resolved incident or known issue, when the site sets feedback."""
        feedback = self.site.settings.feedback
        if feedback is None or is_open or entry.lifecycle.kind == "maintenance":
            return None
        return feedback.links(entry.id, self.lang)

    def _only_in(self, lang: str) -> str:
        """'This report is available in French only.', in the page's language ('' when lang is empty)."""
        if not lang:
            return ""
        return self.t["report_only_in"].format(language=language_name(lang, self.lang))

    def update_view(self, entry: Entry, update: Update, keep: bool = True) -> UpdateView:
        """One update's view, as the entry's page shows it (it reads nothing of the facts)."""
        key = (entry.id, entry.source_hash, update.index)
        view = self._update_views.get(key)
        if view is None:
            view = self._update(entry, update, entry_page(entry.id))
            if keep:
                self._update_views[key] = view
        return view

    def _update(self, entry: Entry, update: Update, page: str) -> UpdateView:
        anchor = update_anchor(update.index, update.automatic)
        message_html, message_lang = self.html_lang(update.message)
        return UpdateView(
            anchor=anchor,
            status=self.status(entry.status_of(update)),
            when=self.dates.when(update.at),
            message_html=message_html,
            message_lang=message_lang,
            changes=describe(update_changes(entry)[update.index], self),
            url=f"{self.urls.link(page)}#{anchor}",
            absolute_url=f"{self.urls.absolute(page)}#{anchor}",
            index=update.index,
        )

    def _affected(self, entry: Entry) -> list[AffectedView]:
        state = state_of_entry = self.facts.states[entry.id]
        if state.is_open:
            live = current_component_states(entry, self.facts.now)
        else:
            live = {}
            # A resolved entry's impacts ended with it: they do not depend on the time of the build.
            for impact in impacts(entry, state.resolved_at or self.facts.now):
                if impact.component not in live or _worse(impact.state, live[impact.component]):
                    live[impact.component] = impact.state
        views = []
        for cid in entry.all_components:
            component = self.site.components[cid]
            current = live.get(cid)
            state = self.state(current) if current else None
            if state and not state_of_entry.is_open:
                # Over now: the worst it reached, said as such, not as the component's state today.
                state = StateView(state.id, self.t["state_at_worst"].format(state=state.label), state.icon)
            views.append(AffectedView(cid, self.text(component.name), self.urls.link(component_page(cid)), state))
        return views

    # -- components --------------------------------------------------------
    def component(self, component: Component) -> ComponentView:
        return cached_view(self.recorder, self._components, component.id, lambda: self._component(component))

    def _component(self, component: Component) -> ComponentView:
        cid = component.id
        states = self.facts.day_states[cid]
        cells = [self._cell(day, state) for day, state in zip(self.facts.days, states)]
        uptime, label = self._uptime(self.facts.uptime[cid], 0)
        recent, recent_label = self._uptime(self.facts.uptime_recent[cid], -NARROW_DAYS)
        return ComponentView(
            id=cid,
            name=self.text(component.name),
            description=self.text(component.description),
            url=self.urls.link(component_page(cid)),
            state=self.state(self.facts.component_state[cid]),
            uptime=uptime,
            uptime_label=label,
            uptime_recent=recent,
            uptime_recent_label=recent_label,
            cells=cells,
            bar_summary=self._bar_summary(states),
        )

    def _uptime(self, value: float | None, first_day: int) -> tuple[str, str]:
        """A percentage and what it covers; the bar's first day shown is days[first_day]."""
        if value is None:
            return self.t["no_data"], ""
        since = self.facts.recording_since
        if since and since > self.facts.days[first_day]:
            return self.percent(value), self.t["uptime_since"].format(day=self.dates.short_day(since))
        return self.percent(value), self.t["uptime"]

    def _cell(self, day: date, state: str) -> DayCell:
        cell = self._cells.get((day, state))
        if cell is None:
            label = self.t["day_state"].format(day=self.dates.short_day(day), state=self.t[f"state.{state}"])
            cell = self._cells[(day, state)] = DayCell(state, label)
        return cell

    def _bar_summary(self, states: list[str]) -> str:
        by_state: dict[str, list[str]] = {}
        for day, state in zip(self.facts.days, states):
            if state not in ("operational", NO_DATA):
                by_state.setdefault(state, []).append(self.dates.short_day(day))
        since = self.facts.recording_since
        before = ""
        if since is None:
            return self.t["bar_summary_no_data"]
        if since > self.facts.days[0]:
            before = self.t["bar_summary_since"].format(day=self.dates.short_day(since)) + " "
        if not by_state:
            return before + self.t["bar_summary_clean"]
        parts = [self.t["bar_day_count"].format(state=self.t[f"state.{s}"], dates=", ".join(d))
                 for s, d in by_state.items()]
        return before + self.t["bar_summary"].format(details="; ".join(parts))

    def business_hours(self) -> str:
        """When the support team works, in words: 'Monday to Friday, 09:00–18:00 (Paris time)'."""
        if not self.site.settings.business_hours_stated:
            return ""  # the default hours the clock counts on are not a promise the team made
        hours = self.site.settings.business_hours
        names = self.dates.locale.days["format"]["wide"]
        order = [DAY_INDEX[d] for d in hours.days]
        if len(order) > 2 and order == list(range(order[0], order[0] + len(order))):
            days = self.t["day_range"].format(first=names[order[0]], last=names[order[-1]])
        else:
            days = format_list([names[i] for i in order], locale=self.dates.locale)
        city = get_timezone_location(self.dates.zone, locale=self.dates.locale, return_city=True)
        return self.t["business_hours"].format(days=days, start=hours.start, end=hours.end, tz=city)

    def percent(self, value: float) -> str:
        """A percentage with two decimals, spaced and punctuated as the language writes it."""
        text = self._percents.get(value)
        if text is None:
            pattern = self.dates.locale.percent_formats[None].pattern.replace("#,##0", "#,##0.00")
            text = self._percents[value] = format_percent(value / 100, format=pattern, locale=self.dates.locale)
        return text

    def groups(self) -> list[GroupView]:
        groups: dict[str, list[ComponentView]] = {}
        for component in self.site.components.values():
            name = self.text(component.group) if component.group else ""
            groups.setdefault(name, []).append(self.component(component))
        return [self._group(name, views) for name, views in groups.items()]

    def _group(self, name: str, views: list[ComponentView]) -> GroupView:
        state = self.state(worst_state(v.state.id for v in views))
        if not name or len(views) <= GROUP_BARS:
            return GroupView(name, views, state)
        states = [NO_DATA if NO_DATA in day else worst_state(day)
                  for day in zip(*([c.state for c in v.cells] for v in views))]
        cells = [self._cell(day, state_id) for day, state_id in zip(self.facts.days, states)]
        # The group's uptime is the mean of its members', as hosted status pages count it.
        uptime, label = self._uptime(_mean([self.facts.uptime[v.id] for v in views]), 0)
        recent, recent_label = self._uptime(_mean([self.facts.uptime_recent[v.id] for v in views]), -NARROW_DAYS)
        bar = ComponentView(id="", name=name, description="", url="", state=state, uptime=uptime, uptime_label=label,
                            uptime_recent=recent, uptime_recent_label=recent_label, cells=cells,
                            bar_summary=self._bar_summary(states))
        affected = sum(v.state.id != "operational" for v in views)
        return GroupView(name, views, state, bar=bar, affected_count=affected)

    # -- definitions -------------------------------------------------------
    def lifecycle_label(self, lifecycle: Lifecycle) -> str:
        return self.text(lifecycle.label)

    def priority(self, priority: Priority) -> dict[str, Any]:
        return {
            "id": priority.id,
            "label": self.text(priority.label),
            "description": self.text(priority.description),
            "target": self.span(priority.resolution_target),
            "cadence": self.span(priority.update_cadence),
            "state": self.state(priority.component_state),
        }


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _worse(a: str, b: str) -> bool:
    return STATE_SEVERITY[a] > STATE_SEVERITY[b]


@lru_cache(maxsize=None)
def language_name(lang: str, in_lang: str) -> str:
    """The name of lang in the language in_lang, as written mid-sentence ('French', 'anglais');
    the code itself for a language CLDR does not know (validation reports those)."""
    try:
        return Locale.parse(lang.replace("-", "_")).get_display_name(in_lang.replace("-", "_")) or lang
    except (ValueError, TypeError, UnknownLocaleError):
        return lang


def report_for(body: str, lang: str, default_lang: str) -> str:
    """The part of a report in lang: '<!-- lang: en -->' lines start the part in that language."""
    return report_part(body, lang, default_lang)[0]


def report_part(body: str, lang: str, default_lang: str) -> tuple[str, str]:
    """The part of a report in lang, else in the default language, else the first part; and its language.

    '<!-- lang: en -->' lines start the part in that language (model.text reads the marks, for the
    validator too); text before any of them is in the default language.
    """
    if LANGUAGE_MARK not in body:
        return body, default_lang
    texts: dict[str, list[str]] = {}
    for part_lang, _, text in language_parts(body):
        texts.setdefault(part_lang or default_lang, []).append(text)
    joined = {key: "\n".join(parts).strip("\n") for key, parts in texts.items()}
    for key in (lang, default_lang):
        if joined.get(key, "").strip():
            return joined[key], key
    for key, text in joined.items():
        if text.strip():
            return text, key
    return "", lang

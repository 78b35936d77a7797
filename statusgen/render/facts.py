"""What is true of the whole site at `now`, in no particular language: states, bars, uptime, lists."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from statusgen.model.entry import Entry
from statusgen.model.site import STATE_SEVERITY, Site, worst_state
from statusgen.model.state import EntryState, Impact, entry_state, impacts

HISTORY_DAYS = 90
RECENT_DAYS = 14
NARROW_DAYS = 30  # a phone shows the last 30 days of the bars: its uptime figure covers the same days
FEED_DAYS = 90  # an entry has a feed of its own while open and for this long after its last update
# Share of an outage's duration counted as downtime: the convention of the best-known status pages.
DOWNTIME_WEIGHT = {"major_outage": 1.0, "partial_outage": 0.3}


@dataclass
class Facts:
    """Language-neutral facts every page, feed and API file is rendered from."""

    now: datetime
    today: date
    days: list[date]
    entries: list[Entry]  # published (not draft), newest first
    states: dict[str, EntryState]
    component_state: dict[str, str]
    component_entries: dict[str, list[Entry]]  # open ones and those of the 90-day window, newest first
    day_states: dict[str, list[str]]
    day_entries: dict[str, dict[date, list[str]]]  # only the days with an entry: most days of most components have none
    uptime: dict[str, float | None]  # None: no day of the window has data
    # The first day with data: site.yaml's `since`, else the day of the first entry (None: no entry yet).
    recording_since: date | None = None
    uptime_recent: dict[str, float | None] = field(default_factory=dict)  # over the last NARROW_DAYS
    active_incidents: list[Entry] = field(default_factory=list)
    active_maintenance: list[Entry] = field(default_factory=list)
    upcoming_maintenance: list[Entry] = field(default_factory=list)
    open_known_issues: list[Entry] = field(default_factory=list)
    recent_days: list[tuple[date, list[Entry]]] = field(default_factory=list)
    recent_maintenance: list[Entry] = field(default_factory=list)  # ended in the RECENT_DAYS, newest first
    by_id: dict[str, Entry] = field(default_factory=dict)
    memo: dict = field(default_factory=dict)  # values derived once per build (the page plan...)
    component_changed: dict[str, datetime] = field(default_factory=dict)  # last change of state, up to now
    # The history: pages numbered from 1, each a list of (month, entries), newest first.
    history: dict[int, list[tuple[date, list[Entry]]]] = field(default_factory=dict)
    history_pages: int = 1
    # Entries with a feed of their own: open, or updated in the last FEED_DAYS days.
    followed: frozenset[str] = frozenset()
    root_causes: dict[str, int] = field(default_factory=dict)  # kind of root cause -> published entries

    @property
    def overall_state(self) -> str:
        return worst_state(self.component_state.values())


def listing_time(entry: Entry) -> datetime:
    """The moment an entry is filed under: its window for maintenance, else its first update."""
    return entry.scheduled_start or entry.started_at


def _listing_order(entry: Entry) -> tuple[float, str]:
    if entry.scheduled_start is None:
        return entry.order
    return (entry.scheduled_start.timestamp(), entry.id)


@dataclass(frozen=True)
class _EntryFacts:
    """What compute_facts needs of one entry; cached while the entry's file and the time are unchanged."""

    state: EntryState
    recent: tuple[Impact, ...]  # the impacts that reach into the 90-day window
    changes: tuple[tuple[str, datetime], ...]  # per component, its last change of state up to now
    listed: bool  # shown on its components' pages: open, or updated within the window


def _entry_facts(entry: Entry, now: datetime, window_start: datetime, cache: dict | None) -> _EntryFacts:
    key = (entry.path, entry.source_hash, now)
    found = cache.get(key) if cache is not None else None
    if found is None:
        state = entry_state(entry, now)
        entry_impacts = impacts(entry, now)
        changes: dict[str, datetime] = {}
        for impact in entry_impacts:
            for moment in (impact.start, impact.end):
                if moment is None or moment > now:
                    continue
                latest = changes.get(impact.component)
                if latest is None or moment > latest:
                    changes[impact.component] = moment
        found = _EntryFacts(
            state=state,
            recent=tuple(i for i in entry_impacts if i.end is None or i.end > window_start),
            changes=tuple(changes.items()),
            listed=state.is_open or entry.last_update.at >= window_start,
        )
        if cache is not None:
            cache[key] = found
    return found


NO_DATA = "no_data"  # a day bar's cell before the page recorded anything


def compute_facts(site: Site, now: datetime, cache: dict | None = None) -> Facts:
    zone = ZoneInfo(site.settings.timezone)
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS - 1, -1, -1)]
    published = [e for e in site.entries if not e.draft]
    published.sort(key=_listing_order, reverse=True)
    window_start = datetime.combine(days[0], time(), zone)
    states = {}
    changed: dict[str, datetime] = {}
    by_component: dict[str, list[Entry]] = defaultdict(list)
    spans: dict[str, list[tuple[Impact, str]]] = defaultdict(list)
    for entry in published:
        known = _entry_facts(entry, now, window_start, cache)
        states[entry.id] = known.state
        if known.listed:
            for cid in entry.all_components:
                by_component[cid].append(entry)
        for impact in known.recent:
            spans[impact.component].append((impact, entry.id))
        for cid, moment in known.changes:
            if cid not in changed or moment > changed[cid]:
                changed[cid] = moment
    facts = Facts(
        now=now, today=today, days=days, entries=published, states=states,
        component_state={}, component_entries={c: by_component.get(c, []) for c in site.components},
        day_states={}, day_entries={}, uptime={}, by_id={e.id: e for e in published}, component_changed=changed,
    )
    since = site.settings.since or min((e.started_at.astimezone(zone).date() for e in published), default=None)
    facts.recording_since = since
    # Before the page recorded anything, a day is "no data", not a green day: nothing was watched.
    counted_from = max(window_start, datetime.combine(since, time(), zone)) if since else None
    recent_start = datetime.combine(days[-NARROW_DAYS], time(), zone)
    for cid in site.components:
        current = [i.state for i, _ in spans[cid] if i.start <= now and (i.end is None or i.end > now)]
        facts.component_state[cid] = worst_state(current)
        bars, facts.day_entries[cid] = _day_bars(spans[cid], days, zone, now)
        facts.day_states[cid] = [NO_DATA if since is None or day < since else state for day, state in zip(days, bars)]
        facts.uptime[cid] = uptime_percent(spans[cid], counted_from, now) if counted_from and counted_from < now else None
        facts.uptime_recent[cid] = (uptime_percent(spans[cid], max(counted_from, recent_start), now)
                                    if counted_from and counted_from < now else None)
    _sort_lists(facts, published, states, zone)
    chunks = history_chunks(facts, zone, site.settings.history_per_page)
    facts.history, facts.history_pages = dict(enumerate(chunks, 1)), len(chunks)
    since = now - timedelta(days=FEED_DAYS)
    facts.root_causes = dict(Counter(e.root_cause_kind for e in published if e.root_cause_kind))
    facts.followed = frozenset(e.id for e in published if states[e.id].is_open or e.last_update.at >= since)
    return facts


def month_groups(entries: list[Entry], zone) -> list[tuple[date, list[Entry]]]:
    """Entries (newest first) grouped by the month they are filed under."""
    groups: list[tuple[date, list[Entry]]] = []
    for entry in entries:
        local = listing_time(entry).astimezone(zone)
        month = date(local.year, local.month, 1)
        if not groups or groups[-1][0] != month:
            groups.append((month, []))
        groups[-1][1].append(entry)
    return groups


def history_chunks(facts: Facts, zone, per_page: int) -> list[list[tuple[date, list[Entry]]]]:
    """Past entries (all but maintenance yet to start), month by month, cut into pages of per_page
    months (at least one page)."""
    upcoming = {e.id for e in facts.upcoming_maintenance}
    groups = month_groups([e for e in facts.entries if e.id not in upcoming], zone)
    return [groups[i:i + per_page] for i in range(0, len(groups), per_page)] or [[]]


def _day_bars(spans, days: list[date], zone: ZoneInfo, now: datetime):
    """For each day, the worst state reached; and for each day with entries, the ids of those entries."""
    index = {day: n for n, day in enumerate(days)}
    worst = ["operational"] * len(days)
    who: dict[date, list[str]] = {}
    for impact, entry_id in spans:
        first = impact.start.astimezone(zone).date()
        last = (impact.end or now).astimezone(zone).date()
        if last < days[0] or first > days[-1]:
            continue
        day = max(first, days[0])
        while day <= min(last, days[-1]):
            n = index[day]
            if STATE_SEVERITY[impact.state] > STATE_SEVERITY[worst[n]]:
                worst[n] = impact.state
            ids = who.setdefault(day, [])
            if entry_id not in ids:
                ids.append(entry_id)
            day += timedelta(days=1)
    return worst, who


def uptime_percent(spans, start: datetime, end: datetime) -> float:
    """Percentage of the window not lost to outages; overlapping outages count once, at the worst weight."""
    edges = []
    for impact, _ in spans:
        weight = DOWNTIME_WEIGHT.get(impact.state, 0.0)
        s, e = max(impact.start, start), min(impact.end or end, end)
        if weight and e > s:
            edges += [(s, 1, weight), (e, -1, weight)]
    total = (end - start).total_seconds()
    if not edges or total <= 0:
        return 100.0
    edges.sort(key=lambda edge: edge[0])
    active: dict[float, int] = {}
    lost, previous = 0.0, edges[0][0]
    for moment, step, weight in edges:
        current = max((w for w, n in active.items() if n), default=0.0)
        lost += current * (moment - previous).total_seconds()
        active[weight] = active.get(weight, 0) + step
        previous = moment
    return max(0.0, 100.0 * (1 - lost / total))


def _sort_lists(facts: Facts, published: list[Entry], states, zone: ZoneInfo) -> None:
    recent_from = facts.today - timedelta(days=RECENT_DAYS - 1)
    recent: dict[date, list[Entry]] = defaultdict(list)
    for entry in published:
        kind, state = entry.lifecycle.kind, states[entry.id]
        if kind == "known_issue":
            if state.is_open:
                facts.open_known_issues.append(entry)
            continue
        if kind == "maintenance" and state.is_open:
            if entry.scheduled_start and entry.scheduled_start > facts.now \
                    and not state.status.is_work_under_way:
                facts.upcoming_maintenance.append(entry)
            else:
                facts.active_maintenance.append(entry)
            continue
        if kind == "incident" and state.is_open:
            facts.active_incidents.append(entry)
        day = listing_time(entry).astimezone(zone).date()
        if not recent_from <= day <= facts.today:
            continue
        if kind == "maintenance":  # past maintenance is not an incident: listed apart
            facts.recent_maintenance.append(entry)
        else:
            recent[day].append(entry)
    facts.upcoming_maintenance.sort(key=lambda e: e.scheduled_start)
    facts.recent_days = [(facts.today - timedelta(days=n), recent.get(facts.today - timedelta(days=n), []))
                         for n in range(RECENT_DAYS)]

"""Facts derived from an entry at a given moment: effective status, resolution, targets, impact."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from statusgen.model.entry import Entry, kept_on
from statusgen.model.site import Priority, Status
from statusgen.model.worktime import Duration

AT_RISK_SHARE = 0.8  # an open entry past 80 % of its target is "at risk"


@dataclass(frozen=True)
class EntryState:
    """Where an entry stands at `now`."""

    status: Status
    is_open: bool
    resolved_at: datetime | None
    auto_resolved_at: datetime | None
    waiting_since: datetime | None
    elapsed: timedelta  # time counted towards the resolution target
    target_outcome: str  # met | breached | at_risk | open | paused | none
    target_deadline: datetime | None
    next_update_due: datetime | None
    outside_hours: bool = False  # entirely outside business hours, for a lifecycle that tells it apart

    @property
    def end(self) -> datetime | None:
        return self.resolved_at


def last_status_since(entry: Entry) -> datetime | None:
    """When the entry entered the status of its last update (repeated updates keep the clock)."""
    last = entry.updates[-1].status
    since = None
    for update in reversed(entry.updates):
        if update.status != last:
            break
        since = update.at
    return since


def _auto_resolution(entry: Entry, now: datetime) -> tuple[Status, datetime] | None:
    """The status and time an unanswered waiting entry auto-resolved at, if it has by now."""
    status = entry.status_of(entry.last_update)
    if status.phase != "waiting" or status.auto_resolve_after is None or not status.auto_resolve_to:
        return None
    at = status.auto_resolve_after.after(last_status_since(entry))
    if at > now:
        return None
    return entry.lifecycle.statuses[status.auto_resolve_to], at


def resolution_time(entry: Entry) -> datetime | None:
    """When the entry entered the resolved phase for good (None when its last status is not resolved)."""
    resolved_at = None
    for update in entry.updates:
        if entry.status_of(update).is_resolved:
            resolved_at = resolved_at or update.at
        else:
            resolved_at = None
    return resolved_at


def target_start(entry: Entry) -> datetime:
    """When the resolution target starts: the start, or the next business moment after it when the
    lifecycle does not count an interruption outside business hours as an incident."""
    calendar = entry.lifecycle.outside_hours
    if calendar is None:
        return entry.started_at
    return calendar.next_business_moment(entry.started_at)


def is_outside_hours(entry: Entry, end: datetime) -> bool:
    """Whether the entry, for a lifecycle that tells them apart, lay entirely outside business hours."""
    calendar = entry.lifecycle.outside_hours
    return (calendar is not None and not calendar.is_business_time(entry.started_at)
            and calendar.between(entry.started_at, end) == timedelta())


def _counted_stretches(entry: Entry, end: datetime):
    """(start, stop) of each stretch counted towards the target: open statuses count, pausing and
    resolved statuses do not, nor the time before the target starts."""
    updates = entry.updates
    begin = target_start(entry)
    for i, update in enumerate(updates):
        status = entry.status_of(update)
        start = max(update.at, begin)
        stop = min(updates[i + 1].at if i + 1 < len(updates) else end, end)
        if stop > start and not status.pauses_target and not status.is_resolved:
            yield start, stop


def counted_time(entry: Entry, end: datetime) -> timedelta:
    """Time towards the resolution target up to end, on the target's clock."""
    clock = entry.priority.resolution_target
    return sum((clock.measure(start, stop) for start, stop in _counted_stretches(entry, end)), timedelta())


def target_ran_out(entry: Entry, end: datetime) -> datetime | None:
    """When the resolution target was used up, if it was by end."""
    target = entry.priority.resolution_target
    total = timedelta()
    for start, stop in _counted_stretches(entry, end):
        counted = target.measure(start, stop)
        if counted and total + counted >= target.length:
            return target.less(total).after(start)
        total += counted
    return None


def entry_state(entry: Entry, now: datetime) -> EntryState:
    """Everything the rules and pages need to know about an entry at `now`."""
    status = entry.status_of(entry.last_update)
    auto = _auto_resolution(entry, now)
    auto_at = None
    if auto:
        status, auto_at = auto
    resolved_at = auto_at or resolution_time(entry)
    is_open = not status.is_resolved
    waiting_since = last_status_since(entry) if status.phase == "waiting" else None
    end = resolved_at or now
    elapsed = counted_time(entry, end)
    outcome, deadline = _target(entry, status, is_open, elapsed, now)
    next_due = None
    if is_open and status.phase == "open" and entry.lifecycle.enforce_cadence:
        next_due = entry.priority.update_cadence.after(entry.last_update.at)
    return EntryState(
        status=status,
        is_open=is_open,
        resolved_at=resolved_at,
        auto_resolved_at=auto_at,
        waiting_since=waiting_since,
        elapsed=elapsed,
        target_outcome=outcome,
        target_deadline=deadline,
        next_update_due=next_due,
        outside_hours=is_outside_hours(entry, end),
    )


def _target(entry: Entry, status: Status, is_open: bool, elapsed: timedelta, now: datetime):
    if not entry.lifecycle.enforce_target:
        return "none", None
    target = entry.priority.resolution_target
    if not is_open:
        return ("met" if elapsed <= target.length else "breached"), None
    # A working clock stands still at night: a target used up at closing time is breached from then on.
    if elapsed > target.length or (elapsed == target.length and (target_ran_out(entry, now) or now) < now):
        return "breached", None
    if status.pauses_target:
        return "paused", None
    deadline = now if elapsed == target.length else target.less(elapsed).after(max(now, target_start(entry)))
    if elapsed >= target.length * AT_RISK_SHARE:
        return "at_risk", deadline
    return "open", deadline


def _state_for(entry: Entry, status: Status, priority: Priority, component: str, overrides: dict[str, str]) -> str:
    """The state an entry puts one component in while it sits in `status` at `priority`."""
    if status.is_resolved:
        return "operational"
    if component in overrides:
        return overrides[component]
    if status.component_state is not None:
        return _resolve_default(priority, status.component_state)
    explicit = entry.components.get(component)
    if explicit:
        return explicit
    return _resolve_default(priority, entry.lifecycle.component_state)


def _resolve_default(priority: Priority, declared: str) -> str:
    if declared == "none":
        return "operational"
    if declared == "from_priority":
        return priority.component_state
    return declared


@dataclass(frozen=True)
class Impact:
    """A component in a non-operational state because of an entry, from start to end."""

    component: str
    state: str
    start: datetime
    end: datetime | None  # None: still going on at now


def impacts(entry: Entry, now: datetime) -> list[Impact]:
    """The stretches of time during which the entry degraded each of its components."""
    return list(kept_on(entry, "impacts", now, lambda: tuple(_impacts(entry, now))))


def _impacts(entry: Entry, now: datetime) -> list[Impact]:
    state = entry_state(entry, now)
    stop_all = state.auto_resolved_at
    segments: list[Impact] = []
    overrides: dict[str, str] = {}
    updates = entry.updates
    for i, update in enumerate(updates):
        overrides.update(update.components)
        if stop_all and update.at >= stop_all:
            break
        status = entry.status_of(update)
        priority = entry.facets[i].priority
        end = updates[i + 1].at if i + 1 < len(updates) else None
        if stop_all and (end is None or end > stop_all):
            end = stop_all
        if end is None and update.at > now:
            continue
        for component in _affected(entry, overrides):
            comp_state = _state_for(entry, status, priority, component, overrides)
            if comp_state != "operational" and (end is None or end > update.at):
                segments.append(Impact(component, comp_state, update.at, end))
    return _merge(segments)


def states_by_update(entry: Entry) -> list[dict[str, str]]:
    """For each update, the state (operational included) of every component the entry touches by then,
    as that update leaves it; the time of the build plays no part."""
    found = []
    overrides: dict[str, str] = {}
    for update, facets in zip(entry.updates, entry.facets):
        overrides.update(update.components)
        status = entry.status_of(update)
        found.append({cid: _state_for(entry, status, facets.priority, cid, overrides)
                      for cid in _affected(entry, overrides)})
    return found


def _affected(entry: Entry, overrides: dict[str, str]) -> list[str]:
    names = list(entry.components)
    names.extend(c for c in overrides if c not in entry.components)
    return names


def _merge(segments: list[Impact]) -> list[Impact]:
    """Join back-to-back stretches of the same component in the same state."""
    merged: list[Impact] = []
    last: dict[str, int] = {}  # component -> index in merged of its latest stretch
    for seg in segments:
        at = last.get(seg.component)
        prev = merged[at] if at is not None else None
        if prev and prev.state == seg.state and prev.end == seg.start:
            merged[at] = Impact(seg.component, seg.state, prev.start, seg.end)
        else:
            last[seg.component] = len(merged)
            merged.append(seg)
    return merged


def current_component_states(entry: Entry, now: datetime) -> dict[str, str]:
    """Component id -> state this entry causes right now (only the non-operational ones)."""
    return {i.component: i.state for i in impacts(entry, now) if i.end is None or i.end > now}


def component_timeline(entry: Entry, now: datetime) -> list[dict[str, str]]:
    """For each update (oldest first), the state of every component of the entry from that update on."""
    segments = impacts(entry, now)
    names = dict.fromkeys([*entry.all_components, *(s.component for s in segments)])
    by_component: dict[str, list[Impact]] = {}
    for segment in segments:
        by_component.setdefault(segment.component, []).append(segment)
    timeline: list[dict[str, str]] = [{} for _ in entry.updates]
    # A component's stretches do not overlap and come in time order, as the updates do: one walk
    # over both per component (an incident may touch hundreds of components over dozens of updates).
    for cid in names:
        stretches, j = by_component.get(cid, []), 0
        for states, update in zip(timeline, entry.updates):
            while j < len(stretches) and stretches[j].end is not None and stretches[j].end <= update.at:
                j += 1
            current = stretches[j] if j < len(stretches) else None
            states[cid] = current.state if current and current.start <= update.at else "operational"
    return timeline

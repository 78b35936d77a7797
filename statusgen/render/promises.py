"""The figures of the promises report: how well the promises of lifecycles.yaml were kept, month by
month and priority by priority, and how available each component was. Language-neutral, computed
once per build from the entries as they stand at `now`.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from statusgen.model.entry import Entry, kept_on
from statusgen.model.site import Site
from statusgen.model.state import EntryState, impacts
from statusgen.model.worktime import WorkCalendar
from statusgen.render.facts import uptime_percent

MONTHS = 12
WINDOWS = (30, 90, 365)  # days of the uptime windows
# The measures of each month and priority, in the order of the CSV file and the tables.
MEASURES = ("opened", "resolved", "target_met", "target_breached", "outside_hours",
            "resolve_median_working_h", "resolve_p90_working_h", "resolve_median_calendar_h", "resolve_p90_calendar_h",
            "updates_on_time", "updates_late", "reminders_due", "reminders_on_time", "reports_due",
            "reports_published")
REMINDER_GRACE = timedelta(days=1)  # a reminder sent within a day of falling due is on time


@dataclass(frozen=True)
class PriorityMonth:
    """The figures of one priority in one month: a row of the tables, MEASURES in order."""

    month: date
    priority: str
    values: tuple  # int, or float hours, or None (no resolved entry to measure)

    def get(self, measure: str):
        return self.values[MEASURES.index(measure)]


@dataclass(frozen=True)
class ComponentFigures:
    """How available one component was."""

    id: str
    monthly_uptime: tuple[float, ...]  # per month of the report, oldest first, in percent
    monthly_maintenance_h: tuple[float, ...]  # hours under maintenance, never counted as downtime
    window_uptime: tuple[float, ...]  # over the last WINDOWS days
    incidents: int  # incidents that touched it over the last 365 days
    mean_resolve_h: float | None  # their mean time to resolve, calendar hours


@dataclass(frozen=True)
class PromisesReport:
    """Every figure of the report."""

    months: tuple[date, ...]  # first day of each month, oldest first; the last one is the current month
    priorities: tuple[str, ...]
    rows: tuple[PriorityMonth, ...]  # per month (oldest first), then per priority
    components: tuple[ComponentFigures, ...]
    root_causes: tuple[tuple[str, int], ...]  # (kind, resolved incidents of the last 12 months)
    outside_hours: tuple[str, ...]  # ids of the entries of the period entirely outside business hours, newest first


def month_starts(now: datetime, zone: ZoneInfo) -> list[date]:
    """The first day of the last MONTHS months, the current one last."""
    today = now.astimezone(zone).date()
    year, month = today.year, today.month
    found = []
    for _ in range(MONTHS):
        found.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least share of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def updates_on_time(entry: Entry) -> list[tuple[datetime, bool]]:
    """(time, on time) of each update that followed one in an open status, against the priority's cadence."""
    if not entry.lifecycle.enforce_cadence:
        return []
    cadence = entry.priority.update_cadence
    found = []
    for before, after in zip(entry.updates, entry.updates[1:]):
        if entry.status_of(before).phase == "open":
            found.append((after.at, after.at <= cadence.after(before.at)))
    return found


def reminders_kept(entry: Entry, now: datetime) -> list[tuple[datetime, bool]]:
    """(when it fell due, sent on time) of each reminder a waiting status owed.

    The one place that tells a reminder sent on time: an update recorded as a reminder (statusgen
    remind) in the same waiting status, made after the reminder fell due and within REMINDER_GRACE of it.
    """
    found = []
    updates = entry.updates
    i = 0
    while i < len(updates):
        status = entry.status_of(updates[i])
        j = i + 1
        while j < len(updates) and updates[j].status == updates[i].status:
            j += 1
        if status.phase == "waiting" and status.reminders:
            since = updates[i].at
            left = updates[j].at if j < len(updates) else now
            repeats = [u.at for u in updates[i + 1:j] if u.reminder]
            for reminder in status.reminders:
                due = reminder.after(since)
                if due > left:
                    break
                found.append((due, any(due <= at <= due + REMINDER_GRACE for at in repeats)))
        i = j
    return found


def _month_of(moment: datetime, zone: ZoneInfo) -> date:
    local = moment.astimezone(zone)
    return date(local.year, local.month, 1)


def promises_report(site: Site, entries: list[Entry], states: dict[str, EntryState], now: datetime
                    ) -> PromisesReport:
    """The report at now, from the published entries and their states."""
    zone = ZoneInfo(site.settings.timezone)
    calendar = site.settings.calendar
    months = month_starts(now, zone)
    first = datetime.combine(months[0], time(), zone)
    priorities = tuple(site.priorities)
    counts: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    resolve_working: dict[tuple[date, str], list[float]] = defaultdict(list)
    resolve_calendar: dict[tuple[date, str], list[float]] = defaultdict(list)
    root_causes: dict[str, int] = defaultdict(int)
    outside: list[str] = []
    for entry in entries:
        if entry.lifecycle.kind == "maintenance":
            continue
        # Worked out once per entry, moment and calendar: serve rebuilds the report after every edit.
        tally = kept_on(entry, "promises", (now, site.settings.timezone, calendar),
                        lambda: _tally(entry, states[entry.id], now, first, zone, calendar))
        for (key, measure), amount in tally.counts.items():
            counts[key][measure] += amount
        for key, seconds in tally.working:
            resolve_working[key].append(seconds)
        for key, seconds in tally.elapsed:
            resolve_calendar[key].append(seconds)
        if tally.root_cause:
            root_causes[tally.root_cause] += 1
        if tally.outside:
            outside.append(entry.id)
    rows = []
    for month in months:
        for pid in priorities:
            key = (month, pid)
            found = counts.get(key, {})
            working, elapsed = resolve_working.get(key, []), resolve_calendar.get(key, [])
            figures = {
                "resolve_median_working_h": _hours(statistics.median(working)) if working else None,
                "resolve_p90_working_h": _hours(percentile(working, 0.9)),
                "resolve_median_calendar_h": _hours(statistics.median(elapsed)) if elapsed else None,
                "resolve_p90_calendar_h": _hours(percentile(elapsed, 0.9)),
            }
            rows.append(PriorityMonth(month, pid, tuple(figures[m] if m in figures else found.get(m, 0)
                                                        for m in MEASURES)))
    return PromisesReport(
        months=tuple(months), priorities=priorities, rows=tuple(rows),
        components=tuple(_components(site, entries, states, months, zone, now)),
        root_causes=tuple(sorted(root_causes.items())),
        outside_hours=tuple(outside),
    )


@dataclass(frozen=True)
class _Tally:
    """What one entry adds to the report."""

    counts: dict[tuple[tuple[date, str], str], int]  # ((month, priority), measure) -> amount
    working: list[tuple[tuple[date, str], float]]  # (month, priority) -> working seconds to resolve
    elapsed: list[tuple[tuple[date, str], float]]  # ... calendar seconds
    root_cause: str  # the kind of its root cause, when resolved within the report as an incident
    outside: bool  # opened within the report, entirely outside business hours


def _tally(entry: Entry, state: EntryState, now: datetime, first: datetime, zone: ZoneInfo,
           calendar: WorkCalendar) -> _Tally:
    counts: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    working: dict[tuple[date, str], list[float]] = defaultdict(list)
    elapsed: dict[tuple[date, str], list[float]] = defaultdict(list)
    pid = entry.priority.id
    if entry.started_at >= first:
        counts[(_month_of(entry.started_at, zone), pid)]["opened"] += 1
    _count_resolution(entry, state, first, zone, calendar, counts, working, elapsed)
    root_cause = ""
    if state.resolved_at is not None and state.resolved_at >= first and entry.lifecycle.kind == "incident":
        root_cause = _root_cause_kind(entry)
    for at, kept in updates_on_time(entry):
        if at >= first:
            counts[(_month_of(at, zone), pid)]["updates_on_time" if kept else "updates_late"] += 1
    for due, kept in reminders_kept(entry, now):
        if due >= first:
            key = (_month_of(due, zone), pid)
            counts[key]["reminders_due"] += 1
            counts[key]["reminders_on_time"] += kept
    _count_report(entry, state, now, first, zone, counts)
    return _Tally(
        counts={(key, measure): amount for key, found in counts.items() for measure, amount in found.items()},
        working=[(key, seconds) for key, found in working.items() for seconds in found],
        elapsed=[(key, seconds) for key, found in elapsed.items() for seconds in found],
        root_cause=root_cause,
        outside=bool(state.outside_hours and entry.started_at >= first),
    )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 1)


def _count_resolution(entry, state, first, zone, calendar: WorkCalendar, counts, working, elapsed) -> None:
    resolved = state.resolved_at
    if resolved is None or resolved < first:
        return
    key = (_month_of(resolved, zone), entry.priority.id)
    counts[key]["resolved"] += 1
    if state.target_outcome in ("met", "breached"):
        counts[key][f"target_{state.target_outcome}"] += 1
    if state.outside_hours:
        counts[key]["outside_hours"] += 1
    working[key].append(calendar.between(entry.started_at, resolved).total_seconds())
    elapsed[key].append((resolved - entry.started_at).total_seconds())


def _count_report(entry, state, now, first, zone, counts) -> None:
    due_after = entry.priority.report_due_after
    if due_after is None or state.resolved_at is None:
        return
    due = due_after.after(state.resolved_at)
    if due > now or due < first:
        return
    key = (_month_of(due, zone), entry.priority.id)
    counts[key]["reports_due"] += 1
    counts[key]["reports_published"] += bool(entry.root_cause or entry.report.strip())


def _root_cause_kind(entry: Entry) -> str:
    """systemic or isolated where the entry records it; recorded (kind not given) or not_recorded otherwise."""
    kind = getattr(entry, "root_cause_kind", "")
    if kind:
        return kind
    return "recorded" if entry.root_cause or entry.report.strip() else "not_recorded"


def _components(site: Site, entries: list[Entry], states, months: list[date], zone, now: datetime):
    spans: dict[str, list] = defaultdict(list)
    maintenance: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    year_ago = now - timedelta(days=365)
    touched: dict[str, list[float | None]] = defaultdict(list)
    first = datetime.combine(months[0], time(), zone)
    for entry in entries:
        if (entry.last_update.at < first and entry.last_update.at < year_ago
                and not states[entry.id].is_open):
            continue  # over before any window of the report
        for impact in impacts(entry, now):
            if impact.state == "under_maintenance":
                maintenance[impact.component].append((impact.start, impact.end or now))
            else:
                spans[impact.component].append((impact, entry.id))
        if entry.lifecycle.kind == "incident" and entry.started_at >= year_ago:
            resolved = states[entry.id].resolved_at
            hours = (resolved - entry.started_at).total_seconds() / 3600 if resolved else None
            for cid in entry.all_components:
                touched[cid].append(hours)
    # In UTC: aware times sharing one ZoneInfo subtract as wall-clock times, an hour off across DST.
    bounds = [datetime.combine(m, time(), zone).astimezone(timezone.utc) for m in months] + [now]
    for cid in site.components:
        by_month = _by_month(spans[cid], bounds, now)
        monthly = tuple(round(uptime_percent(by_month[i], bounds[i], min(bounds[i + 1], now)), 3)
                        for i in range(MONTHS))
        kept = tuple(round(_overlap(maintenance[cid], bounds[i], min(bounds[i + 1], now)) / 3600, 1)
                     for i in range(MONTHS))
        windows = tuple(round(uptime_percent(spans[cid], now - timedelta(days=d), now), 3) for d in WINDOWS)
        resolved = [h for h in touched[cid] if h is not None]
        yield ComponentFigures(cid, monthly, kept, windows, len(touched[cid]),
                               round(sum(resolved) / len(resolved), 1) if resolved else None)


def _by_month(spans: list, bounds: list[datetime], now: datetime) -> list[list]:
    """The spans that may reach into each month, in their order: the uptime of a month reads those
    only, instead of a year of spans twelve times (a component of a large site has thousands)."""
    starts = bounds[:-1]
    found: list[list] = [[] for _ in starts]
    for span in spans:
        impact = span[0]
        first = max(0, bisect.bisect_right(starts, impact.start) - 1)
        last = min(len(starts), bisect.bisect_left(starts, impact.end or now) + 1)  # one more: never one short
        for month in range(first, last):
            found[month].append(span)
    return found


def _overlap(stretches: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    """Seconds of [start, end] covered by the stretches, overlaps counted once."""
    clipped = sorted((max(s, start), min(e, end)) for s, e in stretches if e > start and s < end)
    total, reach = 0.0, None
    for s, e in clipped:
        if reach is not None and s < reach:
            s = reach
        if e > s:
            total += (e - s).total_seconds()
            reach = e if reach is None else max(reach, e)
    return total

"""Imported records mapped onto a site: its lifecycles, priorities and components, as file texts.

Statuses map through the lifecycles' own `api_status` declarations read in reverse, priorities
through `api_impact`, so a site that changes its process changes the import with it. What cannot
be mapped is reported, never guessed silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping
from zoneinfo import ZoneInfo

from statusgen.editing import change_lines, flow_item, flow_mapping, text_field, update_lines
from statusgen.importers.fetching import ImportProblem
from statusgen.importers.records import Dropped, ImportedComponent, ImportedEntry, ImportedUpdate
from statusgen.loading.config import RESERVED_COMPONENT_IDS
from statusgen.model.limits import strip_forbidden
from statusgen.model.site import COMPONENT_STATES, Lifecycle, Site, worst_state

# Statuspage's last incident status, once a report is published: the incident stays resolved.
ALIASES = {"postmortem": "resolved"}
LIFECYCLE_API = {"incident": "incidents", "maintenance": "scheduled_maintenances"}
DEFAULT_IMPACT = "none"
# cState's severities, read as the Statuspage impacts that the priorities' api_impact names.
SEVERITY_IMPACT = {"down": "critical", "disrupted": "major", "notice": "minor"}


@dataclass(frozen=True)
class SiteMapping:
    """How imported statuses and impacts become this site's statuses and priorities."""

    lifecycles: Mapping[str, Lifecycle]  # imported kind -> lifecycle
    statuses: Mapping[str, Mapping[str, tuple[str, ...]]]  # kind -> imported status -> status ids
    priorities: Mapping[str, str]  # imported impact -> priority id
    timezone: str
    language: str
    priority_states: Mapping[str, str]  # priority id -> the component state it implies


def site_mapping(site: Site, overrides: Mapping[str, str] | None = None) -> SiteMapping:
    lifecycles = {kind: _lifecycle_for(site, kind, api) for kind, api in LIFECYCLE_API.items()}
    statuses = {}
    for kind, lifecycle in lifecycles.items():
        found: dict[str, tuple[str, ...]] = {}
        for sid, status in lifecycle.statuses.items():
            key = status.api_status or sid
            found[key] = found.get(key, ()) + (sid,)
        statuses[kind] = found
    priorities: dict[str, str] = {}
    for pid, priority in site.priorities.items():
        priorities.setdefault(priority.api_impact, pid)
    for severity, impact in SEVERITY_IMPACT.items():
        if impact in priorities:
            priorities.setdefault(severity, priorities[impact])
    for impact, pid in (overrides or {}).items():
        if pid not in site.priorities:
            raise ImportProblem(f"--priority {impact}={pid}: no priority '{pid}' in content/lifecycles.yaml "
                                f"(priorities: {', '.join(site.priorities)})")
        priorities[impact] = pid
    return SiteMapping(lifecycles, statuses, priorities, site.settings.timezone, site.settings.default_language,
                       {pid: p.component_state for pid, p in site.priorities.items()})


def _lifecycle_for(site: Site, kind: str, api: str) -> Lifecycle:
    named = site.lifecycles.get(kind)
    if named is not None and named.api == api:
        return named
    found = next((lc for lc in site.lifecycles.values() if lc.api == api and lc.kind == kind), None)
    if found is None:
        raise ImportProblem(f"content/lifecycles.yaml has no {kind} lifecycle with api: {api} to import into")
    return found


# -- components ---------------------------------------------------------------
def slug(text: str, fallback: str = "component") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].rstrip("-") or fallback


def component_ids(site: Site, imported: tuple[ImportedComponent, ...], origin: str
                  ) -> tuple[dict[str, str], list[tuple[str, ImportedComponent]]]:
    """Imported component id -> site id, and the components to add (with their new ids).

    A component imported before is found by its source_id; one whose id (made from its name) is
    already taken by a component of the site is taken to be that component.
    """
    by_source = {c.source_id: cid for cid, c in site.components.items() if c.source_id}
    ids: dict[str, str] = {}
    new: list[tuple[str, ImportedComponent]] = []
    taken = set(site.components)
    for component in imported:
        key = f"{origin}:{component.source_id}"
        if key in by_source:
            ids[component.source_id] = by_source[key]
            continue
        # statusgen's own API gives each component its id: the same site, or a copy of it.
        cid = component.source_id if component.source_id in site.components else slug(component.name)
        if cid in site.components and not site.components[cid].source_id:
            ids[component.source_id] = cid
            continue
        if cid in RESERVED_COMPONENT_IDS:
            cid = f"{cid}-component"
        base, n = cid, 2
        while cid in taken:
            cid, n = f"{base}-{n}", n + 1
        taken.add(cid)
        ids[component.source_id] = cid
        new.append((cid, component))
    return ids, new


def clean(text: str) -> str:
    """A text the site accepts: no control character or noncharacter (pasted terminal colours...)."""
    return strip_forbidden(text)


def component_lines(cid: str, component: ImportedComponent, origin: str, dash: int) -> str:
    pad, key = " " * dash, " " * (dash + 2)
    lines = [f"{pad}- id: {cid}", text_field("name", clean(component.name).strip() or cid, dash + 2)]
    if clean(component.description).strip():
        lines.append(text_field("description", clean(component.description).strip(), dash + 2))
    if clean(component.group).strip():
        lines.append(text_field("group", clean(component.group).strip(), dash + 2))
    lines.append(f"{key}source_id: {flow_item(f'{origin}:{component.source_id}')}")
    return "\n".join(lines) + "\n"


# -- entries ----------------------------------------------------------------------
@dataclass(frozen=True)
class PlannedUpdate:
    at: datetime
    status: str
    message: str
    components: Mapping[str, str]


@dataclass(frozen=True)
class PlannedEntry:
    """An imported entry as it will be written in this site."""

    source_id: str
    title: str
    lifecycle: Lifecycle
    priority: str | None
    components: Mapping[str, str | None]
    updates: tuple[PlannedUpdate, ...]
    report: str
    shortlink: str
    scheduled: tuple[datetime, datetime] | None
    retroactive: bool

    def file_stem(self, timezone: str) -> str:
        day = self.updates[0].at.astimezone(ZoneInfo(timezone)).date().isoformat()
        return f"{day}-{slug(self.title, 'entry')}"


def update_states(update: ImportedUpdate, ids: Mapping[str, str], dropped: Dropped, where: str) -> dict[str, str]:
    """The component states one update sets, in this site's ids: the one place that reads them."""
    states = {}
    for source, state in update.components.items():
        if source not in ids:
            dropped.add(f"{where}: component {source} is not in the page's component list; its state is left out")
        elif state not in COMPONENT_STATES:
            dropped.add(f"{where}: unknown component state '{state}'; left out")
        else:
            states[ids[source]] = state
    return states


def plan_entry(entry: ImportedEntry, mapping: SiteMapping, ids: Mapping[str, str], origin: str,
               dropped: Dropped) -> PlannedEntry:
    where = f"{entry.kind} {entry.source_id}"
    lifecycle = mapping.lifecycles[entry.kind]
    known = mapping.statuses[entry.kind]
    updates: list[PlannedUpdate] = []
    late: list[ImportedUpdate] = []
    for index, update in enumerate(entry.updates):
        if updates and updates[-1].status in lifecycle.terminal and not lifecycle.reopen:
            late.append(update)
            continue
        status = _status(update.status, known, lifecycle, updates, f"{where} update {index + 1}", dropped)
        message = clean(update.body).strip() or _label(lifecycle, status, mapping)
        states = update_states(update, ids, dropped, f"{where} update {index + 1}")
        if updates and update.at <= updates[-1].at:
            dropped.add(f"{where} update {index + 1}: same time as the update before it; merged into it")
            last = updates[-1]
            updates[-1] = PlannedUpdate(last.at, status, f"{last.message}\n\n{message}", {**last.components, **states})
            continue
        updates.append(PlannedUpdate(update.at, status, message, states))
    report = clean(entry.report).strip()
    if late:
        dropped.add(f"{where}: {len(late)} update(s) after the resolution moved to the report "
                    f"(lifecycle '{lifecycle.id}' allows no update after '{updates[-1].status}')")
        report = "\n\n".join([report] * bool(report) + [f"**{u.at.isoformat()}**: {u.body.strip()}" for u in late])
    priority = _priority(entry, lifecycle, mapping, where, dropped)
    implied = mapping.priority_states[priority or lifecycle.default_priority or ""]
    components = _entry_states(entry, updates, ids, implied)
    retroactive = updates[0].status in lifecycle.terminal
    return PlannedEntry(
        source_id=f"{origin}:{entry.source_id}", title=clean(entry.title).strip() or entry.source_id,
        lifecycle=lifecycle,
        priority=priority, components=components,
        updates=tuple(updates), report=report, shortlink=entry.shortlink if _url(entry.shortlink) else "",
        scheduled=entry.scheduled if entry.kind == "maintenance" else None, retroactive=retroactive)


def _status(value: str, known: Mapping[str, tuple[str, ...]], lifecycle: Lifecycle, before: list[PlannedUpdate],
            where: str, dropped: Dropped) -> str:
    """The site status an imported one maps to: of the statuses declaring it as their api_status, the
    first the lifecycle allows here (a window called off is 'completed' in the API, 'cancelled' here)."""
    previous = before[-1].status if before else None
    candidates = known.get(value) or known.get(ALIASES.get(value, ""), ())
    if not candidates:
        status = previous or lifecycle.initial[0]
        dropped.add(f"{where}: status '{value}' has no status in lifecycle '{lifecycle.id}' "
                    f"(no api_status: {value}); written as '{status}'")
        return status
    if previous is None:
        allowed = [s for s in candidates if s in lifecycle.initial] or [s for s in candidates if s in lifecycle.terminal]
        if allowed:
            return allowed[0]
        dropped.add(f"{where}: lifecycle '{lifecycle.id}' cannot start as '{candidates[0]}'; written as "
                    f"'{lifecycle.initial[0]}'")
        return lifecycle.initial[0]
    allowed = [s for s in candidates if lifecycle.allows(previous, s)]
    if not allowed:
        dropped.add(f"{where}: lifecycle '{lifecycle.id}' does not allow '{candidates[0]}' after '{previous}'; "
                    f"written as '{previous}'")
        return previous
    return previous if previous in allowed else allowed[0]


def _label(lifecycle: Lifecycle, status: str, mapping: SiteMapping) -> str:
    return lifecycle.statuses[status].label.get(mapping.language, mapping.language) or status


def _priority(entry: ImportedEntry, lifecycle: Lifecycle, mapping: SiteMapping, where: str,
              dropped: Dropped) -> str | None:
    if entry.kind == "maintenance" and lifecycle.default_priority and entry.impact in ("maintenance", "none", ""):
        return None
    found = mapping.priorities.get(entry.impact)
    if found is None:
        found = lifecycle.default_priority or mapping.priorities.get(DEFAULT_IMPACT) or next(
            iter(mapping.priorities.values()))
        dropped.add(f"{where}: impact '{entry.impact}' maps to no priority (api_impact); written as '{found}' "
                    f"(map it with --priority {entry.impact}=ID)")
    return found


def _entry_states(entry: ImportedEntry, updates: list[PlannedUpdate], ids: Mapping[str, str],
                  implied: str) -> dict[str, str | None]:
    """Each component of the entry with the worst state any update gave it (None: the state its
    status implies). A maintenance names its components only, so that a window merely announced
    degrades nothing and work under way shows them under maintenance."""
    seen: dict[str, list[str]] = {ids[c]: [] for c in entry.components if c in ids}
    for update in updates:
        for cid, state in update.components.items():
            seen.setdefault(cid, []).append(state)
    if entry.kind == "maintenance" or not any(seen.values()):
        return {cid: None for cid in seen}
    return {cid: worst_state(states) if states else implied for cid, states in seen.items()}


def _url(text: str) -> bool:
    return bool(re.match(r"^https?://[^\s/]+\S*$", text)) and len(text) <= 200


def stamp(moment: datetime) -> str:
    """A timestamp as the other tool wrote it: its offset kept, fractions only when there are some."""
    return moment.isoformat()


def entry_text(planned: PlannedEntry) -> str:
    lines = ["---", text_field("title", planned.title, 0), f"lifecycle: {flow_item(planned.lifecycle.id)}"]
    if planned.priority:
        lines.append(f"priority: {flow_item(planned.priority)}")
    if planned.components and None in planned.components.values():
        lines.append(f"components: [{', '.join(flow_item(c) for c in planned.components)}]")
    elif planned.components:
        lines.append(f"components: {flow_mapping(planned.components)}")
    if planned.scheduled:
        lines.append(f"scheduled: {{start: {stamp(planned.scheduled[0])}, end: {stamp(planned.scheduled[1])}}}")
    if planned.retroactive:
        lines.append("retroactive: true")
    lines.append(f"source_id: {flow_item(planned.source_id)}")
    if planned.shortlink:
        lines.append(f"shortlink: {flow_item(planned.shortlink)}")
    lines.append("updates:")
    text = "\n".join(lines) + "\n" + "".join(planned_update_lines(u, 2) for u in planned.updates) + "---\n"
    return text + (planned.report + "\n" if planned.report else "")


def planned_update_lines(update: PlannedUpdate, dash: int) -> str:
    return update_lines(stamp(update.at), update.status, update.message, dash, update_changes(update))


def update_changes(update: PlannedUpdate) -> list[str]:
    """The lines of what an update changes: the component states it sets."""
    return change_lines(components=list(update.components.items()))

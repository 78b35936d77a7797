"""Statuspage v2-compatible JSON under api/v2/: page status, components, incidents and scheduled maintenance.

Field names, nesting and enum values follow Atlassian Statuspage's public status API, so tools written
for it read a statusgen site unchanged. Our statuses map through `api_status` and our priorities through
`api_impact`, both declared in content/lifecycles.yaml. Each language has its own API: the default
language's under api/v2/, another's under <lang>/api/v2/.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from statusgen.model.entry import Entry
from statusgen.model.site import WORK_STATUSES, Status, worst_state
from statusgen.model.state import component_timeline
from statusgen.render.markup import plain_text
from statusgen.render.state import RenderState
from statusgen.render.urls import api_file, entry_page, update_anchor

# Statuspage's own link between the blended component status and the page indicator.
INDICATORS = {
    "operational": "none",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
    "under_maintenance": "maintenance",
}
UNRESOLVED = ("investigating", "identified", "monitoring")
UPCOMING = ("scheduled",)
ACTIVE = WORK_STATUSES
LIST_LIMIT = 50  # incidents.json and scheduled-maintenances.json: "the 50 most recent"
# A status that declares no api_status falls back on its phase.
FALLBACK_STATUS = {
    "incidents": {"open": "investigating", "waiting": "identified", "resolved": "resolved"},
    "scheduled_maintenances": {"open": "scheduled", "waiting": "scheduled", "resolved": "completed"},
}


def api_status(entry: Entry, status: Status) -> str:
    """The Statuspage status an entry in `status` shows."""
    return status.api_status or FALLBACK_STATUS[entry.lifecycle.api][status.phase]


IMPACT_ORDER = ("none", "maintenance", "minor", "major", "critical")


def highest_impact(entry: Entry) -> str:
    """The incident's impact: the highest its priorities reached, as Statuspage keeps it."""
    return max((p.api_impact for p in entry.priorities_held), key=IMPACT_ORDER.index)


def api_time(moment: datetime, zone: ZoneInfo) -> str:
    """A timestamp as Statuspage writes it, with milliseconds: 2026-11-20T13:35:00.000+01:00.

    Clients parse it with a fixed format that requires the fraction, so it is always there.
    """
    return moment.astimezone(zone).isoformat(timespec="milliseconds")


def page_id(base_url: str) -> str:
    """The page's identifier: the host name of the site, stable as long as the site does not move."""
    return urlsplit(base_url).hostname or base_url


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "group"


class StatuspageApi:
    """Builds the objects of the Statuspage API from the site's facts, in the default language."""

    def __init__(self, state: RenderState, lang: str | None = None):
        self.site = state.site
        self.facts = state.facts
        settings = self.site.settings
        self.v = state.views[lang or settings.default_language]  # another language: notify's webhooks
        self.zone = ZoneInfo(settings.timezone)
        self.page_id = page_id(settings.base_url)
        self._timelines: dict[str, list[dict[str, str]]] = {}
        # Made once per build and shared by the endpoints that list them. Not kept between builds:
        # an incident object embeds the state of its components and of the site at this build.
        self._incidents: dict[tuple, dict[str, Any]] = {}
        # statusgen keeps no creation date for components: the site's oldest update stands in for it.
        self.created_at = min((e.started_at for e in self.facts.entries), default=self.facts.now)
        self.updated_at = max((self._updated_at(e) for e in self.facts.entries), default=self.facts.now)
        self.component_changed = self.facts.component_changed
        self.components = self._components()
        self.by_id = {c["id"]: c for c in self.components if not c["group"]}

    def ts(self, moment: datetime | None) -> str | None:
        return api_time(moment, self.zone) if moment else None

    # -- page, status, components -------------------------------------------
    def page(self) -> dict[str, Any]:
        settings = self.site.settings
        return {
            "id": self.page_id,
            "name": self.v.text(settings.title),
            "url": settings.base_url.rstrip("/"),
            "time_zone": settings.timezone,
            "updated_at": self.ts(self.updated_at),
        }

    def status(self) -> dict[str, str]:
        overall = self.facts.overall_state
        return {"indicator": INDICATORS[overall], "description": self.v.t[f"banner.{overall}"]}

    def _components(self) -> list[dict[str, Any]]:
        """Groups and components in page order; a group comes just before its members."""
        top: list[tuple[str | None, list[str]]] = []
        groups: dict[str, list[str]] = {}
        for cid, component in self.site.components.items():
            name = self.v.text(component.group) if component.group else ""
            if not name:
                top.append((None, [cid]))
            elif name in groups:
                groups[name].append(cid)
            else:
                groups[name] = [cid]
                top.append((name, groups[name]))
        taken = set(self.site.components)
        result = []
        for position, (name, members) in enumerate(top, 1):
            if name is None:
                result.append(self._component(members[0], position, None))
                continue
            gid = f"group-{_slug(name)}"
            while gid in taken:
                gid += "-2"
            taken.add(gid)
            objects = [self._component(cid, n, gid) for n, cid in enumerate(members, 1)]
            result.append(self._group(gid, name, position, objects))
            result += objects
        return result

    def _component(self, cid: str, position: int, group_id: str | None) -> dict[str, Any]:
        component = self.site.components[cid]
        return {
            "id": cid,
            "name": self.v.text(component.name),
            "status": self.facts.component_state[cid],
            "created_at": self.ts(self.created_at),
            "updated_at": self.ts(self.component_changed.get(cid, self.created_at)),
            "position": position,
            "description": self.v.text(component.description) or None,
            "showcase": True,  # every component shows its 90-day bar on the status page
            "start_date": None,
            "group_id": group_id,
            "page_id": self.page_id,
            "group": False,
            "only_show_if_degraded": False,
        }

    def _group(self, gid: str, name: str, position: int, members: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": gid,
            "name": name,
            "status": worst_state(m["status"] for m in members),
            "created_at": self.ts(self.created_at),
            "updated_at": max((m["updated_at"] for m in members), key=datetime.fromisoformat),
            "position": position,
            "description": None,
            "showcase": False,
            "start_date": None,
            "group_id": None,
            "page_id": self.page_id,
            "group": True,
            "only_show_if_degraded": False,
            "components": [m["id"] for m in members],
        }

    # -- incidents and maintenance -----------------------------------------
    def current_status(self, entry: Entry) -> str:
        """The entry's Statuspage status now; a resolved incident with a published report is a postmortem."""
        value = api_status(entry, self.facts.states[entry.id].status)
        if value == "resolved" and entry.report.strip():
            return "postmortem"
        return value

    def _updated_at(self, entry: Entry) -> datetime:
        auto = self.facts.states[entry.id].auto_resolved_at
        return max(entry.last_update.at, auto) if auto else entry.last_update.at

    def _timeline(self, entry: Entry) -> list[dict[str, str]]:
        found = self._timelines.get(entry.id)
        if found is None:
            found = self._timelines[entry.id] = component_timeline(entry, self.facts.now)
        return found

    def _changes(self, old: dict[str, str], new: dict[str, str]) -> list[dict[str, str]] | None:
        changed = [{"code": cid, "name": self.by_id[cid]["name"], "old_status": old.get(cid, "operational"),
                    "new_status": state}
                   for cid, state in new.items() if cid in self.by_id and old.get(cid, "operational") != state]
        return changed or None

    def _update(self, entry: Entry, uid: str, status: str, body: str, at: datetime,
                changes: list[dict[str, str]] | None) -> dict[str, Any]:
        when = self.ts(at)
        return {
            "id": uid,
            "status": status,
            "body": body,
            "incident_id": entry.id,
            "created_at": when,
            "updated_at": when,
            "display_at": when,
            "affected_components": changes,
            "deliver_notifications": True,
            "custom_tweet": None,
            "tweet_id": None,
        }

    def _updates(self, entry: Entry) -> list[dict[str, Any]]:
        """The entry's updates, newest first, with the components each one changed."""
        timeline = self._timeline(entry)
        result = []
        before: dict[str, str] = {}
        for update, states in zip(entry.updates, timeline):
            # Plain text, as Statuspage bodies are: the sanitised message without its markup.
            body = plain_text(self.v.html(update.message))
            if not body:  # an update that only changes something says what it changed
                body = "\n".join(self.v.update_view(entry, update, keep=False).changes)
            result.append(self._update(entry, f"{entry.id}-{update_anchor(update.index, update.automatic)}",
                                       api_status(entry, entry.status_of(update)), body, update.at,
                                       self._changes(before, states)))
            before = states
        state = self.facts.states[entry.id]
        if state.auto_resolved_at:
            # Closing without an answer writes no update of its own; consumers read incident_updates[0].
            closed = {cid: "operational" for cid in before}
            result.append(self._update(entry, f"{entry.id}-auto-resolved", api_status(entry, state.status),
                                       self.v.entry(entry).auto_resolved, state.auto_resolved_at,
                                       self._changes(before, closed)))
        return result[::-1]

    def incident(self, entry: Entry) -> dict[str, Any]:
        """An incident, or a scheduled maintenance (the same object with its window)."""
        key = (entry.id, entry.source_hash)
        found = self._incidents.get(key)
        if found is None:
            found = self._incidents[key] = self._incident(entry)
        return found

    def _incident(self, entry: Entry) -> dict[str, Any]:
        state = self.facts.states[entry.id]
        monitoring_at = None
        previous = ""
        for update in entry.updates:
            current = api_status(entry, entry.status_of(update))
            if current == "monitoring" and previous != "monitoring":
                monitoring_at = update.at
            previous = current
        data = {
            "id": entry.id,
            "name": self.v.text(entry.title),
            "status": self.current_status(entry),
            "created_at": self.ts(entry.started_at),
            "updated_at": self.ts(self._updated_at(entry)),
            "monitoring_at": self.ts(monitoring_at),
            "resolved_at": self.ts(state.resolved_at),
            "impact": highest_impact(entry),
            "shortlink": self.v.urls.absolute(entry_page(entry.id)),
            "started_at": self.ts(entry.started_at),
            "page_id": self.page_id,
            "incident_updates": self._updates(entry),
            "components": [self.by_id[cid] for cid in entry.all_components if cid in self.by_id],
        }
        if entry.lifecycle.api == "scheduled_maintenances":
            start = entry.scheduled_start or entry.started_at
            data["scheduled_for"] = self.ts(start)
            data["scheduled_until"] = self.ts(entry.scheduled_end or start)
        return data

    # -- endpoints -----------------------------------------------------------
    def documents(self) -> dict[str, dict[str, Any]]:
        """Every endpoint's document, by path below api/v2/."""
        entries = self.facts.entries  # published, newest first
        incidents = [e for e in entries if e.lifecycle.api == "incidents"]
        unresolved = [e for e in incidents if self.current_status(e) in UNRESOLVED]
        # Entries are already in the order of their window (maintenance) or start, newest first.
        maintenance = [e for e in entries if e.lifecycle.api == "scheduled_maintenances"]
        soonest = maintenance[::-1]
        upcoming = [e for e in soonest if self.current_status(e) in UPCOMING]
        active = [e for e in soonest if self.current_status(e) in ACTIVE]
        current = [e for e in soonest if self.current_status(e) in ACTIVE + UPCOMING]
        page = self.page()
        status = self.status()
        return {
            "summary.json": {
                "page": page,
                "status": status,
                "components": self.components,
                "incidents": [self.incident(e) for e in unresolved],
                "scheduled_maintenances": [self.incident(e) for e in current],
            },
            "status.json": {"page": page, "status": status},
            "components.json": {"page": page, "components": self.components},
            "incidents.json": {"page": page, "incidents": [self.incident(e) for e in incidents[:LIST_LIMIT]]},
            "incidents/unresolved.json": {"page": page, "incidents": [self.incident(e) for e in unresolved]},
            "scheduled-maintenances.json": {
                "page": page, "scheduled_maintenances": [self.incident(e) for e in maintenance[:LIST_LIMIT]]},
            "scheduled-maintenances/upcoming.json": {
                "page": page, "scheduled_maintenances": [self.incident(e) for e in upcoming]},
            "scheduled-maintenances/active.json": {
                "page": page, "scheduled_maintenances": [self.incident(e) for e in active]},
        }


def api_files(state: RenderState) -> list[tuple[str, bytes]]:
    """The JSON API files of every language, as (output path, bytes)."""
    files = []
    for lang in state.site.settings.languages:
        documents = StatuspageApi(state, lang).documents()
        urls = state.views[lang].urls
        files += [(urls.file(api_file(path)), (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
                  for path, doc in documents.items()]
    return files

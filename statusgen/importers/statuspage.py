"""Reading a Statuspage page: its public v2 JSON, per-incident files and the management API.

The public endpoints list the 50 newest incidents and maintenance windows; per-incident files
(`incidents/<code>.json`) and the management API's incident list (every incident, page by page)
complete them. An incident seen in several documents is kept once, in its fullest version.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from statusgen.importers.fetching import Documents, ImportProblem, is_url
from statusgen.importers.html import TooLarge, report_markdown, to_markdown
from statusgen.importers.records import Dropped, Imported, ImportedComponent, ImportedEntry, ImportedUpdate

PUBLIC = ("summary.json", "components.json", "incidents.json", "scheduled-maintenances.json")
MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")
MANAGEMENT_API = "https://api.statuspage.io/v1"
PER_PAGE = 100
MAX_PAGES = 1000  # 100,000 incidents: a server that never stops answering is not followed for ever
NOT_PUBLISHED = ("subscribers, metrics and the page's design are not part of the public API: "
                 "they stay in Statuspage")


class Reader:
    """Turns Statuspage documents into imported records, naming the file and field of any bad value."""

    def __init__(self) -> None:
        self.dropped = Dropped()
        self.entries: dict[str, tuple[ImportedEntry, str]] = {}  # id -> (entry, updated_at)
        self.components: dict[str, ImportedComponent] = {}

    # -- values ----------------------------------------------------------------
    def _field(self, obj: Any, key: str, where: str, kind: type | tuple, required: bool = True) -> Any:
        if not isinstance(obj, dict):
            raise ImportProblem(f"{where}: expected an object, got {_kind(obj)}")
        value = obj.get(key)
        if value is None:
            if required:
                raise ImportProblem(f"{where}.{key}: missing")
            return None
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise ImportProblem(f"{where}.{key}: expected {_name(kind)}, got {_kind(value)}")
        return value

    def _time(self, obj: Any, key: str, where: str, required: bool = True) -> datetime | None:
        text = self._field(obj, key, where, str, required)
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ImportProblem(f"{where}.{key}: '{text[:40]}' is not a timestamp") from None
        if moment.tzinfo is None:
            raise ImportProblem(f"{where}.{key}: '{text[:40]}' has no time zone")
        return moment

    def _markdown(self, text: str, where: str, convert=to_markdown) -> str:
        try:
            return convert(text)
        except TooLarge as exc:
            raise ImportProblem(f"{where}: {exc}") from None

    def _list(self, doc: Any, key: str, where: str) -> list:
        return self._field(doc, key, where, list, required=False) or []

    # -- components ------------------------------------------------------------
    def read_components(self, items: list, where: str) -> None:
        groups = {}
        for index, item in enumerate(items):
            at = f"{where}[{index}]"
            if self._field(item, "group", at, bool, required=False):
                groups[self._field(item, "id", at, str)] = self._field(item, "name", at, str)
        for index, item in enumerate(items):
            at = f"{where}[{index}]"
            if self._field(item, "group", at, bool, required=False):
                continue
            cid = self._field(item, "id", at, str)
            group = self._field(item, "group_id", at, str, required=False)
            self.components.setdefault(cid, ImportedComponent(
                source_id=cid, name=self._field(item, "name", at, str),
                group=groups.get(group, "") if group else "",
                description=self._field(item, "description", at, str, required=False) or ""))

    # -- incidents ---------------------------------------------------------------
    def read_incident(self, item: Any, where: str) -> None:
        iid = self._field(item, "id", where, str)
        status = self._field(item, "status", where, str)
        scheduled_for = self._time(item, "scheduled_for", where, required=False)
        scheduled_until = self._time(item, "scheduled_until", where, required=False)
        kind = "maintenance" if scheduled_for or status in MAINTENANCE_STATUSES else "incident"
        updates = []
        for index, raw in enumerate(self._list(item, "incident_updates", where)):
            at = f"{where}.incident_updates[{index}]"
            moment = self._time(raw, "display_at", at, required=False) or self._time(raw, "created_at", at)
            states = {}
            for n, change in enumerate(self._list(raw, "affected_components", at)):
                code = self._field(change, "code", f"{at}.affected_components[{n}]", str)
                states[code] = self._field(change, "new_status", f"{at}.affected_components[{n}]", str)
            if raw.get("custom_tweet") or raw.get("tweet_id"):
                self.dropped.add("tweets: an update's tweet is not kept (its message is)")
            updates.append(ImportedUpdate(moment, self._field(raw, "status", at, str),
                                          self._markdown(self._field(raw, "body", at, str, False) or "", at),
                                          states))
        updates.sort(key=lambda u: u.at)  # Statuspage lists the newest first
        if not updates:
            self.dropped.add(f"incident {iid}: it has no update, so there is nothing to show; left out")
            return
        components = tuple(self._field(c, "id", f"{where}.components[{n}]", str)
                           for n, c in enumerate(self._list(item, "components", where)))
        postmortem = self._field(item, "postmortem_body", where, str, required=False) or ""
        entry = ImportedEntry(
            source_id=iid, kind=kind, title=self._field(item, "name", where, str),
            updates=tuple(updates), impact=self._field(item, "impact", where, str, required=False) or "none",
            components=components, report=self._markdown(postmortem, f"{where}.postmortem_body", report_markdown),
            shortlink=self._field(item, "shortlink", where, str, required=False) or "",
            scheduled=(scheduled_for, scheduled_until or scheduled_for) if scheduled_for else None)
        stamp = self._field(item, "updated_at", where, str, required=False) or ""
        known = self.entries.get(iid)
        if known is None or _fuller(entry, stamp, *known):
            if known is not None and not entry.report and known[0].report:
                entry = _with_report(entry, known[0].report)
            self.entries[iid] = (entry, stamp)
        elif entry.report and not known[0].report:
            self.entries[iid] = (_with_report(known[0], entry.report), known[1])

    def read_document(self, doc: Any, name: str) -> None:
        if not isinstance(doc, (dict, list)):
            raise ImportProblem(f"{name}: expected a JSON object, got {_kind(doc)}")
        if isinstance(doc, list):  # the management API answers a bare list
            for index, item in enumerate(doc):
                self.read_incident(item, f"{name}[{index}]")
            return
        if "components" in doc and not doc.get("id"):
            self.read_components(self._list(doc, "components", name), f"{name}: components")
        for key in ("incidents", "scheduled_maintenances"):
            for index, item in enumerate(self._list(doc, key, name)):
                self.read_incident(item, f"{name}: {key}[{index}]")
        if isinstance(doc.get("incident"), dict):
            self.read_incident(doc["incident"], f"{name}: incident")
        elif doc.get("id") and "incident_updates" in doc:
            self.read_incident(doc, name)

    def result(self) -> Imported:
        self.dropped.add(NOT_PUBLISHED)
        entries = sorted((e for e, _ in self.entries.values()), key=lambda e: (e.updates[0].at, e.source_id))
        return Imported(tuple(self.components.values()), tuple(entries), self.dropped, "statuspage")


def read_statuspage(source: str, api_key: str | None = None, api_base: str = MANAGEMENT_API,
                    page_id: str | None = None) -> Imported:
    """Everything a Statuspage page publishes, from a folder or its address; with a key, every incident."""
    docs = Documents(_api_root(source))
    reader = Reader()
    parsed = {name: docs.get(name, required=name in ("summary.json", "components.json") and not api_key)
              for name in PUBLIC}
    names = docs.names("incidents") + docs.names("scheduled-maintenances")
    if docs.base:
        names = [f"incidents/{iid}.json" for iid in _listed_ids(parsed)]
    for name in names:
        if name.rsplit("/", 1)[-1] in ("unresolved.json", "upcoming.json", "active.json"):
            continue
        parsed[name] = docs.get(name, required=False)
    for name, doc in parsed.items():
        if doc is not None:
            reader.read_document(doc, docs.where(name))
    if api_key:
        page = page_id or _page_id(parsed)
        _read_management(reader, api_base.rstrip("/"), page, api_key)
    return reader.result()


def _read_management(reader: Reader, base: str, page: str, key: str) -> None:
    docs = Documents(base, headers={"Authorization": f"OAuth {key}"})
    components = docs.get(f"pages/{page}/components")
    if not isinstance(components, list):
        raise ImportProblem(f"{docs.where(f'pages/{page}/components')}: expected a list of components")
    reader.read_components(components, docs.where(f"pages/{page}/components"))
    for number in range(1, MAX_PAGES + 1):
        name = f"pages/{page}/incidents?page={number}&per_page={PER_PAGE}"
        batch = docs.get(name)
        if not isinstance(batch, list):
            raise ImportProblem(f"{docs.where(name)}: expected a list of incidents, got {_kind(batch)}")
        reader.read_document(batch, docs.where(name))
        if len(batch) < PER_PAGE:
            return
    raise ImportProblem(f"{base}: more than {MAX_PAGES} pages of incidents; stopped")


def _api_root(source: str) -> str:
    """The folder or address holding summary.json: the page itself, or its api/v2/."""
    trimmed = source.rstrip("/")
    if is_url(source):
        return trimmed if trimmed.endswith("/api/v2") else trimmed + "/api/v2"
    nested = Path(source) / "api" / "v2"
    return str(nested) if nested.is_dir() else source


def _listed_ids(parsed: dict[str, Any]) -> list[str]:
    ids = []
    for doc in parsed.values():
        if isinstance(doc, dict):
            for key in ("incidents", "scheduled_maintenances"):
                ids += [i.get("id") for i in doc.get(key) or () if isinstance(i, dict) and isinstance(i.get("id"), str)]
    return list(dict.fromkeys(i for i in ids if i and "/" not in i and ".." not in i))


def _page_id(parsed: dict[str, Any]) -> str:
    for doc in parsed.values():
        if isinstance(doc, dict) and isinstance(doc.get("page"), dict) and isinstance(doc["page"].get("id"), str):
            return doc["page"]["id"]
    raise ImportProblem("the page id is unknown: give --page-id, or save summary.json beside the other files")


def _fuller(new: ImportedEntry, stamp: str, old: ImportedEntry, old_stamp: str) -> bool:
    return (len(new.updates), stamp) > (len(old.updates), old_stamp)


def _with_report(entry: ImportedEntry, report: str) -> ImportedEntry:
    return replace(entry, report=report)


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true or false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _name(kind: type | tuple) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({str: "a string", list: "a list", dict: "an object", bool: "true or false"}.get(k, k.__name__)
                       for k in kinds)

"""Reading a cState site (Hugo): config.yml's systems and categories, and content/issues/*.md.

An issue's updates are paragraphs of its body, each ending with `{{< track "2018-06-13 14:40:00" >}}`
and often starting with its status in emphasis (`*Monitoring* - ...`). Text without a time stamp
(a post-mortem above a `---` line) becomes the report. cState writes times without a zone: they are
read in config.yml's `timeZone`, as Hugo does, else in UTC.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from statusgen.importers.fetching import ImportProblem
from statusgen.importers.html import MAX_HTML, report_markdown
from statusgen.importers.records import Dropped, Imported, ImportedComponent, ImportedEntry, ImportedUpdate
from statusgen.loading.frontmatter import split_front_matter
from statusgen.loading.source import Source
from statusgen.loading.yamlnodes import compose

TRACK = re.compile(r"\{\{<\s*track\s+\"([^\"]+)\"\s*>\}\}")
# *Resolved* -, **Update**:, _Investigating_ - at the start of an update.
MARKER = re.compile(r"^\s*(\*\*|\*|__|_)([A-Za-z][A-Za-z -]{0,30}?)\1\s*[-:–—]?\s*")
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
SHORTCODE = re.compile(r"\{\{[<%].*?[%>]\}\}", re.DOTALL)
SEVERITY_STATE = {"down": "major_outage", "disrupted": "partial_outage", "notice": "degraded_performance"}
MAX_FILE = 2 * 1024 * 1024


def _plain(node: Node | None) -> Any:
    """A node as plain Python values; every scalar a string (so `true` and dates are read here)."""
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, SequenceNode):
        return [_plain(n) for n in node.value]
    if isinstance(node, MappingNode):
        return {str(getattr(k, "value", "")): _plain(v) for k, v in node.value}
    return None


def _yaml(text: str, where: str, first_line: int = 1) -> Any:
    node, problems = compose(text, where, first_line)
    if problems:
        raise ImportProblem(problems[0].format())
    return _plain(node)


def _read(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE:
            raise ImportProblem(f"{path}: larger than 2 MB")
        return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ImportProblem(f"{path}: cannot be read ({exc.strerror})") from None


class CstateReader:
    def __init__(self, folder: Path):
        self.folder = folder
        self.dropped = Dropped()
        config = folder / "config.yml"
        if not config.is_file():
            other = next((n for n in ("config.yaml", "config.toml", "hugo.yml", "hugo.toml")
                          if (folder / n).is_file()), None)
            if other and other.endswith(("yaml", "yml")):
                config = folder / other
            else:
                hint = f" ({other} is not read: save it as config.yml)" if other else ""
                raise ImportProblem(f"{config}: missing; is {folder} a cState site?{hint}")
        self.config_path = config
        data = _yaml(_read(config), str(config))
        if not isinstance(data, dict):
            raise ImportProblem(f"{config}: expected a mapping of settings")
        self.params = data.get("params") if isinstance(data.get("params"), dict) else {}
        self.zone = self._zone(data.get("timeZone") or data.get("timezone"))
        self.systems: dict[str, ImportedComponent] = {}  # lowercase name -> component

    def _zone(self, name: Any):
        if not name:
            self.dropped.add("times without a time zone are read as UTC (config.yml sets no timeZone)")
            return timezone.utc
        try:
            return ZoneInfo(str(name))
        except (ZoneInfoNotFoundError, ValueError):
            raise ImportProblem(f"{self.config_path}: timeZone: unknown time zone '{name}'") from None

    def components(self) -> tuple[ImportedComponent, ...]:
        categories = {}
        for index, item in enumerate(_list(self.params.get("categories"), f"{self.config_path}: params.categories")):
            if isinstance(item, dict) and item.get("name"):
                categories[str(item["name"])] = item
                if item.get("description"):
                    self.dropped.add("category descriptions: statusgen groups have a name only")
        where = f"{self.config_path}: params.systems"
        for index, item in enumerate(_list(self.params.get("systems"), where)):
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
                raise ImportProblem(f"{where}[{index}]: expected a system with a name")
            name = item["name"].strip()
            group = str(item.get("category") or "")
            if group and group not in categories:
                self.dropped.add(f"system '{name}': category '{group}' is not in params.categories; kept as its group")
            self.systems.setdefault(name.lower(), ImportedComponent(
                source_id=name, name=name, group=group,
                description=" ".join(str(item.get("description") or "").split())))
        return tuple(self.systems.values())

    def entries(self) -> tuple[ImportedEntry, ...]:
        folder = self.folder / "content" / "issues"
        if not folder.is_dir():
            raise ImportProblem(f"{folder}: missing; cState keeps its incidents there")
        found = []
        for path in sorted(folder.glob("*.md")):
            if path.name.startswith("_index"):
                continue
            entry = self.issue(path)
            if entry is not None:
                found.append(entry)
        return tuple(found)

    def _time(self, value: Any, where: str) -> datetime:
        text = str(value or "").strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ImportProblem(f"{where}: '{text[:40]}' is not a date and time") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=self.zone)

    def issue(self, path: Path) -> ImportedEntry | None:
        rel = path.relative_to(self.folder).as_posix()
        text = _read(path)
        if text.startswith("+++"):
            self.dropped.add(f"{rel}: TOML front matter (+++) is not read; convert it to YAML to import it")
            return None
        front, problems = split_front_matter(Source(rel, text, b""))
        if front is None:
            raise ImportProblem(f"{path}: {problems[0].message}")
        fields = _yaml(front.yaml, str(path), front.first_line)
        if not isinstance(fields, dict) or not fields.get("title") or not fields.get("date"):
            raise ImportProblem(f"{path}: the front matter needs a title and a date")
        if _true(fields.get("draft")):
            self.dropped.add(f"{rel}: a draft; left out")
            return None
        body = COMMENT.sub("", front.body)
        if SHORTCODE.search(TRACK.sub("", body)):
            self.dropped.add(f"{rel}: Hugo shortcodes other than track are left out")
            body = SHORTCODE.sub(lambda m: m.group(0) if TRACK.fullmatch(m.group(0)) else "", body)
        if len(body) > MAX_HTML:
            raise ImportProblem(f"{path}: a body of {len(body):,} characters (the limit is {MAX_HTML:,})")
        started = self._time(fields["date"], f"{path}: date")
        severity = str(fields.get("severity") or "notice").lower()
        informational = _true(fields.get("informational"))
        affected = []
        for name in _list(fields.get("affected"), f"{path}: affected"):
            system = self.systems.get(str(name).strip().lower())
            if system is None:
                self.dropped.add(f"{rel}: affected system '{name}' is not in config.yml's systems; left out")
            else:
                affected.append(system.source_id)
        state = None if informational else SEVERITY_STATE.get(severity)
        if state is None and not informational:
            self.dropped.add(f"{rel}: unknown severity '{severity}' (down, disrupted, notice)")
        updates, report = self._updates(body, started, path)
        first = updates[0]
        updates[0] = ImportedUpdate(first.at, first.status, first.body, {a: state for a in affected} if state else {})
        if _true(fields.get("resolved")):
            when = self._time(fields["resolvedWhen"], f"{path}: resolvedWhen") if fields.get("resolvedWhen") \
                else updates[-1].at
            if updates[-1].status != "resolved":
                if when <= updates[-1].at:
                    last = updates[-1]
                    updates[-1] = ImportedUpdate(last.at, "resolved", last.body, last.components)
                else:
                    updates.append(ImportedUpdate(when, "resolved", ""))
        return ImportedEntry(
            source_id=rel.removeprefix("content/issues/"), kind="incident", title=str(fields["title"]).strip(),
            updates=tuple(updates), impact="none" if informational else severity, components=tuple(affected),
            report=report)

    def _updates(self, body: str, started: datetime, path: Path) -> tuple[list[ImportedUpdate], str]:
        """The timed paragraphs as updates (oldest first), and the text without a time as the report."""
        updates = []
        last = 0
        for match in TRACK.finditer(body):
            chunk = body[last:match.start()]
            cut = chunk.rfind("\n---")
            if cut >= 0:  # a post-mortem above a rule: not part of this update
                chunk = chunk[cut + 4:]
            status, message = _status_and_message(chunk)
            updates.append(ImportedUpdate(self._time(match.group(1), f"{path}: track"), status,
                                          report_markdown(message)))
            last = match.end()
        report = _report(body) if updates else ""
        if not updates:
            status, message = _status_and_message(body)
            updates.append(ImportedUpdate(started, status, report_markdown(message)))
        updates.sort(key=lambda u: u.at)
        known = "investigating"
        fixed = []
        for update in updates:  # "Update" keeps the status before it
            status = update.status if update.status in STATUSES else known
            known = status
            fixed.append(ImportedUpdate(update.at, status, update.body, update.components))
        return fixed, report


STATUSES = ("investigating", "identified", "monitoring", "resolved")


def _status_and_message(chunk: str) -> tuple[str, str]:
    text = chunk.strip()
    found = MARKER.match(text)
    if found:
        word = found.group(2).strip().lower()
        return ("resolved" if word.startswith("resolv") else word), text[found.end():].strip()
    return "update", text


def _report(body: str) -> str:
    """What stands above the first timed update's rule (`---`): a post-mortem."""
    first = TRACK.search(body)
    head = body[:first.start()] if first else body
    cut = head.rfind("\n---")
    return report_markdown(head[:cut].strip()) if cut >= 0 else ""


def _list(value: Any, where: str) -> list:
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise ImportProblem(f"{where}: expected a list")
    return value


def _true(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "yes", "on")


def read_cstate(folder: Path) -> Imported:
    if not Path(folder).is_dir():
        raise ImportProblem(f"{folder}: no such folder (give the cState site's folder, holding config.yml)")
    reader = CstateReader(Path(folder))
    components = reader.components()
    entries = reader.entries()
    return Imported(components, entries, reader.dropped, "cstate")

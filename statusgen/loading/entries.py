"""Reading incidents/**/*.md into Entry objects."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date
from pathlib import Path

from yaml.nodes import ScalarNode

from statusgen.catalog import diag
from statusgen.errors import Diagnostic, did_you_mean
from statusgen.loading.frontmatter import split_front_matter
from statusgen.loading.source import Source, read_source, relative
from statusgen.loading.texts import check_body, check_markdown_field
from statusgen.loading.yamlnodes import NodeReader, compose, is_null
from statusgen.model.entry import Entry, Facets, Update, apply_update, merge_text as merge_title
from statusgen.model.site import COMPONENT_STATES, Component, Lifecycle, Priority
from statusgen.model.text import LocalText

# [0-9], not \d: int() reads Arabic-Indic and other digits too, and the id must stay ASCII.
FILE_NAME = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
MAX_ENTRY_ID = 100  # the id names a folder of the output, and feeds and URLs repeat it
MARKDOWN_FIELDS = ("impact", "workaround", "root_cause")
ENTRY_KEYS = ("title", "lifecycle", "priority", "components", "impact", "workaround", "updates",
              "root_cause", "root_cause_kind", "scheduled", "auto_start", "auto_complete", "retroactive", "draft",
              "source_id", "shortlink")
ROOT_CAUSE_KINDS = ("systemic", "isolated")
UPDATE_KEYS = ("at", "status", "message", "components", "priority", "title", "impact", "workaround", "reminder",
               "notify")
CHANGE_KEYS = ("components", "priority", "title", "impact", "workaround")  # what an update may change
DEFAULT_LIFECYCLE = "incident"


class EntryContext:
    """What an entry file is checked against: the site's languages and definitions."""

    def __init__(self, languages, components: dict[str, Component], lifecycles: dict[str, Lifecycle],
                 priorities: dict[str, Priority]):
        self.languages = tuple(languages)
        self.components = components
        self.lifecycles = lifecycles
        self.priorities = priorities


def entry_files(root: Path) -> list[Path]:
    """Every Markdown file under incidents/, in a stable order; hidden files and folders are ignored."""
    return [Path(name) for name in entry_file_names(root)]


def entry_file_names(root: Path) -> list[str]:
    """The paths of entry_files() as strings: a site of ten thousand entries is listed on every rebuild."""
    found: list[str] = []
    pending = [os.path.join(root, "incidents")]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for item in entries:
            if item.name.startswith("."):
                continue
            if item.name.lower().endswith(".md"):
                found.append(item.path)
            elif item.is_dir(follow_symlinks=False):
                pending.append(item.path)
            elif item.is_symlink() and item.is_dir():
                found.append(item.path)  # reported as not-a-file: a linked folder is not followed
    return sorted(found)


def file_name_problem(path: Path, rel: str) -> Diagnostic | None:
    match = FILE_NAME.match(path.name)
    if match and len(path.stem) > MAX_ENTRY_ID:
        return diag("file-name", rel, 1, "", f"the id is {len(path.stem)} characters long; the limit is {MAX_ENTRY_ID}",
                    "shorten the slug: the id names the entry's folder and URL")
    if match and _is_date(*(int(g) for g in match.groups())):
        return None
    return diag("file-name", rel, 1, "", f"'{path.name}' does not match YYYY-MM-DD-slug.md",
                "name it after the start date and a lowercase slug, e.g. 2026-11-20-payment-failures.md")


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
        return True
    except ValueError:
        return False


def load_entry(path: Path, root: Path, ctx: EntryContext) -> tuple[Entry | None, list[Diagnostic]]:
    """One entry file, or None when it has errors (each reported as a diagnostic)."""
    rel = relative(path, root)
    if path.is_symlink() and path.is_dir():
        return None, read_source(path, root)[1]
    name_problem = file_name_problem(path, rel)
    problems = [name_problem] if name_problem else []
    source, read_problems = read_source(path, root)
    problems += read_problems
    if source is None:
        return None, problems
    entry, found = entry_from_source(source, path.stem, ctx)
    if name_problem:
        entry = None  # its id would not be a safe URL segment
    return entry, problems + found


def entry_from_source(source: Source, entry_id: str, ctx: EntryContext) -> tuple[Entry | None, list[Diagnostic]]:
    """The entry written in a decoded file (also used to check an edit before it is saved)."""
    front, problems = split_front_matter(source)
    if front is None:
        return None, problems
    node, problems = compose(front.yaml, source.path, front.first_line)
    if problems:
        return None, problems
    r = NodeReader(source.path, front.first_line, ctx.languages)
    r.plain_is_one_language = True
    if node is None:
        r.report("missing-field", front.first_line, "title", "the front matter is empty",
                 "fill in title, priority and updates")
        return None, r.diagnostics
    entry = _read_entry(r, node, ctx, entry_id, front.body, source.raw)
    check_body(r, front.body, front.body_line, "report", ctx.languages)
    if any(d.level == "error" for d in r.diagnostics):
        return None, r.diagnostics
    return entry, r.diagnostics


def _read_entry(r: NodeReader, node, ctx: EntryContext, entry_id: str, body: str, raw: bytes) -> Entry | None:
    fields = r.mapping(node, "", ENTRY_KEYS, required=("title", "updates"))
    if fields is None:
        return None
    lines = {key: r.line(value) for key, value in fields.items()}
    lifecycle_id = r.scalar(fields.get("lifecycle"), "lifecycle") or DEFAULT_LIFECYCLE
    lifecycle = ctx.lifecycles.get(lifecycle_id)
    if lifecycle is None:
        r.report("unknown-lifecycle", fields.get("lifecycle"), "lifecycle", f"unknown lifecycle '{lifecycle_id}'",
                 did_you_mean(lifecycle_id, ctx.lifecycles))
        return None
    priority = _priority(r, fields, lifecycle, ctx)
    title = r.text(fields.get("title"), "title")
    components = _components(r, fields.get("components"), ctx)
    updates = _updates(r, fields.get("updates"), lifecycle, ctx)
    if priority is not None and title is not None:
        _check_changes(r, updates, Facets(title, priority))
    start, end = _schedule(r, fields.get("scheduled"))
    for name in MARKDOWN_FIELDS:
        check_markdown_field(r, fields.get(name), name)
    if lifecycle.kind == "maintenance" and "scheduled" not in fields:
        r.report("schedule", fields.get("lifecycle"), "scheduled", "a maintenance needs its window",
                 "add scheduled: {start: 2026-11-26T22:00:00+01:00, end: 2026-11-27T01:00:00+01:00}")
    automatic = {name: bool(r.boolean(fields.get(name), name)) for name in ("auto_start", "auto_complete")}
    _check_automatic(r, fields, lifecycle, automatic)
    if title is None or priority is None or not updates or components is None:
        return None
    return Entry(
        id=entry_id,
        path=r.path,
        opening=Facets(
            title=title,
            priority=priority,
            impact=r.text(fields.get("impact"), "impact") or LocalText(),
            workaround=r.text(fields.get("workaround"), "workaround") or LocalText(),
        ),
        lifecycle=lifecycle,
        updates=tuple(updates),
        components=components,
        root_cause=r.text(fields.get("root_cause"), "root_cause") or LocalText(),
        root_cause_kind=r.choice(fields.get("root_cause_kind"), "root_cause_kind", ROOT_CAUSE_KINDS, "invalid-value",
                                 "kind of root cause") or "",
        report=body.strip("\n"),
        scheduled_start=start,
        scheduled_end=end,
        auto_start=automatic["auto_start"],
        auto_complete=automatic["auto_complete"],
        retroactive=bool(r.boolean(fields.get("retroactive"), "retroactive")),
        draft=bool(r.boolean(fields.get("draft"), "draft")),
        source_id=r.origin(fields.get("source_id"), "source_id"),
        shortlink=r.origin(fields.get("shortlink"), "shortlink", url=True),
        lines=lines,
        source_hash=hashlib.sha1(raw).hexdigest(),
    )


def _check_automatic(r: NodeReader, fields, lifecycle: Lifecycle, automatic: dict[str, bool]) -> None:
    """auto_start and auto_complete follow a window, into statuses the lifecycle has."""
    for name, wanted in automatic.items():
        if not wanted:
            continue
        if "scheduled" not in fields:
            r.report("schedule", fields[name], name, f"{name} follows the window, and there is none",
                     "add scheduled: {start: ..., end: ...}, or remove the line")
        elif name == "auto_start" and not any(s.is_work_under_way for s in lifecycle.statuses.values()):
            r.report("schedule", fields[name], name,
                     f"lifecycle '{lifecycle.id}' has no status of work in progress (api_status: in_progress)",
                     "give one status api_status: in_progress in content/lifecycles.yaml")
        elif name == "auto_complete" and not lifecycle.resolve_status:
            r.report("schedule", fields[name], name, f"lifecycle '{lifecycle.id}' sets no resolve_status",
                     "set resolve_status in content/lifecycles.yaml (the status of completed work)")


def _priority(r: NodeReader, fields, lifecycle: Lifecycle, ctx: EntryContext) -> Priority | None:
    node = fields.get("priority")
    pid = r.scalar(node, "priority")
    if pid is None:
        if lifecycle.default_priority:
            return ctx.priorities[lifecycle.default_priority]
        r.report("missing-field", node, "priority", "required field is missing",
                 f"add priority: one of {', '.join(ctx.priorities)}")
        return None
    if pid not in ctx.priorities:
        r.report("unknown-priority", node, "priority", f"unknown priority '{pid}'", did_you_mean(pid, ctx.priorities))
        return None
    return ctx.priorities[pid]


def _component_id(r: NodeReader, node, field: str, ctx: EntryContext) -> str | None:
    cid = r.scalar(node, field)
    if cid is not None and cid not in ctx.components:
        r.report("unknown-component", node, field, f"unknown component '{cid}'", did_you_mean(cid, ctx.components))
        return None
    return cid


def _state(r: NodeReader, node, field: str) -> str | None:
    return r.choice(node, field, COMPONENT_STATES, "unknown-state", "component state")


def _components(r: NodeReader, node, ctx: EntryContext) -> dict[str, str | None] | None:
    """A list of ids (states implied) or a mapping of id to state."""
    result: dict[str, str | None] = {}
    if node is None or getattr(node, "tag", "").endswith(":null"):
        return result
    if node.id == "sequence":
        for index, item in enumerate(node.value):
            cid = _component_id(r, item, f"components[{index}]", ctx)
            if cid:
                result[cid] = None
        return result
    if node.id == "mapping":
        return _component_states(r, node, "components", ctx)
    r.wrong_type(node, "components", "a list of component ids or a mapping of id to state",
                 "write components: [payments-api] or components: {payments-api: major_outage}")
    return None


def _component_states(r: NodeReader, node, field: str, ctx: EntryContext) -> dict[str, str]:
    result = {}
    keys = r.mapping(node, field, tuple(k.value for k, _ in node.value if hasattr(k, "value")
                                        and isinstance(k.value, str)))
    for cid_text, value in (keys or {}).items():
        key_node = next(k for k, v in node.value if v is value)
        cid = _component_id(r, key_node, f"{field}.{cid_text}", ctx)
        if is_null(value) or (isinstance(value, ScalarNode) and not value.value.strip()):
            # Left empty, the component would silently drop out of the entry.
            r.report("missing-field", key_node, f"{field}.{cid_text}", "no state given",
                     f"write a state ({', '.join(COMPONENT_STATES)}), or list the component without one: "
                     f"components: [{cid_text}]")
            continue
        state = _state(r, value, f"{field}.{cid_text}")
        if cid and state:
            result[cid] = state
    return result


def _updates(r: NodeReader, node, lifecycle: Lifecycle, ctx: EntryContext) -> list[Update]:
    items = r.sequence(node, "updates")
    if node is not None and items is not None and not items:
        r.report("missing-field", node, "updates", "the timeline needs at least one update")
    updates = []
    for index, item in enumerate(items or ()):
        update = _update(r, item, index, lifecycle, ctx)
        if update is not None:
            updates.append(update)
    return updates


def _update(r: NodeReader, item, index: int, lifecycle: Lifecycle, ctx: EntryContext) -> Update | None:
    field = f"updates[{index}]"
    keys = r.mapping(item, field, UPDATE_KEYS, required=("at", "status"))
    if keys is None:
        return None
    at = r.timestamp(keys.get("at"), f"{field}.at")
    status = r.scalar(keys.get("status"), f"{field}.status")
    if status is not None and status not in lifecycle.statuses:
        r.report("unknown-status", keys["status"], f"{field}.status",
                 f"unknown status '{status}' for lifecycle '{lifecycle.id}'", did_you_mean(status, lifecycle.statuses))
        status = None
    reminder = bool(r.boolean(keys.get("reminder"), f"{field}.reminder"))
    notify = r.boolean(keys.get("notify"), f"{field}.notify")
    changes = [key for key in CHANGE_KEYS if key in keys]
    message = _message(r, keys, field, r.line(item), status, lifecycle, optional=bool(changes) or reminder)
    states = {}
    if keys.get("components") is not None:
        if keys["components"].id == "mapping":
            states = _component_states(r, keys["components"], f"{field}.components", ctx)
        else:
            r.wrong_type(keys["components"], f"{field}.components", "a mapping of component id to state")
    priority = None
    if keys.get("priority") is not None:
        pid = r.scalar(keys["priority"], f"{field}.priority")
        priority = ctx.priorities.get(pid or "")
        if pid is not None and priority is None:
            r.report("unknown-priority", keys["priority"], f"{field}.priority", f"unknown priority '{pid}'",
                     did_you_mean(pid, ctx.priorities))
            return None
    texts = {}
    for name in ("title", "impact", "workaround"):
        texts[name] = r.text(keys.get(name), f"{field}.{name}", blank_ok=name != "title", partial=True)
        if name != "title":
            check_markdown_field(r, keys.get(name), f"{field}.{name}")
    if at is None or status is None or message is None:
        return None
    return Update(
        at=at, status=status, message=message, components=states, index=index, line=r.line(item),
        lines={key: r.line(value) for key, value in keys.items()}, priority=priority, reminder=reminder,
        notify=notify is not False,
        title=texts["title"], impact=_blank_removes(texts["impact"], keys, "impact"),
        workaround=_blank_removes(texts["workaround"], keys, "workaround"),
    )


def _blank_removes(text: LocalText | None, keys, name: str) -> LocalText | None:
    """An update's `impact: ""` (or null) removes the text: an empty text, not "no change"."""
    if text is None and name in keys:
        return LocalText.plain("")
    return text


def _message(r: NodeReader, keys, field: str, line: int, status: str | None, lifecycle: Lifecycle,
             optional: bool) -> LocalText | None:
    """An update's message: required, unless the update changes something or records a reminder."""
    node = keys.get("message")
    if node is None:
        if optional:
            return LocalText()
        r.report("missing-field", line, f"{field}.message", "required field is missing",
                 "tell customers what changed; an update without a message must change something "
                 "(priority, components, impact, workaround, title)")
        return None
    message = r.text(node, f"{field}.message", blank_ok=True)
    check_markdown_field(r, node, f"{field}.message")
    resolving = status is not None and lifecycle.statuses[status].is_resolved
    if message is not None and not message and not resolving and not optional:
        # Resolving ones: rule resolution-message.
        r.report("missing-field", node, f"{field}.message", "the message is empty",
                 "tell customers what changed, even that the investigation continues")
        return None
    return message


def _check_changes(r: NodeReader, updates: list[Update], opening: Facets) -> None:
    """A title may change, never become empty (changes that change nothing: rules.lifecycle.check_no_change)."""
    current = opening
    for update in updates:
        field = f"updates[{update.index}]"
        if update.title is not None and not merge_title(current.title, update.title):
            r.report("missing-field", update.lines.get("title", update.line), f"{field}.title",
                     "the title would be empty", "give the new title, or remove the line")
        current = apply_update(current, update)


def _schedule(r: NodeReader, node):
    if node is None:
        return None, None
    keys = r.mapping(node, "scheduled", ("start", "end"), required=("start", "end"))
    if not keys:
        return None, None
    start = r.timestamp(keys.get("start"), "scheduled.start")
    end = r.timestamp(keys.get("end"), "scheduled.end")
    if start and end and end <= start:
        r.report("schedule", keys["end"], "scheduled.end", "the window ends before it starts",
                 "check the date and time of scheduled.end")
    return start, end
